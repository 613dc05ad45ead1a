import type { Static } from 'typebox';
import { ValidationFailed, type FieldViolation } from '../../../ledger/errors.js';
import { AmountRejected, isCurrencyCode, type Money } from '../../../ledger/money.js';
import { fromUnitsAndNanos, int64FromJson } from '../domain/money-units.js';
import type { ReplaceOrgAccountInput, CreateOrgAccountInput } from '../domain/accounts.js';
import type { LowBalanceSettings } from '../domain/model.js';
import type { CreateOrgTransactionInput } from '../domain/transactions.js';
import type { OrgTransactionDetail } from '../domain/model.js';
import type { OrgTransactionFilter } from '../domain/ports.js';
import type * as S from './schemas.js';

// BidZenith JSON → core inputs. Money goes through the google.type.Money codec of core/money.ts.

const NANOS_TEXT = /^-?\d{1,9}$/;

/**
 * google.type.Money exactly: units an int64 (string or safe JSON integer), nanos an int32 in
 * ±999,999,999 with the sign of units; absent fields are zero (proto3 JSON).
 * @throws ValidationFailed naming `field.units`, `field.nanos`, `field.currencyCode` or `field`
 */
export function moneyOf(wire: Static<typeof S.MoneyInput>, field: string): Money {
  const violations: FieldViolation[] = [];
  if (!isCurrencyCode(wire.currencyCode)) violations.push({ field: `${field}.currencyCode`, message: `must be an ISO 4217 currency code in uppercase, like USD (got '${wire.currencyCode}')` });
  let units = 0n;
  try {
    units = int64FromJson(wire.units ?? 0);
  } catch (error) {
    if (!(error instanceof AmountRejected)) throw error;
    violations.push({ field: `${field}.units`, message: error.message });
  }
  let nanos = 0;
  if (typeof wire.nanos === 'string' && !NANOS_TEXT.test(wire.nanos)) violations.push({ field: `${field}.nanos`, message: 'must be an integer between -999,999,999 and +999,999,999' });
  else nanos = Number(wire.nanos ?? 0);
  if (Math.abs(nanos) > 999_999_999) violations.push({ field: `${field}.nanos`, message: 'must be between -999,999,999 and +999,999,999' });
  if (violations.length > 0) throw new ValidationFailed(violations);
  try {
    return fromUnitsAndNanos(wire.currencyCode, { units, nanos });
  } catch (error) {
    if (!(error instanceof AmountRejected)) throw error;
    throw ValidationFailed.of(error.problem === 'sign_mismatch' ? `${field}.nanos` : field, error.problem === 'sign_mismatch' ? 'must have the sign of units (or units must be zero): $-1.75 is units -1, nanos -750000000' : error.message);
  }
}

function lowBalanceOf(wire: Static<typeof S.LowBalanceInput> | undefined): LowBalanceSettings | null {
  if (!wire) return null;
  return { hasNotification: wire.hasNotification, notificationEmail: wire.notificationEmail, threshold: moneyOf(wire.threshold, 'lowBalance.threshold') };
}

export function accountCreateInput(body: Static<typeof S.AccountCreate>): CreateOrgAccountInput {
  return { name: body.name, description: body.description ?? null, currency: body.currencyCode, lowBalance: lowBalanceOf(body.lowBalance) };
}

export function accountReplaceInput(body: Static<typeof S.AccountReplace>): ReplaceOrgAccountInput {
  return { accountId: body.accountId, name: body.name, description: body.description ?? null, currency: body.currencyCode, lowBalance: lowBalanceOf(body.lowBalance) };
}

/** @throws ValidationFailed (not exactly one kind, bad amount) */
export function transactionCreateInput(body: Static<typeof S.TransactionCreate>): CreateOrgTransactionInput {
  const kinds: OrgTransactionDetail[] = [];
  if (body.topup) kinds.push({ kind: 'topup', reference: body.topup.reference ?? null, paymentType: body.topup.paymentType });
  if (body.adjustment) kinds.push({ kind: 'adjustment', reason: body.adjustment.reason ?? null });
  if (body.dataInstance) kinds.push({ kind: 'dataInstance', dataInstanceId: body.dataInstance.dataInstanceId });
  if (kinds.length !== 1) {
    throw ValidationFailed.of('type', `exactly one of topup, adjustment or dataInstance is required (got ${kinds.length === 0 ? 'none' : kinds.map((k) => k.kind).join(' and ')})`);
  }
  return { amount: moneyOf(body.amount, 'amount'), description: body.description ?? null, detail: kinds[0]! };
}

/** An RFC 3339 time as stored (UTC, milliseconds); one the schema let through but Date cannot hold (a leap second) is refused. */
function instantOf(text: string | undefined, field: string): string | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw ValidationFailed.of(field, `must be an RFC 3339 date-time such as 2026-01-31T23:59:59Z (got '${text.slice(0, 40)}')`);
  return new Date(ms).toISOString();
}

/** The filters of a transaction list; times in the stored form (UTC, milliseconds). @throws ValidationFailed */
export function transactionFilterOf(query: Static<typeof S.TransactionListQuery>): Omit<OrgTransactionFilter, 'limit' | 'afterId'> {
  const from = instantOf(query['dateRange.from'], 'dateRange.from');
  const to = instantOf(query['dateRange.to'], 'dateRange.to');
  if (from !== undefined && to !== undefined && from > to) throw ValidationFailed.of('dateRange.from', 'must not be later than dateRange.to');
  return { credit: query.credit, from, to };
}
