import { AlreadyExists, type ResourceKind } from '../../../ledger/errors.js';
import type { PageRequest, Scope } from '../../../ledger/model.js';
import type { BalanceHolder } from '../domain/model.js';
import type { BalanceHolderRepository } from '../domain/ports.js';
import type { Database } from '../../../store/database.js';
import type { StoreHandle } from '../../../store/module-repositories.js';
import { defineInsert, defineKeyedRead, defineUpdate, findRow, lockRow, RowsOfTransaction } from '../../../store/statements.js';
import type { AccountTable } from './tables.js';

type HolderTable = 'customers' | 'accounts';

/** The columns an update writes: all but the key (tenant, mode, id); the external reference never changes. */
const CUSTOMER_COLUMNS = ['external_reference', 'name', 'currency', 'balance', 'payment_rules', 'metadata', 'created_at', 'updated_at', 'email', 'phone'] as const;
const ACCOUNT_COLUMNS = ['external_reference', 'name', 'currency', 'balance', 'payment_rules', 'metadata', 'created_at', 'updated_at', 'customer_id'] as const;
const KEY = ['tenant_id', 'mode', 'id'] as const;

/** A duplicate external reference, reported on the field the caller names (an inline customer: `customer.externalReference`). */
const referenceTaken = <T extends HolderTable>(table: T, resource: ResourceKind) => ({
  name: `${table}_by_external_reference`,
  primaryKey: false,
  error: (row: { external_reference: string }, field: string) => new AlreadyExists(resource, field, row.external_reference),
});

/**
 * Per table: its statements, declared once. Every keyed read names its table's whole primary
 * key or unique constraint, so the plan is that unique index whatever the statistics say (see
 * the ledger-core migration's index rule).
 */
const statements = {
  customers: {
    byId: defineKeyedRead('customers', KEY),
    byExternalReference: defineKeyedRead('customers', ['tenant_id', 'mode', 'external_reference']),
    insert: defineInsert('customers', [referenceTaken('customers', 'customer')]),
    update: defineUpdate('customers', { set: CUSTOMER_COLUMNS, key: KEY }),
  },
  accounts: {
    byId: defineKeyedRead('accounts', KEY),
    byExternalReference: defineKeyedRead('accounts', ['tenant_id', 'mode', 'external_reference']),
    insert: defineInsert('accounts', [referenceTaken('accounts', 'account')]),
    update: defineUpdate('accounts', { set: ACCOUNT_COLUMNS, key: KEY }),
  },
};

/** Everything of the port but `list`, whose filters differ per table. */
export function balanceHolderRepository<T extends HolderTable, H extends BalanceHolder>(
  handle: StoreHandle,
  table: T,
  toRow: (tenantId: string, mode: Scope['mode'], holder: H) => Database[T],
  fromRow: (row: Database[T]) => H,
): Omit<BalanceHolderRepository<H, PageRequest>, 'list'> {
  // Every statement is bounded by tenant and mode (SPEC §2 isolation).
  const { db, writes, balances } = handle;
  // One table of the two: the statements' row types are the union's, the rows this table's.
  const own = statements[table] as (typeof statements)['accounts'];
  const holderOf = (row: unknown) => (row as Database[T] | undefined) && fromRow(row as Database[T]);
  // An update sets only what changed since the row was locked (the repository lives as long as its transaction).
  const locked = new RowsOfTransaction(own.update, writes);
  return {
    insert: (scope, holder, conflictField = 'externalReference') => writes.write(own.insert.write(toRow(scope.tenantId, scope.mode, holder) as AccountTable, conflictField)),
    findById: async (scope, id) => holderOf(await findRow(handle, own.byId, [scope.tenantId, scope.mode, id])),
    findByExternalReference: async (scope, ref) => holderOf(await findRow(handle, own.byExternalReference, [scope.tenantId, scope.mode, ref])),
    async lockById(scope, id) {
      const row = locked.read(await lockRow(handle, own.byId, [scope.tenantId, scope.mode, id]));
      if (!row) return undefined;
      // Locked after the holder's lock is held, by its own statement: read inside the locking
      // statement it would keep that statement's snapshot and be stale after a lock wait.
      const balance = row.balance === null || row.currency === null ? undefined : await balances.lock(scope, id, row.currency);
      return { holder: holderOf(row)!, balance };
    },
    update: (scope, holder) => locked.write(toRow(scope.tenantId, scope.mode, holder) as AccountTable),
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
