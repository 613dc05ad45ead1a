import type { Kysely } from 'kysely';

// Frozen once released. The stand-in's faults (SPEC §7 "Faults"): what a tenant's next test-mode
// requests matching (method, path) get instead of their own answer, `remaining` times. In the
// database so that every API node behind one PostgreSQL database takes them from one count.
// Named for the day after 2026-12-07-test-snapshots: Kysely runs migrations in name order and
// refuses a new one that sorts before one a database has applied.
// A fault with nothing remaining is deleted, so every row is pending; the primary key's tenant
// prefix is the one read a request makes.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('test_faults')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('method', 'text')
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('code', 'text')
    .addColumn('message', 'text')
    .addColumn('retry_after', 'integer')
    .addColumn('delay_ms', 'integer', (c) => c.notNull())
    // 0 or 1 (one type on both dialects).
    .addColumn('drop_connection', 'integer', (c) => c.notNull())
    .addColumn('times', 'integer', (c) => c.notNull())
    .addColumn('remaining', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('test_faults_pk', ['tenant_id', 'id'])
    .execute();
}
