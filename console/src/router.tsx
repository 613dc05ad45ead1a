import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

// A tiny router over history.pushState and popstate: links are real <a href>, so keyboard,
// middle-click and "open in new tab" work; a plain click is handled here without a reload.

export const BASE = '/console';
export const SIGN_IN_PATH = `${BASE}/sign-in`;
const CHANGE = 'console:navigate';

export type Route =
  | { page: 'sign-in' }
  | { page: 'tenants' }
  | { page: 'tenant'; tenantId: string }
  | { page: 'accounts'; tenantId: string }
  | { page: 'account'; tenantId: string; accountId: string }
  | { page: 'webhooks'; tenantId: string }
  | { page: 'emails'; tenantId: string }
  | { page: 'not-found' };

/** The current path and query (what the sign-in page comes back to). */
export const currentPath = () => `${window.location.pathname}${window.location.search}`;

export function navigate(to: string, { replace = false }: { replace?: boolean } = {}): void {
  if (to === currentPath()) return;
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

/** The current path and query, re-rendering on every navigation. */
export function useLocation(): { pathname: string; search: string } {
  const path = useSyncExternalStore(subscribe, currentPath);
  const queryAt = path.indexOf('?');
  return queryAt < 0 ? { pathname: path, search: '' } : { pathname: path.slice(0, queryAt), search: path.slice(queryAt) };
}

export function matchRoute(pathname: string): Route {
  if (pathname === BASE || pathname === `${BASE}/`) return { page: 'tenants' };
  if (pathname === SIGN_IN_PATH) return { page: 'sign-in' };
  if (!pathname.startsWith(`${BASE}/tenants/`)) return { page: 'not-found' };
  const segments = pathname
    .slice(`${BASE}/tenants/`.length)
    .replace(/\/$/, '')
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
  const [tenantId, section, accountId, ...rest] = segments;
  if (!tenantId || rest.length > 0) return { page: 'not-found' };
  if (section === undefined) return { page: 'tenant', tenantId };
  if (section === 'accounts' && accountId !== undefined && accountId !== '') return { page: 'account', tenantId, accountId };
  if (accountId !== undefined) return { page: 'not-found' };
  if (section === 'accounts') return { page: 'accounts', tenantId };
  if (section === 'webhooks') return { page: 'webhooks', tenantId };
  if (section === 'emails') return { page: 'emails', tenantId };
  return { page: 'not-found' };
}

/** The console's paths, built in one place. */
export const paths = {
  tenants: () => `${BASE}/`,
  tenant: (tenantId: string) => `${BASE}/tenants/${encodeURIComponent(tenantId)}`,
  accounts: (tenantId: string) => `${BASE}/tenants/${encodeURIComponent(tenantId)}/accounts`,
  account: (tenantId: string, accountId: string) => `${BASE}/tenants/${encodeURIComponent(tenantId)}/accounts/${encodeURIComponent(accountId)}`,
  webhooks: (tenantId: string) => `${BASE}/tenants/${encodeURIComponent(tenantId)}/webhooks`,
  emails: (tenantId: string) => `${BASE}/tenants/${encodeURIComponent(tenantId)}/emails`,
};

/** A plain click navigates in place; a modified or middle click is left to the browser. */
function isPlainClick(event: MouseEvent<HTMLAnchorElement>): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey && !event.defaultPrevented;
}

export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  return (
    <a
      href={href}
      onClick={(event) => {
        onClick?.(event);
        if (!isPlainClick(event) || rest.target) return;
        event.preventDefault();
        navigate(href);
      }}
      {...rest}
    />
  );
}
