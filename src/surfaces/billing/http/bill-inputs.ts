import { ValidationFailed } from '../../../ledger/errors.js';
import type { CreateBillInput, UpdateBillInput } from '../domain/bills.js';
import type { ApplyPaymentInput, ObligationType } from '../domain/payments.js';
import type { BillCreateBody, BillUpdateBody, PaymentCreateBody } from './bill-schemas.js';
import { paymentRulesOf } from './inputs.js';

// Moment JSON → core inputs for bills and payments. Shapes only; every rule lives in the core.

/** On create, null for an optional field means it was left out (as on accounts). */
export function billCreateInput(body: BillCreateBody): CreateBillInput {
  return {
    customer: body.customer ?? undefined,
    account: body.account ?? undefined,
    externalReference: body.external_reference,
    currency: body.currency,
    amountDue: BigInt(body.amount_due),
    billDate: body.bill_date ?? undefined,
    dueDate: body.due_date ?? undefined,
    paymentRules: paymentRulesOf(body.payment_rules) ?? undefined,
    metadata: body.metadata ?? undefined,
  };
}

/** SPEC §3b: amount_remaining and status are derived, so a request that sends either is refused. @throws ValidationFailed */
export function billUpdateInput(body: BillUpdateBody): UpdateBillInput {
  const derived = (['amount_remaining', 'status'] as const).filter((field) => body[field] !== undefined);
  if (derived.length > 0) {
    throw new ValidationFailed(derived.map((field) => ({ field, message: 'is derived from amount_due and amount_paid and cannot be set: send amount_paid instead' })));
  }
  return {
    amountPaid: body.amount_paid === undefined ? undefined : BigInt(body.amount_paid),
    dueDate: body.due_date,
    paymentRules: paymentRulesOf(body.payment_rules),
    metadata: body.metadata,
  };
}

const OBLIGATIONS: readonly ObligationType[] = ['bill', 'account', 'customer'];

/** Exactly one of bill, account or customer names what is paid. @throws ValidationFailed */
export function paymentInput(body: PaymentCreateBody): ApplyPaymentInput {
  const named = OBLIGATIONS.filter((type) => body[type] !== undefined);
  if (named.length !== 1) {
    const message = named.length === 0 ? 'is required: name exactly one of bill, account or customer' : `cannot be combined with ${named[0]}: name exactly one of bill, account or customer`;
    throw ValidationFailed.of(named.length === 0 ? 'bill' : named[1]!, message);
  }
  const type = named[0]!;
  return { obligation: { type, reference: body[type]! }, amount: BigInt(body.amount), currency: body.currency };
}
