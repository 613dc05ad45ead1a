import { Link, paths } from '../router';
import { usePageTitle } from '../use-page-title';

export function NotFoundPage() {
  usePageTitle('Page not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>
        The console has no page here. <Link href={paths.tenants()}>Go to the tenants</Link>.
      </p>
    </>
  );
}
