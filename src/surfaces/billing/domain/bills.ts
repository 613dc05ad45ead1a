import { NotFound, ValidationFailed, type FieldViolation } from '../../../ledger/errors.js';
import { domainEvent } from '../../../ledger/events.js';
import { newId } from '../../../ledger/ids.js';
import type { CommandContext, Page, Scope } from '../../../ledger/model.js';
import { isCurrencyCode } from '../../../ledger/money.js';
import { resolvePage, type ListQuery } from '../../../ledger/pagination.js';
import type { CommandOutput } from '../../../ledger/pipeline.js';
import { changeTime } from '../../../ledger/postings.js';
import { stableJson } from '../../../ledger/stable-json.js';
import type { LedgerTransaction } from '../../../ledger/store.js';
import { billingRepositories } from '../store/repositories.js';
import { findAccount } from './accounts.js';
import { fitsJsonInteger } from './balances.js';
import { findCustomer } from './customers.js';
import './events.js';
import { mergeMetadata, type MetadataPatch } from './metadata.js';
import type { Bill, BillStatus, PaymentRules } from './model.js';
import { checkPaymentRules } from './payment-rules.js';
import { referencedIn } from './references.js';

export const BILL_ID_PREFIX = 'bill';

export interface CreateBillInput {
  /** A customer id or external reference; with `account`, it must be the account's customer. */
  customer?: string;
  /** An account id or external reference; its customer becomes the bill's. */
  account?: string;
  externalReference: string;
  currency: string;
  amountDue: bigint;
  billDate?: string;
  dueDate?: string | null;
  paymentRules?: PaymentRules | null;
  metadata?: MetadataPatch;
}

export interface UpdateBillInput {
  amountPaid?: bigint;
  dueDate?: string | null;
  paymentRules?: PaymentRules | null;
  metadata?: MetadataPatch;
}

export interface BillListQuery extends ListQuery {
  customerId?: string;
  accountId?: string;
  status?: BillStatus;
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is a real calendar date, YYYY-MM-DD (2026-02-30 is not). */
export function isCalendarDate(text: string): boolean {
  const match = CALENDAR_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const dateViolation = (field: string, value: string | null | undefined): FieldViolation[] =>
  value === undefined || value === null || isCalendarDate(value) ? [] : [{ field, message: `must be a calendar date, YYYY-MM-DD (got '${value}')` }];

/** SPEC §3b: due_date ≥ bill_date (both calendar dates: their text orders as they do). */
function dueDateViolations(billDate: string, dueDate: string | null): FieldViolation[] {
  return dueDate !== null && dueDate < billDate ? [{ field: 'dueDate', message: `must not be before bill_date (${billDate})` }] : [];
}

/** amount_paid above amount_due only when the bill's payment rules allow overpayment (SPEC §3b). */
function amountPaidViolations(amountDue: bigint, amountPaid: bigint, rules: PaymentRules | null): FieldViolation[] {
  if (amountPaid < 0n) return [{ field: 'amountPaid', message: 'must not be negative' }];
  if (amountPaid > amountDue && !rules?.overpaymentAllowed) {
    return [{ field: 'amountPaid', message: `must not exceed amount_due (${amountDue}) unless the bill's payment_rules allow overpayment` }];
  }
  return [];
}

/** By `bill_` id or external reference (an id-shaped miss falls back to the reference, as for accounts). @throws NotFound */
export async function findBill(tx: LedgerTransaction, scope: Scope, reference: string): Promise<Bill> {
  const bills = billingRepositories.of(tx).bills;
  const found = (reference.startsWith(`${BILL_ID_PREFIX}_`) ? await bills.findById(scope, reference) : undefined) ?? (await bills.findByExternalReference(scope, reference));
  if (!found) throw new NotFound('bill', reference);
  return found;
}

/** The same lookup for a change: the bill's row stays locked until the transaction ends. @throws NotFound */
export async function lockBill(tx: LedgerTransaction, scope: Scope, reference: string): Promise<Bill> {
  const bills = billingRepositories.of(tx).bills;
  const byReference = async () => {
    const found = await bills.findByExternalReference(scope, reference);
    return found && bills.lockById(scope, found.id);
  };
  const locked = (reference.startsWith(`${BILL_ID_PREFIX}_`) ? await bills.lockById(scope, reference) : undefined) ?? (await byReference());
  if (!locked) throw new NotFound('bill', reference);
  return locked;
}

/**
 * Creates a bill of a customer, or of one of its accounts (SPEC §3b). A bill posts nothing:
 * no balance changes.
 * @throws ValidationFailed (unknown or disagreeing customer/account, currency, amounts, dates, rules), AlreadyExists
 */
export async function createBill(tx: LedgerTransaction, ctx: CommandContext, input: CreateBillInput): Promise<CommandOutput<Bill>> {
  if (input.customer === undefined && input.account === undefined) {
    throw ValidationFailed.of('customer', 'is required (or account): a bill belongs to a customer or to one of its accounts');
  }
  const account = input.account === undefined ? undefined : await referencedIn('account', () => findAccount(tx, ctx.scope, input.account!));
  const customer = input.customer === undefined ? undefined : await referencedIn('customer', () => findCustomer(tx, ctx.scope, input.customer!));
  const violations: FieldViolation[] = [];
  if (account && customer && account.customerId !== customer.id) {
    violations.push({ field: 'customer', message: `must be the account's customer (${account.customerId}) when both are given` });
  }
  if (!isCurrencyCode(input.currency)) violations.push({ field: 'currency', message: `must be an ISO 4217 currency code in uppercase, like ZAR (got '${input.currency}')` });
  else if (account?.currency && account.currency !== input.currency) {
    violations.push({ field: 'currency', message: `must be the account's currency (${account.currency})` });
  }
  if (input.amountDue <= 0n) violations.push({ field: 'amountDue', message: 'must be greater than zero' });
  // Moment: "Defaults to current date": today in UTC on the tenant's clock (SPEC §7).
  const billDate = input.billDate ?? ctx.now.slice(0, 10);
  const dueDate = input.dueDate ?? null;
  violations.push(...dateViolation('billDate', input.billDate), ...dateViolation('dueDate', dueDate));
  if (violations.length === 0) violations.push(...dueDateViolations(billDate, dueDate));
  if (violations.length > 0) throw new ValidationFailed(violations);
  checkPaymentRules(input.paymentRules);
  const bill: Bill = {
    // Of the creation's own millisecond: lists run in id order (pagination.ts).
    id: newId(BILL_ID_PREFIX, ctx.now),
    externalReference: input.externalReference,
    customerId: account?.customerId ?? customer!.id,
    accountId: account?.id ?? null,
    currency: input.currency,
    amountDue: input.amountDue,
    amountPaid: 0n,
    billDate,
    dueDate,
    paymentRules: input.paymentRules ?? null,
    metadata: mergeMetadata({}, input.metadata),
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await billingRepositories.of(tx).bills.insert(ctx.scope, bill);
  return { result: bill, events: [domainEvent('bill.created', bill)] };
}

/** The bill after a change of its paid amount, due date, rules or metadata. @throws ValidationFailed */
export function changedBill(current: Bill, input: UpdateBillInput): Bill {
  const next: Bill = {
    ...current,
    amountPaid: input.amountPaid ?? current.amountPaid,
    dueDate: input.dueDate === undefined ? current.dueDate : input.dueDate,
    paymentRules: input.paymentRules === undefined ? current.paymentRules : input.paymentRules,
  };
  checkPaymentRules(input.paymentRules);
  const violations = [...dateViolation('dueDate', input.dueDate)];
  if (violations.length === 0) violations.push(...dueDateViolations(next.billDate, next.dueDate));
  // The rules judge a change of the paid amount: a bill overpaid while its rules allowed it stays so when they change.
  if (input.amountPaid !== undefined) violations.push(...amountPaidViolations(next.amountDue, next.amountPaid, next.paymentRules));
  if (!fitsJsonInteger(next.amountPaid)) violations.push({ field: 'amountPaid', message: 'must be within ±(2^53−1)' });
  if (violations.length > 0) throw new ValidationFailed(violations);
  return { ...next, metadata: mergeMetadata(current.metadata, input.metadata) };
}

/** Writes a changed bill under its lock, stamped after its last change, with its `bill.updated` event. */
export async function saveChangedBill(tx: LedgerTransaction, ctx: CommandContext, current: Bill, next: Bill): Promise<CommandOutput<Bill>> {
  if (stableJson(current) === stableJson(next)) return { result: current };
  const at = changeTime(ctx, current.updatedAt);
  const saved = { ...next, updatedAt: at };
  await billingRepositories.of(tx).bills.update(ctx.scope, saved);
  return { result: saved, events: [domainEvent('bill.updated', saved, { at })] };
}

/** Partial update (SPEC §3b): amount_paid, due_date, payment_rules, metadata (merged). @throws NotFound, ValidationFailed */
export async function updateBill(tx: LedgerTransaction, ctx: CommandContext, reference: string, input: UpdateBillInput): Promise<CommandOutput<Bill>> {
  const current = await lockBill(tx, ctx.scope, reference);
  return saveChangedBill(tx, ctx, current, changedBill(current, input));
}

export async function listBills(tx: LedgerTransaction, scope: Scope, query: BillListQuery): Promise<Page<Bill>> {
  const bills = billingRepositories.of(tx).bills;
  const page = await resolvePage(query, (id) => bills.cursorOf(scope, id), BILL_ID_PREFIX);
  return bills.list(scope, { ...page, customerId: query.customerId, accountId: query.accountId, status: query.status });
}
