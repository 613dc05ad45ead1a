import type {
  Account,
  ApiKey,
  Customer,
  LedgerEntry,
  ListCursor,
  Page,
  PageRequest,
  Scope,
  Tenant,
} from './model.js';

/**
 * The persistence the core needs, owned by the core (src/store implements it).
 * Methods throw AlreadyExists when a unique constraint rejects a write; any other failure is
 * an infrastructure error that the HTTP layer answers with 500/503.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Non-transactional reads (each call sees committed data). */
  readonly reader: Repositories;
  /** Runs `work` in one database transaction: all of its writes commit together or none do. */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface Repositories {
  tenants: TenantRepository;
  apiKeys: ApiKeyRepository;
  customers: CustomerRepository;
  accounts: AccountRepository;
  ledger: LedgerRepository;
  idempotency: IdempotencyRepository;
  events: EventRepository;
}

export interface TenantRepository {
  insert(tenant: Tenant): Promise<void>;
  findById(id: string): Promise<Tenant | undefined>;
  count(): Promise<number>;
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
  /** @throws AlreadyExists on a duplicate external reference in the scope. */
  insert(scope: Scope, holder: H): Promise<void>;
  findById(scope: Scope, id: string): Promise<H | undefined>;
  findByExternalReference(scope: Scope, ref: string): Promise<H | undefined>;
  /** Same as findById, but holds a write lock on the row until the transaction ends. */
  lockById(scope: Scope, id: string): Promise<H | undefined>;
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

export interface LedgerRepository {
  /** @throws on a duplicate (holder, sequence): callers hold the holder's row lock. */
  append(scope: Scope, entry: LedgerEntry): Promise<void>;
  /** The holder's highest entry sequence, 0 when it has none. */
  lastSequence(scope: Scope, holderId: string): Promise<number>;
  cursorOf(scope: Scope, holderId: string, id: string): Promise<ListCursor | undefined>;
  list(scope: Scope, holderId: string, page: PageRequest): Promise<Page<LedgerEntry>>;
  /** Sum of all entries of a holder in one currency-agnostic total (for invariant checks). */
  sum(scope: Scope, holderId: string): Promise<bigint>;
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
  purgeExpired(now: string): Promise<number>;
}

export interface OutboxEvent {
  id: string;
  type: string;
  /** The object snapshot, serialisable (bigints as strings). */
  data: unknown;
  createdAt: string;
}

export interface EventRepository {
  append(scope: Scope, event: OutboxEvent): Promise<void>;
  listRecent(scope: Scope, limit: number): Promise<OutboxEvent[]>;
}
