import type { Bill, BillStatus } from './model.js';

// SPEC §3b: a bill's amount_remaining and status are derived from what is due and what is paid,
// never stored as given (a request that sends either is refused).

/** amount_due − amount_paid: negative when overpaid. */
export const amountRemainingOf = (bill: Pick<Bill, 'amountDue' | 'amountPaid'>): bigint => bill.amountDue - bill.amountPaid;

/** `paid` once nothing remains (amount_remaining ≤ 0), else `unpaid`. */
export const billStatusOf = (bill: Pick<Bill, 'amountDue' | 'amountPaid'>): BillStatus => (amountRemainingOf(bill) <= 0n ? 'paid' : 'unpaid');
