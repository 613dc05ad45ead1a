import type { Money } from './money.js';
import type { Scope } from './model.js';
import type { LedgerTransaction } from './store.js';

/**
 * Balances as they stood at an instant (SPEC §8 "Point in time"): each one is its last entry's
 * `balance_after` at or before the instant, found by keyed reads (EntryStore.lastAsOf), never a
 * sum of entries. Entries of one balance are stamped in the order they were applied
 * (postings.ts changeTime), so the last one by time is the last one applied.
 */

/** The instant as entries store theirs (UTC, milliseconds): text order is then time order. */
function storedInstant(at: string | Date): string {
  const instant = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(instant.getTime())) throw new RangeError(`not an instant: ${String(at)}`);
  return instant.toISOString();
}

/**
 * The holder's balance in `currency` at the instant `at` (zero when it had no entry by then).
 * @throws RangeError when `at` is not an instant (callers validate their input first), StoreUnavailable
 */
export async function balanceAsOf(tx: LedgerTransaction, scope: Scope, holderId: string, currency: string, at: string | Date): Promise<Money> {
  const entry = await tx.ledger.lastAsOf(scope, holderId, currency, storedInstant(at));
  return { currency, amount: entry?.balanceAfter ?? 0n };
}

/**
 * The holder's balances at the instant `at`, one per currency it held a balance in by then
 * (the balance existed: created at or before `at`), by currency.
 * @throws RangeError when `at` is not an instant, StoreUnavailable
 */
export async function balancesAsOf(tx: LedgerTransaction, scope: Scope, holderId: string, at: string | Date): Promise<Money[]> {
  const instant = storedInstant(at);
  const existing = (await tx.balances.listForHolder(scope, holderId)).filter((b) => b.createdAt <= instant);
  return Promise.all(existing.map((b) => balanceAsOf(tx, scope, holderId, b.currency, instant)));
}
