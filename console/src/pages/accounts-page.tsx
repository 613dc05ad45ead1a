import { useState, type FormEvent } from 'react';
import { adminPath, withQuery } from '../api';
import { Loading, ProblemAlert } from '../components/feedback';
import { EmptyRow, TableRegion } from '../components/table-region';
import { formatTime, orDash } from '../format';
import { currentPath, Link, navigate, paths } from '../router';
import { MODES, STATUSES_OF, SURFACES, type AccountSummary, type CursorPage, type Surface } from '../types';
import { usePageTitle } from '../use-page-title';
import { useResource } from '../use-resource';

const PAGE_SIZE = 25;
/** `?limit=` in the URL sets another page size (1 to 100, as the API allows). */
function pageSizeOf(text: string | null): number {
  const size = Number(text);
  return Number.isInteger(size) && size >= 1 && size <= 100 ? size : PAGE_SIZE;
}
const FILTERS = ['q', 'surface', 'mode', 'status'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** The statuses to offer for a surface (all of them when none is chosen). */
const statusesFor = (surface: string): string[] =>
  SURFACES.includes(surface as Surface) ? [...STATUSES_OF[surface as Surface]] : SURFACES.flatMap((s) => STATUSES_OF[s]);

// The filters and the page's cursor live in the URL's query: a reload, a link or Back keeps them.
export function AccountsPage({ tenantId, search }: { tenantId: string; search: string }) {
  usePageTitle('Accounts');
  const params = new URLSearchParams(search);
  const filters: Filters = { q: params.get('q') ?? '', surface: params.get('surface') ?? '', mode: params.get('mode') ?? '', status: params.get('status') ?? '' };
  const cursor = params.get('cursor') ?? '';
  const limit = pageSizeOf(params.get('limit'));
  /** The page size as the console's own URLs carry it: only when it is not the default. */
  const limitInUrl = limit === PAGE_SIZE ? null : limit;
  const results = useResource<CursorPage<AccountSummary>>(withQuery(adminPath('tenants', tenantId, 'accounts'), { ...filters, limit, cursor }));
  // Searching again with the same filters reads the accounts again (the URL stays as it is).
  const go = (query: Partial<Filters> & { cursor?: string }) => {
    const target = withQuery(paths.accounts(tenantId), { ...query, limit: limitInUrl });
    if (target === currentPath()) results.reload();
    else navigate(target);
  };

  return (
    <>
      <h1>Accounts</h1>
      <SearchForm key={search} initial={filters} onSearch={(chosen) => go(chosen)} />
      <ProblemAlert error={results.error} />
      {results.loading && <Loading what="accounts" />}
      {results.data && (
        <>
          <p className="muted" aria-live="polite">
            {results.data.data.length === 0 ? 'No accounts match.' : `Showing ${results.data.data.length} account${results.data.data.length === 1 ? '' : 's'}${cursor ? ' (a later page)' : ''}.`}
          </p>
          <TableRegion label="Accounts found">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Id</th>
                  <th scope="col">Surface / kind</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Status</th>
                  <th scope="col">E-mail or reference</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {results.data.data.length === 0 && <EmptyRow columns={7} text="No accounts match these filters." />}
                {results.data.data.map((account) => (
                  <tr key={account.id}>
                    <td>
                      <Link href={paths.account(tenantId, account.id)}>{account.name ?? '(no name)'}</Link>
                    </td>
                    <td>
                      <Link href={paths.account(tenantId, account.id)}>
                        <code>{account.id}</code>
                      </Link>
                    </td>
                    <td>
                      {account.surface} / {account.kind}
                    </td>
                    <td>{account.mode}</td>
                    <td>{orDash(account.status)}</td>
                    <td className="wrap">{orDash(account.email ?? account.external_reference)}</td>
                    <td>{formatTime(account.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          <div className="pager">
            {cursor && (
              <Link href={withQuery(paths.accounts(tenantId), { ...filters, limit: limitInUrl })} className="button-link secondary">
                First page
              </Link>
            )}
            {results.data.next_cursor && (
              <button type="button" onClick={() => go({ ...filters, cursor: results.data!.next_cursor! })}>
                Next page
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}

function SearchForm({ initial, onSearch }: { initial: Filters; onSearch: (filters: Filters) => void }) {
  const [filters, setFilters] = useState<Filters>(initial);
  const set = (name: keyof Filters) => (event: { target: { value: string } }) => setFilters((f) => ({ ...f, [name]: event.target.value }));
  const statuses = statusesFor(filters.surface);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    // A status of another surface would match nothing: it is dropped when the surface changes.
    onSearch({ ...filters, q: filters.q.trim(), status: statuses.includes(filters.status) ? filters.status : '' });
  };
  return (
    <form role="search" aria-label="Account search" onSubmit={submit} className="inline-form search-form">
      <div className="field grow">
        <label htmlFor="account-search">Search accounts</label>
        <input id="account-search" type="search" value={filters.q} onChange={set('q')} aria-describedby="account-search-hint" />
        <p id="account-search-hint" className="hint">
          An id, an external reference, or the start of an e-mail or name.
        </p>
      </div>
      <div className="field">
        <label htmlFor="account-surface">Surface</label>
        <select id="account-surface" value={filters.surface} onChange={set('surface')}>
          <option value="">All</option>
          {SURFACES.map((surface) => (
            <option key={surface}>{surface}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="account-mode">Mode</label>
        <select id="account-mode" value={filters.mode} onChange={set('mode')}>
          <option value="">All</option>
          {MODES.map((mode) => (
            <option key={mode}>{mode}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="account-status">Status</label>
        <select id="account-status" value={statuses.includes(filters.status) ? filters.status : ''} onChange={set('status')}>
          <option value="">All</option>
          {statuses.map((status) => (
            <option key={status}>{status}</option>
          ))}
        </select>
      </div>
      <button type="submit">Search</button>
    </form>
  );
}
