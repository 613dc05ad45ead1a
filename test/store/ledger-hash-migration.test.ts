import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Migrator, sql } from 'kysely';
import { chainHash, ZERO_HASH } from '../../src/ledger/entry-hash.js';
import { openDatabase } from '../../src/store/dialects.js';
import { verifyLedger, type LedgerProblem } from '../../src/store/ledger-verify.js';
import { encodedFieldsOfRow } from '../../src/store/rows.js';
import { migrationProviderOf } from '../../src/store/migrations/index.js';
import { VENDORS } from '../../src/surfaces/index.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.js';

// Migration 2026-12-10-ledger-hash-chains gives entries written before it their chains: each
// transfer's sides name each other, every entry gets its hash, every balance its chain's head;
// the ledger then verifies (in batches of 2 here, to cross batch edges).

const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T10:00:01.000Z';

for (const kind of await storeKinds()) {
  describe(`hash chains for existing entries (${kind})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(kind);
      const { db, close } = openDatabase({ url: database.url });
      const { error } = await new Migrator({ db, provider: migrationProviderOf(VENDORS) }).migrateTo('2026-12-10-entries-as-of');
      assert.equal(error, undefined);
      const entry = (mode: string, holder: string, sequence: number, id: string, kindName: string, amount: string, after: string, counterparty: string, at: string) =>
        sql`insert into ledger_entries (tenant_id, mode, holder_id, currency, sequence, id, kind, amount, balance_after, counterparty, reference, request_id, idempotency_key, actor, created_at)
            values ('ten_old', ${mode}, ${holder}, 'IDR', ${sequence}, ${id}, ${kindName}, ${amount}, ${after}, ${counterparty}, null, 'req_1', null, 'key_1', ${at})`.execute(db);
      const balance = (mode: string, holder: string, amount: string, sequence: number) =>
        sql`insert into balances (tenant_id, mode, holder_id, currency, amount, sequence, created_at, updated_at) values ('ten_old', ${mode}, ${holder}, 'IDR', ${amount}, ${sequence}, ${T1}, ${T2})`.execute(db);
      // The tenant tops itself up in both modes, then pays a sub-account in test mode.
      await entry('test', 'ten_old', 1, 'ble_0Vd5ZZZZaaaaaaaaaaaaaaa', 'topup', '5000', '5000', 'external', T1);
      await entry('live', 'ten_old', 1, 'ble_0Vd5ZZZZaaaaaaaaaaaaaab', 'topup', '7000', '7000', 'external', T1);
      await entry('test', 'ten_old', 2, 'ble_0Vd5ZZZYbbbbbbbbbbbbbbb', 'transfer', '-1200', '3800', 'acc_sub', T2);
      await entry('test', 'acc_sub', 1, 'ble_0Vd5ZZZYbbbbbbbbbbbbbbc', 'transfer', '1200', '1200', 'ten_old', T2);
      await entry('test', 'acc_sub', 2, 'ble_0Vd5ZZZYccccccccccccccc', 'topup', '300', '1500', 'external', T2);
      await balance('test', 'ten_old', '3800', 2);
      await balance('live', 'ten_old', '7000', 1);
      await balance('test', 'acc_sub', '1500', 2);
      await close();
    });
    after(() => database.drop());

    test('after the migration every chain is hashed, each transfer side names the other, and the ledger verifies', async () => {
      const { db, close } = openDatabase({ url: database.url });
      try {
        const { error } = await new Migrator({ db, provider: migrationProviderOf(VENDORS) }).migrateToLatest();
        assert.equal(error, undefined);
        const rows = await db.selectFrom('ledger_entries').selectAll().orderBy('holder_id').orderBy('mode').orderBy('sequence').execute();
        const byId = new Map(rows.map((r) => [r.id, r]));
        assert.equal(byId.get('ble_0Vd5ZZZYbbbbbbbbbbbbbbb')!.contra_id, 'ble_0Vd5ZZZYbbbbbbbbbbbbbbc');
        assert.equal(byId.get('ble_0Vd5ZZZYbbbbbbbbbbbbbbc')!.contra_id, 'ble_0Vd5ZZZYbbbbbbbbbbbbbbb');
        assert.equal(byId.get('ble_0Vd5ZZZYccccccccccccccc')!.contra_id, null);
        const first = byId.get('ble_0Vd5ZZZZaaaaaaaaaaaaaaa')!;
        assert.equal(first.hash, chainHash(ZERO_HASH, encodedFieldsOfRow(first)));
        const second = byId.get('ble_0Vd5ZZZYbbbbbbbbbbbbbbb')!;
        assert.equal(second.hash, chainHash(first.hash!, encodedFieldsOfRow(second)), 'the live chain of the same holder is a chain of its own');
        const head = await db.selectFrom('balances').select('hash').where('holder_id', '=', 'ten_old').where('mode', '=', 'test').executeTakeFirstOrThrow();
        assert.equal(head.hash, second.hash);
        const problems: LedgerProblem[] = [];
        const count = await verifyLedger(db, {}, { problem: (p) => problems.push(p) }, 2);
        assert.deepEqual(problems, []);
        assert.deepEqual(count, { entries: 5, balances: 3, problems: 0 });
      } finally {
        await close();
      }
    });
  });
}
