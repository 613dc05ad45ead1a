import type { Money } from './money.js';
import type { Balance, LedgerEntry, Scope } from './model.js';
import type { LedgerTransaction } from './store.js';

/**
 * Balances as they stood at an instant (SPEC §8 "Point in time"): each one is its last entry's
 * `balance_after` at or before the instant, never a sum of entries. Entries of one balance are
 * stamped in the order they were applied (postings.ts changeTime), so their times never
 * decrease along the chain's sequence: the last one by then is found by bisecting the chain,
 * keyed read by keyed read (EntryStore.atSequence), with no index on time for every posting to
 * keep up (issue 25, docs/decisions.md).
 */

/** The instant as entries store theirs (UTC, milliseconds): text order is then time order. */
function storedInstant(at: string | Date): string {
  const instant = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(instant.getTime())) throw new RangeError(`not an instant: ${String(at)}`);
  return instant.toISOString();
}

/**
 * The last entry of `balance` created at or before `instant` (stored form), or undefined when it
 * had none by then: about log2(its length) keyed reads, the head first (the usual "now").
 * @throws StoreUnavailable, Error when the chain lacks an entry below its head (`subledger verify` names it)
 */
async function lastEntryAsOf(tx: LedgerTransaction, scope: Scope, balance: Balance, instant: string): Promise<LedgerEntry | undefined> {
  const entryAt = async (sequence: number): Promise<LedgerEntry> => {
    const entry = await tx.ledger.atSequence(scope, balance.holderId, balance.currency, sequence);
    if (!entry) throw new Error(`ledger chain ${balance.holderId}/${balance.currency} has no entry ${sequence} below its head`);
    return entry;
  };
  if (balance.sequence === 0) return undefined;
  const head = await entryAt(balance.sequence);
  if (head.createdAt <= instant) return head;
  let found: LedgerEntry | undefined;
  let low = 1;
  let high = balance.sequence - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const entry = await entryAt(middle);
    if (entry.createdAt <= instant) {
      found = entry;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

const amountAsOf = async (tx: LedgerTransaction, scope: Scope, balance: Balance, instant: string): Promise<Money> => ({
  currency: balance.currency,
  amount: (await lastEntryAsOf(tx, scope, balance, instant))?.balanceAfter ?? 0n,
});

/**
 * The holder's balance in `currency` at the instant `at` (zero when it had no entry by then).
 * @throws RangeError when `at` is not an instant (callers validate their input first), StoreUnavailable
 */
export async function balanceAsOf(tx: LedgerTransaction, scope: Scope, holderId: string, currency: string, at: string | Date): Promise<Money> {
  const instant = storedInstant(at);
  const balance = await tx.balances.find(scope, holderId, currency);
  return balance ? amountAsOf(tx, scope, balance, instant) : { currency, amount: 0n };
}

/**
 * The holder's balances at the instant `at`, one per currency it held a balance in by then
 * (the balance existed: created at or before `at`), by currency.
 * @throws RangeError when `at` is not an instant, StoreUnavailable
 */
export async function balancesAsOf(tx: LedgerTransaction, scope: Scope, holderId: string, at: string | Date): Promise<Money[]> {
  const instant = storedInstant(at);
  const existing = (await tx.balances.listForHolder(scope, holderId)).filter((b) => b.createdAt <= instant);
  return Promise.all(existing.map((balance) => amountAsOf(tx, scope, balance, instant)));
}
