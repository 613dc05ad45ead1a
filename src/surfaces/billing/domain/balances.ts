import { ValidationFailed, type FieldViolation } from '../../../ledger/errors.js';
import { applyPosting, externalPosting, newBalance, recordPosting } from '../../../ledger/postings.js';
import { fromMinorUnits, isCurrencyCode, toMinorUnits } from '../../../ledger/money.js';
import type { Balance, CommandContext, LedgerEntry } from '../../../ledger/model.js';
import type { LedgerTransaction } from '../../../ledger/store.js';

/**
 * Billing shows amounts as JSON integers: exact only within ±(2^53−1) minor units. Its holders
 * change here, so the bound lives here; the billing surface uses the same one.
 */
export const MAX_JSON_INTEGER = BigInt(Number.MAX_SAFE_INTEGER);

/** Whether an exact amount still fits a JSON number without losing precision. */
export function fitsJsonInteger(amount: bigint): boolean {
  return amount <= MAX_JSON_INTEGER && amount >= -MAX_JSON_INTEGER;
}

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
 * Rules (SPEC §3, seed 004): a balance is in the currency of the same request, or else in the
 * holder's own (Moment's "Update an account balance" example sends `{"balance":10000}` alone);
 * with neither it is refused. Changing the currency of a holder that tracks a balance needs the
 * balance in the same request.
 */
export function nextBalanceState(current: BalanceState, change: BalanceChangeRequest): BalanceState {
  const violations = currencyViolations(change.currency);
  const currency = change.currency === undefined ? current.currency : change.currency;
  if (change.balance !== undefined && currency === null) {
    violations.push({ field: 'currency', message: 'is required when balance is given and the object has no currency' });
  }
  const currencyChanges = change.currency !== undefined && change.currency !== current.currency;
  if (currencyChanges && current.balance !== null && change.balance === undefined) {
    violations.push({
      field: 'balance',
      message: 'is required when changing the currency of an object that tracks a balance',
    });
  }
  if (violations.length > 0) throw new ValidationFailed(violations);
  return { balance: change.balance ?? current.balance, currency };
}

/**
 * Posts against EXTERNAL what takes a holder's balance from `before` to `after` (nothing when
 * nothing changed), in the caller's transaction: billing sets a balance, the ledger records the
 * difference. `locked` is the holder's balance in `before.currency`, read under the holder's
 * row lock (undefined for a holder created in this transaction, or one that tracks none).
 * A currency change closes the old currency to zero and opens the new one, so that each
 * currency's entries also sum to what is held in it.
 * @throws ValidationFailed (an entry beyond ±(2^53−1) minor units: billing shows entries as JSON integers)
 */
export async function moveHolderBalance(
  tx: LedgerTransaction,
  ctx: CommandContext,
  holderId: string,
  locked: Balance | undefined,
  before: BalanceState,
  after: BalanceState,
): Promise<LedgerEntry[]> {
  if (after.balance === null || after.currency === null) return [];
  const entries: LedgerEntry[] = [];
  const moveTo = async (balance: Balance, minorUnits: bigint, kind: string, created: boolean) => {
    const target = fromMinorUnits(balance.currency, minorUnits).amount;
    const change = target - balance.amount;
    if (change === 0n) {
      if (created) await tx.balances.insert(ctx.scope, balance);
      return;
    }
    if (!fitsJsonInteger(toMinorUnits({ currency: balance.currency, amount: change }))) {
      throw ValidationFailed.of('balance', 'must not differ from the current balance by more than ±(2^53−1) minor units');
    }
    const result = applyPosting(ctx, externalPosting(kind, holderId, { currency: balance.currency, amount: change }), [balance], ctx.now);
    await recordPosting(tx, ctx.scope, result, created ? [balance] : []);
    entries.push(...result.entries);
  };
  if (before.balance === null) {
    // A holder that never tracked a balance has none yet (a tracked balance cannot be removed).
    const created = locked === undefined;
    await moveTo(locked ?? newBalance(holderId, after.currency, ctx.now), after.balance, 'initial', created);
  } else if (before.currency !== after.currency) {
    if (!locked) throw new Error(`holder ${holderId} tracks a balance but none was locked`);
    await moveTo(locked, 0n, 'adjustment', false);
    // The new currency may have a balance from an earlier switch; the holder's row lock is held.
    await moveTo(await tx.balances.open(ctx.scope, holderId, after.currency, ctx.now), after.balance, 'initial', false);
  } else {
    if (!locked) throw new Error(`holder ${holderId} tracks a balance but none was locked`);
    await moveTo(locked, after.balance, 'adjustment', false);
  }
  return entries;
}
