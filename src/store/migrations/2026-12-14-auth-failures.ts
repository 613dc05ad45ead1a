import type { Kysely } from 'kysely';

// Frozen once released. Failed admin-token and console sign-ins per client address (SPEC §9
// "Guessing is throttled"), in the database so that every API process on it (serve
// --processes N, several nodes) counts the same failures and throttles the same addresses.
// Service-wide, not a tenant's. Rows older than the window are purged as failures come in.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('auth_failures')
    .addColumn('address', 'text', (c) => c.notNull())
    // Epoch milliseconds of the failure, as the process that saw it read its clock.
    .addColumn('failed_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('auth_failures_pk', ['address', 'failed_at_ms', 'id'])
    .execute();
  await db.schema.createIndex('auth_failures_by_time').on('auth_failures').column('failed_at_ms').execute();
}
