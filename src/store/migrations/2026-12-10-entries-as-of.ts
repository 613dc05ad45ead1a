import type { Kysely } from 'kysely';

// Frozen once released. A balance as it stood at an instant (SPEC §8 "Point in time", §4b
// `at_timestamp`) is its last entry's `balance_after` at or before that instant: one keyed read
// of this index (seek to the instant, step back one row), never a sum of entries. A balance's
// entry times follow its sequence (postings.ts changeTime), so (created_at, sequence) orders one
// balance's entries as they were applied. Mode sits before created_at: the tenant's own balance
// has the same holder id in both modes, and the range on created_at must stay within one.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.createIndex('ledger_entries_as_of').on('ledger_entries').columns(['tenant_id', 'holder_id', 'currency', 'mode', 'created_at', 'sequence']).execute();
}
