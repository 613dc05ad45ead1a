import type { Mode } from '../../../ledger/model.js';
import { billStatusOf } from '../domain/bill-amounts.js';
import type { Account, BalanceHolder, Bill, Customer, Metadata, PaymentRules } from '../domain/model.js';
import type { AccountTable, BalanceHolderTable, BillTable, CustomerTable } from './tables.js';

// rowToX / xToRow: where billing's stored shapes and domain values meet.

interface StoredPaymentRules {
  min_amount: string;
  max_amount: string;
  underpayment_allowed: boolean;
  overpayment_allowed: boolean;
}

export function paymentRulesToText(rules: PaymentRules | null): string | null {
  if (!rules) return null;
  const stored: StoredPaymentRules = {
    min_amount: rules.minAmount.toString(),
    max_amount: rules.maxAmount.toString(),
    underpayment_allowed: rules.underpaymentAllowed,
    overpayment_allowed: rules.overpaymentAllowed,
  };
  return JSON.stringify(stored);
}

export function textToPaymentRules(text: string | null): PaymentRules | null {
  if (text === null) return null;
  const stored = JSON.parse(text) as StoredPaymentRules;
  return {
    minAmount: BigInt(stored.min_amount),
    maxAmount: BigInt(stored.max_amount),
    underpaymentAllowed: stored.underpayment_allowed,
    overpaymentAllowed: stored.overpayment_allowed,
  };
}

function balanceHolderToRow(tenantId: string, mode: Mode, h: BalanceHolder): BalanceHolderTable {
  return {
    tenant_id: tenantId,
    mode,
    id: h.id,
    external_reference: h.externalReference,
    name: h.name,
    currency: h.currency,
    balance: h.balance,
    payment_rules: paymentRulesToText(h.paymentRules),
    metadata: JSON.stringify(h.metadata),
    created_at: h.createdAt,
    updated_at: h.updatedAt,
  };
}

function rowToBalanceHolder(row: BalanceHolderTable): BalanceHolder {
  return {
    id: row.id,
    externalReference: row.external_reference,
    name: row.name,
    currency: row.currency,
    balance: row.balance === null ? null : BigInt(row.balance),
    paymentRules: textToPaymentRules(row.payment_rules),
    metadata: JSON.parse(row.metadata) as Metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function customerToRow(tenantId: string, mode: Mode, c: Customer): CustomerTable {
  return { ...balanceHolderToRow(tenantId, mode, c), email: c.email, phone: c.phone };
}

export function rowToCustomer(row: CustomerTable): Customer {
  return { ...rowToBalanceHolder(row), email: row.email, phone: row.phone };
}

export function accountToRow(tenantId: string, mode: Mode, a: Account): AccountTable {
  return { ...balanceHolderToRow(tenantId, mode, a), customer_id: a.customerId };
}

export function rowToAccount(row: AccountTable): Account {
  return { ...rowToBalanceHolder(row), customerId: row.customer_id };
}


export function billToRow(tenantId: string, mode: Mode, b: Bill): BillTable {
  return {
    tenant_id: tenantId,
    mode,
    id: b.id,
    external_reference: b.externalReference,
    customer_id: b.customerId,
    account_id: b.accountId,
    currency: b.currency,
    amount_due: b.amountDue,
    amount_paid: b.amountPaid,
    status: billStatusOf(b),
    bill_date: b.billDate,
    due_date: b.dueDate,
    payment_rules: paymentRulesToText(b.paymentRules),
    metadata: JSON.stringify(b.metadata),
    created_at: b.createdAt,
    updated_at: b.updatedAt,
  };
}

export function rowToBill(row: BillTable): Bill {
  return {
    id: row.id,
    externalReference: row.external_reference,
    customerId: row.customer_id,
    accountId: row.account_id,
    currency: row.currency,
    amountDue: BigInt(row.amount_due),
    amountPaid: BigInt(row.amount_paid),
    billDate: row.bill_date,
    dueDate: row.due_date,
    paymentRules: textToPaymentRules(row.payment_rules),
    metadata: JSON.parse(row.metadata) as Metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
