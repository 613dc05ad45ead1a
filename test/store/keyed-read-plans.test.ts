import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Compilable } from 'kysely';
import { openStore } from '../../src/runtime.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.js';

/*
 * A keyed read's plan must be right whatever the statistics say: on a freshly migrated
 * PostgreSQL database that was never analyzed, a get by id once ran through
 * accounts_by_customer (4.5 ms instead of 0.03 ms): without statistics `tenant_id = $1 and
 * mode = $2` looks like one row, so every index led by (tenant_id, mode) tied with the right
 * one. Now mode comes last in every index. Reads go as unnamed statements, planned at each
 * execution with the table's current size: that is what this test asks the planner for.
 */

const ROWS = 5000;

const kinds = (await storeKinds()).filter((k) => k === 'postgres');

for (const kind of kinds) {
  describe(`keyed reads on a never-analyzed database use the primary key (${kind})`, () => {
    let database: TestDatabase;
    let store: KyselyStore;
    let client: pg.Client;

    before(async () => {
      database = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: database.url, sqliteSync: 'normal', pgPoolSize: 2 });
      client = new pg.Client({ connectionString: database.url });
      await client.connect();
      // No statistics, ever: autovacuum's analyze must not rescue the plan during the test.
      for (const table of ['customers', 'accounts', 'balances', 'ledger_entries']) await client.query(`alter table ${table} set (autovacuum_enabled = false)`);
      await client.query(`insert into customers (tenant_id, mode, id, external_reference, name, currency, balance, metadata, created_at, updated_at)
        select 'ten_1', 'test', 'bcus_' || i, 'cus-' || i, 'n', 'ZAR', 0, '{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' from generate_series(1, ${ROWS}) i`);
      await client.query(`insert into accounts (tenant_id, mode, id, external_reference, customer_id, name, currency, balance, metadata, created_at, updated_at)
        select 'ten_1', 'test', 'bacc_' || lpad(i::text, 8, '0'), 'acc-' || i, 'bcus_' || (i % 100 + 1), 'n', 'ZAR', 0, '{}', to_char(timestamp '2026-01-01' + i * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '2026-01-01T00:00:00.000Z' from generate_series(1, ${ROWS}) i`);
      await client.query(`insert into balances select 'ten_1', 'test', 'bacc_' || lpad(i::text, 8, '0'), 'ZAR', '0', 0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' from generate_series(1, ${ROWS}) i`);
    });

    after(async () => {
      await client.end();
      await store.close();
      await database.drop();
    });

    /** The indexes a query's plan scans. */
    async function indexesOf(query: Compilable<unknown>): Promise<string[]> {
      const compiled = query.compile();
      await client.query('set plan_cache_mode = force_custom_plan');
      await client.query(`prepare keyed_read as ${compiled.sql}`);
      try {
        const values = compiled.parameters.map((v) => (typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v)));
        const { rows } = await client.query(`explain (format json) execute keyed_read(${values.join(', ')})`);
        const found: string[] = [];
        const walk = (node: Record<string, unknown>) => {
          if (typeof node['Index Name'] === 'string') found.push(node['Index Name']);
          if (node['Node Type'] === 'Seq Scan') found.push(`seq scan of ${String(node['Relation Name'])}`);
          for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
        };
        walk((rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
        return found;
      } finally {
        await client.query('deallocate keyed_read');
      }
    }

    test('the tables really have no statistics', async () => {
      const { rows } = await client.query(`select relname, reltuples from pg_class where relname in ('accounts', 'balances', 'customers') order by relname`);
      assert.deepEqual(rows.map((r) => Number(r.reltuples)), [-1, -1, -1], 'reltuples -1: never vacuumed or analyzed');
    });

    const accounts = () => store.db.selectFrom('accounts').selectAll().where('tenant_id', '=', 'ten_1').where('mode', '=', 'test');

    test('an account by id reads accounts_by_id', async () => {
      assert.deepEqual(await indexesOf(accounts().where('id', '=', 'bacc_00002500')), ['accounts_by_id']);
    });

    test('an account by external reference reads accounts_by_external_reference', async () => {
      assert.deepEqual(await indexesOf(accounts().where('external_reference', '=', 'acc-2500')), ['accounts_by_external_reference']);
    });

    test("a customer's accounts read accounts_by_customer, and a list page the primary key, newest first", async () => {
      assert.deepEqual(await indexesOf(accounts().where('customer_id', '=', 'bcus_7').orderBy('id', 'desc').limit(11)), ['accounts_by_customer']);
      assert.deepEqual(await indexesOf(accounts().orderBy('id', 'desc').limit(11)), ['accounts_by_id']);
      assert.deepEqual(await indexesOf(accounts().where('id', '<', 'bacc_00002500').orderBy('id', 'desc').limit(11)), ['accounts_by_id'], 'the next page');
      const customers = store.db.selectFrom('customers').selectAll().where('tenant_id', '=', 'ten_1').where('mode', '=', 'test');
      assert.deepEqual(await indexesOf(customers.orderBy('id', 'desc').limit(11)), ['customers_by_id']);
    });

    test('a customer by id reads customers_by_id, by external reference customers_by_external_reference', async () => {
      const customers = () => store.db.selectFrom('customers').selectAll().where('tenant_id', '=', 'ten_1').where('mode', '=', 'test');
      assert.deepEqual(await indexesOf(customers().where('id', '=', 'bcus_3')), ['customers_by_id']);
      assert.deepEqual(await indexesOf(customers().where('external_reference', '=', 'cus-3')), ['customers_by_external_reference']);
    });

    test('a balance by holder and currency reads balances_pk', async () => {
      const query = store.db.selectFrom('balances').selectAll().where('tenant_id', '=', 'ten_1').where('mode', '=', 'test').where('holder_id', '=', 'bacc_00002500').where('currency', '=', 'ZAR');
      assert.deepEqual(await indexesOf(query), ['balances_pk']);
    });
  });
}
