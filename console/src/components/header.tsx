import { useEffect, useState } from 'react';
import { signOut } from '../api';
import { Link, navigate, paths, SIGN_IN_PATH, type Route } from '../router';
import { useTenants } from '../tenants-context';

type Section = 'tenants' | 'accounts' | 'webhooks' | 'emails';

const SECTIONS: { section: Section; label: string }[] = [
  { section: 'tenants', label: 'Tenants' },
  { section: 'accounts', label: 'Accounts' },
  { section: 'webhooks', label: 'Webhooks' },
  { section: 'emails', label: 'E-mails' },
];

function sectionOf(route: Route): Section | null {
  switch (route.page) {
    case 'tenants':
    case 'tenant':
      return 'tenants';
    case 'accounts':
    case 'account':
      return 'accounts';
    case 'webhooks':
      return 'webhooks';
    case 'emails':
      return 'emails';
    default:
      return null;
  }
}

/** A section's page for one tenant (Tenants: the tenant's own page). */
function sectionPath(section: Section, tenantId: string | undefined): string {
  if (tenantId === undefined) return paths.tenants();
  switch (section) {
    case 'tenants':
      return paths.tenant(tenantId);
    case 'accounts':
      return paths.accounts(tenantId);
    case 'webhooks':
      return paths.webhooks(tenantId);
    case 'emails':
      return paths.emails(tenantId);
  }
}

export function Header({ route, signedIn, onSignedOut }: { route: Route; signedIn: boolean; onSignedOut: () => void }) {
  const { tenants } = useTenants();
  const routeTenant = 'tenantId' in route ? route.tenantId : undefined;
  // The tenant stays chosen when the operator goes back to the list of tenants.
  const [lastTenant, setLastTenant] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (routeTenant !== undefined) setLastTenant(routeTenant);
  }, [routeTenant]);
  const navTenant = routeTenant ?? lastTenant ?? tenants[0]?.id;
  const current = sectionOf(route);

  async function signOutNow() {
    try {
      await signOut();
    } finally {
      navigate(SIGN_IN_PATH);
      onSignedOut();
    }
  }

  return (
    <header className="site-header">
      <p className="product-name">
        <Link href={paths.tenants()}>Subledger console</Link>
      </p>
      {signedIn && (
        <>
          <nav aria-label="Main">
            <ul>
              {SECTIONS.map(({ section, label }) => (
                <li key={section}>
                  <Link href={section === 'tenants' ? paths.tenants() : sectionPath(section, navTenant)} aria-current={current === section ? 'page' : undefined}>
                    {label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="header-tools">
            <label htmlFor="tenant-picker">Tenant</label>
            <select
              id="tenant-picker"
              value={routeTenant ?? ''}
              onChange={(event) => {
                if (event.target.value !== '') navigate(sectionPath(current === null || current === 'tenants' ? 'tenants' : current, event.target.value));
              }}
            >
              {routeTenant === undefined && <option value="">Choose a tenant…</option>}
              {routeTenant !== undefined && !tenants.some((t) => t.id === routeTenant) && <option value={routeTenant}>{routeTenant}</option>}
              {tenants.map((tenant) => (
                <option key={tenant.id} value={tenant.id}>
                  {tenant.name} ({tenant.id})
                </option>
              ))}
            </select>
            <button type="button" className="secondary" onClick={() => void signOutNow()}>
              Sign out
            </button>
          </div>
        </>
      )}
    </header>
  );
}
