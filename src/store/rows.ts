import type { Account, ApiKey, Balance, BalanceHolder, Customer, LedgerEntry, Metadata, Mode, PaymentRules, Tenant } from '../ledger/model.js';
import type { IdempotencyRecord, OutboxEvent } from './ports.js';
import type {
  AccountTable,
  ApiKeyTable,
  BalanceHolderTable,
  BalanceTable,
  CustomerTable,
  EventTable,
  IdempotencyKeyTable,
  LedgerEntryTable,
  TenantTable,
} from './database.js';

// rowToX / xToRow: the only place where stored shapes and domain values meet.

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


export function rowToTenant(row: TenantTable): Tenant {
  return { id: row.id, name: row.name, country: row.country, callbackToken: row.callback_token, createdAt: row.created_at };
}

export function rowToApiKey(row: ApiKeyTable): ApiKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    mode: row.mode as Mode,
    type: row.type as ApiKey['type'],
    hint: row.hint,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
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

export function balanceToRow(tenantId: string, mode: Mode, b: Balance): BalanceTable {
  return {
    tenant_id: tenantId,
    mode,
    holder_id: b.holderId,
    currency: b.currency,
    amount: b.amount.toString(),
    sequence: b.sequence,
    created_at: b.createdAt,
    updated_at: b.updatedAt,
  };
}

export function rowToBalance(row: BalanceTable): Balance {
  return {
    holderId: row.holder_id,
    currency: row.currency,
    amount: BigInt(row.amount),
    sequence: Number(row.sequence),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function ledgerEntryToRow(tenantId: string, mode: Mode, e: LedgerEntry): LedgerEntryTable {
  return {
    tenant_id: tenantId,
    mode,
    holder_id: e.holderId,
    currency: e.currency,
    sequence: e.sequence,
    id: e.id,
    kind: e.kind,
    amount: e.amount.toString(),
    balance_after: e.balanceAfter.toString(),
    counterparty: e.counterparty,
    reference: e.reference,
    request_id: e.requestId,
    idempotency_key: e.idempotencyKey,
    actor: e.actor,
    created_at: e.createdAt,
  };
}

export function rowToLedgerEntry(row: LedgerEntryTable): LedgerEntry {
  return {
    id: row.id,
    holderId: row.holder_id,
    currency: row.currency,
    sequence: Number(row.sequence),
    kind: row.kind,
    amount: BigInt(row.amount),
    balanceAfter: BigInt(row.balance_after),
    counterparty: row.counterparty,
    reference: row.reference,
    requestId: row.request_id,
    idempotencyKey: row.idempotency_key,
    actor: row.actor,
    createdAt: row.created_at,
  };
}

export function rowToIdempotencyRecord(row: IdempotencyKeyTable): IdempotencyRecord {
  return {
    key: row.key,
    fingerprint: row.fingerprint,
    method: row.method,
    path: row.path,
    response:
      row.response_status === null
        ? null
        : {
            status: Number(row.response_status),
            headers: JSON.parse(row.response_headers ?? '{}') as Record<string, string>,
            body: row.response_body ?? '',
            resourceId: row.resource_id,
          },
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export function rowToEvent(row: Omit<EventTable, 'subject_id'>): OutboxEvent {
  return { id: row.id, type: row.type, source: row.source, data: JSON.parse(row.data) as unknown, createdAt: row.created_at };
}

/** A record as stored; `response` null while a claim's transaction has not finished. */
export function idempotencyRecordToRow(tenantId: string, mode: Mode, r: IdempotencyRecord): IdempotencyKeyTable {
  return {
    tenant_id: tenantId,
    mode,
    key: r.key,
    fingerprint: r.fingerprint,
    method: r.method,
    path: r.path,
    response_status: r.response?.status ?? null,
    response_headers: r.response ? JSON.stringify(r.response.headers) : null,
    response_body: r.response?.body ?? null,
    resource_id: r.response?.resourceId ?? null,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
  };
}
