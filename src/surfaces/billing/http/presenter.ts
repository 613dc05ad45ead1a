import type { LedgerEntry, Page } from '../../../ledger/model.js';
import type { Account, Customer, PaymentRules } from '../domain/model.js';
import { toMinorUnits } from '../../../ledger/money.js';
import { minorUnitsToJson } from './json-integers.js';
import type { StoredResponse } from '../../../store/ports.js';
import { jsonResponse } from '../../../http/surface.js';
import type { AccountJson, CustomerJson, LedgerEntryJson, PaymentRulesBody } from './schemas.js';

// Domain → Moment JSON. Absent values are null (SPEC §3), never omitted.

export function presentPaymentRules(rules: PaymentRules | null): PaymentRulesBody | null {
  return rules
    ? {
        min_amount: minorUnitsToJson(rules.minAmount),
        max_amount: minorUnitsToJson(rules.maxAmount),
        underpayment_allowed: rules.underpaymentAllowed,
        overpayment_allowed: rules.overpaymentAllowed,
      }
    : null;
}

const balanceOf = (balance: bigint | null): number | null => (balance === null ? null : minorUnitsToJson(balance));

export function presentCustomer(c: Customer): CustomerJson {
  return {
    id: c.id,
    external_reference: c.externalReference,
    name: c.name,
    email: c.email,
    phone: c.phone,
    currency: c.currency,
    balance: balanceOf(c.balance),
    payment_rules: presentPaymentRules(c.paymentRules),
    metadata: c.metadata,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export function presentAccount(a: Account): AccountJson {
  return {
    id: a.id,
    external_reference: a.externalReference,
    customer_id: a.customerId,
    name: a.name,
    currency: a.currency,
    balance: balanceOf(a.balance),
    payment_rules: presentPaymentRules(a.paymentRules),
    metadata: a.metadata,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

export function presentLedgerEntry(e: LedgerEntry): LedgerEntryJson {
  return {
    id: e.id,
    account_id: e.holderId,
    kind: e.kind as LedgerEntryJson['kind'],
    amount: minorUnitsToJson(toMinorUnits({ currency: e.currency, amount: e.amount })),
    balance_after: minorUnitsToJson(toMinorUnits({ currency: e.currency, amount: e.balanceAfter })),
    currency: e.currency,
    created_at: e.createdAt,
  };
}

export function presentList<T, J>(page: Page<T>, present: (item: T) => J) {
  return { object: 'list' as const, data: page.items.map(present), has_more: page.hasMore };
}

export const customerResponse = (status: number) => (c: Customer): StoredResponse => jsonResponse(status, presentCustomer(c), c.id);
export const accountResponse = (status: number) => (a: Account): StoredResponse => jsonResponse(status, presentAccount(a), a.id);
