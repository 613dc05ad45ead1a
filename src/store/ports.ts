import type { EntryWindow, LedgerSlice } from './entry-stream.js';
import type { LedgerEntryTable } from './database.js';
import type { VerifyCount, VerifyListener } from './ledger-verify.js';
import type { Email, EmailStatus } from '../ledger/emails.js';
import type { OutboxEvent } from '../ledger/events.js';
import type { Balance, LedgerEntry, ListCursor, Mode, Page, PageRequest, Scope } from '../ledger/model.js';
import type { BalanceStore, EmailStore, EntryStore, EventStore, LedgerStore, LedgerTransaction, UniqueKeyStore } from '../ledger/store.js';
import type { ApiKey, DeliveryAttempt, DeliveryStatus, Tenant, WebhookDelivery, WebhookEndpoint } from '../tenancy/model.js';
import type { Kysely } from 'kysely';
import type { Database, DialectName } from './database.js';
import type { WriteSink } from './write-behind.js';

export type { OutboxEvent };

/**
 * What a vendor module's repositories are built from: the transaction's (or the reader's)
 * database handle, its dialect, where its writes go (held back until the next read or the
 * commit: write-behind.ts), and the kernel's balances (for rows that carry a copy of one).
 * `db` knows the service's own tables; a module adds its own with `db.withTables<…>()`.
 */
export interface StoreHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  writes: WriteSink;
  balances: BalanceRepository;
}

/**
 * The whole store: the kernel's LedgerStore (src/ledger/store.ts) and what the service around
 * it keeps (tenants, keys, idempotency records, webhooks, console sessions). Vendor modules
 * reach their own tables through `Repositories.use` (module-repositories.ts).
 * Methods throw AlreadyExists when a unique constraint rejects a write; any other failure is
 * an infrastructure error that the HTTP layer answers with 500/503.
 * Inside a transaction, a write whose result is not read may be sent later (with the next read
 * or at commit), so its AlreadyExists may come from `transaction` itself instead of the call;
 * a command must not depend on catching it at the call.
 */
export interface Store extends LedgerStore<Repositories> {
  readonly dialect: 'sqlite' | 'postgres';
  /** Non-transactional reads (each call sees committed data). */
  readonly reader: Repositories;
  /** Runs `work` in one database transaction: all of its writes commit together or none do. */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** The background side of the outbox (spans tenants): fan-out, claims with leases, outcomes. */
  readonly outbox: OutboxQueue;
  /** The audit of SPEC §8 over the stored ledger (spans tenants): verify and export, streaming. */
  readonly audit: LedgerAudit;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  /**
   * Tells every other process on this database something changed (PostgreSQL NOTIFY on
   * `channel`, see change-notices.ts); nothing on SQLite, whose one process already knows.
   */
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/** One transaction's (or the reader's) repositories: the kernel's, then the service's own. */
export interface Repositories extends LedgerTransaction {
  balances: BalanceRepository;
  ledger: LedgerRepository;
  uniqueKeys: UniqueKeyStore;
  events: EventRepository;
  emails: EmailRepository;
  /**
   * A vendor module's repositories on this same transaction (or reader), built on first use
   * from the store's handle (module-repositories.ts: `defineRepositories`).
   */
  use<R>(key: object, build: (handle: StoreHandle) => R): R;
  webhooks: WebhookRepository;
  consoleSessions: ConsoleSessionRepository;
  /** Every surface's account holders at once, for the operator console. */
  accountDirectory: AccountDirectoryRepository;
  tenants: TenantRepository;
  apiKeys: ApiKeyRepository;
  idempotency: IdempotencyRepository;
}

export interface TenantRepository {
  insert(tenant: Tenant): Promise<void>;
  findById(id: string): Promise<Tenant | undefined>;
  count(): Promise<number>;
  /**
   * Makes this transaction the only one, across processes, that may go on to create a tenant
   * because there is none (two `serve`s starting on one fresh database): the others wait here
   * until it ends, then count what it committed.
   */
  lockFirstTenantCreation(): Promise<void>;
  /** Every tenant, newest first (by id: ids are time-ordered), one keyset page. */
  list(page: PageRequest): Promise<Page<Tenant>>;
  cursorOf(id: string): Promise<ListCursor | undefined>;
}

export interface ApiKeyRepository {
  /** @throws AlreadyExists if the hash collides (practically never). */
  insert(key: ApiKey, secretHash: string): Promise<void>;
  findByHash(secretHash: string): Promise<{ key: ApiKey; secretHash: string } | undefined>;
  findById(tenantId: string, id: string): Promise<ApiKey | undefined>;
  revoke(tenantId: string, id: string, at: string): Promise<void>;
  listForTenant(tenantId: string): Promise<ApiKey[]>;
}

/** The kernel's balances, and what operators and invariant checks read besides. */
export interface BalanceRepository extends BalanceStore {
  /** Every balance of the scope (invariant checks, operators). */
  listForScope(scope: Scope): Promise<Balance[]>;
}

/** What a filtered list of a holder's entries keeps (every given condition holds). */
export interface LedgerEntryFilter extends PageRequest {
  kinds?: readonly string[];
  currency?: string;
  /** The entry's amount, either sign (atoms). */
  magnitude?: bigint;
  reference?: string;
  id?: string;
}

/** The kernel's entries, and the reads of them that lists and audits make. */
export interface LedgerRepository extends EntryStore {
  cursorOf(scope: Scope, holderId: string, id: string): Promise<ListCursor | undefined>;
  /** A holder's entries in every currency, newest first. */
  list(scope: Scope, holderId: string, page: PageRequest): Promise<Page<LedgerEntry>>;
  /** A holder's entries that pass `filter`, newest first, through the (holder, id) index. */
  listFiltered(scope: Scope, holderId: string, filter: LedgerEntryFilter): Promise<Page<LedgerEntry>>;
  /** One of the holder's entries by id (a keyed read), or undefined. */
  findForHolder(scope: Scope, holderId: string, id: string): Promise<LedgerEntry | undefined>;
  /** One balance's entries, oldest first (invariant checks, audits). */
  chain(scope: Scope, holderId: string, currency: string): Promise<LedgerEntry[]>;
  /** Every entry of the scope whose counterparty is `counterparty` (invariant checks). */
  listByCounterparty(scope: Scope, counterparty: string): Promise<LedgerEntry[]>;
}

/** What an idempotent request answered, stored verbatim and replayed to retries. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The object the request created or changed, named in conflict answers. */
  resourceId: string | null;
}

export interface IdempotencyRecord {
  key: string;
  fingerprint: string;
  method: string;
  path: string;
  /** null while the first request's transaction has not finished. */
  response: StoredResponse | null;
  createdAt: string;
  expiresAt: string;
}

export interface IdempotencyRepository {
  /** The record unless it has expired by `now`. */
  find(scope: Scope, key: string, now: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Inserts the record (replacing an expired one). Returns false when a live record exists.
   * On PostgreSQL a concurrent uncommitted claim of the same key blocks until that transaction ends.
   */
  claim(scope: Scope, record: IdempotencyRecord, now: string): Promise<boolean>;
  complete(scope: Scope, key: string, response: StoredResponse): Promise<void>;
  /**
   * Inserts a complete record (the fast path: no claim first).
   * @throws IdempotencyKeyTaken when the key already has a record, live or expired (possibly at commit).
   */
  record(scope: Scope, record: IdempotencyRecord): Promise<void>;
  /**
   * Deletes up to `limit` of the records expired by `now` (all tenants and modes, oldest expiry
   * first, through the expiry index), in one statement; answers how many (fewer than `limit`:
   * none is left).
   */
  purgeExpiredBatch(now: string, limit: number): Promise<number>;
}

/**
 * A surface's webhook envelope: the body and any extra headers its vendor sends (e.g. Xendit's
 * x-callback-token, the tenant's callback token).
 */
export type WebhookEnvelope = (event: OutboxEvent, tenant: { tenantId: string; callbackToken: string }) => { body: string; headers: Record<string, string> };

export interface EventRepository extends EventStore {
  listRecent(scope: Scope, limit: number): Promise<OutboxEvent[]>;
  /** The events about one object, newest first. */
  listForSubject(scope: Scope, subjectId: string, limit: number): Promise<OutboxEvent[]>;
}

export interface WebhookRepository {
  insertEndpoint(tenantId: string, endpoint: WebhookEndpoint): Promise<void>;
  /** The tenant's endpoints of both modes, oldest first. */
  listEndpoints(tenantId: string): Promise<WebhookEndpoint[]>;
  /** Returns false when the tenant has no such (live) endpoint. */
  deleteEndpoint(tenantId: string, endpointId: string, at: string): Promise<boolean>;
  listDeliveries(tenantId: string, filter: { status?: DeliveryStatus; endpointId?: string; eventId?: string; limit: number }): Promise<WebhookDelivery[]>;
  findDelivery(tenantId: string, deliveryId: string): Promise<{ delivery: WebhookDelivery; attempts: DeliveryAttempt[] } | undefined>;
  /** Makes a delivery due now again (whatever its status), unless its endpoint was deleted. */
  resend(tenantId: string, deliveryId: string, now: string): Promise<'resent' | 'not_found' | 'endpoint_deleted'>;
}

/** An operator's console sign-in, as stored: the hash of its cookie value, never the value. */
export interface ConsoleSession {
  idHash: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

export interface ConsoleSessionRepository {
  insert(session: ConsoleSession): Promise<void>;
  /** The session unless it has expired by `now`. */
  find(idHash: string, now: string): Promise<ConsoleSession | undefined>;
  delete(idHash: string): Promise<void>;
  /** Drops the sessions expired by `now`; returns how many. */
  purgeExpired(now: string): Promise<number>;
}

/** One account holder of any surface, as the operator console lists it. */
export interface DirectoryEntry {
  id: string;
  /** The surface whose API owns it: billing, platform, org. */
  surface: string;
  /** customer, account (billing), sub_account (platform), org_account (org). */
  kind: string;
  mode: Mode;
  name: string | null;
  email: string | null;
  externalReference: string | null;
  /** The surface's own status of it (a platform sub-account's, an org account's ok/low_balance); null: none. */
  status: string | null;
  createdAt: string;
}

export interface DirectoryQuery {
  /** An id or external reference (exact), or the start of a name or e-mail (any case). */
  search?: string;
  surface?: string;
  mode?: Mode;
  status?: string;
  limit: number;
  /** A `nextCursor` of the same query. */
  cursor?: string;
}

export interface AccountDirectoryRepository {
  /**
   * Newest first; with a search, exact matches first, then by the matched name or e-mail. Every
   * source is read through an index, from where its last page stopped (the cursor holds each
   * source's position), so a page costs the same at any depth and any size.
   * @throws ValidationFailed for a cursor that is not one of this query's
   */
  list(tenantId: string, query: DirectoryQuery): Promise<{ entries: DirectoryEntry[]; nextCursor: string | null }>;
  /** The holder with this id in either mode (ids are unique across modes in practice; live first). */
  find(tenantId: string, id: string): Promise<DirectoryEntry | undefined>;
  /** The holder's ledger entries, newest first, optionally of one currency. */
  ledger(scope: Scope, holderId: string, page: { currency?: string; limit: number; afterId?: string }): Promise<Page<LedgerEntry>>;
  /** The holder's last `limit` entries of each currency, oldest first: its balance over time. */
  balanceHistory(scope: Scope, holderId: string, limit: number): Promise<LedgerEntry[]>;
  /** The holder's balances, by currency. */
  balances(scope: Scope, holderId: string): Promise<Balance[]>;
}

export interface EmailRepository extends EmailStore {
  /** Newest first. */
  listForTenant(tenantId: string, limit: number): Promise<Email[]>;
}

/** A delivery claimed by a worker, with everything needed to send it. */
export interface ClaimedDelivery {
  tenantId: string;
  mode: Mode;
  deliveryId: string;
  attempts: number;
  /** When the delivery was first created (for the retry horizon). */
  createdAt: string;
  event: OutboxEvent;
  /** `deleted`: the endpoint went away after the delivery was made (nothing may be sent). */
  endpoint: { id: string; url: string; secret: string; deleted: boolean };
  /** Sent as x-callback-token by surfaces whose vendor does (platform). */
  callbackToken: string;
  /** The lease this claim holds: outcomes are recorded only while it is still the delivery's. */
  leaseUntil: string;
}

/** How many deliveries may be in flight at once per endpoint and per tenant. */
export interface DeliveryBounds {
  perEndpoint: number;
  perTenant: number;
}

export interface ClaimedEmail {
  tenantId: string;
  mode: Mode;
  email: Email;
}

export interface OutboxQueue {
  /**
   * Turns up to `limit` undispatched events into one pending delivery per accepting endpoint
   * and marks them dispatched, in one transaction; several workers never take the same event.
   * Returns how many events were dispatched and how many deliveries that made.
   */
  fanOut(
    limit: number,
    now: string,
    accepts: (eventTypes: string[], type: string) => boolean,
    newDeliveryId: () => string,
  ): Promise<{ events: number; deliveries: number }>;
  /**
   * Leases up to `limit` due deliveries until `leaseUntil`; a lease that expires makes them due
   * again. Fairly (SPEC §9): no endpoint gets more than `bounds.perEndpoint` deliveries in flight
   * (leased and unexpired, by any worker), no tenant more than `bounds.perTenant`; within those,
   * the longest due first.
   */
  claimDeliveries(limit: number, now: string, leaseUntil: string, bounds: DeliveryBounds): Promise<ClaimedDelivery[]>;
  /**
   * Stores the attempt and, if the claim still holds (the delivery is pending under this
   * lease: not deleted, re-sent or re-claimed meanwhile), the delivery's new state.
   */
  recordAttempt(
    claimed: ClaimedDelivery,
    attempt: DeliveryAttempt,
    outcome: { status: DeliveryStatus; nextAttemptAt: string; clockDueAt: string | null; deliveredAt: string | null },
  ): Promise<void>;
  /** Ends a claimed delivery as failed without an attempt (its endpoint is gone). */
  abandon(claimed: ClaimedDelivery, reason: string, at: string): Promise<void>;
  claimEmails(limit: number, now: string, leaseUntil: string): Promise<ClaimedEmail[]>;
  recordEmail(claimed: ClaimedEmail, outcome: { status: EmailStatus; attempts: number; nextAttemptAt: string; clockDueAt: string | null; lastError: string | null; sentAt: string | null }): Promise<void>;
  /** Pending deliveries and e-mails (queue depth). */
  depth(): Promise<{ deliveries: number; emails: number }>;
}

/** Whole-ledger reads for auditors (src/store/ledger-verify.ts, ledger-export.ts), in keyset batches: constant memory. */
export interface LedgerAudit {
  /** Checks every chain and invariant of the slice, reporting each problem as found. @throws StoreUnavailable */
  verify(slice: LedgerSlice, listener: VerifyListener): Promise<VerifyCount>;
  /** A tenant's entries in one mode and time window, oldest first, as stored (with hashes), in batches. @throws StoreUnavailable */
  entries(window: EntryWindow): AsyncIterable<LedgerEntryTable[]>;
}
