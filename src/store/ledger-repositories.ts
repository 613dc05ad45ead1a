import { sql, type Kysely } from 'kysely';
import { AlreadyExists } from '../ledger/errors.js';
import type { LedgerEntry, Scope } from '../ledger/model.js';
import type { BalanceRepository, LedgerRepository } from './ports.js';
import type { UniqueKey, UniqueKeyStore } from '../ledger/store.js';
import type { BalanceTable, Database, UniqueKeyTable } from './database.js';
import type { DialectName } from './dialects.js';
import { keysetPage } from './keyset.js';
import { precompiled } from './precompiled.js';
import { balanceToRow, ledgerEntryToRow, rowToBalance, rowToLedgerEntry } from './rows.js';
import { insertOf, WriteStatement, type WriteSink } from './write-behind.js';

const findBalance = precompiled((db, p) =>
  db.selectFrom('balances').selectAll().where('tenant_id', '=', p(0)).where('mode', '=', p(1)).where('holder_id', '=', p(2)).where('currency', '=', p(3)),
);
const lockBalance = precompiled((db, p) =>
  db.selectFrom('balances').selectAll().where('tenant_id', '=', p(0)).where('mode', '=', p(1)).where('holder_id', '=', p(2)).where('currency', '=', p(3)).forUpdate(),
);
const updateBalance = WriteStatement.update('balances', ['amount', 'sequence', 'updated_at'], ['tenant_id', 'mode', 'holder_id', 'currency']);

/** Balances: one row per (tenant, mode, holder, currency), keyed reads on the whole primary key. */
export function balanceRepository(db: Kysely<Database>, dialect: DialectName, writes: WriteSink): BalanceRepository {
  // SQLite transactions are exclusive writers already: a plain read is a locked read there.
  const locking = dialect === 'postgres' ? lockBalance : findBalance;
  const one = async (result: Promise<{ rows: unknown[] }>) => {
    const row = (await result).rows[0] as BalanceTable | undefined;
    return row && rowToBalance(row);
  };
  const lock: BalanceRepository['lock'] = async (scope, holderId, currency) => {
    await writes.beginTransaction();
    return one(locking(db, dialect, [scope.tenantId, scope.mode, holderId, currency]));
  };
  return {
    find: (scope, holderId, currency) => one(findBalance(db, dialect, [scope.tenantId, scope.mode, holderId, currency])),
    lock,
    async open(scope, holderId, currency, now) {
      const existing = await lock(scope, holderId, currency);
      if (existing) return existing;
      // A concurrent opener's insert makes this one wait for its commit, then do nothing.
      const row = balanceToRow(scope.tenantId, scope.mode, { holderId, currency, amount: 0n, sequence: 0, createdAt: now, updatedAt: now });
      await db.insertInto('balances').values(row).onConflict((oc) => oc.columns(['tenant_id', 'mode', 'holder_id', 'currency']).doNothing()).execute();
      const opened = await lock(scope, holderId, currency);
      if (!opened) throw new Error(`balance ${holderId}/${currency} vanished while it was opened`);
      return opened;
    },
    insert: (scope, balance) => writes.write(insertOf('balances', balanceToRow(scope.tenantId, scope.mode, balance))),
    update(scope, balance) {
      const row = balanceToRow(scope.tenantId, scope.mode, balance);
      return writes.write({
        statement: updateBalance,
        values: [row.amount, row.sequence, row.updated_at, row.tenant_id, row.mode, row.holder_id, row.currency],
        rowKey: `${row.tenant_id}/${row.mode}/${row.holder_id}/${row.currency}`,
      });
    },
    async listForScope(scope) {
      const rows = await db.selectFrom('balances').selectAll().where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode).orderBy('holder_id').orderBy('currency').execute();
      return rows.map(rowToBalance);
    },
  };
}

/** Ledger entries: appended only, listed per holder by (time-ordered) id. */
export function ledgerRepository(db: Kysely<Database>, writes: WriteSink): LedgerRepository {
  const scoped = (tenantId: string, mode: string) => db.selectFrom('ledger_entries').selectAll().where('tenant_id', '=', tenantId).where('mode', '=', mode);
  return {
    append: (scope, e: LedgerEntry) => writes.write(insertOf('ledger_entries', ledgerEntryToRow(scope.tenantId, scope.mode, e))),
    async cursorOf(scope, holderId, id) {
      const row = await db
        .selectFrom('ledger_entries')
        .select('id')
        .where('tenant_id', '=', scope.tenantId)
        .where('mode', '=', scope.mode)
        .where('holder_id', '=', holderId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { id: row.id };
    },
    list: (scope, holderId, page) => keysetPage(scoped(scope.tenantId, scope.mode).where('holder_id', '=', holderId), page, rowToLedgerEntry),
    async chain(scope, holderId, currency) {
      const rows = await scoped(scope.tenantId, scope.mode).where('holder_id', '=', holderId).where('currency', '=', currency).orderBy('sequence').execute();
      return rows.map(rowToLedgerEntry);
    },
    async listByCounterparty(scope, counterparty) {
      const rows = await scoped(scope.tenantId, scope.mode).where('counterparty', '=', counterparty).orderBy(sql`holder_id, currency, sequence`).execute();
      return rows.map(rowToLedgerEntry);
    },
  };
}

const ANY_MODE = '*';

/** Unique keys: one row per claimed (tenant, namespace, value, mode); the primary key decides. */
export function uniqueKeyRepository(db: Kysely<Database>, writes: WriteSink): UniqueKeyStore {
  const modeOf = (scope: Scope, key: UniqueKey) => (key.acrossModes ? ANY_MODE : scope.mode);
  return {
    claim(scope, key, ownerId, conflict, at) {
      const row: UniqueKeyTable = { tenant_id: scope.tenantId, namespace: key.namespace, value: key.value, mode: modeOf(scope, key), owner_id: ownerId, created_at: at };
      return writes.write({ ...insertOf('unique_keys', row), onUniqueViolation: () => new AlreadyExists(conflict.resource, conflict.field, key.value) });
    },
    async ownerOf(scope, key) {
      const row = await db
        .selectFrom('unique_keys')
        .select('owner_id')
        .where('tenant_id', '=', scope.tenantId)
        .where('namespace', '=', key.namespace)
        .where('value', '=', key.value)
        .where('mode', '=', modeOf(scope, key))
        .executeTakeFirst();
      return row?.owner_id;
    },
    async release(scope, key, ownerId) {
      await db
        .deleteFrom('unique_keys')
        .where('tenant_id', '=', scope.tenantId)
        .where('namespace', '=', key.namespace)
        .where('value', '=', key.value)
        .where('mode', '=', modeOf(scope, key))
        .where('owner_id', '=', ownerId)
        .execute();
    },
  };
}
