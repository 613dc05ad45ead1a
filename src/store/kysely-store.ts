import { entriesInTimeOrder } from './entry-stream.js';
import { verifyLedger } from './ledger-verify.js';
import { sql, type DatabaseConnection, type Kysely, type SqlBool } from 'kysely';
import { AlreadyExists, IdempotencyKeyTaken } from '../ledger/errors.js';
import type { ApiKey, Tenant } from '../tenancy/model.js';
import { accountDirectoryRepository, type DirectorySource } from './account-directory.js';
import { consoleSessionRepository } from './console-session-repository.js';
import type { Database, EventTable } from './database.js';
import type { DialectName, OpenDatabase } from './dialects.js';
import { ExpiringMap } from './expiring-map.js';
import type { NoticeListener } from './change-notices.js';
import { keysetPage } from './keyset.js';
import { balanceRepository, ledgerRepository, uniqueKeyRepository } from './ledger-repositories.js';
import type { StoreHandle } from './module-repositories.js';
import { KyselyOutboxQueue } from './outbox-queue.js';
import type {
  ApiKeyRepository,
  EventRepository,
  IdempotencyRecord,
  IdempotencyRepository,
  LedgerAudit,
  OutboxEvent,
  Repositories,
  Store,
  StoredResponse,
  TenantRepository,
} from './ports.js';
import { idempotencyRecordToRow, rowToApiKey, rowToEvent, rowToIdempotencyRecord, rowToTenant } from './rows.js';
import { SqliteGroupCommit } from './sqlite-group-commit.js';
import { defineInsert } from './statements.js';
import { emailRepository, webhookRepository } from './webhook-repositories.js';
import { ImmediateWrites, POSTGRES_TRANSACTION, WriteBehindConnection, type WriteSink } from './write-behind.js';

/** Tenants remembered by id at most (then the map starts again). */
const TENANT_CACHE_MAX = 10_000;

export class KyselyStore implements Store {
  readonly reader: Repositories;
  readonly outbox: KyselyOutboxQueue;
  readonly audit: LedgerAudit;
  readonly db: Kysely<Database>;
  readonly dialect: DialectName;
  private readonly bind: (connection: DatabaseConnection) => Kysely<Database>;
  private readonly groupCommit: SqliteGroupCommit | undefined;
  private readonly closeDatabase: () => Promise<void>;
  private readonly shared: SharedState;
  private readonly openListener: OpenDatabase['listen'];
  private readonly listeners: NoticeListener[] = [];

  /** `options.directory`: the vendors' holder tables, for the operator console's directory. */
  constructor(database: OpenDatabase, options: { directory?: readonly DirectorySource[] } = {}) {
    ({ db: this.db, dialect: this.dialect, bind: this.bind, close: this.closeDatabase, listen: this.openListener } = database);
    this.shared = { tenantCache: new ExpiringMap<string, Tenant>(TENANT_CACHE_MAX), directory: options.directory ?? [] };
    this.reader = new UnitRepositories(this.db, this.dialect, new ImmediateWrites((query) => this.db.executeQuery(query), this.dialect), this.shared);
    this.outbox = new KyselyOutboxQueue(this);
    this.audit = { verify: (slice, listener) => verifyLedger(this.db, slice, listener), entries: (window) => entriesInTimeOrder(this.db, this.dialect, window) };
    this.groupCommit = this.dialect === 'sqlite' ? new SqliteGroupCommit(this.db) : undefined;
  }

  /**
   * Writes are held back until the transaction's next read or its end (write-behind.ts), so a
   * write's AlreadyExists or IdempotencyKeyTaken may come from here rather than from the call.
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    const inUnit = (unit: WriteBehindConnection) => work(new UnitRepositories(this.bind(unit), this.dialect, unit, this.shared));
    if (this.groupCommit) return this.groupCommit.run(inUnit);
    return this.db.getExecutor().provideConnection(async (connection) => {
      const unit = new WriteBehindConnection(connection, POSTGRES_TRANSACTION);
      try {
        const value = await inUnit(unit);
        await unit.commit();
        return value;
      } catch (error) {
        // A connection that fails to roll back is broken: the pool discards it; the cause is what matters.
        await unit.rollback().catch(() => {});
        throw error;
      }
    });
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async notify(channel: string, payload: string): Promise<void> {
    if (this.dialect === 'postgres') await sql`select pg_notify(${channel}, ${payload})`.execute(this.db);
  }

  /** Calls `onNotice` for each notice other processes send on `channel` (PostgreSQL); undefined on SQLite. Closed with the store. */
  listen(channel: string, onNotice: () => void): NoticeListener | undefined {
    const listener = this.openListener?.(channel, onNotice);
    if (listener) this.listeners.push(listener);
    return listener;
  }

  async close(): Promise<void> {
    await Promise.all(this.listeners.map((listener) => listener.close()));
    return this.closeDatabase();
  }
}

/** What every transaction's repositories share: the remembered tenants, the directory's sources. */
interface SharedState {
  tenantCache: ExpiringMap<string, Tenant>;
  directory: readonly DirectorySource[];
}

/**
 * One transaction's (or the reader's) repositories, each built on first use: a request touches a
 * few of them, and building every one of them per transaction (hundreds of closures) cost more
 * CPU than the rest of an empty transaction (docs/decisions.md, issue 13).
 */
class UnitRepositories implements Repositories {
  private readonly built: Partial<Omit<Repositories, 'use'>> = {};
  private modules: Map<object, unknown> | undefined;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: DialectName,
    readonly writes: WriteSink,
    private readonly shared: SharedState,
  ) {}

  get tenants() {
    return (this.built.tenants ??= tenantRepository(this.db, this.shared.tenantCache, this));
  }
  get apiKeys() {
    return (this.built.apiKeys ??= apiKeyRepository(this.db, this.writes));
  }
  get balances() {
    return (this.built.balances ??= balanceRepository(this));
  }
  get ledger() {
    return (this.built.ledger ??= ledgerRepository(this));
  }
  get uniqueKeys() {
    return (this.built.uniqueKeys ??= uniqueKeyRepository(this));
  }
  get idempotency() {
    return (this.built.idempotency ??= idempotencyRepository(this.db, this.writes));
  }
  get events() {
    return (this.built.events ??= eventRepository(this.db, this.writes));
  }
  get webhooks() {
    return (this.built.webhooks ??= webhookRepository(this.db));
  }
  get emails() {
    return (this.built.emails ??= emailRepository(this.db));
  }
  get consoleSessions() {
    return (this.built.consoleSessions ??= consoleSessionRepository(this.db));
  }
  get accountDirectory() {
    return (this.built.accountDirectory ??= accountDirectoryRepository(this.db, this.dialect, this.shared.directory));
  }
  use<R>(key: object, build: (handle: StoreHandle) => R): R {
    let built = this.modules?.get(key) as R | undefined;
    if (built === undefined) {
      built = build({ db: this.db, dialect: this.dialect, writes: this.writes, balances: this.balances });
      (this.modules ??= new Map()).set(key, built);
    }
    return built;
  }
}

/**
 * Tenants are never changed nor deleted (no route or command does either), so a committed one
 * found by id is remembered for the process's life: the platform surface reads its tenant's
 * country on every create, top-up and transfer, inside the write's transaction. A tenant read in
 * a transaction is committed data unless that same transaction inserted it (it may still roll
 * back), so every tenant read is remembered but those. If tenants ever become mutable, this
 * cache must go.
 */
function tenantRepository(db: Kysely<Database>, cache: ExpiringMap<string, Tenant>, session: { dialect: DialectName; writes: WriteSink }): TenantRepository {
  // Tenants this unit of work inserted: not committed yet, so never remembered.
  const inserted = new Set<string>();
  return {
    async insert(t: Tenant) {
      inserted.add(t.id);
      await db
        .insertInto('tenants')
        .values({ id: t.id, name: t.name, country: t.country, callback_token: t.callbackToken, created_at: t.createdAt })
        .execute();
    },
    async findById(id) {
      const now = Date.now();
      const known = cache.get(id, now);
      if (known) return known;
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      const tenant = row && Object.freeze(rowToTenant(row));
      if (tenant && !inserted.has(id)) cache.set(id, tenant, Infinity, now);
      return tenant;
    },
    async lockFirstTenantCreation() {
      await session.writes.beginTransaction();
      // PostgreSQL: one transaction at a time past this point, across processes, until it ends.
      // SQLite: its one writer already excludes every other once the transaction has begun.
      if (session.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${FIRST_TENANT_LOCK})`.execute(db);
    },
    async count() {
      const row = await db.selectFrom('tenants').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    // By id, the primary key: tenants have no listing index, and their ids sort by creation.
    list: (page) => keysetPage(db.selectFrom('tenants').selectAll(), page, rowToTenant),
    async cursorOf(id) {
      const row = await db.selectFrom('tenants').select('id').where('id', '=', id).executeTakeFirst();
      return row && { id: row.id };
    },
  };
}

/** The advisory lock key of creating the first tenant (any constant: no other advisory lock is taken). */
const FIRST_TENANT_LOCK = 0x5b1ed9e7;

/** A key's hash (or, practically never, its id) taken: the insert is AlreadyExists. */
const insertApiKey = defineInsert('api_keys', [
  { name: 'api_keys_secret_hash', primaryKey: false, error: (row) => new AlreadyExists('api_key', 'secret', row.hint) },
  { name: 'api_keys_pk', primaryKey: true, error: (row) => new AlreadyExists('api_key', 'secret', row.hint) },
]);
const recordIdempotencyKey = defineInsert('idempotency_keys', [{ name: 'idempotency_keys_pk', primaryKey: true, error: (row) => new IdempotencyKeyTaken(row.key) }]);
const appendEvent = defineInsert('events');

function apiKeyRepository(db: Kysely<Database>, writes: WriteSink): ApiKeyRepository {
  return {
    insert: (k: ApiKey, secretHash: string) =>
      writes.write(
        insertApiKey.write({
          tenant_id: k.tenantId,
          id: k.id,
          mode: k.mode,
          type: k.type,
          hint: k.hint,
          secret_hash: secretHash,
          created_at: k.createdAt,
          revoked_at: k.revokedAt,
        }),
      ),
    async findByHash(secretHash) {
      const row = await db.selectFrom('api_keys').selectAll().where('secret_hash', '=', secretHash).executeTakeFirst();
      return row && { key: rowToApiKey(row), secretHash: row.secret_hash };
    },
    async findById(tenantId, id) {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && rowToApiKey(row);
    },
    async revoke(tenantId, id, at) {
      await db.updateTable('api_keys').set({ revoked_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },
    async listForTenant(tenantId) {
      const rows = await db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
      return rows.map(rowToApiKey);
    },
  };
}

function idempotencyRepository(db: Kysely<Database>, writes: WriteSink): IdempotencyRepository {
  return {
    async find(scope, key, now) {
      const row = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('tenant_id', '=', scope.tenantId)
        .where('mode', '=', scope.mode)
        .where('key', '=', key)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row && rowToIdempotencyRecord(row);
    },
    async claim(scope, r: IdempotencyRecord, now) {
      const values = idempotencyRecordToRow(scope.tenantId, scope.mode, { ...r, response: null });
      const { tenant_id, mode, key, ...replacement } = values;
      // Insert, or take over an expired record; a live record (or a concurrent claim that commits) wins.
      const claimed = await db
        .insertInto('idempotency_keys')
        .values(values)
        .onConflict((oc) =>
          oc
            .columns(['tenant_id', 'mode', 'key'])
            .doUpdateSet(replacement)
            .where('idempotency_keys.expires_at', '<=', now),
        )
        .returning('key')
        .executeTakeFirst();
      return claimed !== undefined;
    },
    record(scope, r: IdempotencyRecord) {
      return writes.write(recordIdempotencyKey.write(idempotencyRecordToRow(scope.tenantId, scope.mode, r)));
    },
    async complete(scope, key, response: StoredResponse) {
      await db
        .updateTable('idempotency_keys')
        .set({
          response_status: response.status,
          response_headers: JSON.stringify(response.headers),
          response_body: response.body,
          resource_id: response.resourceId,
        })
        .where('tenant_id', '=', scope.tenantId)
        .where('mode', '=', scope.mode)
        .where('key', '=', key)
        .execute();
    },
    async purgeExpiredBatch(now, limit) {
      const oldest = db.selectFrom('idempotency_keys').select(['tenant_id', 'mode', 'key']).where('expires_at', '<=', now).orderBy('expires_at').limit(limit);
      const result = await db
        .deleteFrom('idempotency_keys')
        .where(sql<SqlBool>`(tenant_id, mode, key) in (${oldest})`)
        // Again on the row deleted: a key claimed anew meanwhile (PostgreSQL rechecks a row a concurrent write changed) is not the expired record.
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function eventRepository(db: Kysely<Database>, writes: WriteSink): EventRepository {
  return {
    append: (scope, e: OutboxEvent) =>
      writes.write(
        appendEvent.write({
          tenant_id: scope.tenantId,
          mode: scope.mode,
          id: e.id,
          type: e.type,
          source: e.source,
          data: JSON.stringify(e.data),
          created_at: e.createdAt,
          dispatched_at: null,
          subject_id: e.subjectId ?? null,
          object_id: e.objectId ?? null,
        } satisfies EventTable),
      ),
    async listRecent(scope, limit) {
      const rows = await db
        .selectFrom('events')
        .selectAll()
        .where('tenant_id', '=', scope.tenantId)
        .where('mode', '=', scope.mode)
        // Event ids carry their creation time: the primary key's order.
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(rowToEvent);
    },
    async listForSubject(scope, subjectId, limit) {
      const rows = await db
        .selectFrom('events')
        .selectAll()
        .where('tenant_id', '=', scope.tenantId)
        .where('subject_id', '=', subjectId)
        .where('mode', '=', scope.mode)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(rowToEvent);
    },
  };
}
