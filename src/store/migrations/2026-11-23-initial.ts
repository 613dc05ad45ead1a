import type { Kysely } from 'kysely';

// Frozen once released: change the schema with a new dated migration, never by editing this one.
// Kysely's schema builder emits portable DDL; 'bigint' is INTEGER affinity on SQLite, int8 on PostgreSQL.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('callback_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // Credentials are looked up by hash before the tenant is known: under Citus this small table
  // is a reference table (replicated), so a global unique index on the hash is fine.
  await db.schema
    .createTable('api_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('hint', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addPrimaryKeyConstraint('api_keys_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('api_keys_secret_hash').unique().on('api_keys').column('secret_hash').execute();

  for (const table of ['customers', 'accounts'] as const) {
    let builder = db.schema
      .createTable(table)
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('external_reference', 'text', (c) => c.notNull());
    builder =
      table === 'customers'
        ? builder.addColumn('email', 'text').addColumn('phone', 'text')
        : builder.addColumn('customer_id', 'text', (c) => c.notNull());
    await builder
      .addColumn('name', 'text')
      .addColumn('currency', 'text')
      .addColumn('balance', 'bigint')
      .addColumn('payment_rules', 'text')
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['tenant_id', 'id'])
      .addUniqueConstraint(`${table}_external_reference`, ['tenant_id', 'mode', 'external_reference'])
      .execute();
    await db.schema
      .createIndex(`${table}_listing`)
      .on(table)
      .columns(['tenant_id', 'mode', 'created_at', 'id'])
      .execute();
  }
  await db.schema
    .createIndex('accounts_by_customer')
    .on('accounts')
    .columns(['tenant_id', 'mode', 'customer_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('holder_id', 'text', (c) => c.notNull())
    .addColumn('sequence', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('balance_after', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('request_id', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_entries_pk', ['tenant_id', 'id'])
    .execute();
  // A holder's entries are numbered 1, 2, 3… in the order they were applied (under the holder's
  // row lock); the unique index makes a second writer with the same number fail, never interleave.
  await db.schema
    .createIndex('ledger_entries_by_holder')
    .unique()
    .on('ledger_entries')
    .columns(['tenant_id', 'mode', 'holder_id', 'sequence'])
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_headers', 'text')
    .addColumn('response_body', 'text')
    .addColumn('resource_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'mode', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_expiry').on('idempotency_keys').column('expires_at').execute();

  // The outbox: written in the same transaction as the change it reports.
  await db.schema
    .createTable('events')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('events_listing').on('events').columns(['tenant_id', 'mode', 'created_at', 'id']).execute();
}
