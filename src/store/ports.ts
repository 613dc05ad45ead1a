import type { ResourceKind } from '../ledger/errors.js';
import type { OrgRepositories } from '../surfaces/org/domain/ports.js';
import type {
  Account,
  Balance,
  DeliveryAttempt,
  DeliveryStatus,
  Email,
  EmailStatus,
  Mode,
  WebhookDelivery,
  WebhookEndpoint,
  ApiKey,
  Customer,
  LedgerEntry,
  ListCursor,
  Page,
  PageRequest,
  Scope,
  Tenant,
} from '../ledger/model.js';

/**
 * The persistence the core needs, owned by the core (src/store implements it).
 * Methods throw AlreadyExists when a unique constraint rejects a write; any other failure is
 * an infrastructure error that the HTTP layer answers with 500/503.
 * Inside a transaction, a write whose result is not read may be sent later (with the next read
 * or at commit), so its AlreadyExists may come from `transaction` itself instead of the call;
 * a command must not depend on catching it at the call.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Non-transactional reads (each call sees committed data). */
  readonly reader: Repositories;
  /** Runs `work` in one database transaction: all of its writes commit together or none do. */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** The background side of the outbox (spans tenants): fan-out, claims with leases, outcomes. */
  readonly outbox: OutboxQueue;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface Repositories {
  webhooks: WebhookRepository;
  emails: EmailRepository;
  consoleSessions: ConsoleSessionRepository;
  /** Every surface's account holders at once, for the operator console. */
  accountDirectory: AccountDirectoryRepository;
  tenants: TenantRepository;
  apiKeys: ApiKeyRepository;
  customers: CustomerRepository;
  accounts: AccountRepository;
  balances: BalanceRepository;
  ledger: LedgerRepository;
  uniqueKeys: UniqueKeyRepository;
  idempotency: IdempotencyRepository;
  events: EventRepository;
  /** The org surface's objects (org-ports.ts). */
  org: OrgRepositories;
}

export interface TenantRepository {
  insert(tenant: Tenant): Promise<void>;
  findById(id: string): Promise<Tenant | undefined>;
  count(): Promise<number>;
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

export interface CustomerFilter extends PageRequest {
  externalReference?: string;
  email?: string;
}

/** Scoped storage of an object that carries a balance (customer, account). */
export interface BalanceHolderRepository<H, F extends PageRequest> {
  /**
   * @param conflictField the field a duplicate external reference is reported on (default `externalReference`)
   * @throws AlreadyExists on a duplicate external reference in the scope (possibly at commit).
   */
  insert(scope: Scope, holder: H, conflictField?: string): Promise<void>;
  findById(scope: Scope, id: string): Promise<H | undefined>;
  findByExternalReference(scope: Scope, ref: string): Promise<H | undefined>;
  /**
   * Same as findById, but holds a write lock on the row until the transaction ends, and also
   * returns (and locks) the ledger balance its `balance` was read from, if it tracks one.
   */
  lockById(scope: Scope, id: string): Promise<{ holder: H; balance: Balance | undefined } | undefined>;
  update(scope: Scope, holder: H): Promise<void>;
  cursorOf(scope: Scope, id: string): Promise<ListCursor | undefined>;
  list(scope: Scope, filter: F): Promise<Page<H>>;
}

export type CustomerRepository = BalanceHolderRepository<Customer, CustomerFilter>;

export interface AccountFilter extends PageRequest {
  customerId?: string;
  externalReference?: string;
}

export type AccountRepository = BalanceHolderRepository<Account, AccountFilter>;

/**
 * Balances per (scope, holder, currency). Changes happen only through postings (core/ledger.ts),
 * under the balance's lock.
 */
export interface BalanceRepository {
  find(scope: Scope, holderId: string, currency: string): Promise<Balance | undefined>;
  /** Reads the balance and holds its write lock until the transaction ends. */
  lock(scope: Scope, holderId: string, currency: string): Promise<Balance | undefined>;
  /**
   * The holder's balance in `currency`, created at zero if it has none yet, locked. A
   * concurrent transaction opening the same balance makes this wait, then find its row.
   */
  open(scope: Scope, holderId: string, currency: string, now: string): Promise<Balance>;
  /** Stores a balance nobody else can see yet (its holder is created in this transaction). */
  insert(scope: Scope, balance: Balance): Promise<void>;
  /** Writes a locked balance's new amount and sequence. */
  update(scope: Scope, balance: Balance): Promise<void>;
  /** Every balance of the scope (invariant checks, operators). */
  listForScope(scope: Scope): Promise<Balance[]>;
}

/**
 * A value that must be unique within a namespace, per tenant and mode, or per tenant across
 * both modes (`acrossModes`). What a surface needs beyond external references: an org account
 * name per tenant and mode, a transfer reference per tenant. Namespaces are the caller's
 * (`org.account.name`, `platform.transfer.reference`).
 */
export interface UniqueKey {
  namespace: string;
  value: string;
  acrossModes?: boolean;
}

export interface UniqueKeyRepository {
  /**
   * Claims the key for `ownerId`, in the caller's transaction.
   * @throws AlreadyExists(conflict.resource, conflict.field, value) when the key has an owner (possibly at commit)
   */
  claim(scope: Scope, key: UniqueKey, ownerId: string, conflict: { resource: ResourceKind; field: string }, at: string): Promise<void>;
  /** The key's owner (a lookup by reference), or undefined. */
  ownerOf(scope: Scope, key: UniqueKey): Promise<string | undefined>;
  /** Frees the key if `ownerId` holds it (a renamed object). */
  release(scope: Scope, key: UniqueKey, ownerId: string): Promise<void>;
}

export interface LedgerRepository {
  /** @throws on a duplicate (holder, currency, sequence): callers hold the balance's lock. */
  append(scope: Scope, entry: LedgerEntry): Promise<void>;
  cursorOf(scope: Scope, holderId: string, id: string): Promise<ListCursor | undefined>;
  /** A holder's entries in every currency, newest first. */
  list(scope: Scope, holderId: string, page: PageRequest): Promise<Page<LedgerEntry>>;
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
  purgeExpired(now: string): Promise<number>;
}

export interface OutboxEvent {
  id: string;
  type: string;
  /** The surface whose envelope (and wire shape) the event is delivered in. */
  source: string;
  /** The object as the surface presents it (or a plain snapshot, bigints as strings). */
  data: unknown;
  createdAt: string;
  /** The object the event is about (its id), for the operator console's account page. */
  subjectId?: string;
}

/**
 * A surface's webhook envelope: the body and any extra headers its vendor sends (e.g. Xendit's
 * x-callback-token, the tenant's callback token).
 */
export type WebhookEnvelope = (event: OutboxEvent, tenant: { tenantId: string; callbackToken: string }) => { body: string; headers: Record<string, string> };

export interface EventRepository {
  append(scope: Scope, event: OutboxEvent): Promise<void>;
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

export interface EmailRepository {
  insert(tenantId: string, email: Email): Promise<void>;
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
  /** Leases up to `limit` due deliveries until `leaseUntil`; a lease that expires makes them due again. */
  claimDeliveries(limit: number, now: string, leaseUntil: string): Promise<ClaimedDelivery[]>;
  /**
   * Stores the attempt and, if the claim still holds (the delivery is pending under this
   * lease: not deleted, re-sent or re-claimed meanwhile), the delivery's new state.
   */
  recordAttempt(
    claimed: ClaimedDelivery,
    attempt: DeliveryAttempt,
    outcome: { status: DeliveryStatus; nextAttemptAt: string; deliveredAt: string | null },
  ): Promise<void>;
  /** Ends a claimed delivery as failed without an attempt (its endpoint is gone). */
  abandon(claimed: ClaimedDelivery, reason: string, at: string): Promise<void>;
  claimEmails(limit: number, now: string, leaseUntil: string): Promise<ClaimedEmail[]>;
  recordEmail(claimed: ClaimedEmail, outcome: { status: EmailStatus; attempts: number; nextAttemptAt: string; lastError: string | null; sentAt: string | null }): Promise<void>;
  /** Pending deliveries and e-mails (queue depth). */
  depth(): Promise<{ deliveries: number; emails: number }>;
}
