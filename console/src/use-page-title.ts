import { useEffect } from 'react';

/** The tab's title follows the page's <h1>. */
export function usePageTitle(heading: string): void {
  useEffect(() => {
    document.title = `${heading} · Subledger console`;
  }, [heading]);
}
