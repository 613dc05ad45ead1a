import { ValidationFailed } from '../../../ledger/errors.js';
import { domainEvent, type DomainEvent } from '../../../ledger/events.js';
import { newId } from '../../../ledger/ids.js';
import type { Balance, CommandContext } from '../../../ledger/model.js';
import { fromMinorUnits } from '../../../ledger/money.js';
import type { CommandOutput } from '../../../ledger/pipeline.js';
import { applyPosting, changeTime, externalPosting, recordPosting } from '../../../ledger/postings.js';
import type { LedgerTransaction } from '../../../ledger/store.js';
import { billingRepositories } from '../store/repositories.js';
import { ACCOUNT_ID_PREFIX } from './accounts.js';
import { amountRemainingOf } from './bill-amounts.js';
import { lockBill, saveChangedBill } from './bills.js';
import { fitsJsonInteger } from './balances.js';
import { CUSTOMER_ID_PREFIX } from './customers.js';
import './events.js';
import type { Account, BalanceHolder, Bill, Customer, Metadata, PaymentRules } from './model.js';
import { lockByIdOrExternalReference, referencedIn } from './references.js';

/** What a payment is applied to: Moment's obligations (SPEC §3b). */
export type ObligationType = 'bill' | 'account' | 'customer';

export interface ApplyPaymentInput {
  obligation: { type: ObligationType; reference: string };
  /** Minor units, > 0. */
  amount: bigint;
  currency: string;
}

/**
 * One amount applied to one obligation: Moment's `obligation.amount_applied` (its `data`). Only
 * the id of what was paid is set among accountId / billId (Moment: "the event payload identifies
 * the obligation type via customer_id, account_id, or bill_id depending on what was paid").
 */
export interface AmountApplied {
  /** `ob_…`: this application of an amount (one per payment). */
  id: string;
  paymentId: string;
  obligation: { type: ObligationType; id: string };
  amount: bigint;
  currency: string;
  customerId: string;
  accountId?: string;
  billId?: string;
  /** The paid object's metadata. */
  metadata: Metadata;
  appliedAt: string;
}

/** A paid obligation's terms: its rules, its currency, and what is owed on it now (minor units). */
interface Terms {
  rules: PaymentRules | null;
  currency: string | null;
  owed: bigint | null;
}

/**
 * The refusals of SPEC §3b, each naming the rule it applies: no rules (cannot be paid against),
 * another currency, below min_amount or above max_amount, below what is owed without
 * underpayment allowed, above it without overpayment allowed.
 * @throws ValidationFailed
 */
function checkPayment(type: ObligationType, terms: Terms, amount: bigint, currency: string): void {
  const { rules, owed } = terms;
  if (!rules) throw ValidationFailed.of(type, `has no payment_rules: it cannot be paid against`);
  if (terms.currency === null || owed === null) throw ValidationFailed.of(type, 'tracks no balance (no currency or balance): there is nothing to pay against');
  if (currency !== terms.currency) throw ValidationFailed.of('currency', `must be the ${type}'s currency (${terms.currency})`);
  if (amount < rules.minAmount) throw ValidationFailed.of('amount', `is below the ${type}'s payment_rules.min_amount (${rules.minAmount})`);
  if (amount > rules.maxAmount) throw ValidationFailed.of('amount', `is above the ${type}'s payment_rules.max_amount (${rules.maxAmount})`);
  if (amount < owed && !rules.underpaymentAllowed) {
    throw ValidationFailed.of('amount', `is less than what is owed (${owed}) and the ${type}'s payment_rules do not allow underpayment (underpayment_allowed: false)`);
  }
  if (amount > owed && !rules.overpaymentAllowed) {
    throw ValidationFailed.of('amount', `is more than what is owed (${owed}) and the ${type}'s payment_rules do not allow overpayment (overpayment_allowed: false)`);
  }
}

/**
 * Applies a payment to a bill, an account or a customer, as Moment does when a customer pays
 * (SPEC §3b): the obligation's payment rules decide; a bill's amount_paid grows; an account's or
 * customer's balance falls by a `payment` posting against EXTERNAL (so the ledger sums hold).
 * Emits `obligation.amount_applied` and the paid object's own event(s). Test mode only (its
 * route is the testing API's).
 * @throws ValidationFailed (unknown obligation, a refused payment: nothing changes)
 */
export async function applyPayment(tx: LedgerTransaction, ctx: CommandContext, input: ApplyPaymentInput): Promise<CommandOutput<AmountApplied>> {
  const paymentId = newId('pay', ctx.now);
  return input.obligation.type === 'bill' ? payBill(tx, ctx, input, paymentId) : payHolder(tx, ctx, input, paymentId);
}

/** A bill's amount_paid grows; no balance moves (a bill is a model apart). */
async function payBill(tx: LedgerTransaction, ctx: CommandContext, input: ApplyPaymentInput, paymentId: string): Promise<CommandOutput<AmountApplied>> {
  const bill = await referencedIn('bill', () => lockBill(tx, ctx.scope, input.obligation.reference));
  checkPayment('bill', { rules: bill.paymentRules, currency: bill.currency, owed: amountRemainingOf(bill) }, input.amount, input.currency);
  const amountPaid = bill.amountPaid + input.amount;
  if (!fitsJsonInteger(amountPaid)) throw ValidationFailed.of('amount', "would take the bill's amount_paid beyond ±(2^53−1)");
  const saved = await saveChangedBill(tx, ctx, bill, { ...bill, amountPaid });
  const applied = amountApplied(paymentId, input, { type: 'bill', id: bill.id }, bill, saved.result.updatedAt, { customerId: bill.customerId, billId: bill.id });
  return { result: applied, events: [...(saved.events ?? []), appliedEvent(applied)] };
}

/** An account's or customer's balance falls by a `payment` posting; its row keeps the ledger's copy. */
async function payHolder(tx: LedgerTransaction, ctx: CommandContext, input: ApplyPaymentInput, paymentId: string): Promise<CommandOutput<AmountApplied>> {
  const { type, reference } = input.obligation;
  const repos = billingRepositories.of(tx);
  const { holder, balance } =
    type === 'account'
      ? await referencedIn(type, () => lockByIdOrExternalReference(repos.accounts, 'account', ACCOUNT_ID_PREFIX, ctx.scope, reference))
      : await referencedIn(type, () => lockByIdOrExternalReference(repos.customers, 'customer', CUSTOMER_ID_PREFIX, ctx.scope, reference));
  checkPayment(type, { rules: holder.paymentRules, currency: holder.currency, owed: holder.balance }, input.amount, input.currency);
  if (!balance) throw new Error(`holder ${holder.id} tracks a balance but none was locked`);
  const after = holder.balance! - input.amount;
  if (!fitsJsonInteger(after)) throw ValidationFailed.of('amount', `would take the ${type}'s balance beyond ±(2^53−1)`);
  const at = changeTime(ctx, holder.updatedAt, balance.updatedAt);
  const entries = await postPayment(tx, ctx, balance, input.amount, paymentId, at);
  const events: DomainEvent[] = [];
  let customerId: string;
  if ('customerId' in holder) {
    const account: Account = { ...holder, balance: after, updatedAt: at };
    await repos.accounts.update(ctx.scope, account);
    events.push(domainEvent('account.updated', account, { at }), domainEvent('account.balance_changed', { account, ledgerEntries: entries }, { at }));
    customerId = account.customerId;
  } else {
    const customer: Customer = { ...holder, balance: after, updatedAt: at };
    await repos.customers.update(ctx.scope, customer);
    events.push(domainEvent('customer.updated', customer, { at }));
    customerId = customer.id;
  }
  const ids = type === 'account' ? { customerId, accountId: holder.id } : { customerId };
  const applied = amountApplied(paymentId, input, { type, id: holder.id }, holder, at, ids);
  return { result: applied, events: [...events, appliedEvent(applied)] };
}

/** The `payment` posting: the holder's balance (what it owes) falls by `amount` minor units. */
async function postPayment(tx: LedgerTransaction, ctx: CommandContext, balance: Balance, amount: bigint, paymentId: string, at: string) {
  const atoms = fromMinorUnits(balance.currency, amount).amount;
  const result = applyPosting(ctx, externalPosting('payment', balance.holderId, { currency: balance.currency, amount: -atoms }, paymentId), [balance], at);
  await recordPosting(tx, ctx.scope, result);
  return result.entries;
}

function amountApplied(
  paymentId: string,
  input: ApplyPaymentInput,
  obligation: AmountApplied['obligation'],
  paid: BalanceHolder | Bill,
  at: string,
  ids: Pick<AmountApplied, 'customerId' | 'accountId' | 'billId'>,
): AmountApplied {
  return { id: newId('ob', at), paymentId, obligation, amount: input.amount, currency: input.currency, ...ids, metadata: paid.metadata, appliedAt: at };
}

/** About the paid object: the testing API's `object_id` filter finds it by the bill's, account's or customer's id. */
const appliedEvent = (applied: AmountApplied) => domainEvent('obligation.amount_applied', applied, { subjectId: applied.obligation.id, at: applied.appliedAt });
