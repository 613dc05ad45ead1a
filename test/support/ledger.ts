import { toMinorUnits } from '../../src/ledger/money.js';
import type { LedgerEntry, Scope } from '../../src/ledger/model.js';
import type { Repositories } from '../../src/store/ports.js';

/**
 * The sum of every stored ledger entry of a holder, in minor units of each entry's currency
 * (a currency change closes the old one to zero, so this is the current balance).
 */
export async function ledgerSumInMinorUnits(repos: Repositories, scope: Scope, holderId: string): Promise<bigint> {
  let total = 0n;
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const page = await repos.ledger.list(scope, holderId, { limit: 100, after });
    for (const entry of page.items) total += toMinorUnits({ currency: entry.currency, amount: entry.amount });
    if (!page.hasMore) return total;
    const last = page.items.at(-1)!;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

/** A stored entry with its amounts in minor units of its currency (the ledger keeps atoms). */
export function inMinorUnits(entry: LedgerEntry): LedgerEntry {
  return {
    ...entry,
    amount: toMinorUnits({ currency: entry.currency, amount: entry.amount }),
    balanceAfter: toMinorUnits({ currency: entry.currency, amount: entry.balanceAfter }),
  };
}
