import { sql, type Kysely } from 'kysely';
import { AlreadyExists, type ResourceKind } from '../../../ledger/errors.js';
import type { PageRequest, Scope } from '../../../ledger/model.js';
import type { BalanceHolder } from '../domain/model.js';
import type { BalanceHolderRepository } from '../domain/ports.js';
import type { BalanceRepository } from '../../../store/ports.js';
import type { Database } from '../../../store/database.js';
import type { DialectName } from '../../../store/dialects.js';
import { precompiled, type Placeholder } from '../../../store/precompiled.js';
import { insertOf, WriteStatement, type WriteSink } from '../../../store/write-behind.js';

type HolderTable = 'customers' | 'accounts';

/**
 * Every keyed read names its table's whole primary key or unique constraint, so the plan is
 * that unique index whatever the statistics say (see the ledger-core migration's index rule).
 */
const keyedRead = (table: HolderTable, column: 'id' | 'external_reference') =>
  precompiled((db, p: Placeholder) => db.selectFrom(table as 'accounts').selectAll().where('tenant_id', '=', p(0)).where('mode', '=', p(1)).where(column, '=', p(2)));

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
  fromRow: (row: Database[T]) => H,
): Omit<BalanceHolderRepository<H, PageRequest>, 'list'> {
  // Every statement is bounded by tenant and mode (SPEC §2 isolation).
  const reads = keyedReads[table];
  // SQLite transactions are already exclusive writers; PostgreSQL needs an explicit row lock.
  const lockClause = dialect === 'postgres' ? sql` for update` : sql``;
  const one = async (result: Promise<{ rows: unknown[] }>) => {
    const row = (await result).rows[0] as Database[T] | undefined;
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
      // Locked after the holder's lock is held, by its own statement: read inside the locking
      // statement it would keep that statement's snapshot and be stale after a lock wait.
      const balance = row.balance === null || row.currency === null ? undefined : await balances.lock(scope, id, row.currency);
      return { holder: fromRow(row), balance };
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
        .select('id')
        .where('tenant_id', '=', scope.tenantId)
        .where('mode', '=', scope.mode)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { id: row.id };
    },
  };
}
