import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { EXTERNAL } from '../../src/ledger/model.js';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { waitFor } from '../support/wait.js';
import { accountBody, balanceOf, liveAccount, platformClient, topUp, type PlatformClient } from './platform-api.js';

for (const kind of await storeKinds()) {
  describe(`platform balances and transfers (${kind})`, () => {
    let server: TestApp;
    let api: PlatformClient;
    let platformId: string;
    const transfer = (source: string, destination: string, amount: string, reference: string = randomUUID(), extra = '') =>
      api.postRaw('/transfers', `{"reference":"${reference}","amount":${amount},"source_user_id":"${source}","destination_user_id":"${destination}"${extra}}`);
    before(async () => {
      server = await build(kind);
      api = platformClient(server, server.tenant.keys.test.secret);
      platformId = server.tenant.tenant.id;
    });
    after(() => server.close());

    test('a new holder has a zero balance; the currency defaults to the tenant country’s (ID → IDR)', async () => {
      const id = await liveAccount(api);
      assert.deepEqual((await api.get('/balance', { 'for-user-id': id })).body, { balance: 0 });
      await topUp(api, '2500', id);
      assert.deepEqual((await api.get('/balance', { 'for-user-id': id })).body, { balance: 2500 });
      assert.deepEqual((await api.get('/balance?currency=PHP', { 'for-user-id': id })).body, { balance: 0 });
      const unknown = await api.get('/balance', { 'for-user-id': '0123456789abcdef01234567' });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error_code, 'DATA_NOT_FOUND');
      assert.equal((await api.get('/balance?currency=XYZ')).status, 400);
    });

    test('a transfer to its own source answers 400 naming destination_user_id (the request field), and moves nothing', async () => {
      const id = await liveAccount(api);
      await topUp(api, '500', id);
      for (const holder of [id, platformId]) {
        const reference = randomUUID();
        const answer = await transfer(holder, holder, '100', reference);
        assert.equal(answer.status, 400, answer.text);
        assert.equal(answer.body.error_code, 'API_VALIDATION_ERROR');
        assert.match(answer.body.message, /destination_user_id/);
        assert.doesNotMatch(answer.text, /"to"|\bto must/);
        assert.equal((await api.get(`/transfers/reference=${reference}`)).status, 404);
      }
      assert.deepEqual((await api.get('/balance', { 'for-user-id': id })).body, { balance: 500 });
    });

    test('a transfer moves the amount atomically and reads back by reference', async () => {
      const destination = await liveAccount(api);
      const before = BigInt(await balanceOf(api));
      await topUp(api, '1000');
      const reference = `order-${randomUUID()}`;
      const done = await transfer(platformId, destination, '300', reference);
      assert.equal(done.status, 200, done.text);
      assert.deepEqual(
        { ...done.body, created: undefined, transfer_id: undefined },
        { created: undefined, transfer_id: undefined, reference, source_user_id: platformId, destination_user_id: destination, status: 'SUCCESSFUL', amount: 300, currency: 'IDR' },
      );
      assert.match(done.body.transfer_id, /^[0-9a-f]{24}$/);
      assert.equal(await balanceOf(api, destination), '300');
      assert.equal(BigInt(await balanceOf(api)), before + 700n);
      const read = await api.get(`/transfers/reference=${reference}`);
      assert.equal(read.status, 200);
      assert.equal(read.text, done.text);
      const missing = await api.get('/transfers/reference=nothing-here');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error_code, 'DATA_NOT_FOUND');
    });

    test('insufficient funds, a duplicate reference, an unknown or non-LIVE party each refuse the transfer and change nothing', async () => {
      const a = await liveAccount(api);
      const b = await liveAccount(api);
      await topUp(api, '10', a);
      const short = await transfer(a, b, '11');
      assert.equal(short.status, 400);
      assert.equal(short.body.error_code, 'INSUFFICIENT_BALANCE');
      const reference = randomUUID();
      assert.equal((await transfer(a, b, '1', reference)).status, 200);
      const duplicate = await transfer(a, b, '1', reference);
      assert.equal(duplicate.status, 400);
      assert.equal(duplicate.body.error_code, 'DUPLICATE_ERROR');
      const unknown = await transfer(a, '0123456789abcdef01234567', '1');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error_code, 'DESTINATION_ACCOUNT_NOT_FOUND');
      const unknownSource = await transfer('0123456789abcdef01234567', b, '1');
      assert.equal(unknownSource.body.error_code, 'DESTINATION_ACCOUNT_NOT_FOUND');
      const invited = (await api.post('/v2/accounts', accountBody('MANAGED'))).body.id as string;
      const toInvited = await transfer(a, invited, '1');
      assert.equal(toInvited.status, 403);
      assert.equal(toInvited.body.error_code, 'XEN_PLATFORM_SUB_ACCOUNT_NOT_LIVE');
      assert.equal((await api.post(`/v2/accounts/${b}/test/status`, { status: 'SUSPENDED' })).status, 200);
      const toSuspended = await transfer(a, b, '1');
      assert.equal(toSuspended.body.error_code, 'XEN_PLATFORM_SUB_ACCOUNT_NOT_LIVE');
      const fromSuspended = await transfer(b, a, '1');
      assert.equal(fromSuspended.body.error_code, 'XEN_PLATFORM_SUB_ACCOUNT_NOT_LIVE');
      assert.equal(await balanceOf(api, a), '9');
      assert.equal(await balanceOf(api, b), '1');
      assert.equal(await balanceOf(api, invited), '0');
    });

    test('IDR takes whole amounts only and PHP two decimals, exactly; more decimals, zero or negatives are INVALID_AMOUNT', async () => {
      const a = await liveAccount(api);
      await topUp(api, '9007199254740993', a);
      assert.equal(await balanceOf(api, a), '9007199254740993', 'beyond 2^53, exactly');
      for (const amount of ['0.5', '1.01', '0', '-5', '1e-1']) {
        const answer = await api.postRaw('/balance/test/topup', `{"amount":${amount},"currency":"IDR"}`, { 'for-user-id': a });
        assert.equal(answer.status, 400, amount);
        assert.equal(answer.body.error_code, 'INVALID_AMOUNT', `${amount}: ${answer.text}`);
      }
      assert.equal((await api.postRaw('/balance/test/topup', '{"amount":1.0E2,"currency":"IDR"}', { 'for-user-id': a })).status, 200);
      await topUp(api, '0.01', a, 'PHP');
      await topUp(api, '12345678901234567.89', a, 'PHP');
      assert.equal(await balanceOf(api, a, 'PHP'), '12345678901234567.9');
      for (const amount of ['0.001', '1.234']) {
        const answer = await api.postRaw('/balance/test/topup', `{"amount":${amount},"currency":"PHP"}`, { 'for-user-id': a });
        assert.equal(answer.body.error_code, 'INVALID_AMOUNT', amount);
      }
      const b = await liveAccount(api);
      const php = await transfer(a, b, '0.01', randomUUID(), ',"currency":"PHP"');
      assert.equal(php.status, 200, php.text);
      assert.equal(php.body.amount, 0.01);
      assert.equal(await balanceOf(api, b, 'PHP'), '0.01');
      const precise = await transfer(a, b, '0.001', randomUUID(), ',"currency":"PHP"');
      assert.equal(precise.body.error_code, 'INVALID_AMOUNT');
      assert.equal((await transfer(a, b, '"10"')).body.error_code, 'API_VALIDATION_ERROR');
    });

    test('20 concurrent transfers of 1 from a balance of 10: exactly 10 succeed, the source ends at 0', async () => {
      const source = await liveAccount(api);
      const destination = await liveAccount(api);
      await topUp(api, '10', source);
      const answers = await Promise.all(Array.from({ length: 20 }, () => transfer(source, destination, '1')));
      assert.equal(answers.filter((a) => a.status === 200).length, 10);
      assert.ok(answers.filter((a) => a.status !== 200).every((a) => a.body.error_code === 'INSUFFICIENT_BALANCE'));
      assert.equal(await balanceOf(api, source), '0');
      assert.equal(await balanceOf(api, destination), '10');
    });

    test('concurrent A→B and B→A transfers do not deadlock, and the total stays', async () => {
      const a = await liveAccount(api);
      const b = await liveAccount(api);
      await topUp(api, '100', a);
      await topUp(api, '100', b);
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? transfer(a, b, '3') : transfer(b, a, '2'))));
      assert.ok(answers.every((answer) => answer.status === 200), answers.map((answer) => answer.text).join('\n'));
      assert.equal(await balanceOf(api, a), String(100 - 15 * 3 + 15 * 2));
      assert.equal(await balanceOf(api, b), String(100 + 15 * 3 - 15 * 2));
    });

    test('concurrent transfers with one reference: exactly one succeeds', async () => {
      const a = await liveAccount(api);
      const b = await liveAccount(api);
      await topUp(api, '100', a);
      const reference = randomUUID();
      const answers = await Promise.all(Array.from({ length: 8 }, () => transfer(a, b, '1', reference)));
      assert.equal(answers.filter((answer) => answer.status === 200).length, 1);
      assert.ok(answers.filter((answer) => answer.status !== 200).every((answer) => answer.body.error_code === 'DUPLICATE_ERROR'), answers.map((x) => x.text).join('\n'));
      assert.equal(await balanceOf(api, b), '1');
    });

    test('a transfer retried with its idempotency key is replayed, not repeated', async () => {
      const a = await liveAccount(api);
      await topUp(api, '5');
      const key = randomUUID();
      const body = { reference: randomUUID(), amount: 2, source_user_id: platformId, destination_user_id: a };
      const first = await api.post('/transfers', body, { 'x-idempotency-key': key });
      const retry = await api.post('/transfers', body, { 'x-idempotency-key': key });
      assert.equal(first.status, 200, first.text);
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.equal(retry.text, first.text);
      assert.equal(await balanceOf(api, a), '2');
    });

    test('top-ups are test mode only; another tenant and the live mode cannot reach these balances or transfers', async () => {
      const a = await liveAccount(api);
      const live = platformClient(server, server.tenant.keys.live.secret);
      const refused = await live.postRaw('/balance/test/topup', '{"amount":5}');
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error_code, 'REQUEST_FORBIDDEN_ERROR');
      const reference = randomUUID();
      await topUp(api, '5');
      assert.equal((await transfer(platformId, a, '1', reference)).status, 200);
      const other = await server.createTenant('other');
      for (const outsider of [live, platformClient(server, other.keys.test.secret)]) {
        assert.equal((await outsider.get(`/transfers/reference=${reference}`)).status, 404);
        assert.equal((await outsider.get('/balance', { 'for-user-id': a })).status, 404);
        const moved = await outsider.postRaw('/transfers', `{"reference":"${randomUUID()}","amount":1,"source_user_id":"${a}","destination_user_id":"${platformId}"}`);
        assert.equal(moved.status, 404);
        assert.equal(moved.body.error_code, 'DESTINATION_ACCOUNT_NOT_FOUND');
      }
      // The same reference is free in the other mode and tenant.
      const otherApi = platformClient(server, other.keys.test.secret);
      await otherApi.postRaw('/balance/test/topup', '{"amount":1}');
      const sub = await liveAccount(otherApi);
      const same = await otherApi.postRaw('/transfers', `{"reference":"${reference}","amount":1,"source_user_id":"${other.tenant.id}","destination_user_id":"${sub}"}`);
      assert.equal(same.status, 200, same.text);
    });

    test('every balance equals the sum of its entries, and the holders sum to the external postings', async () => {
      const scope = { tenantId: platformId, mode: 'test' as const };
      const reader = server.services.store.reader;
      const balances = await reader.balances.listForScope(scope);
      for (const balance of balances) {
        const chain = await reader.ledger.chain(scope, balance.holderId, balance.currency);
        assert.equal(chain.reduce((sum, e) => sum + e.amount, 0n), balance.amount, `${balance.holderId} ${balance.currency}`);
      }
      const external = await reader.ledger.listByCounterparty(scope, EXTERNAL);
      for (const currency of new Set(balances.map((b) => b.currency))) {
        const held = balances.filter((b) => b.currency === currency).reduce((sum, b) => sum + b.amount, 0n);
        assert.equal(held, external.filter((e) => e.currency === currency).reduce((sum, e) => sum + e.amount, 0n), currency);
      }
    });
  });
}

// SPEC §9 "Status under lock", deterministically on PostgreSQL, where API nodes share one
// database (SQLite has one writer: a transfer and a suspension run one after the other). A
// session of its own holds the source's balance row lock; a transfer on one node queues behind
// it; a suspension is sent to another node. The suspension must not answer while that transfer
// can still commit: once it has answered, the balance does not move again.
for (const kind of (await storeKinds()).filter((k) => k === 'postgres')) {
  describe(`a platform transfer queued on a balance and a suspension on another node (${kind})`, () => {
    let server: TestApp;
    let otherNode: TestApp;
    before(async () => {
      server = await build(kind);
      otherNode = await build(kind, { database: server.database });
    });
    after(async () => {
      await otherNode.close();
      await server.close();
    });

    test('once a suspension has answered, no transfer from that sub-account commits, even one already queued on its balance', async () => {
      const api = platformClient(server, server.tenant.keys.test.secret);
      const [source, destination] = [await liveAccount(api), await liveAccount(api)];
      await topUp(api, '1000', source);
      const session = new pg.Client({ connectionString: server.database.url });
      await session.connect();
      const lockWaiters = async () =>
        Number((await session.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n);
      try {
        await session.query('BEGIN');
        await session.query(`SELECT amount FROM balances WHERE tenant_id = $1 AND holder_id = $2 AND mode = 'test' FOR UPDATE`, [server.tenant.tenant.id, source]);
        const transfer = api.postRaw('/transfers', `{"reference":"${randomUUID()}","amount":50,"source_user_id":"${source}","destination_user_id":"${destination}"}`);
        await waitFor(async () => ((await lockWaiters()) >= 1 ? true : null), 10_000, 'the transfer waiting on the balance lock');
        let suspendedFirst = false;
        const suspension = platformClient(otherNode, server.tenant.keys.test.secret)
          .post(`/v2/accounts/${source}/test/status`, { status: 'SUSPENDED' })
          .then((answer) => {
            suspendedFirst = true;
            return answer;
          });
        // The suspension waits for the transfer's lock on the sub-account (or, were the bug back,
        // answers at once): either way, release the balance once it is one or the other.
        await waitFor(async () => (suspendedFirst || (await lockWaiters()) >= 2 ? true : null), 10_000, 'the suspension waiting on a lock, or answered');
        const suspendedBeforeRelease = suspendedFirst;
        await session.query('ROLLBACK');
        const [moved, suspended] = await Promise.all([transfer, suspension]);
        assert.equal(suspended.status, 200, suspended.text);
        assert.equal(suspendedBeforeRelease, false, 'the suspension did not answer while a transfer from the account could still commit');
        assert.equal(moved.status, 200, moved.text);
        assert.equal(await balanceOf(api, source), '950');
        // And after the suspension, a transfer is refused.
        const refused = await api.postRaw('/transfers', `{"reference":"${randomUUID()}","amount":50,"source_user_id":"${source}","destination_user_id":"${destination}"}`);
        assert.equal(refused.status, 403, refused.text);
        assert.equal(refused.body.error_code, 'XEN_PLATFORM_SUB_ACCOUNT_NOT_LIVE');
      } finally {
        await session.end();
      }
    });
  });
}
