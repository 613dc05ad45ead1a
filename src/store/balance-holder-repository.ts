import { sql, type Kysely } from 'kysely';
import { AlreadyExists, type ResourceKind } from '../core/errors.js';
import type { BalanceHolder, PageRequest, Scope } from '../core/model.js';
import type { BalanceHolderRepository, BalanceRepository } from '../core/ports.js';
import type { Database, HolderWithBalance } from './database.js';
import type { DialectName } from './dialects.js';
import { precompiled, type Placeholder } from './precompiled.js';
import { insertOf, WriteStatement, type WriteSink } from './write-behind.js';

type HolderTable = 'customers' | 'accounts';

/**
 * A holder with its balance in its own currency: the ledger's balance row, read by a scalar
 * subquery on its whole primary key. Not a join: without statistics PostgreSQL's planner
 * costs every join order and index alike (each "one row") and may keep a plan that scans the
 * tenant's balances for each holder; a subquery whose every key column is bound can only use
 * the primary key. Keyed reads of the holder name its whole primary key too (see the
 * ledger-core migration's index rule).
 */
export function holdersWithBalance(db: Kysely<Database>, table: HolderTable) {
  return db
    .selectFrom(`${table} as h` as 'accounts as h')
    .selectAll('h')
    .select((eb) =>
      eb
        .selectFrom('balances as b')
        .select('b.amount')
        .whereRef('b.tenant_id', '=', 'h.tenant_id')
        .whereRef('b.holder_id', '=', 'h.id')
        .whereRef('b.currency', '=', 'h.currency')
        .whereRef('b.mode', '=', 'h.mode')
        .as('balance_amount'),
    );
}

const keyedRead = (table: HolderTable, column: 'id' | 'external_reference') =>
  precompiled((db, p: Placeholder) => holdersWithBalance(db, table).where('h.tenant_id', '=', p(0)).where('h.mode', '=', p(1)).where(`h.${column}`, '=', p(2)));

/** Per table: the keyed reads every request makes, compiled once. */
const keyedReads = {
  customers: { byId: keyedRead('customers', 'id'), byExternalReference: keyedRead('customers', 'external_reference') },
  accounts: { byId: keyedRead('accounts', 'id'), byExternalReference: keyedRead('accounts', 'external_reference') },
};

const updates = new Map<string, WriteStatement>();

/** Everything of the port but `list`, whose filters differ per table. */
export function balanceHolderRepository<T extends HolderTable, H extends BalanceHolder>(
  db: Kysely<Database>,
  dialect: DialectName,
  writes: WriteSink,
  balances: BalanceRepository,
  table: T,
  resource: ResourceKind,
  toRow: (tenantId: string, mode: Scope['mode'], holder: H) => Database[T],
  fromRow: (row: HolderWithBalance<Database[T]>) => H,
): Omit<BalanceHolderRepository<H, PageRequest>, 'list'> {
  // Every statement is bounded by tenant and mode (SPEC §2 isolation).
  const reads = keyedReads[table];
  // SQLite transactions are already exclusive writers; PostgreSQL needs an explicit row lock.
  const lockClause = dialect === 'postgres' ? sql` for update` : sql``;
  const one = async (result: Promise<{ rows: unknown[] }>) => {
    const row = (await result).rows[0] as HolderWithBalance<Database[T]> | undefined;
    return row && fromRow(row);
  };
  return {
    insert(scope, holder, conflictField = 'externalReference') {
      return writes.write({
        ...insertOf(table, toRow(scope.tenantId, scope.mode, holder)),
        onUniqueViolation: () => new AlreadyExists(resource, conflictField, holder.externalReference),
      });
    },
    findById: (scope, id) => one(reads.byId(db, dialect, [scope.tenantId, scope.mode, id])),
    findByExternalReference: (scope, ref) => one(reads.byExternalReference(db, dialect, [scope.tenantId, scope.mode, ref])),
    async lockById(scope, id) {
      await writes.beginTransaction();
      const { rows } = await sql<Database[T]>`select * from ${sql.table(table)} where tenant_id = ${scope.tenantId} and mode = ${scope.mode} and id = ${id}${lockClause}`.execute(db);
      const row = rows[0];
      if (!row) return undefined;
      // Read after the holder's lock is held, by its own statement: a join inside the locking
      // statement would keep that statement's snapshot and be stale after a lock wait.
      const balance = row.currency === null ? undefined : await balances.lock(scope, id, row.currency);
      const holder = fromRow({ ...row, balance_amount: balance ? balance.amount.toString() : null });
      return { holder, balance };
    },
    update(scope, holder) {
      const { tenant_id, mode, id, ...changes } = toRow(scope.tenantId, scope.mode, holder);
      const columns = Object.keys(changes);
      const cacheKey = `${table}:${columns.join(',')}`;
      let statement = updates.get(cacheKey);
      if (!statement) {
        statement = WriteStatement.update(table, columns, ['tenant_id', 'mode', 'id']);
        updates.set(cacheKey, statement);
      }
      return writes.write({ statement, values: [...Object.values(changes), tenant_id, mode, id], rowKey: `${tenant_id}/${mode}/${id}` });
    },
    async cursorOf(scope, id) {
      const row = await db
        .selectFrom(table as HolderTable)
        .select(['created_at', 'id'])
        .where('tenant_id', '=', scope.tenantId)
        .where('mode', '=', scope.mode)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { createdAt: row.created_at, id: row.id };
    },
  };
}
