import type { Kysely } from 'kysely';

// Frozen once released. The object an event carries (its own id: a transfer, a customer), beside
// `subject_id`, the holder it is about (a transfer's sub-account). The testing API's event
// filter `object_id` (SPEC §7 "Waiting") matches either. Not indexed: only that filter reads it,
// within one tenant's test mode. Null on older rows.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('events').addColumn('object_id', 'text').execute();
}
