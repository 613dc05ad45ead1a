import { sql, type Kysely, type RawBuilder } from 'kysely';
import { AlreadyExists, type ResourceKind } from '../core/errors.js';
import type { BalanceHolder, PageRequest, Scope } from '../core/model.js';
import type { BalanceHolderRepository } from '../core/ports.js';
import type { Database } from './database.js';
import { insertUnique } from './unique-violation.js';

type HolderTable = 'customers' | 'accounts';

/** Everything of the port but `list`, whose filters differ per table. */
export function balanceHolderRepository<T extends HolderTable, H extends BalanceHolder>(
  db: Kysely<Database>,
  table: T,
  resource: ResourceKind,
  /** ` for update` on PostgreSQL; empty on SQLite, whose transactions are already exclusive. */
  lockClause: RawBuilder<unknown>,
  toRow: (tenantId: string, mode: Scope['mode'], holder: H) => Database[T],
  fromRow: (row: Database[T]) => H,
): Omit<BalanceHolderRepository<H, PageRequest>, 'list'> {
  // Every statement is bounded by tenant and mode (SPEC §2 isolation).
  const scoped = (scope: Scope) =>
    db.selectFrom(table as HolderTable).selectAll().where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode);
  const one = async (rows: Promise<unknown>) => {
    const row = (await rows) as Database[T] | undefined;
    return row && fromRow(row);
  };
  return {
    async insert(scope, holder) {
      await insertUnique(
        () => db.insertInto(table as HolderTable).values(toRow(scope.tenantId, scope.mode, holder)).execute(),
        () => new AlreadyExists(resource, 'externalReference', holder.externalReference),
      );
    },
    findById: (scope, id) => one(scoped(scope).where('id', '=', id).executeTakeFirst()),
    findByExternalReference: (scope, ref) => one(scoped(scope).where('external_reference', '=', ref).executeTakeFirst()),
    async lockById(scope, id) {
      const { rows } = await sql<Database[T]>`select * from ${sql.table(table)} where tenant_id = ${scope.tenantId} and mode = ${scope.mode} and id = ${id}${lockClause}`.execute(db);
      return rows[0] && fromRow(rows[0]);
    },
    async update(scope, holder) {
      const { tenant_id, mode, id, ...changes } = toRow(scope.tenantId, scope.mode, holder);
      await db.updateTable(table as HolderTable).set(changes).where('tenant_id', '=', tenant_id).where('mode', '=', mode).where('id', '=', id).execute();
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
