import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen once released. The operator console's account directory (src/store/account-directory.ts)
// reads every surface's holders through these indexes and no table scan: by lowered name and
// e-mail for its prefix search, by status for its filters. Ids and external references already
// have theirs (primary keys, unique constraints). On PostgreSQL the folded values are indexed in
// byte order (collate "C"), which the directory's prefix ranges use whatever the database's
// collation; SQLite compares text bytewise already. Tenant first, mode last (the ledger-core
// migration's index rule).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const FOLDED = [
  ['customers', 'name'],
  ['customers', 'email'],
  ['accounts', 'name'],
  ['platform_sub_accounts', 'business_name'],
  ['platform_sub_accounts', 'email'],
  ['org_accounts', 'name'],
] as const;

export async function up(db: AnyDb): Promise<void> {
  const binary = db.getExecutor().adapter instanceof PostgresAdapter ? sql` collate "C"` : sql``;
  for (const [table, column] of FOLDED) {
    await sql`create index ${sql.id(`${table}_by_folded_${column}`)} on ${sql.table(table)} (tenant_id, lower(${sql.ref(column)})${binary}, id, mode)`.execute(db);
  }
  await db.schema.createIndex('platform_sub_accounts_by_status').on('platform_sub_accounts').columns(['tenant_id', 'status', 'id', 'mode']).execute();
  await db.schema.createIndex('org_accounts_by_status').on('org_accounts').columns(['tenant_id', 'below_threshold', 'id', 'mode']).execute();
}
