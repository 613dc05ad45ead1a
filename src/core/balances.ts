import { ValidationFailed, type FieldViolation } from './errors.js';
import { newId } from './ids.js';
import { fitsJsonInteger, isCurrencyCode } from './money.js';
import type { CommandContext, LedgerEntry, LedgerEntryKind } from './model.js';
import type { Repositories } from './ports.js';

/** A balance holder's money state: balance null means "no balance tracking". */
export interface BalanceState {
  balance: bigint | null;
  currency: string | null;
}

export interface BalanceChangeRequest {
  balance?: bigint;
  /** undefined = not sent; null = clear (only allowed while no balance is tracked). */
  currency?: string | null;
}

export function currencyViolations(currency: string | null | undefined, field = 'currency'): FieldViolation[] {
  if (currency === undefined || currency === null) return [];
  return isCurrencyCode(currency) ? [] : [{ field, message: `must be an ISO 4217 currency code in uppercase, like ZAR (got '${currency}')` }];
}

/**
 * The state after a create or update, or the violations that forbid it.
 * Rules (SPEC §3, seed 004): a balance needs a currency in the same request; changing the
 * currency of a holder that tracks a balance needs the balance in the same request.
 */
export function nextBalanceState(current: BalanceState, change: BalanceChangeRequest): BalanceState {
  const violations = currencyViolations(change.currency);
  if (change.balance !== undefined && (change.currency === undefined || change.currency === null)) {
    violations.push({ field: 'currency', message: 'is required when balance is given' });
  }
  const currencyChanges = change.currency !== undefined && change.currency !== current.currency;
  if (currencyChanges && current.balance !== null && change.balance === undefined) {
    violations.push({
      field: 'balance',
      message: 'is required when changing the currency of an object that tracks a balance',
    });
  }
  if (violations.length > 0) throw new ValidationFailed(violations);
  return {
    balance: change.balance ?? current.balance,
    currency: change.currency === undefined ? current.currency : change.currency,
  };
}

/**
 * Writes the ledger entries that take `before` to `after` (none when nothing changed), in the
 * caller's transaction, so that the stored balance always equals the sum of its entries.
 * The caller holds the holder's row lock (or has just created it), so entry sequences follow
 * the order in which changes were applied.
 * A currency change closes the old currency to zero and opens the new one, so that each
 * currency's entries also sum to what was held in it.
 */
export async function recordBalanceChange(
  tx: Repositories,
  ctx: CommandContext,
  holderId: string,
  before: BalanceState,
  after: BalanceState,
): Promise<LedgerEntry[]> {
  if (after.balance === null || after.currency === null) return [];
  const entries: LedgerEntry[] = [];
  // A holder that never tracked a balance has no entries yet (a tracked balance cannot be removed).
  let sequence = before.balance === null ? 0 : await tx.ledger.lastSequence(ctx.scope, holderId);
  const entry = (kind: LedgerEntryKind, amount: bigint, balanceAfter: bigint, currency: string): LedgerEntry => ({
    id: newId('ble'),
    holderId,
    sequence: ++sequence,
    kind,
    amount,
    balanceAfter,
    currency,
    reference: null,
    requestId: ctx.requestId,
    idempotencyKey: ctx.idempotencyKey,
    actor: ctx.actor,
    createdAt: ctx.now,
  });
  if (before.balance === null) {
    if (after.balance !== 0n) entries.push(entry('initial', after.balance, after.balance, after.currency));
  } else if (before.currency !== after.currency) {
    if (before.balance !== 0n) entries.push(entry('adjustment', -before.balance, 0n, before.currency ?? after.currency));
    if (after.balance !== 0n) entries.push(entry('initial', after.balance, after.balance, after.currency));
  } else if (after.balance !== before.balance) {
    const amount = after.balance - before.balance;
    if (!fitsJsonInteger(amount)) {
      throw ValidationFailed.of('balance', 'must not differ from the current balance by more than ±(2^53−1) minor units');
    }
    entries.push(entry('adjustment', amount, after.balance, after.currency));
  }
  for (const e of entries) await tx.ledger.append(ctx.scope, e);
  return entries;
}
