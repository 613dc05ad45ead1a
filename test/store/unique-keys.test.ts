import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { nowIso } from '../../src/ledger/clock.js';
import { AlreadyExists } from '../../src/ledger/errors.js';
import type { Scope } from '../../src/ledger/model.js';
import type { UniqueKey } from '../../src/ledger/store.js';
import { createTenant } from '../../src/tenancy/tenants.js';
import { openStore } from '../../src/runtime.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { uniqueConstraintsDeclared } from '../../src/store/statements.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.js';

// Unique values beyond external references (SPEC §4 transfer references per tenant, §5 org
// account names per tenant and mode), through the core's port, on the real stores.

const conflict = { resource: 'transfer', field: 'reference' };

for (const kind of await storeKinds()) {
  describe(`unique keys (${kind})`, () => {
    let database: TestDatabase;
    let store: KyselyStore;
    let test_: Scope;
    let live: Scope;
    let other: Scope;

    before(async () => {
      database = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: database.url, sqliteSync: 'normal', pgPoolSize: 10 });
      const a = await store.transaction((tx) => createTenant(tx, { name: 'a' }, nowIso()));
      const b = await store.transaction((tx) => createTenant(tx, { name: 'b' }, nowIso()));
      test_ = { tenantId: a.tenant.id, mode: 'test' };
      live = { tenantId: a.tenant.id, mode: 'live' };
      other = { tenantId: b.tenant.id, mode: 'test' };
    });

    after(async () => {
      await store.close();
      await database.drop();
    });

    const claim = (scope: Scope, key: UniqueKey, owner: string) => store.transaction((tx) => tx.uniqueKeys.claim(scope, key, owner, conflict, nowIso()));

    test('a claimed value has one owner; a second claim is AlreadyExists naming the field and value, and changes nothing', async () => {
      const key = { namespace: 'org.account.name', value: 'Acme' };
      await claim(test_, key, 'acc_1');
      await assert.rejects(claim(test_, key, 'acc_2'), (error: unknown) => error instanceof AlreadyExists && error.field === 'reference' && error.value === 'Acme' && error.resource === 'transfer');
      assert.equal(await store.reader.uniqueKeys.ownerOf(test_, key), 'acc_1');
    });

    test('per tenant and mode by default: the other mode and another tenant may hold the same value', async () => {
      const key = { namespace: 'org.account.name', value: 'Shared' };
      await claim(test_, key, 'acc_t');
      await claim(live, key, 'acc_l');
      await claim(other, key, 'acc_o');
      assert.deepEqual([await store.reader.uniqueKeys.ownerOf(test_, key), await store.reader.uniqueKeys.ownerOf(live, key), await store.reader.uniqueKeys.ownerOf(other, key)], ['acc_t', 'acc_l', 'acc_o']);
    });

    test('across modes: one value per tenant, whichever mode claimed it', async () => {
      const key = { namespace: 'platform.transfer.reference', value: 'ref-1', acrossModes: true };
      await claim(test_, key, 'tr_1');
      await assert.rejects(claim(live, key, 'tr_2'), AlreadyExists);
      assert.equal(await store.reader.uniqueKeys.ownerOf(live, key), 'tr_1');
      await claim(other, key, 'tr_3');
    });

    test('a rejected claim rolls back the rest of its transaction; a released value can be claimed again, only by its owner\'s release', async () => {
      const key = { namespace: 'org.account.name', value: 'Renamed' };
      await claim(test_, key, 'acc_a');
      const second = { namespace: 'org.account.name', value: 'Second' };
      await assert.rejects(store.transaction(async (tx) => {
        await tx.uniqueKeys.claim(test_, second, 'acc_b', conflict, nowIso());
        await tx.uniqueKeys.claim(test_, key, 'acc_b', conflict, nowIso());
      }), AlreadyExists);
      assert.equal(await store.reader.uniqueKeys.ownerOf(test_, second), undefined, 'nothing of the failed transaction stays');
      await store.transaction((tx) => tx.uniqueKeys.release(test_, key, 'acc_someone_else'));
      assert.equal(await store.reader.uniqueKeys.ownerOf(test_, key), 'acc_a');
      await store.transaction((tx) => tx.uniqueKeys.release(test_, key, 'acc_a'));
      await claim(test_, key, 'acc_b');
      assert.equal(await store.reader.uniqueKeys.ownerOf(test_, key), 'acc_b');
    });

    test('20 concurrent claims of one value: exactly one wins', async () => {
      const key = { namespace: 'platform.transfer.reference', value: 'race', acrossModes: true };
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => claim(i % 2 ? live : test_, key, `tr_${i}`)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof AlreadyExists, String(r.reason));
    });
  });
}

// Unique violations are mapped to domain errors by constraint (src/store/unique-violation.ts):
// PostgreSQL names the violated constraint, SQLite says only whether it was the primary key.
// A migration that renames or drops one must fail here, not turn a 409 into a 500.
for (const kind of await storeKinds()) {
  test(`every unique constraint a write declares exists in the migrated schema, as the kind it is declared (${kind})`, async () => {
    const database = await createTestDatabase(kind);
    const store = await openStore({ databaseUrl: database.url, sqliteSync: 'normal', pgPoolSize: 2 });
    try {
      const declared = uniqueConstraintsDeclared();
      assert.ok(declared.length >= 10, `the repositories' statements are loaded (${declared.length})`);
      for (const constraint of declared) {
        if (kind === 'postgres') {
          const { rows } = await sql<{ primary: boolean }>`select i.indisprimary as primary from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
            where c.relname = ${constraint.name} and t.relname = ${constraint.table} and i.indisunique`.execute(store.db);
          assert.equal(rows.length, 1, `${constraint.table}.${constraint.name} is a unique index`);
          assert.equal(rows[0]!.primary, constraint.primaryKey, `${constraint.name}: primary key ${constraint.primaryKey}`);
        } else {
          // SQLite names no constraint in its errors: what must hold is the kind (pk, or exactly one other unique index).
          const { rows } = await sql<{ origin: string; unique: number | bigint }>`select origin, "unique" from pragma_index_list(${constraint.table})`.execute(store.db);
          const unique = rows.filter((r) => Number(r.unique) === 1);
          if (constraint.primaryKey) assert.ok(unique.some((r) => r.origin === 'pk'), `${constraint.table} has a primary key`);
          else assert.equal(unique.filter((r) => r.origin !== 'pk').length, 1, `${constraint.table} has exactly one unique constraint besides its primary key`);
        }
      }
    } finally {
      await store.close();
      await database.drop();
    }
  });
}
