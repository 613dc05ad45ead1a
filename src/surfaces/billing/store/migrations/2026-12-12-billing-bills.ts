import type { Kysely } from 'kysely';

// Frozen once released. Moment bills (SPEC §3b). Keys follow the index rule of the ledger-core
// migration: tenant_id first, mode last; every keyed read names a whole primary key or unique
// constraint. A bill posts nothing: it has no balance and no ledger entries.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // The external reference's uniqueness per tenant and mode is this constraint (no read-then-write race).
  await db.schema
    .createTable('bills')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('external_reference', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_due', 'bigint', (c) => c.notNull())
    .addColumn('amount_paid', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('bill_date', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text')
    .addColumn('payment_rules', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('bills_by_id', ['tenant_id', 'id', 'mode'])
    .addUniqueConstraint('bills_by_external_reference', ['tenant_id', 'external_reference', 'mode'])
    .execute();
  // Lists by customer or account run newest first through these (ids carry their creation time).
  await db.schema.createIndex('bills_by_customer').on('bills').columns(['tenant_id', 'customer_id', 'id', 'mode']).execute();
  await db.schema.createIndex('bills_by_account').on('bills').columns(['tenant_id', 'account_id', 'id', 'mode']).execute();
}
