import type { Balance, LedgerEntry, Mode } from '../ledger/model.js';
import type { EncodedEntry } from '../ledger/entry-hash.js';
import type { ApiKey, Tenant } from '../tenancy/model.js';
import type { IdempotencyRecord, OutboxEvent } from './ports.js';
import type {
  ApiKeyTable,
  BalanceTable,
  EventTable,
  IdempotencyKeyTable,
  LedgerEntryTable,
  TenantTable,
} from './database.js';

// rowToX / xToRow: the only place where stored shapes and domain values meet.

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

export function balanceToRow(tenantId: string, mode: Mode, b: Balance): BalanceTable {
  return {
    tenant_id: tenantId,
    mode,
    holder_id: b.holderId,
    currency: b.currency,
    amount: b.amount.toString(),
    sequence: b.sequence,
    hash: b.hash,
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
    hash: row.hash,
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
    contra_id: e.contraId,
    reference: e.reference,
    request_id: e.requestId,
    idempotency_key: e.idempotencyKey,
    actor: e.actor,
    created_at: e.createdAt,
    hash: e.hash,
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
    contraId: row.contra_id ?? null,
    reference: row.reference,
    requestId: row.request_id,
    idempotencyKey: row.idempotency_key,
    actor: row.actor,
    createdAt: row.created_at,
    hash: row.hash ?? '',
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

/** A stored entry's immutable fields as the chain hash encodes them (src/ledger/entry-hash.ts): the same text as the domain entry's. */
export function encodedFieldsOfRow(row: Omit<LedgerEntryTable, 'hash'>): EncodedEntry {
  return {
    tenant_id: row.tenant_id,
    mode: row.mode,
    holder_id: row.holder_id,
    currency: row.currency,
    sequence: String(row.sequence),
    id: row.id,
    kind: row.kind,
    amount: row.amount,
    balance_after: row.balance_after,
    counterparty: row.counterparty,
    contra_id: row.contra_id ?? null,
    reference: row.reference,
    request_id: row.request_id,
    idempotency_key: row.idempotency_key,
    actor: row.actor,
    created_at: row.created_at,
  };
}
