import type { Kysely } from 'kysely';

// Frozen once released. Issue 25: every ledger entry wrote an index entry that no request reads
// on its hot path. A balance as it stood at an instant is now found by bisecting the balance's
// chain on its primary key (balances-as-of.ts lastEntryAsOf): its entries' times follow their
// sequence, so no index on time is needed for it.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('ledger_entries_as_of').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.createIndex('ledger_entries_as_of').on('ledger_entries').columns(['tenant_id', 'holder_id', 'currency', 'mode', 'created_at', 'sequence']).execute();
}
