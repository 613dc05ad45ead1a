import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Migrator, sql } from 'kysely';
import { toMinorUnits } from '../../src/ledger/money.js';
import type { Scope } from '../../src/ledger/model.js';
import { openStore } from '../../src/runtime.js';
import { openDatabase } from '../../src/store/dialects.js';
import { migrationProviderOf } from '../../src/store/migrations/index.js';
import { VENDORS } from '../../src/surfaces/index.js';
import { billingRepositories } from '../../src/surfaces/billing/store/repositories.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.js';

// A database made before the ledger core keeps every balance and entry across the migration.

const scope: Scope = { tenantId: 'ten_old', mode: 'test' };
const T = '2026-11-30T10:00:00.000Z';

for (const kind of await storeKinds()) {
  describe(`ledger core migration of existing data (${kind})`, () => {
    let database: TestDatabase;

    before(async () => {
      database = await createTestDatabase(kind);
      const opened = openDatabase({ url: database.url });
      const { db } = opened;
      const migrator = new Migrator({ db, provider: migrationProviderOf(VENDORS) });
      const { error } = await migrator.migrateTo('2026-11-23-outbox-delivery');
      assert.equal(error, undefined);
      const holder = (table: string, id: string, currency: string | null, balance: number | null, extra: string) =>
        sql`insert into ${sql.table(table)} (tenant_id, mode, id, external_reference, ${sql.raw(extra)}, name, currency, balance, payment_rules, metadata, created_at, updated_at)
            values ('ten_old', 'test', ${id}, ${`ref-${id}`}, ${table === 'accounts' ? 'bcus_1' : null}, null, ${currency}, ${balance}, null, '{}', ${T}, ${T})`.execute(db);
      await holder('customers', 'bcus_1', 'ZAR', 0, 'email');
      await holder('accounts', 'bacc_switched', 'USD', 50, 'customer_id');
      await holder('accounts', 'bacc_untracked', 'ZAR', null, 'customer_id');
      await holder('accounts', 'bacc_kwd', 'KWD', -1234, 'customer_id');
      const entry = (id: string, holderId: string, sequence: number, kindName: string, amount: number, after: number, currency: string) =>
        sql`insert into ledger_entries (tenant_id, mode, id, holder_id, sequence, kind, amount, balance_after, currency, reference, request_id, idempotency_key, actor, created_at)
            values ('ten_old', 'test', ${id}, ${holderId}, ${sequence}, ${kindName}, ${amount}, ${after}, ${currency}, null, 'req_1', null, 'key_1', ${T})`.execute(db);
      await entry('ble_1', 'bacc_switched', 1, 'initial', 100, 100, 'ZAR');
      await entry('ble_2', 'bacc_switched', 2, 'adjustment', -100, 0, 'ZAR');
      await entry('ble_3', 'bacc_switched', 3, 'initial', 50, 50, 'USD');
      await entry('ble_4', 'bacc_kwd', 1, 'initial', -1234, -1234, 'KWD');
      await opened.close();
    });

    after(() => database.drop());

    test('balances, chains and billing reads carry over exactly', async () => {
      const store = await openStore({ databaseUrl: database.url, sqliteSync: 'normal', pgPoolSize: 2 });
      try {
        const switched = await billingRepositories.of(store.reader).accounts.findById(scope, 'bacc_switched');
        assert.deepEqual([switched!.currency, switched!.balance], ['USD', 50n]);
        assert.equal((await billingRepositories.of(store.reader).accounts.findById(scope, 'bacc_untracked'))!.balance, null);
        assert.equal((await billingRepositories.of(store.reader).accounts.findById(scope, 'bacc_kwd'))!.balance, -1234n);
        assert.equal((await billingRepositories.of(store.reader).customers.findById(scope, 'bcus_1'))!.balance, 0n, 'a tracked zero without entries stays tracked');

        const balances = await store.reader.balances.listForScope(scope);
        assert.deepEqual(
          balances.map((b) => [b.holderId, b.currency, toMinorUnits(b), b.sequence]),
          [
            ['bacc_kwd', 'KWD', -1234n, 1],
            ['bacc_switched', 'USD', 50n, 1],
            ['bacc_switched', 'ZAR', 0n, 2],
            ['bcus_1', 'ZAR', 0n, 0],
          ],
        );
        const zar = await store.reader.ledger.chain(scope, 'bacc_switched', 'ZAR');
        assert.deepEqual(zar.map((e) => [e.id, e.sequence, toMinorUnits({ currency: 'ZAR', amount: e.amount }), e.counterparty]), [
          ['ble_1', 1, 100n, 'external'],
          ['ble_2', 2, -100n, 'external'],
        ]);
        const listed = await store.reader.ledger.list(scope, 'bacc_switched', { limit: 10 });
        assert.deepEqual(listed.items.map((e) => e.id), ['ble_3', 'ble_2', 'ble_1'], 'newest first, across currencies');
      } finally {
        await store.close();
      }
    });
  });
}
