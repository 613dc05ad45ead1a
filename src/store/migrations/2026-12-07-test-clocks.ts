import type { Kysely } from 'kysely';

// Frozen once released. The stand-in's per-tenant test clock (SPEC §7): a tenant without a row
// runs on wall time. `now` is `frozen_at` when set, else wall time plus `offset_ms`.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('test_clocks')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('offset_ms', 'bigint', (c) => c.notNull())
    .addColumn('frozen_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
