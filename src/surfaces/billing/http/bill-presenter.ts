import type { StoredResponse } from '../../../store/ports.js';
import { jsonResponse } from '../../../http/surface.js';
import { amountRemainingOf, billStatusOf } from '../domain/bill-amounts.js';
import type { Bill } from '../domain/model.js';
import type { AmountApplied } from '../domain/payments.js';
import type { AmountAppliedJson, BillJson, PaymentResultJson } from './bill-schemas.js';
import { minorUnitsToJson } from './json-integers.js';
import { presentPaymentRules } from './presenter.js';

// Bills and payments → Moment JSON. Absent values are null, as for customers and accounts.

export function presentBill(b: Bill): BillJson {
  return {
    id: b.id,
    external_reference: b.externalReference,
    customer_id: b.customerId,
    account_id: b.accountId,
    status: billStatusOf(b),
    currency: b.currency,
    amount_due: minorUnitsToJson(b.amountDue),
    amount_paid: minorUnitsToJson(b.amountPaid),
    amount_remaining: minorUnitsToJson(amountRemainingOf(b)),
    bill_date: b.billDate,
    due_date: b.dueDate,
    payment_rules: presentPaymentRules(b.paymentRules),
    metadata: b.metadata,
    created_at: b.createdAt,
    updated_at: b.updatedAt,
  };
}

export const billResponse = (status: number) => (b: Bill): StoredResponse => jsonResponse(status, presentBill(b), b.id);

/** Moment's `obligation.amount_applied` data: account_id and bill_id only when that is what was paid. */
export function presentAmountApplied(a: AmountApplied): AmountAppliedJson {
  return {
    id: a.id,
    amount: minorUnitsToJson(a.amount),
    currency: a.currency,
    payment_id: a.paymentId,
    customer_id: a.customerId,
    ...(a.accountId === undefined ? {} : { account_id: a.accountId }),
    ...(a.billId === undefined ? {} : { bill_id: a.billId }),
    metadata: a.metadata,
    created_at: a.appliedAt,
    updated_at: a.appliedAt,
  };
}

export function presentPayment(a: AmountApplied): PaymentResultJson {
  return { payment_id: a.paymentId, obligation: a.obligation, amount: minorUnitsToJson(a.amount), currency: a.currency, applied_at: a.appliedAt };
}

export const paymentResponse = (a: AmountApplied): StoredResponse => jsonResponse(201, presentPayment(a), a.paymentId);
