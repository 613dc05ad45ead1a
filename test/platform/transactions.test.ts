import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { frozenTenant, liveAccount, platformClient, topUp, type PlatformClient } from './platform-api.js';

// SPEC §4b: GET /transactions and GET /transactions/{id}, Xendit's transactions built from the
// ledger: a transfer once per side (its own txn_ id, the transfer's reference_id), top-ups as
// TOPUP, for-user-id scoping, every filter, cursors and links, newest first.

const FEE = { xendit_fee: 0, value_added_tax: 0, xendit_withholding_tax: 0, third_party_withholding_tax: 0, status: 'COMPLETED' };

for (const kind of await storeKinds()) {
  describe(`platform transactions (${kind})`, () => {
    let server: TestApp;
    before(async () => {
      server = await build(kind);
    });
    after(() => server.close());

    const tenantAt = (start: string) => frozenTenant(server, start);

    async function transfer(api: PlatformClient, from: string, to: string, amount: string, reference = `ref-${randomUUID()}`) {
      const done = await api.postRaw('/transfers', `{"reference":"${reference}","amount":${amount},"source_user_id":"${from}","destination_user_id":"${to}"}`);
      assert.equal(done.status, 200, done.text);
      return done.body as { transfer_id: string; reference: string };
    }

    test('a transfer shows once per side with its own txn_ id and the transfer’s reference; a top-up as TOPUP; newest first', async () => {
      const { api, setClock, platformId } = await tenantAt('2031-01-01T10:00:00.000Z');
      const sub = await liveAccount(api);
      await topUp(api, '1000');
      await setClock('2031-01-01T11:00:00.000Z');
      const moved = await transfer(api, platformId, sub, '250');

      const mine = await api.get('/transactions');
      assert.equal(mine.status, 200, mine.text);
      assert.equal(mine.body.has_more, false);
      assert.deepEqual(mine.body.links, []);
      const [out, topup] = mine.body.data;
      assert.equal(mine.body.data.length, 2);
      assert.match(out.id, /^txn_[0-9A-Za-z]{21}$/);
      assert.deepEqual(out, {
        id: out.id,
        product_id: moved.transfer_id,
        type: 'TRANSFER',
        status: 'SUCCESS',
        channel_category: 'XENPLATFORM',
        channel_code: null,
        reference_id: moved.reference,
        account_identifier: null,
        currency: 'IDR',
        amount: 250,
        net_amount: 250,
        cashflow: 'MONEY_OUT',
        settlement_status: 'SETTLED',
        estimated_settlement_time: null,
        business_id: platformId,
        fee: FEE,
        created: '2031-01-01T11:00:00.000Z',
        updated: '2031-01-01T11:00:00.000Z',
      });
      assert.deepEqual(
        { ...topup, id: undefined, product_id: undefined, reference_id: undefined },
        { ...out, id: undefined, product_id: undefined, reference_id: undefined, type: 'TOPUP', amount: 1000, net_amount: 1000, cashflow: 'MONEY_IN', estimated_settlement_time: '2031-01-01T10:00:00.000Z', created: '2031-01-01T10:00:00.000Z', updated: '2031-01-01T10:00:00.000Z' },
      );
      assert.equal(topup.product_id, topup.reference_id, 'a top-up’s product and reference id are its own id');

      const theirs = await api.get('/transactions', { 'for-user-id': sub });
      assert.equal(theirs.body.data.length, 1);
      const inSide = theirs.body.data[0];
      assert.notEqual(inSide.id, out.id, 'each side has its own id');
      assert.deepEqual([inSide.cashflow, inSide.reference_id, inSide.product_id, inSide.amount, inSide.estimated_settlement_time], ['MONEY_IN', moved.reference, moved.transfer_id, 250, '2031-01-01T11:00:00.000Z']);

      // GET by id answers the list's object; the same id read again is the same (ids are stable).
      for (const [txn, headers] of [[out, {}], [topup, {}], [inSide, { 'for-user-id': sub }]] as const) {
        const one = await api.get(`/transactions/${txn.id}`, headers);
        assert.equal(one.status, 200, one.text);
        assert.deepEqual(one.body, txn);
      }
    });

    test('another user’s transaction, an unknown or malformed id answer 404 DATA_NOT_FOUND', async () => {
      const { api, platformId } = await tenantAt('2031-02-01T10:00:00.000Z');
      const sub = await liveAccount(api);
      await topUp(api, '100');
      await transfer(api, platformId, sub, '40');
      const subTxn = (await api.get('/transactions', { 'for-user-id': sub })).body.data[0].id as string;
      const platformTxn = (await api.get('/transactions')).body.data[0].id as string;
      for (const [id, headers] of [[subTxn, {}], [platformTxn, { 'for-user-id': sub }], ['txn_000000000000000000000', {}], ['not-an-id', {}], [subTxn.replace('txn_', 'ble_'), { 'for-user-id': sub }]] as const) {
        const answer = await api.get(`/transactions/${id}`, headers);
        assert.equal(answer.status, 404, `${id}: ${answer.text}`);
        assert.equal(answer.body.error_code, 'DATA_NOT_FOUND');
      }
      const unknownUser = await api.get('/transactions', { 'for-user-id': '0123456789abcdef01234567' });
      assert.equal(unknownUser.status, 404);
      assert.equal(unknownUser.body.error_code, 'DATA_NOT_FOUND');
    });

    test('filters: types, statuses, channel_categories, reference_id, product_id, currency, amount, created and updated bounds', async () => {
      const { api, setClock, platformId } = await tenantAt('2031-03-01T10:00:00.000Z');
      const sub = await liveAccount(api);
      await topUp(api, '1000');
      await topUp(api, '12.5', undefined, 'PHP');
      await setClock('2031-03-01T12:00:00.000Z');
      const first = await transfer(api, platformId, sub, '300');
      await setClock('2031-03-01T14:00:00.000Z');
      const second = await transfer(api, platformId, sub, '200');
      const ids = async (query: string) => {
        const answer = await api.get(`/transactions?${query}`);
        assert.equal(answer.status, 200, `${query}: ${answer.text}`);
        return answer.body.data.map((t: { type: string; amount: number; currency: string }) => `${t.type} ${t.amount} ${t.currency}`);
      };
      assert.deepEqual(await ids(''), ['TRANSFER 200 IDR', 'TRANSFER 300 IDR', 'TOPUP 12.5 PHP', 'TOPUP 1000 IDR']);
      assert.deepEqual(await ids('types=TOPUP'), ['TOPUP 12.5 PHP', 'TOPUP 1000 IDR']);
      assert.deepEqual(await ids('types=TOPUP,TRANSFER'), await ids(''));
      assert.deepEqual(await ids('types=TOPUP&types=TRANSFER'), await ids(''));
      assert.deepEqual(await ids('types=PAYMENT'), []);
      assert.deepEqual(await ids('statuses=SUCCESS'), await ids(''));
      assert.deepEqual(await ids('statuses=PENDING,FAILED'), []);
      assert.deepEqual(await ids('channel_categories=XENPLATFORM'), await ids(''));
      assert.deepEqual(await ids('channel_categories=BANK'), []);
      assert.deepEqual(await ids(`reference_id=${first.reference}`), ['TRANSFER 300 IDR']);
      assert.deepEqual(await ids(`product_id=${second.transfer_id}`), ['TRANSFER 200 IDR']);
      assert.deepEqual(await ids(`product_id=${second.transfer_id}&reference_id=${first.reference}`), []);
      assert.deepEqual(await ids('product_id=0123456789abcdef01234567'), []);
      const topUpId = (await api.get('/transactions?types=TOPUP&currency=PHP')).body.data[0].product_id as string;
      assert.deepEqual(await ids(`product_id=${topUpId}`), ['TOPUP 12.5 PHP']);
      assert.deepEqual(await ids(`reference_id=${topUpId}&types=TRANSFER`), []);
      assert.deepEqual(await ids('currency=PHP'), ['TOPUP 12.5 PHP']);
      assert.deepEqual(await ids('amount=300'), ['TRANSFER 300 IDR']);
      assert.deepEqual(await ids('amount=12.50'), ['TOPUP 12.5 PHP']);
      assert.deepEqual(await ids('account_identifier=123'), []);
      assert.deepEqual(await ids('created[gte]=2031-03-01T12:00:00.000Z'), ['TRANSFER 200 IDR', 'TRANSFER 300 IDR']);
      assert.deepEqual(await ids('created[lte]=2031-03-01T12:00:00.000Z'), ['TRANSFER 300 IDR', 'TOPUP 12.5 PHP', 'TOPUP 1000 IDR']);
      assert.deepEqual(await ids('created[gte]=2031-03-01T11:00:00Z&created[lte]=2031-03-01T13:00:00Z'), ['TRANSFER 300 IDR']);
      assert.deepEqual(await ids('updated[gte]=2031-03-01T13:00:00Z'), ['TRANSFER 200 IDR']);
      assert.deepEqual(await ids('updated[lte]=2031-03-01T09:00:00Z'), []);
      assert.deepEqual(await ids('types=TRANSFER&amount=200&currency=IDR'), ['TRANSFER 200 IDR']);
    });

    test('pages: limit 1–50 (default 10), after_id and before_id, has_more and links with the same filters', async () => {
      const { api } = await tenantAt('2031-04-01T10:00:00.000Z');
      for (let i = 1; i <= 12; i += 1) await topUp(api, String(i));
      const first = await api.get('/transactions');
      assert.equal(first.body.data.length, 10, 'default limit 10');
      assert.equal(first.body.has_more, true);
      const amounts = (body: { data: { amount: number }[] }) => body.data.map((t) => t.amount);
      assert.deepEqual(amounts(first.body), [12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);

      const page1 = await api.get('/transactions?limit=5&types=TOPUP');
      assert.deepEqual(amounts(page1.body), [12, 11, 10, 9, 8]);
      assert.deepEqual(page1.body.links.map((l: { rel: string }) => l.rel), ['next']);
      const next = page1.body.links[0];
      assert.equal(next.method, 'GET');
      assert.match(next.href, /^\/transactions\?/);
      const href = new URL(next.href, 'http://x');
      assert.deepEqual([href.searchParams.get('limit'), href.searchParams.get('types'), href.searchParams.get('after_id')], ['5', 'TOPUP', page1.body.data[4].id]);

      const page2 = await api.get(next.href);
      assert.deepEqual(amounts(page2.body), [7, 6, 5, 4, 3]);
      assert.equal(page2.body.has_more, true);
      assert.deepEqual(page2.body.links.map((l: { rel: string }) => l.rel), ['next', 'prev']);
      const page3 = await api.get(page2.body.links[0].href);
      assert.deepEqual(amounts(page3.body), [2, 1]);
      assert.equal(page3.body.has_more, false);
      assert.deepEqual(page3.body.links.map((l: { rel: string }) => l.rel), ['prev']);
      const back = await api.get(page3.body.links[0].href);
      assert.deepEqual(amounts(back.body), [7, 6, 5, 4, 3]);
      const before = await api.get(`/transactions?limit=2&before_id=${page2.body.data[0].id}`);
      assert.deepEqual(amounts(before.body), [9, 8]);

      assert.equal((await api.get('/transactions?limit=50')).body.data.length, 12);
      for (const bad of ['limit=0', 'limit=51', 'limit=ten', `after_id=${page1.body.data[0].id}&before_id=${page1.body.data[1].id}`, 'after_id=txn_000000000000000000000', 'before_id=nope']) {
        const answer = await api.get(`/transactions?${bad}`);
        assert.equal(answer.status, 400, `${bad}: ${answer.text}`);
        assert.equal(answer.body.error_code, 'API_VALIDATION_ERROR', bad);
      }
    });

    test('bad filters answer 400 API_VALIDATION_ERROR in Xendit’s shape', async () => {
      const { api } = await tenantAt('2031-05-01T10:00:00.000Z');
      for (const bad of ['types=SOMETHING', 'statuses=DONE', 'channel_categories=PIGEON', 'currency=XYZ', 'currency=idr', 'amount=-5', 'amount=1e3', 'amount=1.0000000001', 'created[gte]=yesterday', 'updated[lte]=2031-02-30T00:00:00Z', 'unknown=1']) {
        const answer = await api.get(`/transactions?${bad}`);
        assert.equal(answer.status, 400, `${bad}: ${answer.text}`);
        assert.equal(answer.body.error_code, 'API_VALIDATION_ERROR', bad);
        assert.equal(typeof answer.body.message, 'string');
      }
    });

    test('tenant and mode isolation: another tenant’s or the other mode’s transactions are never listed nor found', async () => {
      const a = await tenantAt('2031-06-01T10:00:00.000Z');
      await topUp(a.api, '77');
      const txn = (await a.api.get('/transactions')).body.data[0].id as string;
      const b = await tenantAt('2031-06-01T10:00:00.000Z');
      assert.deepEqual((await b.api.get('/transactions')).body.data, []);
      assert.equal((await b.api.get(`/transactions/${txn}`)).status, 404);
      const live = platformClient(server, a.tenant.keys.live.secret);
      assert.deepEqual((await live.get('/transactions')).body.data, []);
      assert.equal((await live.get(`/transactions/${txn}`)).status, 404);
      const crossCursor = await b.api.get(`/transactions?after_id=${txn}`);
      assert.equal(crossCursor.status, 400);
      const publishable = await platformClient(server, a.tenant.keys.test.publishable).get('/transactions');
      assert.equal(publishable.status, 403);
      assert.equal(publishable.body.error_code, 'REQUEST_FORBIDDEN_ERROR');
      assert.equal((await platformClient(server, 'sk_test_nope').get('/transactions')).status, 401);
    });
  });
}
