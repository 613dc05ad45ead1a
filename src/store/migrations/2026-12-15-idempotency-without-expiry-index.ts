import type { Kysely } from 'kysely';

// Frozen once released. Issue 25: every idempotent write kept an index on expiry up to date for
// a purge that runs once an hour. The purge now walks the primary key in batches
// (IdempotentCommands.purgeExpired), so the index goes.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('idempotency_keys_expiry').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.createIndex('idempotency_keys_expiry').on('idempotency_keys').column('expires_at').execute();
}
