import type { Kysely } from 'kysely';

// Frozen once released. The org surface (BidZenith): organization accounts, their
// transactions, OAuth clients and the one signing key of access tokens and page tokens.
// Amounts are decimal text of atoms (10^-9 major units) like every ledger amount: a balance
// of the full int64 range of google.type.Money units needs about 94 bits, beyond any integer
// column of SQLite. Index rule of the ledger-core migration: tenant_id first, mode last.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('org_accounts')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    // A copy of the ledger balance (atoms), written by the command that posts: one-row reads.
    .addColumn('balance', 'text', (c) => c.notNull())
    // JSON: { has_notification, notification_email, threshold (atoms as text) }, or null.
    .addColumn('low_balance', 'text')
    // The low-balance edge state: 1 while the balance is known to be below the threshold.
    .addColumn('below_threshold', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_accounts_by_id', ['tenant_id', 'id', 'mode'])
    .addUniqueConstraint('org_accounts_by_name', ['tenant_id', 'name', 'mode'])
    .execute();

  // One row per posting to an org account (its ledger entry's id): what BidZenith shows of it.
  await db.schema
    .createTable('org_transactions')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('balance_after', 'text', (c) => c.notNull())
    .addColumn('credit', 'integer', (c) => c.notNull())
    .addColumn('description', 'text')
    // JSON: { topup: {…} } | { adjustment: {…} } | { dataInstance: {…} }.
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_transactions_by_account', ['tenant_id', 'account_id', 'id', 'mode'])
    .execute();

  // Credentials, like api_keys: a small reference table (replicated under Citus), so the token
  // endpoint's lookup by client id alone is a unique index probe.
  await db.schema
    .createTable('oauth_clients')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addPrimaryKeyConstraint('oauth_clients_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('oauth_clients_by_client_id').unique().on('oauth_clients').column('id').execute();

  // Service-wide, not a tenant's: the key every process signs with. Created once by whichever
  // process first needs it (insert … on conflict do nothing, then read the winner).
  await db.schema
    .createTable('signing_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('private_jwk', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
