import { VENDORS } from '../../src/surfaces/index.js';
import { migrationProviderOf } from '../../src/store/migrations/index.js';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { StoreUnavailable } from '../../src/ledger/errors.js';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/store/dialects.js';
import { isUniqueViolation } from '../../src/store/unique-violation.js';
import { createTestDatabase, storeKinds } from '../support/stores.js';
import { TcpProxy } from '../support/tcp-proxy.js';

// The store reports "cannot reach the database" as StoreUnavailable (src/store/driver-failures.ts)
// and passes every other driver error through unchanged.

const rejection = async (work: Promise<unknown>): Promise<unknown> => {
  try {
    await work;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
};

async function withDatabase(url: string, work: (database: OpenDatabase) => Promise<void>): Promise<void> {
  const database = openDatabase({ url, poolSize: 2 });
  try {
    await migrateToLatest(database.db, migrationProviderOf(VENDORS));
    await work(database);
  } finally {
    await database.close();
  }
}

const insertTenant = (database: OpenDatabase, id: string) =>
  sql`insert into tenants (id, name, country, callback_token, created_at) values (${id}, 'x', 'ID', ${`cb_${id}`}, '2026-01-01T00:00:00.000Z')`.execute(database.db);

describe('driver failures', async () => {
  const kinds = await storeKinds();

  test('SQLite: busy past busy_timeout is StoreUnavailable; a unique violation is the driver’s error', async () => {
    const testDatabase = await createTestDatabase('sqlite');
    try {
      await withDatabase(testDatabase.url, async (database) => {
        await insertTenant(database, 'ten_a');
        const duplicate = await rejection(insertTenant(database, 'ten_a'));
        assert.ok(isUniqueViolation(duplicate), String(duplicate));
        const blocker = new SqliteDatabase(testDatabase.url.slice('sqlite:'.length));
        try {
          blocker.exec('begin immediate');
          assert.ok((await rejection(insertTenant(database, 'ten_b'))) instanceof StoreUnavailable);
        } finally {
          blocker.close();
        }
      });
    } finally {
      await testDatabase.drop();
    }
  });

  test('PostgreSQL: refused and dropped connections are StoreUnavailable; SQL errors and bugs are not', { skip: kinds.includes('postgres') ? false : 'PostgreSQL is not reachable' }, async () => {
    const testDatabase = await createTestDatabase('postgres');
    const url = new URL(testDatabase.url);
    const relay = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(await relay.start());
    try {
      await withDatabase(url.toString(), async (database) => {
        await insertTenant(database, 'ten_a');
        const duplicate = await rejection(insertTenant(database, 'ten_a'));
        assert.ok(isUniqueViolation(duplicate), 'a unique violation passes through with its code');
        const syntax = await rejection(sql`selec 1`.execute(database.db));
        assert.ok(!(syntax instanceof StoreUnavailable), 'a SQL error is not an outage');
        // No code at all, while the server answers: a bug, not an outage.
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        const bug = await rejection(sql`select ${circular}::text`.execute(database.db));
        assert.ok(!(bug instanceof StoreUnavailable), `a bug is not an outage: ${String(bug)}`);

        // Cut while a statement runs: pg says so without a stable code; the probe settles it.
        const inFlight = rejection(sql`select pg_sleep(5)`.execute(database.db));
        await new Promise((resolve) => setTimeout(resolve, 300));
        await relay.stop();
        const dropped = await inFlight;
        assert.ok(dropped instanceof StoreUnavailable, `dropped mid-statement: ${String(dropped)}`);
        const refused = await rejection(sql`select 1`.execute(database.db));
        assert.ok(refused instanceof StoreUnavailable, `refused: ${String(refused)}`);

        await relay.start();
        await sql`select 1`.execute(database.db);
      });
    } finally {
      await relay.stop();
      await testDatabase.drop();
    }
  });
});
