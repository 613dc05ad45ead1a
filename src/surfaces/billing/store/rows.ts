import type { Mode } from '../../../ledger/model.js';
import type { Account, BalanceHolder, Customer, Metadata, PaymentRules } from '../domain/model.js';
import type { AccountTable, BalanceHolderTable, CustomerTable } from './tables.js';

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

function textToPaymentRules(text: string | null): PaymentRules | null {
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

