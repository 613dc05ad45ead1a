// Billing's tables (Moment customers and accounts), added to the store's Database type.

declare module '../../../store/database.js' {
  interface Database {
    customers: CustomerTable;
    accounts: AccountTable;
    bills: BillTable;
  }
}

/** The columns customers and accounts share. */
export interface BalanceHolderTable {
  tenant_id: string;
  mode: string;
  id: string;
  external_reference: string;
  name: string | null;
  currency: string | null;
  /**
   * A copy of the ledger's balance of (holder, currency) in minor units, written by the command
   * that posts (so a read is one keyed row); null: no balance tracked.
   */
  balance: bigint | null;
  /** JSON text, amounts as decimal strings. */
  payment_rules: string | null;
  /** JSON text object of strings. */
  metadata: string;
  created_at: string;
  updated_at: string;
}

export interface CustomerTable extends BalanceHolderTable {
  email: string | null;
  phone: string | null;
}

export interface AccountTable extends BalanceHolderTable {
  customer_id: string;
}


/** A bill (SPEC §3b); amounts in minor units of `currency`. */
export interface BillTable {
  tenant_id: string;
  mode: string;
  id: string;
  external_reference: string;
  customer_id: string;
  account_id: string | null;
  currency: string;
  amount_due: bigint;
  amount_paid: bigint;
  /** Derived from the amounts, written with them: `paid` when amount_paid ≥ amount_due (the list's status filter reads it). */
  status: string;
  bill_date: string;
  due_date: string | null;
  /** JSON text, amounts as decimal strings. */
  payment_rules: string | null;
  /** JSON text object of strings. */
  metadata: string;
  created_at: string;
  updated_at: string;
}
