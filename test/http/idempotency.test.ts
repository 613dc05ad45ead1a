import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Scope } from '../../src/ledger/model.js';
import { KyselyStore } from '../../src/store/kysely-store.js';
import { call, client, uniqueRef, type ApiResponse } from '../support/http.js';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { ledgerSumInMinorUnits } from '../support/ledger.js';

// SPEC §2 (Idempotency) and §3 (billing replays "the first answer whatever it was"),
// exercised through real HTTP against a real server on each store.

const newKey = () => `idem-${randomUUID()}`;

function assertIdempotencyConflict(response: ApiResponse, resourceId: string | null): void {
  assert.equal(response.status, 409, response.text);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.match(response.body.type, /#idempotency-conflict$/);
  assert.match(response.body.detail, /already used for a different request/);
  assert.equal(response.body.resource_id, resourceId);
  assert.equal(response.headers.get('idempotent-replayed'), null, 'a conflict is not a replay');
}

function assertReplayOf(replay: ApiResponse, first: ApiResponse): void {
  assert.equal(first.headers.get('idempotent-replayed'), null, 'the first answer is not marked as a replay');
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  assert.equal(replay.status, first.status);
  assert.equal(replay.text, first.text, 'the replayed body is byte-identical to the first answer');
  assert.equal(replay.headers.get('content-type'), first.headers.get('content-type'));
}

for (const kind of await storeKinds()) {
  describe(`idempotency keys (${kind})`, () => {
    let server: TestApp;
    let api: ReturnType<typeof client>;
    let store: KyselyStore;
    let scope: Scope;

    before(async () => {
      server = await build(kind);
      api = client(server, server.tenant.keys.test.secret);
      assert.ok(server.services.store instanceof KyselyStore);
      store = server.services.store;
      scope = { tenantId: server.tenant.tenant.id, mode: 'test' };
    });
    after(() => server.close());

    const countAccounts = async (): Promise<number> => {
      const row = await store.db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('tenant_id', '=', scope.tenantId)
        .where('mode', '=', scope.mode)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };

    const countLedgerEntries = async (holderId: string): Promise<number> => {
      const row = await store.db
        .selectFrom('ledger_entries')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('tenant_id', '=', scope.tenantId)
        .where('holder_id', '=', holderId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };

    const createCustomer = async (): Promise<string> => {
      const created = await api.post('/billing/customers', { external_reference: uniqueRef('CUS'), name: 'Jane Doe' });
      assert.equal(created.status, 201, created.text);
      return created.body.id;
    };

    const accountBody = (customer: string) => ({
      customer,
      external_reference: uniqueRef('ACC'),
      name: 'Subscription',
      currency: 'ZAR',
      balance: 2000,
      metadata: { order_id: 'ord_1' },
    });

    test('a retry with the same key, method, path and body replays the first answer byte for byte and creates nothing', async () => {
      const customer = await createCustomer();
      const key = newKey();
      const body = accountBody(customer);
      const first = await api.post('/billing/accounts', body, { idempotencyKey: key });
      assert.equal(first.status, 201, first.text);
      const accountsAfterFirst = await countAccounts();

      const replay = await api.post('/billing/accounts', body, { idempotencyKey: key });
      assertReplayOf(replay, first);
      assert.equal(replay.body.id, first.body.id);
      assert.equal(await countAccounts(), accountsAfterFirst, 'the retry created no account');
      assert.equal(await countLedgerEntries(first.body.id), 1, 'the retry wrote no second initial entry');

      const list = await api.get(`/billing/accounts?external_reference=${body.external_reference}`);
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(
        list.body.data.map((a: { id: string }) => a.id),
        [first.body.id],
      );
    });

    test('a retry whose JSON differs only in key order and whitespace is the same request and is replayed', async () => {
      const customer = await createCustomer();
      const key = newKey();
      const ref = uniqueRef('ACC');
      const first = await api.post(
        '/billing/accounts',
        { customer, external_reference: ref, currency: 'ZAR', balance: 150, metadata: { a: '1', b: '2' } },
        { idempotencyKey: key },
      );
      assert.equal(first.status, 201, first.text);
      const before = await countAccounts();

      const reordered = `{\n  "metadata" : { "b": "2",   "a": "1" },\n\t"balance": 150,\n  "currency":"ZAR",\n  "external_reference": "${ref}",\n  "customer": "${customer}"\n}\n`;
      const replay = await api.post('/billing/accounts', undefined, { idempotencyKey: key, rawBody: reordered });
      assertReplayOf(replay, first);
      assert.equal(await countAccounts(), before);
    });

    test('the same key with a different body answers 409 idempotency-conflict naming the account the first request created', async () => {
      const customer = await createCustomer();
      const key = newKey();
      const body = accountBody(customer);
      const first = await api.post('/billing/accounts', body, { idempotencyKey: key });
      assert.equal(first.status, 201, first.text);
      const before = await countAccounts();

      const conflict = await api.post('/billing/accounts', { ...body, balance: 2001 }, { idempotencyKey: key });
      assertIdempotencyConflict(conflict, first.body.id);
      assert.equal(await countAccounts(), before, 'the conflicting request created nothing');
      const account = await api.get(`/billing/accounts/${first.body.id}`);
      assert.equal(account.body.balance, 2000, 'the conflicting request changed nothing');
    });

    test('the same key with the same body on a different path answers 409 idempotency-conflict naming the first object', async () => {
      const customer = await createCustomer();
      const key = newKey();
      const body = accountBody(customer);
      const first = await api.post('/billing/accounts', body, { idempotencyKey: key });
      assert.equal(first.status, 201, first.text);

      // The conflict is detected before the body is validated against the other route's schema.
      const conflict = await api.post('/billing/customers', body, { idempotencyKey: key });
      assertIdempotencyConflict(conflict, first.body.id);
    });

    test('the same key with a different method answers 409 idempotency-conflict naming the first object', async () => {
      const customer = await createCustomer();
      const key = newKey();
      const first = await api.post('/billing/accounts', accountBody(customer), { idempotencyKey: key });
      assert.equal(first.status, 201, first.text);

      // No billing path takes both POST and PATCH, so the method differs together with the path.
      const conflict = await api.patch(`/billing/accounts/${first.body.id}`, { name: 'Renamed' }, { idempotencyKey: key });
      assertIdempotencyConflict(conflict, first.body.id);
      const account = await api.get(`/billing/accounts/${first.body.id}`);
      assert.equal(account.body.name, 'Subscription', 'the conflicting PATCH changed nothing');
    });

    test('a duplicate external_reference 409 conflict is the key\'s answer and is replayed as that 409', async () => {
      const customer = await createCustomer();
      const body = accountBody(customer);
      const original = await api.post('/billing/accounts', body, { idempotencyKey: newKey() });
      assert.equal(original.status, 201, original.text);

      const key = newKey();
      const first = await api.post('/billing/accounts', body, { idempotencyKey: key });
      assert.equal(first.status, 409, first.text);
      assert.match(first.body.type, /#conflict$/);
      const before = await countAccounts();

      const replay = await api.post('/billing/accounts', body, { idempotencyKey: key });
      assertReplayOf(replay, first);
      assert.match(replay.body.type, /#conflict$/);
      assert.equal(await countAccounts(), before);
    });

    test('an unknown-customer 400 is replayed as that 400 even after the customer comes to exist', async () => {
      const customerRef = uniqueRef('CUS');
      const body = { customer: customerRef, external_reference: uniqueRef('ACC'), currency: 'ZAR', balance: 10 };
      const key = newKey();
      const first = await api.post('/billing/accounts', body, { idempotencyKey: key });
      assert.equal(first.status, 400, first.text);
      assert.match(first.body.type, /#validation-error$/);
      assert.ok(
        first.body.errors.some((e: { param: string }) => e.param === 'customer'),
        `the error names customer: ${first.text}`,
      );

      const customer = await api.post('/billing/customers', { external_reference: customerRef });
      assert.equal(customer.status, 201, customer.text);
      const before = await countAccounts();

      const replay = await api.post('/billing/accounts', body, { idempotencyKey: key });
      assertReplayOf(replay, first);
      assert.equal(await countAccounts(), before, 'the replay did not run the create again');
      const lookup = await api.get(`/billing/accounts/${body.external_reference}`);
      assert.equal(lookup.status, 404, lookup.text);
    });

    test('a schema validation 400 is the key\'s answer: it is replayed, and a valid body with that key is an idempotency conflict', async () => {
      const customer = await createCustomer();
      const key = newKey();
      const invalid = { ...accountBody(customer), balance: 1.5 };
      const first = await api.post('/billing/accounts', invalid, { idempotencyKey: key });
      assert.equal(first.status, 400, first.text);
      assert.match(first.body.type, /#validation-error$/);
      assert.ok(
        first.body.errors.some((e: { param: string }) => e.param === 'balance'),
        `the error names balance: ${first.text}`,
      );

      const replay = await api.post('/billing/accounts', invalid, { idempotencyKey: key });
      assertReplayOf(replay, first);

      const before = await countAccounts();
      const valid = { ...invalid, balance: 150 };
      const conflict = await api.post('/billing/accounts', valid, { idempotencyKey: key });
      assertIdempotencyConflict(conflict, null);
      assert.equal(await countAccounts(), before, 'the spent key created nothing');
      const lookup = await api.get(`/billing/accounts/${valid.external_reference}`);
      assert.equal(lookup.status, 404, lookup.text);
    });

    test('a PATCH retried with its Idempotency-Key replays the first answer and writes no second ledger entry', async () => {
      const created = await api.post('/billing/accounts', accountBody(await createCustomer()));
      assert.equal(created.status, 201, created.text);
      const id: string = created.body.id;
      const key = newKey();
      const change = { balance: 5000, currency: 'ZAR' };

      const first = await api.patch(`/billing/accounts/${id}`, change, { idempotencyKey: key });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.balance, 5000);
      assert.equal(await countLedgerEntries(id), 2, 'initial entry + one adjustment');

      // Someone else moves the balance; a re-execution of the retried PATCH would move it back.
      const other = await api.patch(`/billing/accounts/${id}`, { balance: 7000, currency: 'ZAR' });
      assert.equal(other.status, 200, other.text);

      const replay = await api.patch(`/billing/accounts/${id}`, change, { idempotencyKey: key });
      assertReplayOf(replay, first);
      assert.equal(replay.body.balance, 5000, 'the replay is the first answer');
      assert.equal(await countLedgerEntries(id), 3, 'the replay wrote no ledger entry');
      const account = await api.get(`/billing/accounts/${id}`);
      assert.equal(account.body.balance, 7000, 'the replay changed nothing');
      assert.equal(await ledgerSumInMinorUnits(store.reader, scope, id), 7000n);

      const conflict = await api.patch(`/billing/accounts/${id}`, { balance: 9000, currency: 'ZAR' }, { idempotencyKey: key });
      assertIdempotencyConflict(conflict, id);
    });

    test('the same key used by another tenant executes independently', async () => {
      const other = await server.createTenant('globex');
      const otherApi = client(server, other.keys.test.secret);
      const key = newKey();
      const body = { customer: { external_reference: uniqueRef('CUS') }, external_reference: uniqueRef('ACC'), currency: 'ZAR', balance: 300 };

      const mine = await api.post('/billing/accounts', body, { idempotencyKey: key });
      const theirs = await otherApi.post('/billing/accounts', body, { idempotencyKey: key });
      assert.equal(mine.status, 201, mine.text);
      assert.equal(theirs.status, 201, theirs.text);
      assert.equal(theirs.headers.get('idempotent-replayed'), null);
      assert.notEqual(theirs.body.id, mine.body.id);
      assert.equal((await otherApi.get(`/billing/accounts/${theirs.body.id}`)).status, 200);
      assert.equal((await api.get(`/billing/accounts/${theirs.body.id}`)).status, 404, "the other tenant's account is not mine");
    });

    test("the same key used by the same tenant's live key executes independently", async () => {
      const liveApi = client(server, server.tenant.keys.live.secret);
      const key = newKey();
      const body = { customer: { external_reference: uniqueRef('CUS') }, external_reference: uniqueRef('ACC'), currency: 'ZAR', balance: 300 };

      const inTest = await api.post('/billing/accounts', body, { idempotencyKey: key });
      const live = await liveApi.post('/billing/accounts', body, { idempotencyKey: key });
      assert.equal(inTest.status, 201, inTest.text);
      assert.equal(live.status, 201, live.text);
      assert.equal(live.headers.get('idempotent-replayed'), null);
      assert.notEqual(live.body.id, inTest.body.id);
      const liveScope: Scope = { tenantId: scope.tenantId, mode: 'live' };
      assert.equal(await ledgerSumInMinorUnits(store.reader, liveScope, live.body.id), 300n);
    });

    test('an expired key is treated as new: the request executes again', async () => {
      const customer = await createCustomer();
      const key = newKey();
      const body = accountBody(customer);
      const first = await api.post('/billing/accounts', body, { idempotencyKey: key });
      assert.equal(first.status, 201, first.text);

      const expire = () =>
        store.db
          .updateTable('idempotency_keys')
          .set({ expires_at: '2000-01-01T00:00:00.000Z' })
          .where('tenant_id', '=', scope.tenantId)
          .where('mode', '=', scope.mode)
          .where('key', '=', key)
          .executeTakeFirstOrThrow();
      assert.equal(Number((await expire()).numUpdatedRows), 1);
      assert.equal(await store.reader.idempotency.find(scope, key, new Date().toISOString()), undefined);

      // Executed again, the same create now meets the account its first execution made.
      const again = await api.post('/billing/accounts', body, { idempotencyKey: key });
      assert.equal(again.status, 409, again.text);
      assert.match(again.body.type, /#conflict$/);
      assert.equal(again.headers.get('idempotent-replayed'), null);

      // Expired again, the key is free for a different request, which creates its account.
      assert.equal(Number((await expire()).numUpdatedRows), 1);
      const otherBody = accountBody(customer);
      const fresh = await api.post('/billing/accounts', otherBody, { idempotencyKey: key });
      assert.equal(fresh.status, 201, fresh.text);
      assert.equal(fresh.headers.get('idempotent-replayed'), null);
      assert.notEqual(fresh.body.id, first.body.id);
      const record = await store.reader.idempotency.find(scope, key, new Date().toISOString());
      assert.equal(record?.response?.resourceId, fresh.body.id, 'the key now answers for the new request');
    });

    test('the purge deletes every expired key and no live one, batch by batch', async () => {
      const keys = Array.from({ length: 7 }, () => newKey());
      for (const key of keys) assert.equal((await api.post('/billing/customers', { external_reference: uniqueRef('PURGE') }, { idempotencyKey: key })).status, 201);
      const expiredKeys = keys.filter((_, i) => i % 2 === 0);
      await store.db.updateTable('idempotency_keys').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('tenant_id', '=', scope.tenantId).where('key', 'in', expiredKeys).execute();
      const now = new Date().toISOString();
      const expiredEverywhere = async () => Number((await store.db.selectFrom('idempotency_keys').select((eb) => eb.fn.countAll().as('n')).where('expires_at', '<=', now).executeTakeFirstOrThrow()).n);
      const before = await expiredEverywhere();
      assert.ok(before >= expiredKeys.length);
      // Batches of 2 keys: the walk must carry on from batch to batch to reach them all.
      assert.equal(await server.services.commands.purgeExpired(now, 2), before);
      assert.equal(await expiredEverywhere(), 0);
      for (const [i, key] of keys.entries()) {
        const record = await store.reader.idempotency.find(scope, key, '1999-01-01T00:00:00.000Z');
        assert.equal(record !== undefined, i % 2 === 1, `key ${i}: ${i % 2 === 1 ? 'live, kept' : 'expired, deleted'}`);
      }
    });

    test('a 5xx is not stored: the retry with the same key runs again', async () => {
      // A real database fault (a trigger that aborts one insert), not a mock.
      const ref = uniqueRef('BOOM');
      if (kind === 'sqlite') {
        await sql
          .raw(`create trigger fail_account_insert before insert on accounts when new.external_reference = '${ref}' begin select raise(abort, 'injected failure'); end`)
          .execute(store.db);
      } else {
        await sql.raw(`create function fail_account_insert() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`).execute(store.db);
        await sql
          .raw(`create trigger fail_account_insert before insert on accounts for each row when (new.external_reference = '${ref}') execute function fail_account_insert()`)
          .execute(store.db);
      }
      const customer = await createCustomer();
      const key = newKey();
      const body = { customer, external_reference: ref, currency: 'ZAR', balance: 42 };
      try {
        const failed = await api.post('/billing/accounts', body, { idempotencyKey: key });
        assert.equal(failed.status, 500, failed.text);
        assert.match(failed.body.type, /#internal-error$/);
        assert.equal(await store.reader.idempotency.find(scope, key, new Date().toISOString()), undefined, 'no record of the 5xx');
      } finally {
        await sql.raw(kind === 'sqlite' ? 'drop trigger fail_account_insert' : 'drop trigger fail_account_insert on accounts').execute(store.db);
        if (kind === 'postgres') await sql.raw('drop function fail_account_insert()').execute(store.db);
      }

      const retry = await api.post('/billing/accounts', body, { idempotencyKey: key });
      assert.equal(retry.status, 201, retry.text);
      assert.equal(retry.headers.get('idempotent-replayed'), null, 'the retry executed, it was not replayed');
      assert.equal(await ledgerSumInMinorUnits(store.reader, scope, retry.body.id), 42n);
    });

    test('a create without an Idempotency-Key answers 400 naming the header and creates nothing', async () => {
      const body = accountBody(await createCustomer());
      const before = await countAccounts();
      const response = await call(server, 'POST', '/billing/accounts', body, { key: server.tenant.keys.test.secret });
      assert.equal(response.status, 400, response.text);
      assert.match(response.body.type, /#validation-error$/);
      assert.match(response.text, /idempotency-key/i);
      assert.equal(await countAccounts(), before);
    });
  });
}
