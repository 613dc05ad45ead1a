import { useEffect, useRef, useState } from 'react';
import { loadSession, signInPathFor } from './api';
import { Header } from './components/header';
import { AccountPage } from './pages/account-page';
import { AccountsPage } from './pages/accounts-page';
import { EmailsPage } from './pages/emails-page';
import { NotFoundPage } from './pages/not-found-page';
import { SignInPage } from './pages/sign-in-page';
import { TenantPage } from './pages/tenant-page';
import { TenantsPage } from './pages/tenants-page';
import { WebhooksPage } from './pages/webhooks-page';
import { currentPath, matchRoute, navigate, useLocation, type Route } from './router';
import { TenantsContext } from './tenants-context';
import type { DataList, Tenant } from './types';
import { useResource } from './use-resource';

type SessionState = 'checking' | 'signed-in' | 'signed-out';

export function App() {
  const { pathname, search } = useLocation();
  const route = matchRoute(pathname);
  const [session, setSession] = useState<SessionState>('checking');
  const mainRef = useRef<HTMLElement>(null);

  // The CSRF token comes from the session the server already knows (the cookie is HttpOnly).
  useEffect(() => {
    let current = true;
    loadSession().then(
      (found) => current && setSession(found ? 'signed-in' : 'signed-out'),
      () => current && setSession('signed-out'),
    );
    return () => {
      current = false;
    };
  }, []);

  // Signed out (or the session ended) on any page but sign-in: sign in, then come back here.
  useEffect(() => {
    if (session === 'signed-out' && route.page !== 'sign-in') navigate(signInPathFor(currentPath()), { replace: true });
  }, [session, route.page]);

  // After an in-page navigation, focus moves to the new page's content, as a page load would put it.
  const previousPath = useRef<string | null>(null);
  useEffect(() => {
    if (previousPath.current !== null && previousPath.current !== pathname) mainRef.current?.focus();
    previousPath.current = pathname;
  }, [pathname]);

  const signedIn = session === 'signed-in' && route.page !== 'sign-in';
  const tenants = useResource<DataList<Tenant>>(signedIn ? '/admin/v1/tenants?limit=100' : null);
  const directory = { tenants: tenants.data?.data ?? [], reload: tenants.reload };

  return (
    <TenantsContext.Provider value={directory}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header route={route} signedIn={signedIn} onSignedOut={() => setSession('signed-out')} />
      <main id="main" ref={mainRef} tabIndex={-1}>
        {route.page === 'sign-in' ? (
          <SignInPage search={search} onSignedIn={() => setSession('signed-in')} />
        ) : signedIn ? (
          <Page route={route} search={search} />
        ) : (
          <p className="muted">Checking your session…</p>
        )}
      </main>
    </TenantsContext.Provider>
  );
}

function Page({ route, search }: { route: Route; search: string }) {
  switch (route.page) {
    case 'tenants':
      return <TenantsPage />;
    case 'tenant':
      return <TenantPage key={route.tenantId} tenantId={route.tenantId} />;
    case 'accounts':
      return <AccountsPage key={route.tenantId} tenantId={route.tenantId} search={search} />;
    case 'account':
      return <AccountPage key={`${route.tenantId}/${route.accountId}`} tenantId={route.tenantId} accountId={route.accountId} />;
    case 'webhooks':
      return <WebhooksPage key={route.tenantId} tenantId={route.tenantId} search={search} />;
    case 'emails':
      return <EmailsPage key={route.tenantId} tenantId={route.tenantId} />;
    default:
      return <NotFoundPage />;
  }
}
