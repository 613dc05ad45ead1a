import { sql } from 'kysely';
import { AlreadyExists } from '../ledger/errors.js';
import { ZERO_HASH } from '../ledger/entry-hash.js';
import type { LedgerEntry, Scope } from '../ledger/model.js';
import type { BalanceRepository, LedgerRepository } from './ports.js';
import type { UniqueKey, UniqueKeyStore } from '../ledger/store.js';
import type { UniqueKeyTable } from './database.js';
import { keysetPage } from './keyset.js';
import { defineInsert, defineKeyedRead, defineUpdate, findRow, lockRow } from './statements.js';
import { balanceToRow, ledgerEntryToRow, rowToBalance, rowToLedgerEntry } from './rows.js';
import type { StoreHandle } from './module-repositories.js';

const balanceByKey = defineKeyedRead('balances', ['tenant_id', 'mode', 'holder_id', 'currency']);
const insertBalance = defineInsert('balances');
const updateBalance = defineUpdate('balances', { set: ['amount', 'sequence', 'hash', 'updated_at'], key: ['tenant_id', 'mode', 'holder_id', 'currency'] });
const appendEntry = defineInsert('ledger_entries');
const entryBySequence = defineKeyedRead('ledger_entries', ['tenant_id', 'holder_id', 'currency', 'sequence', 'mode']);
const claimUniqueKey = defineInsert<'unique_keys', { resource: string; field: string }>('unique_keys', [
  { name: 'unique_keys_pk', primaryKey: true, error: (row, conflict) => new AlreadyExists(conflict.resource, conflict.field, row.value) },
]);

/** Balances: one row per (tenant, mode, holder, currency), keyed reads on the whole primary key. */
export function balanceRepository(handle: Omit<StoreHandle, 'balances'>): BalanceRepository {
  const { db, writes } = handle;
  const lock: BalanceRepository['lock'] = async (scope, holderId, currency) => {
    const row = await lockRow(handle, balanceByKey, [scope.tenantId, scope.mode, holderId, currency]);
    return row && rowToBalance(row);
  };
  return {
    async find(scope, holderId, currency) {
      const row = await findRow(handle, balanceByKey, [scope.tenantId, scope.mode, holderId, currency]);
      return row && rowToBalance(row);
    },
    lock,
    async open(scope, holderId, currency, now) {
      const existing = await lock(scope, holderId, currency);
      if (existing) return existing;
      // A concurrent opener's insert makes this one wait for its commit, then do nothing.
      const row = balanceToRow(scope.tenantId, scope.mode, { holderId, currency, amount: 0n, sequence: 0, hash: ZERO_HASH, createdAt: now, updatedAt: now });
      await db.insertInto('balances').values(row).onConflict((oc) => oc.columns(['tenant_id', 'mode', 'holder_id', 'currency']).doNothing()).execute();
      const opened = await lock(scope, holderId, currency);
      if (!opened) throw new Error(`balance ${holderId}/${currency} vanished while it was opened`);
      return opened;
    },
    insert: (scope, balance) => writes.write(insertBalance.write(balanceToRow(scope.tenantId, scope.mode, balance))),
    update: (scope, balance) => writes.write(updateBalance.write(balanceToRow(scope.tenantId, scope.mode, balance))),
    async listForHolder(scope, holderId) {
      const rows = await db.selectFrom('balances').selectAll().where('tenant_id', '=', scope.tenantId).where('holder_id', '=', holderId).where('mode', '=', scope.mode).orderBy('currency').execute();
      return rows.map(rowToBalance);
    },
    async listForScope(scope) {
      const rows = await db.selectFrom('balances').selectAll().where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode).orderBy('holder_id').orderBy('currency').execute();
      return rows.map(rowToBalance);
    },
  };
}

/** Ledger entries: appended only, listed per holder by (time-ordered) id. */
export function ledgerRepository(handle: Pick<StoreHandle, 'db' | 'writes' | 'dialect'>): LedgerRepository {
  const { db, writes } = handle;
  const scoped = (tenantId: string, mode: string) => db.selectFrom('ledger_entries').selectAll().where('tenant_id', '=', tenantId).where('mode', '=', mode);
  return {
    append: (scope, e: LedgerEntry) => writes.write(appendEntry.write(ledgerEntryToRow(scope.tenantId, scope.mode, e))),
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
    async atSequence(scope, holderId, currency, sequence) {
      const row = await findRow(handle, entryBySequence, [scope.tenantId, holderId, currency, sequence, scope.mode]);
      return row && rowToLedgerEntry(row);
    },
    list: (scope, holderId, page) => keysetPage(scoped(scope.tenantId, scope.mode).where('holder_id', '=', holderId), page, rowToLedgerEntry),
    listFiltered(scope, holderId, filter) {
      let q = scoped(scope.tenantId, scope.mode).where('holder_id', '=', holderId);
      if (filter.kinds !== undefined) q = q.where('kind', 'in', filter.kinds.length > 0 ? [...filter.kinds] : ['']);
      if (filter.currency !== undefined) q = q.where('currency', '=', filter.currency);
      if (filter.magnitude !== undefined) q = q.where('amount', 'in', [filter.magnitude.toString(), (-filter.magnitude).toString()]);
      if (filter.reference !== undefined) q = q.where('reference', '=', filter.reference);
      if (filter.id !== undefined) q = q.where('id', '=', filter.id);
      return keysetPage(q, filter, rowToLedgerEntry);
    },
    async findForHolder(scope, holderId, id) {
      const row = await scoped(scope.tenantId, scope.mode).where('holder_id', '=', holderId).where('id', '=', id).executeTakeFirst();
      return row && rowToLedgerEntry(row);
    },
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
export function uniqueKeyRepository({ db, writes }: Pick<StoreHandle, 'db' | 'writes'>): UniqueKeyStore {
  const modeOf = (scope: Scope, key: UniqueKey) => (key.acrossModes ? ANY_MODE : scope.mode);
  return {
    claim(scope, key, ownerId, conflict, at) {
      const row: UniqueKeyTable = { tenant_id: scope.tenantId, namespace: key.namespace, value: key.value, mode: modeOf(scope, key), owner_id: ownerId, created_at: at };
      return writes.write(claimUniqueKey.write(row, conflict));
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
