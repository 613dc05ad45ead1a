import { adminPath } from '../api';
import { Loading, ProblemAlert } from '../components/feedback';
import { KeysSection } from '../components/keys-section';
import { LedgerVerifySection } from '../components/ledger-verify-section';
import { OAuthClientsSection } from '../components/oauth-clients-section';
import { TestModeSection } from '../components/test-mode-section';
import { formatTime } from '../format';
import { Link, paths } from '../router';
import type { Tenant } from '../types';
import { usePageTitle } from '../use-page-title';
import { useResource } from '../use-resource';

export function TenantPage({ tenantId }: { tenantId: string }) {
  const tenant = useResource<Tenant>(adminPath('tenants', tenantId));
  usePageTitle(tenant.data?.name ?? 'Tenant');

  if (!tenant.data) {
    return (
      <>
        <h1>Tenant {tenantId}</h1>
        <ProblemAlert error={tenant.error} />
        {tenant.loading && <Loading what="the tenant" />}
      </>
    );
  }
  const { name, id, country, created_at, callback_token } = tenant.data;
  return (
    <>
      <h1>{name}</h1>
      <dl className="summary">
        <div>
          <dt>Id</dt>
          <dd>
            <code>{id}</code>
          </dd>
        </div>
        <div>
          <dt>Country</dt>
          <dd>{country}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(created_at)}</dd>
        </div>
      </dl>
      <div className="field">
        <label htmlFor="callback-token">Callback token</label>
        <input id="callback-token" className="wide-input" readOnly value={callback_token} aria-describedby="callback-token-note" />
        <p id="callback-token-note" className="muted">
          Sent as the x-callback-token header on this tenant's platform webhooks.
        </p>
      </div>
      <p className="see-also">
        <Link href={paths.accounts(id)}>Accounts</Link> · <Link href={paths.webhooks(id)}>Webhooks</Link> · <Link href={paths.emails(id)}>E-mails</Link>
      </p>
      <KeysSection tenantId={id} />
      <OAuthClientsSection tenantId={id} />
      <TestModeSection tenantId={id} />
      <LedgerVerifySection tenantId={id} />
    </>
  );
}
