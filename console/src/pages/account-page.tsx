import { lazy, Suspense } from 'react';
import { adminPath } from '../api';
import { LowBalanceForm, MoveStatusForm } from '../components/account-actions';
import { AccountBills } from '../components/account-bills';
import { AccountEvents } from '../components/account-events';
import { BalancesAsOfPicker } from '../components/balances-as-of';
import { Loading, ProblemAlert } from '../components/feedback';
import { LedgerTimeline } from '../components/ledger-timeline';
import { EmptyRow, TableRegion } from '../components/table-region';
import { formatTime, orDash } from '../format';
import { Link, paths } from '../router';
import type { AccountDetail, BalanceSeries, DataList } from '../types';
import { usePageTitle } from '../use-page-title';
import { useResource } from '../use-resource';

// The charting library is most of the bundle's weight: it loads only when an account page needs it.
const BalanceChart = lazy(() => import('../components/balance-chart').then((module) => ({ default: module.BalanceChart })));

export function AccountPage({ tenantId, accountId }: { tenantId: string; accountId: string }) {
  const accountPath = adminPath('tenants', tenantId, 'accounts', accountId);
  const account = useResource<AccountDetail>(accountPath);
  const history = useResource<DataList<BalanceSeries>>(`${accountPath}/balance-history`);
  const heading = account.data ? (account.data.name ?? account.data.id) : `Account ${accountId}`;
  usePageTitle(heading);

  if (!account.data) {
    return (
      <>
        <h1>{heading}</h1>
        <ProblemAlert error={account.error} />
        {account.loading && <Loading what="the account" />}
      </>
    );
  }
  const detail = account.data;
  const reloadAll = () => {
    account.reload();
    history.reload();
  };

  return (
    <>
      <p className="breadcrumb">
        <Link href={paths.accounts(tenantId)}>Accounts</Link> / {detail.id}
      </p>
      <h1>{heading}</h1>
      <AccountSummary account={detail} />
      {detail.actions.platform_status && <MoveStatusForm tenantId={tenantId} account={detail} onMoved={reloadAll} />}
      {detail.actions.low_balance !== undefined && <LowBalanceForm tenantId={tenantId} account={detail} onSaved={account.setData} />}
      <Balances account={detail} />
      <BalancesAsOfPicker accountPath={accountPath} />
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Balance over time</h2>
        <ProblemAlert error={history.error} />
        {history.loading && !history.data && <Loading what="the balance history" />}
        {history.data && history.data.data.length === 0 && <p className="muted">No balance history yet.</p>}
        <Suspense fallback={<Loading what="the chart" />}>
          {history.data?.data.map((series) => <BalanceChart key={series.currency} series={series} />)}
        </Suspense>
      </section>
      <LedgerTimeline tenantId={tenantId} accountId={detail.id} currencies={detail.balances.map((b) => b.currency)} />
      {detail.surface === 'billing' && <AccountBills tenantId={tenantId} accountId={detail.id} />}
      <AccountEvents tenantId={tenantId} accountId={detail.id} />
      <VendorDetails details={detail.details} />
    </>
  );
}

function AccountSummary({ account }: { account: AccountDetail }) {
  const rows: [string, string][] = [
    ['Id', account.id],
    ['Surface', account.surface],
    ['Kind', account.kind],
    ['Mode', account.mode],
    ['Status', orDash(account.status)],
    ['E-mail', orDash(account.email)],
    ['External reference', orDash(account.external_reference)],
    ['Created', formatTime(account.created_at)],
  ];
  return (
    <dl className="summary">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Balances({ account }: { account: AccountDetail }) {
  return (
    <section aria-labelledby="balances-heading">
      <h2 id="balances-heading">Balances</h2>
      <TableRegion label="Balance per currency">
        <table>
          <thead>
            <tr>
              <th scope="col">Currency</th>
              <th scope="col">Balance</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {account.balances.length === 0 && <EmptyRow columns={3} text="No balances." />}
            {account.balances.map((balance) => (
              <tr key={balance.currency}>
                <td>{balance.currency}</td>
                <td className="amount">{balance.amount}</td>
                <td>{formatTime(balance.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    </section>
  );
}

const isScalar = (value: unknown): value is string | number | boolean | null => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** The account's own fields as the server answers them: the top-level scalars, then the whole JSON. */
function VendorDetails({ details }: { details: Record<string, unknown> }) {
  const scalars = Object.entries(details).filter(([, value]) => isScalar(value));
  return (
    <section aria-labelledby="details-heading">
      <h2 id="details-heading">Details</h2>
      <dl className="summary">
        {scalars.map(([field, value]) => (
          <div key={field}>
            <dt>{field}</dt>
            <dd>{value === null ? 'null' : String(value)}</dd>
          </div>
        ))}
      </dl>
      <details>
        <summary>All fields as JSON</summary>
        <pre className="json">{JSON.stringify(details, null, 2)}</pre>
      </details>
    </section>
  );
}
