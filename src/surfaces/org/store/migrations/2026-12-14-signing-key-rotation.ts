import type { Kysely } from 'kysely';

// Frozen once released. The signing key can be rotated (SPEC §9, `subledger signing-keys
// rotate`): a key that stopped signing keeps its row, with the time it stopped, so that the
// JWKS publishes it and its tokens verify until the last of them has expired. The key that
// signs is the one not retired. Rows are never deleted: the first key ('primary') also keys
// the org surface's page tokens, which must outlive a rotation.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('signing_keys').addColumn('retired_at', 'text').execute();
}
