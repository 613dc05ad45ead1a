import { sql, type Kysely, type RawBuilder } from 'kysely';
import { AlreadyExists, type ResourceKind } from '../core/errors.js';
import type { BalanceHolder, PageRequest, Scope } from '../core/model.js';
import type { BalanceHolderRepository } from '../core/ports.js';
import type { Database } from './database.js';
import type { DialectName } from './dialects.js';
import { precompiled } from './precompiled.js';
import { insertOf, WriteStatement, type WriteSink } from './write-behind.js';

type HolderTable = 'customers' | 'accounts';

/** Per table: the keyed reads every request makes, compiled once. */
const keyedReads = Object.fromEntries(
  (['customers', 'accounts'] as const).map((table) => [
    table,
    {
      byId: precompiled((db, p) =>
        db.selectFrom(table as HolderTable).selectAll().where('tenant_id', '=', p(0)).where('mode', '=', p(1)).where('id', '=', p(2)),
      ),
      byExternalReference: precompiled((db, p) =>
        db
          .selectFrom(table as HolderTable)
          .selectAll()
          .where('tenant_id', '=', p(0))
          .where('mode', '=', p(1))
          .where('external_reference', '=', p(2)),
      ),
    },
  ]),
) as Record<HolderTable, { byId: ReturnType<typeof precompiled>; byExternalReference: ReturnType<typeof precompiled> }>;

const updates = new Map<string, WriteStatement>();

/** Everything of the port but `list`, whose filters differ per table. */
export function balanceHolderRepository<T extends HolderTable, H extends BalanceHolder>(
  db: Kysely<Database>,
  dialect: DialectName,
  writes: WriteSink,
  table: T,
  resource: ResourceKind,
  /** ` for update` on PostgreSQL; empty on SQLite, whose transactions are already exclusive. */
  lockClause: RawBuilder<unknown>,
  toRow: (tenantId: string, mode: Scope['mode'], holder: H) => Database[T],
  fromRow: (row: Database[T]) => H,
): Omit<BalanceHolderRepository<H, PageRequest>, 'list'> {
  // Every statement is bounded by tenant and mode (SPEC §2 isolation).
  const reads = keyedReads[table];
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
      const { rows } = await sql<Database[T]>`select * from ${sql.table(table)} where tenant_id = ${scope.tenantId} and mode = ${scope.mode} and id = ${id}${lockClause}`.execute(db);
      return rows[0] && fromRow(rows[0]);
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
      return writes.write({ statement, values: [...Object.values(changes), tenant_id, mode, id] });
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
