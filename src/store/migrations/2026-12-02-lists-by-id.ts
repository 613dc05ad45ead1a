import type { Kysely } from 'kysely';

// Frozen once released. Every list runs in id order (ids carry their creation time, and new
// customers and accounts take their created_at from their id): the primary keys serve the
// lists, and no listing index is written on every create (four index entries fewer per
// billing create with an inline customer). Accounts by customer list in id order too.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('customers_listing').execute();
  await db.schema.dropIndex('accounts_listing').execute();
  await db.schema.dropIndex('events_listing').execute();
  await db.schema.dropIndex('accounts_by_customer').execute();
  await db.schema.createIndex('accounts_by_customer').on('accounts').columns(['tenant_id', 'customer_id', 'id', 'mode']).execute();
}
