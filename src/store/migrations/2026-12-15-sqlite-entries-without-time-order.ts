import { SqliteAdapter, type Kysely } from 'kysely';

// Frozen once released. Issue 25: on SQLite every posting kept ledger_entries_by_time up to
// date for `subledger export entries` alone; export now sorts a tenant's entries once
// (entry-stream.ts entriesInTimeOrder). PostgreSQL keeps the index: its export reads keyset
// batches through it, and a sort per batch would make a large export quadratic.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const onSqlite = (db: AnyDb) => db.getExecutor().adapter instanceof SqliteAdapter;

export async function up(db: AnyDb): Promise<void> {
  if (onSqlite(db)) await db.schema.dropIndex('ledger_entries_by_time').execute();
}

export async function down(db: AnyDb): Promise<void> {
  if (onSqlite(db)) await db.schema.createIndex('ledger_entries_by_time').on('ledger_entries').columns(['tenant_id', 'created_at', 'id', 'mode']).execute();
}
