import type { Kysely } from 'kysely';

// Frozen once released. A retry that waits for a tenant's frozen test clock (SPEC §7: the
// webhook retry schedule reads the clock) rather than for wall time: `clock_due_at` holds when
// it comes due on the tenant's clock, and its `next_attempt_at` is PARKED_UNTIL
// (src/workers/retry-time.ts), which no claim ever reaches. Null for everything else.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('webhook_deliveries').addColumn('clock_due_at', 'text').execute();
  await db.schema.alterTable('emails').addColumn('clock_due_at', 'text').execute();
}
