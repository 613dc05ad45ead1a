import type { Kysely } from 'kysely';

// Frozen once released. The testing API's snapshots (SPEC §7): a tenant's test-mode data as it
// was, each row kept as JSON text of its columns, in the order it is restored.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('test_snapshots')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    // The tenant's test clock when taken: JSON of its setting, or null for wall time.
    .addColumn('clock', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('test_snapshots_by_id', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createTable('test_snapshot_rows')
    .addColumn('snapshot_id', 'text', (c) => c.notNull())
    .addColumn('table_name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('row', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('test_snapshot_rows_by_position', ['snapshot_id', 'table_name', 'position'])
    .execute();
}
