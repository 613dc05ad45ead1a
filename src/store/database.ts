/**
 * Rows as stored (snake_case). Every tenant-owned table carries tenant_id first in its
 * primary key and unique constraints, so it can be distributed by tenant (Citus) later.
 * Integers are bigint (SQLite with safe integers, pg int8 parsed as BigInt); timestamps are
 * fixed-width UTC ISO 8601 text, which sorts like time on both stores.
 */
/** The two stores: embedded SQLite and PostgreSQL. */
export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  tenants: TenantTable;
  api_keys: ApiKeyTable;
  balances: BalanceTable;
  unique_keys: UniqueKeyTable;
  ledger_entries: LedgerEntryTable;
  idempotency_keys: IdempotencyKeyTable;
  events: EventTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  emails: EmailTable;
  console_sessions: ConsoleSessionTable;
  auth_failures: AuthFailureTable;
}

export interface TenantTable {
  id: string;
  name: string;
  country: string;
  callback_token: string;
  created_at: string;
}

export interface ApiKeyTable {
  tenant_id: string;
  id: string;
  mode: string;
  type: string;
  hint: string;
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
}

/** A claimed unique value; mode is `*` for a key unique across both modes. */
export interface UniqueKeyTable {
  tenant_id: string;
  namespace: string;
  value: string;
  mode: string;
  owner_id: string;
  created_at: string;
}

/** A stored amount: decimal text of atoms (10^-9 major units), exact on both stores (docs/decisions.md). */
export type StoredAmount = string;

/** One balance per (tenant, mode, holder, currency); the holder may be any object, or a tenant. */
export interface BalanceTable {
  tenant_id: string;
  mode: string;
  holder_id: string;
  currency: string;
  amount: StoredAmount;
  /** The sequence of the balance's last entry (0: none yet). */
  sequence: bigint | number;
  /** The hash of the balance's last entry, its chain's head (64 zeros: none yet); migration 2026-12-10-ledger-hash-chains. */
  hash: string;
  created_at: string;
  updated_at: string;
}

export interface LedgerEntryTable {
  tenant_id: string;
  mode: string;
  holder_id: string;
  currency: string;
  sequence: bigint | number;
  id: string;
  kind: string;
  amount: StoredAmount;
  balance_after: StoredAmount;
  /** The other side: a holder id, or `external` for money entering or leaving the books. */
  counterparty: string;
  /** The entry on the posting's other side; null when that side is external (migration 2026-12-10-ledger-hash-chains). */
  contra_id: string | null;
  reference: string | null;
  request_id: string | null;
  idempotency_key: string | null;
  actor: string;
  created_at: string;
  /** The entry's chain hash (src/ledger/entry-hash.ts); null only on a row the migration has not reached. */
  hash: string | null;
}

export interface IdempotencyKeyTable {
  tenant_id: string;
  mode: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
  response_status: bigint | number | null;
  response_headers: string | null;
  response_body: string | null;
  resource_id: string | null;
  created_at: string;
  expires_at: string;
}

export interface EventTable {
  tenant_id: string;
  mode: string;
  id: string;
  type: string;
  /** The surface whose envelope the event is delivered in. */
  source: string;
  data: string;
  created_at: string;
  dispatched_at: string | null;
  /** The holder the event is about (an account, a customer, a transfer's sub-account); null if none or older. */
  subject_id: string | null;
  /** The object the event carries (its own id), when it has one (migration 2026-12-09-event-objects). */
  object_id?: string | null;
}

export interface WebhookEndpointTable {
  tenant_id: string;
  mode: string;
  id: string;
  url: string;
  secret: string;
  /** JSON array of event types or patterns ("*", "billing.*"). */
  event_types: string;
  created_at: string;
  deleted_at: string | null;
}

export interface WebhookDeliveryTable {
  tenant_id: string;
  mode: string;
  id: string;
  event_id: string;
  endpoint_id: string;
  status: string;
  attempts: bigint | number;
  next_attempt_at: string;
  /** When a retry waiting for the tenant's frozen test clock comes due on it (migration 2026-12-09-clock-due). */
  clock_due_at?: string | null;
  lease_until: string | null;
  last_error: string | null;
  last_status_code: bigint | number | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export interface WebhookAttemptTable {
  tenant_id: string;
  delivery_id: string;
  attempt: bigint | number;
  started_at: string;
  duration_ms: bigint | number;
  status_code: bigint | number | null;
  error: string | null;
}

export interface EmailTable {
  tenant_id: string;
  mode: string;
  id: string;
  to_address: string;
  subject: string;
  body: string;
  status: string;
  attempts: bigint | number;
  next_attempt_at: string;
  /** As on webhook_deliveries. */
  clock_due_at?: string | null;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

/** An operator's console sign-in; the cookie holds the id, the table only its hash. */
export interface ConsoleSessionTable {
  id_hash: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

/** A failed admin-token or console sign-in (migration 2026-12-14-auth-failures). */
export interface AuthFailureTable {
  address: string;
  failed_at_ms: bigint | number;
  id: string;
}
