import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createAccount } from '../../src/surfaces/billing/domain/accounts.js';
import { createCustomer, findCustomer } from '../../src/surfaces/billing/domain/customers.js';
import { AlreadyExists, IdempotencyKeyTaken } from '../../src/ledger/errors.js';
import { LedgerPipeline, type CommandOutput } from '../../src/ledger/pipeline.js';
import { IdempotentCommands } from '../../src/http/idempotency.js';
import type { Repositories } from '../../src/store/ports.js';
import type { CommandContext, Scope } from '../../src/ledger/model.js';
import { createTenant } from '../../src/tenancy/tenants.js';
import { openStore } from '../../src/runtime.js';
import { openDatabase } from '../../src/store/dialects.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.js';
import { waitFor } from '../support/wait.js';
import { ledgerSumInMinorUnits } from '../support/ledger.js';

// The write-behind transaction (src/store/write-behind.ts) holds writes back until the next
// read or the commit. These tests pin what that must never change: a transaction reads its own
// writes, fails as a whole, and reports a held-back write's conflict as that write's error.

let counter = 0;
const ref = (label: string) => `${label}-${process.pid}-${++counter}`;
const context = (scope: Scope): CommandContext => ({
  scope,
  actor: 'key_test',
  requestId: 'req_test',
  idempotencyKey: null,
  now: new Date().toISOString(),
});

/** Runs a command through the ledger's pipeline: its rows, postings and outbox events in one transaction. */
async function execute<T>(store: KyselyStore, scope: Scope, command: (tx: Repositories, ctx: CommandContext) => Promise<CommandOutput<T>>): Promise<T> {
  return (await new LedgerPipeline<Repositories>(store).execute(context(scope), command)).result;
}

async function count(store: KyselyStore, table: 'customers' | 'accounts' | 'events' | 'ledger_entries' | 'idempotency_keys', scope: Scope) {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | bigint | string>().as('n'))
    .where('tenant_id', '=', scope.tenantId)
    .where('mode', '=', scope.mode)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const kind of await storeKinds()) {
  describe(`write-behind transactions (${kind})`, () => {
    let database: TestDatabase;
    let store: KyselyStore;
    let scope: Scope;

    before(async () => {
      database = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: database.url, sqliteSync: 'normal', pgPoolSize: 4 });
      const { tenant } = await store.transaction((tx) => createTenant(tx, { name: 'write-behind' }, new Date().toISOString()));
      scope = { tenantId: tenant.id, mode: 'test' };
    });
    after(async () => {
      await store?.close();
      await database?.drop();
    });

    test('a read inside the transaction sees the writes made before it, by id and by reference', async () => {
      const externalReference = ref('CUS');
      const seen = await store.transaction(async (tx) => {
        const created = (await createCustomer(tx, context(scope), { externalReference, currency: 'ZAR', balance: 700n })).result;
        const byId = await findCustomer(tx, scope, created.id);
        const byReference = await findCustomer(tx, scope, externalReference);
        const entries = await ledgerSumInMinorUnits(tx, scope, created.id);
        return { created, byId, byReference, entries };
      });
      assert.deepEqual(seen.byId, seen.created);
      assert.deepEqual(seen.byReference, seen.created);
      assert.equal(seen.entries, 700n, 'the opening ledger entry is visible to the same transaction');
      assert.deepEqual(await findCustomer(store.reader, scope, seen.created.id), seen.created, 'and committed');
    });

    test('a failure after writes, before and after a read, leaves none of them behind', async () => {
      const before = await Promise.all([count(store, 'customers', scope), count(store, 'events', scope), count(store, 'ledger_entries', scope)]);
      const first = ref('CUS');
      await assert.rejects(
        new LedgerPipeline<Repositories>(store).execute(
          context(scope),
          async (tx, ctx) => {
            const one = await createCustomer(tx, ctx, { externalReference: first, currency: 'ZAR', balance: 5n });
            await findCustomer(tx, scope, first); // sends the held-back writes: the rest must still roll back with them
            const two = await createCustomer(tx, ctx, { externalReference: ref('CUS'), currency: 'ZAR', balance: 6n });
            return { result: null, events: [...one.events!, ...two.events!] };
          },
          // After the command's rows, postings and events are written.
          async () => {
            throw new Error('the command fails after its writes');
          },
        ),
        /the command fails after its writes/,
      );
      const afterFailure = await Promise.all([count(store, 'customers', scope), count(store, 'events', scope), count(store, 'ledger_entries', scope)]);
      assert.deepEqual(afterFailure, before);
    });

    test("a held-back write's conflict is that write's AlreadyExists, and the other writes of the transaction are undone", async () => {
      const taken = ref('ACC');
      const owner = await execute(store, scope, (tx, ctx) => createCustomer(tx, ctx, { externalReference: ref('CUS') }));
      await execute(store, scope, (tx, ctx) => createAccount(tx, ctx, { customer: { kind: 'existing', reference: owner.id }, externalReference: taken }));
      const customersBefore = await count(store, 'customers', scope);

      const newCustomerReference = ref('CUS');
      const failure = await execute(store, scope, (tx, ctx) =>
          createAccount(tx, ctx, {
            customer: { kind: 'new', customer: { externalReference: newCustomerReference, name: 'New' } },
            externalReference: taken,
          }),
        )
        .then(
          () => assert.fail('a duplicate external reference must fail'),
          (error: unknown) => error,
        );
      assert.ok(failure instanceof AlreadyExists, `AlreadyExists, got ${String(failure)}`);
      assert.equal(failure.resource, 'account');
      assert.equal(failure.field, 'externalReference');
      assert.equal(await count(store, 'customers', scope), customersBefore, 'the inline customer of the failed create is not stored');

      // The same for the inline customer's own reference: reported on the field the request named.
      const duplicateCustomer = await execute(store, scope, (tx, ctx) =>
          createAccount(tx, ctx, {
            customer: { kind: 'new', customer: { externalReference: owner.externalReference } },
            externalReference: ref('ACC'),
          }),
        )
        .then(
          () => assert.fail('a duplicate customer reference must fail'),
          (error: unknown) => error,
        );
      assert.ok(duplicateCustomer instanceof AlreadyExists);
      assert.equal(duplicateCustomer.resource, 'customer');
      assert.equal(duplicateCustomer.field, 'customer.externalReference');
    });

    test('recording a key that already has a record is IdempotencyKeyTaken; the service then replays the first answer', async () => {
      const service = new IdempotentCommands(new LedgerPipeline<Repositories>(store), store, 86_400_000);
      const request = { key: ref('key'), fingerprint: 'f1', method: 'POST', path: '/test' };
      const ctx = { ...context(scope), idempotencyKey: request.key };
      const render = (outcome: { ok: boolean; value?: unknown }) => ({
        status: outcome.ok ? 201 : 400,
        headers: {},
        body: JSON.stringify(outcome.ok ? { id: (outcome.value as { id: string }).id } : {}),
        resourceId: null,
      });
      const first = await service.run(ctx, (tx) => createCustomer(tx, ctx, { externalReference: ref('CUS') }), render, request);
      assert.equal(first.replayed, false);

      const record = { ...request, response: first.response, createdAt: ctx.now, expiresAt: new Date(Date.now() + 60_000).toISOString() };
      await assert.rejects(
        store.transaction((tx) => tx.idempotency.record(scope, record)),
        (error: unknown) => error instanceof IdempotencyKeyTaken && error.key === request.key,
      );

      const customersBefore = await count(store, 'customers', scope);
      const retry = await service.run(ctx, (tx) => createCustomer(tx, ctx, { externalReference: ref('CUS') }), render, request);
      assert.equal(retry.replayed, true);
      assert.deepEqual(retry.response, first.response);
      assert.equal(await count(store, 'customers', scope), customersBefore, "the retry's own writes were rolled back");
    });
  });
}

describe('SQLite checkpoints on a worker thread', () => {
  test("the writer checkpoints only as a backstop (10,000 pages), yet committed pages reach the database file long before", async () => {
    const database = await createTestDatabase('sqlite');
    const opened = openDatabase({ url: database.url });
    const { db } = opened;
    try {
      const { rows } = await sql<{ wal_autocheckpoint: number | bigint }>`pragma wal_autocheckpoint`.execute(db);
      assert.equal(Number(rows[0]?.wal_autocheckpoint), 10_000, "the event loop's connection checkpoints only past 10,000 WAL pages");
      await sql`create table filler (n integer primary key, payload text not null)`.execute(db);
      const file = database.url.slice('sqlite:'.length);
      const sizeBefore = statSync(file).size;
      await db.transaction().execute(async (trx) => {
        for (let n = 0; n < 2_000; n++) await sql`insert into filler (n, payload) values (${n}, ${'x'.repeat(2_000)})`.execute(trx);
      });
      // ~4 MB (~1,000 pages) were committed to the WAL, far below the backstop: only the worker moves them into the file.
      await waitFor(() => statSync(file).size > sizeBefore + 3_000_000, 20_000, 'the checkpointer to copy the WAL into the database file');
    } finally {
      await opened.close();
      await database.drop();
    }
  });
});

describe("SQLite group commit's savepoints", () => {
  test('keep their sub-journal in memory (temp_store = MEMORY), not in a temporary file written with every page a unit changes', async () => {
    const database = await createTestDatabase('sqlite');
    const opened = openDatabase({ url: database.url });
    try {
      const { rows } = await sql<{ temp_store: number | bigint }>`pragma temp_store`.execute(opened.db);
      // 2 = MEMORY: SQLite then opens each savepoint's sub-journal in memory (pager.c openSubJournal).
      assert.equal(Number(rows[0]?.temp_store), 2);
    } finally {
      await opened.close();
      await database.drop();
    }
  });
});
