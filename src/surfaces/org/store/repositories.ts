import { sql, type SqlBool } from 'kysely';
import { AlreadyExists } from '../../../ledger/errors.js';
import type { OAuthClientRepository, OrgAccountRepository, OrgRepositories, OrgTransactionRepository, SigningKeyRepository } from '../domain/ports.js';
import type { Page } from '../../../ledger/model.js';
import { defineRepositories, type StoreHandle } from '../../../store/module-repositories.js';
import { defineInsert, defineKeyedRead, defineUpdate, findRow, lockRow, RowsOfTransaction } from '../../../store/statements.js';
import { oauthClientToRow, orgAccountToRow, orgTransactionToRow, rowToOAuthClient, rowToOrgAccount, rowToOrgTransaction, rowToSigningKey, signingKeyToRow } from './rows.js';
import './tables.js';

/** An account name is unique per tenant and mode (constraint org_accounts_by_name). */
const nameTaken = { name: 'org_accounts_by_name', primaryKey: false, error: (row: { name: string }) => new AlreadyExists('account', 'name', row.name) };
const ACCOUNT_KEY = ['tenant_id', 'id', 'mode'] as const;
const accountById = defineKeyedRead('org_accounts', ACCOUNT_KEY);
const insertAccount = defineInsert('org_accounts', [nameTaken]);
const updateAccount = defineUpdate(
  'org_accounts',
  { set: ['name', 'description', 'currency', 'balance', 'low_balance', 'below_threshold', 'low_balance_notified', 'created_at', 'updated_at'], key: ['tenant_id', 'mode', 'id'] },
  [nameTaken],
);
const appendTransaction = defineInsert('org_transactions');
/** A client id is unique across tenants (oauth_clients_by_client_id) and within its tenant (the primary key). */
const clientIdTaken = (primaryKey: boolean, name: string) => ({ name, primaryKey, error: (row: { id: string }) => new AlreadyExists('oauth_client', 'clientId', row.id) });
const insertOAuthClient = defineInsert('oauth_clients', [clientIdTaken(false, 'oauth_clients_by_client_id'), clientIdTaken(true, 'oauth_clients_pk')]);

/** The page after `afterId` (newest first by id, ids carrying their creation time), limit + 1 read to know if there is more. */
function pageOf<Row, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item): Page<Item> {
  return { items: rows.slice(0, limit).map(toItem), hasMore: rows.length > limit };
}

/** The org surface's repositories on a transaction or reader of the store: `orgRepositoriesOf.of(tx)`. */
export const orgRepositoriesOf = defineRepositories<OrgRepositories>((handle) => orgRepositories(handle));

/** Every statement is bounded by tenant and mode; keyed reads name a whole primary key or unique constraint. */
export function orgRepositories(handle: Pick<StoreHandle, 'db' | 'dialect' | 'writes'>): OrgRepositories {
  const { db, writes } = handle;
  // An update sets only what changed since the account was locked (the repositories live as long as their transaction).
  const lockedAccounts = new RowsOfTransaction(updateAccount, writes);
  const accounts: OrgAccountRepository = {
    insert: (scope, account) => writes.write(insertAccount.write(orgAccountToRow(scope.tenantId, scope.mode, account))),
    async findById(scope, id) {
      const row = await findRow(handle, accountById, [scope.tenantId, id, scope.mode]);
      return row && rowToOrgAccount(row);
    },
    async lockById(scope, id) {
      const row = lockedAccounts.read(await lockRow(handle, accountById, [scope.tenantId, id, scope.mode]));
      return row && rowToOrgAccount(row);
    },
    update: (scope, account) => lockedAccounts.write(orgAccountToRow(scope.tenantId, scope.mode, account)),
    async list(scope, page) {
      let q = db.selectFrom('org_accounts').selectAll().where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode);
      if (page.afterId !== undefined) q = q.where('id', '<', page.afterId);
      const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
      return pageOf(rows, page.limit, rowToOrgAccount);
    },
  };

  const transactions: OrgTransactionRepository = {
    append: (scope, t) => writes.write(appendTransaction.write(orgTransactionToRow(scope.tenantId, scope.mode, t))),
    async list(scope, accountId, filter) {
      let q = db.selectFrom('org_transactions').selectAll().where('tenant_id', '=', scope.tenantId).where('account_id', '=', accountId).where('mode', '=', scope.mode);
      if (filter.afterId !== undefined) q = q.where('id', '<', filter.afterId);
      if (filter.credit !== undefined) q = q.where('credit', '=', filter.credit ? 1 : 0);
      if (filter.from !== undefined) q = q.where(sql<SqlBool>`created_at >= ${filter.from}`);
      if (filter.to !== undefined) q = q.where(sql<SqlBool>`created_at <= ${filter.to}`);
      const rows = await q.orderBy('id', 'desc').limit(filter.limit + 1).execute();
      return pageOf(rows, filter.limit, rowToOrgTransaction);
    },
  };

  const oauthClients: OAuthClientRepository = {
    insert: (client, secretHash) => writes.write(insertOAuthClient.write(oauthClientToRow(client, secretHash))),
    async findByClientId(clientId) {
      const row = await db.selectFrom('oauth_clients').selectAll().where('id', '=', clientId).executeTakeFirst();
      return row && { client: rowToOAuthClient(row), secretHash: row.secret_hash };
    },
    async findById(tenantId, id) {
      const row = await db.selectFrom('oauth_clients').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row && rowToOAuthClient(row);
    },
    async revoke(tenantId, id, at) {
      await db.updateTable('oauth_clients').set({ revoked_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },
    async listForTenant(tenantId) {
      const rows = await db.selectFrom('oauth_clients').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();
      return rows.map(rowToOAuthClient);
    },
  };

  const signingKeys: SigningKeyRepository = {
    async find(name) {
      const row = await db.selectFrom('signing_keys').selectAll().where('name', '=', name).executeTakeFirst();
      return row && rowToSigningKey(row);
    },
    async listUsable(retiredAfter) {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', retiredAfter)]))
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(rowToSigningKey);
    },
    async insertIfAbsent(key) {
      await db.insertInto('signing_keys').values(signingKeyToRow(key)).onConflict((oc) => oc.column('name').doNothing()).execute();
    },
    async retireCurrent(at) {
      await db.updateTable('signing_keys').set({ retired_at: at }).where('retired_at', 'is', null).execute();
    },
  };

  return { accounts, transactions, oauthClients, signingKeys };
}
