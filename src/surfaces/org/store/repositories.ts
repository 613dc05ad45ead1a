import { sql, type Kysely, type SqlBool } from 'kysely';
import { AlreadyExists } from '../../../ledger/errors.js';
import type { OAuthClientRepository, OrgAccountRepository, OrgRepositories, OrgTransactionRepository, SigningKeyRepository } from '../domain/ports.js';
import type { Page } from '../../../ledger/model.js';
import type { Database } from '../../../store/database.js';
import type { DialectName } from '../../../store/dialects.js';
import { defineRepositories } from '../../../store/module-repositories.js';
import { insertUnique } from '../../../store/unique-violation.js';
import { insertOf, WriteStatement, type WriteSink } from '../../../store/write-behind.js';
import type { OrgAccountTable } from './tables.js';
import { oauthClientToRow, orgAccountToRow, orgTransactionToRow, rowToOAuthClient, rowToOrgAccount, rowToOrgTransaction, rowToSigningKey, signingKeyToRow } from './rows.js';
import './tables.js';

const ACCOUNT_COLUMNS = ['name', 'description', 'currency', 'balance', 'low_balance', 'below_threshold', 'created_at', 'updated_at'] as const;
const updateAccount = WriteStatement.update('org_accounts', ACCOUNT_COLUMNS, ['tenant_id', 'mode', 'id']);

/** The page after `afterId` (newest first by id, ids carrying their creation time), limit + 1 read to know if there is more. */
function pageOf<Row, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item): Page<Item> {
  return { items: rows.slice(0, limit).map(toItem), hasMore: rows.length > limit };
}

/** The org surface's repositories on a transaction or reader of the store: `orgRepositoriesOf.of(tx)`. */
export const orgRepositoriesOf = defineRepositories<OrgRepositories>(({ db, dialect, writes }) => orgRepositories(db, dialect, writes));

/** Every statement is bounded by tenant and mode; keyed reads name a whole primary key or unique constraint. */
export function orgRepositories(db: Kysely<Database>, dialect: DialectName, writes: WriteSink): OrgRepositories {
  // SQLite transactions are exclusive writers already; PostgreSQL needs the row lock.
  const lockClause = dialect === 'postgres' ? sql` for update` : sql``;
  const nameTaken = (name: string) => () => new AlreadyExists('account', 'name', name);

  const accounts: OrgAccountRepository = {
    insert: (scope, account) => writes.write({ ...insertOf('org_accounts', orgAccountToRow(scope.tenantId, scope.mode, account)), onUniqueViolation: nameTaken(account.name) }),
    async findById(scope, id) {
      const row = await db.selectFrom('org_accounts').selectAll().where('tenant_id', '=', scope.tenantId).where('id', '=', id).where('mode', '=', scope.mode).executeTakeFirst();
      return row && rowToOrgAccount(row);
    },
    async lockById(scope, id) {
      await writes.beginTransaction();
      const { rows } = await sql<OrgAccountTable>`select * from org_accounts where tenant_id = ${scope.tenantId} and id = ${id} and mode = ${scope.mode}${lockClause}`.execute(db);
      return rows[0] && rowToOrgAccount(rows[0]);
    },
    update(scope, account) {
      const row = orgAccountToRow(scope.tenantId, scope.mode, account);
      return writes.write({
        statement: updateAccount,
        values: [...ACCOUNT_COLUMNS.map((column) => row[column]), row.tenant_id, row.mode, row.id],
        rowKey: `${row.tenant_id}/${row.mode}/${row.id}`,
        onUniqueViolation: nameTaken(account.name),
      });
    },
    async list(scope, page) {
      let q = db.selectFrom('org_accounts').selectAll().where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode);
      if (page.afterId !== undefined) q = q.where('id', '<', page.afterId);
      const rows = await q.orderBy('id', 'desc').limit(page.limit + 1).execute();
      return pageOf(rows, page.limit, rowToOrgAccount);
    },
  };

  const transactions: OrgTransactionRepository = {
    append: (scope, t) => writes.write(insertOf('org_transactions', orgTransactionToRow(scope.tenantId, scope.mode, t))),
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
    insert: (client, secretHash) =>
      insertUnique(() => db.insertInto('oauth_clients').values(oauthClientToRow(client, secretHash)).execute(), () => new AlreadyExists('oauth_client', 'clientId', client.id)),
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
    async insertIfAbsent(key) {
      await db.insertInto('signing_keys').values(signingKeyToRow(key)).onConflict((oc) => oc.column('name').doNothing()).execute();
    },
  };

  return { accounts, transactions, oauthClients, signingKeys };
}
