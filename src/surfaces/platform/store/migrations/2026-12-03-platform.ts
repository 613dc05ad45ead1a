import type { Kysely } from 'kysely';

// Frozen once released. Platform (Xendit xenPlatform) sub-accounts and transfers. Keys follow
// the index rule of the ledger-core migration: tenant_id first, mode last; every keyed read
// names a whole primary key or unique constraint. Balances live in the shared ledger tables.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('platform_sub_accounts')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('business_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('configurations', 'text')
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('platform_sub_accounts_by_id', ['tenant_id', 'id', 'mode'])
    .execute();

  // The reference's uniqueness per tenant and mode is this constraint (no read-then-write race).
  await db.schema
    .createTable('platform_transfers')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('source_user_id', 'text', (c) => c.notNull())
    .addColumn('destination_user_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('platform_transfers_by_id', ['tenant_id', 'id', 'mode'])
    .addUniqueConstraint('platform_transfers_by_reference', ['tenant_id', 'reference', 'mode'])
    .execute();
}
