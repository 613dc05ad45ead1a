import { useEffect, useState } from 'react';
import { adminPath, api, withQuery } from '../api';
import { formatTime, orDash, signedAmount } from '../format';
import { Link, paths } from '../router';
import type { CursorPage, LedgerEntry } from '../types';
import { Loading, ProblemAlert } from './feedback';

const PAGE_SIZE = 50;

/** An account's ledger entries, newest first, as a timeline; "Load more" appends the next page. */
export function LedgerTimeline({ tenantId, accountId, currencies }: { tenantId: string; accountId: string; currencies: string[] }) {
  const [currency, setCurrency] = useState('');
  const [entries, setEntries] = useState<LedgerEntry[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const entriesPath = adminPath('tenants', tenantId, 'accounts', accountId, 'ledger-entries');

  const fetchPage = (cursor: string | null) => api.get<CursorPage<LedgerEntry>>(withQuery(entriesPath, { currency, limit: PAGE_SIZE, cursor }));

  // The first page, again whenever the currency filter changes.
  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    api.get<CursorPage<LedgerEntry>>(withQuery(entriesPath, { currency, limit: PAGE_SIZE })).then(
      (page) => {
        if (!current) return;
        setEntries(page.data);
        setNextCursor(page.next_cursor);
        setLoading(false);
      },
      (failure: unknown) => {
        if (!current) return;
        setError(failure);
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [entriesPath, currency]);

  async function loadMore(cursor: string) {
    setLoading(true);
    setError(undefined);
    try {
      const page = await fetchPage(cursor);
      setEntries((shown) => [...shown, ...page.data]);
      setNextCursor(page.next_cursor);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  }

  return (
    <section aria-labelledby="ledger-heading">
      <h2 id="ledger-heading">Ledger</h2>
      {currencies.length > 1 && (
        <div className="field">
          <label htmlFor="ledger-currency">Ledger currency</label>
          <select id="ledger-currency" value={currency} onChange={(event) => setCurrency(event.target.value)}>
            <option value="">All</option>
            {currencies.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
      )}
      <ProblemAlert error={error} />
      {!loading && entries.length === 0 && !error && <p className="muted">No ledger entries.</p>}
      <ol className="timeline" aria-label="Ledger entries, newest first">
        {entries.map((entry) => (
          <li key={entry.id} className="timeline-entry">
            <p className="timeline-head">
              <time dateTime={entry.created_at}>{formatTime(entry.created_at)}</time> <span className="kind">{entry.kind}</span>{' '}
              <span className={`amount ${entry.amount.startsWith('-') ? 'debit' : 'credit'}`}>
                {signedAmount(entry.amount)} {entry.currency}
              </span>
            </p>
            <dl className="entry-fields">
              <div>
                <dt>Balance after</dt>
                <dd className="amount">
                  {entry.balance_after} {entry.currency}
                </dd>
              </div>
              <div>
                <dt>Counterparty</dt>
                <dd>
                  <Counterparty tenantId={tenantId} counterparty={entry.counterparty} />
                </dd>
              </div>
              <div>
                <dt>Reference</dt>
                <dd>{orDash(entry.reference)}</dd>
              </div>
              <div>
                <dt>Request id</dt>
                <dd>
                  <code>{orDash(entry.request_id)}</code>
                </dd>
              </div>
              <div>
                <dt>Idempotency key</dt>
                <dd>
                  <code>{orDash(entry.idempotency_key)}</code>
                </dd>
              </div>
              <div>
                <dt>Entry</dt>
                <dd>
                  <code>{entry.id}</code> (#{entry.sequence}
                  {entry.actor ? `, by ${entry.actor}` : ''})
                </dd>
              </div>
            </dl>
          </li>
        ))}
      </ol>
      {loading && <Loading what="ledger entries" />}
      {nextCursor && !loading && (
        <button type="button" className="secondary" onClick={() => void loadMore(nextCursor)}>
          Load more
        </button>
      )}
    </section>
  );
}

/**
 * The other side of an entry: another account (a link to its page), the platform itself (the
 * platform surface's own balance is held under the tenant's id, and has no account page), or
 * money from outside.
 */
function Counterparty({ tenantId, counterparty }: { tenantId: string; counterparty: string }) {
  if (counterparty === 'external' || counterparty === '') return <>{orDash(counterparty)}</>;
  if (counterparty === tenantId) {
    return (
      <Link href={paths.tenant(tenantId)}>
        the platform (<code>{counterparty}</code>)
      </Link>
    );
  }
  return (
    <Link href={paths.account(tenantId, counterparty)}>
      <code>{counterparty}</code>
    </Link>
  );
}
