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
