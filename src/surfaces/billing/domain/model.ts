/** Billing's domain values (Moment customers and accounts): camelCase, amounts as bigint. */

export type Metadata = Record<string, string>;

export interface PaymentRules {
  minAmount: bigint;
  maxAmount: bigint;
  underpaymentAllowed: boolean;
  overpaymentAllowed: boolean;
}

/** What customers and accounts share: a merchant reference, an optional balance, rules, metadata. */
export interface BalanceHolder {
  id: string;
  externalReference: string;
  name: string | null;
  currency: string | null;
  /** In minor units of `currency`, as the ledger holds it; null = no balance tracking. */
  balance: bigint | null;
  paymentRules: PaymentRules | null;
  metadata: Metadata;
  createdAt: string;
  updatedAt: string;
}

export interface Customer extends BalanceHolder {
  email: string | null;
  phone: string | null;
}

export interface Account extends BalanceHolder {
  customerId: string;
}

export type BillStatus = 'unpaid' | 'paid';

/**
 * Moment's third billing model: an amount a customer (or one of its accounts) owes, paid down
 * apart from any balance (SPEC §3b). `amount_remaining` and `status` are derived (bills.ts).
 */
export interface Bill {
  id: string;
  externalReference: string;
  customerId: string;
  accountId: string | null;
  currency: string;
  /** Minor units of `currency`, > 0. */
  amountDue: bigint;
  /** Minor units, ≥ 0; above amountDue only when the payment rules allow overpayment. */
  amountPaid: bigint;
  /** A calendar date, YYYY-MM-DD. */
  billDate: string;
  dueDate: string | null;
  paymentRules: PaymentRules | null;
  metadata: Metadata;
  createdAt: string;
  updatedAt: string;
}
