import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Xendit } from 'xendit-node';
import { build, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { client } from '../support/http.js';
import { liveAccount, platformClient, topUp } from './platform-api.js';

// The official Xendit Node SDK (xendit-node 7), unchanged, pointed at this service. It covers
// Balance and Transaction (not accounts or transfers, which it has no client for), with Basic
// auth and for-user-id; a `format: "xendit"` key is what it expects (SPEC §1, §4b).
for (const kind of await storeKinds()) {
  describe(`the official xendit-node SDK (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      // Listening: the SDK takes a URL (and no fetch of ours); the setup calls go through inject.
      server = await build(kind, { listen: true });
    });
    after(() => server.close());

    test("Balance.getBalance reads the platform's balance and a sub-account's through for-user-id", async () => {
      const api = platformClient(server, server.tenant.keys.test.secret);
      const sub = await liveAccount(api);
      await topUp(api, '150000');
      const moved = await api.post('/transfers', { reference: 'sdk-1', amount: 25000, source_user_id: server.tenant.tenant.id, destination_user_id: sub });
      assert.equal(moved.status, 200, moved.text);

      const xendit = new Xendit({ secretKey: server.tenant.keys.test.secret, xenditURL: server.baseUrl });
      assert.deepEqual(await xendit.Balance.getBalance({ currency: 'IDR' }), { balance: 125000 });
      assert.deepEqual(await xendit.Balance.getBalance({ forUserId: sub }), { balance: 25000 });
      assert.deepEqual(await xendit.Balance.getBalance({ accountType: 'CASH', currency: 'IDR', forUserId: sub }), { balance: 25000 });
    });

    /** The SDK client built with the tenant's Xendit-format test key, and what building it printed. */
    function xenditClient(secretKey = server.tenant.keys.test.xendit) {
      const printed: string[] = [];
      const [error, log] = [console.error, console.log];
      console.error = (...args: unknown[]) => void printed.push(`error: ${args.join(' ')}`);
      console.log = (...args: unknown[]) => void printed.push(`log: ${args.join(' ')}`);
      try {
        return { xendit: new Xendit({ secretKey, xenditURL: server.baseUrl }), printed };
      } finally {
        [console.error, console.log] = [error, log];
      }
    }

    test('with a format "xendit" key, building the client prints nothing on console.error or console.log (an sk_ key gets "Invalid secret key")', () => {
      assert.match(server.tenant.keys.test.xendit, /^xnd_development_/);
      assert.deepEqual(xenditClient().printed, []);
      assert.deepEqual(xenditClient(server.tenant.keys.live.xendit).printed, []);
      assert.match(xenditClient(server.tenant.keys.test.secret).printed.join('\n'), /Invalid secret key/, 'the check this key format exists for');
    });

    test('Balance.getBalance with accountType HOLDING and TAX answers 0, and atTimestamp the balance as it stood then', async () => {
      const tenant = await server.createTenant('sdk-balance');
      const testing = client(server, tenant.keys.test.xendit);
      assert.equal((await testing.put('/testing/v1/clock', { frozen_at: '2032-01-01T10:00:00.000Z' })).status, 200);
      const api = platformClient(server, tenant.keys.test.xendit);
      await topUp(api, '5000');
      assert.equal((await testing.put('/testing/v1/clock', { frozen_at: '2032-01-01T12:00:00.000Z' })).status, 200);
      await topUp(api, '1500');
      const xendit = new Xendit({ secretKey: tenant.keys.test.xendit, xenditURL: server.baseUrl });
      assert.deepEqual(await xendit.Balance.getBalance({ accountType: 'HOLDING' }), { balance: 0 });
      assert.deepEqual(await xendit.Balance.getBalance({ accountType: 'TAX', currency: 'IDR' }), { balance: 0 });
      assert.deepEqual(await xendit.Balance.getBalance({ accountType: 'CASH' }), { balance: 6500 });
      assert.deepEqual(await xendit.Balance.getBalance({ atTimestamp: new Date('2032-01-01T11:00:00.000Z') }), { balance: 5000 });
      assert.deepEqual(await xendit.Balance.getBalance({ accountType: 'CASH', currency: 'IDR', atTimestamp: new Date('2032-01-01T09:00:00.000Z') }), { balance: 0 });
    });

    test('Transaction.getAllTransactions and getTransactionByID read the ledger, with filters, pages and for-user-id', async () => {
      const { xendit } = xenditClient();
      const api = platformClient(server, server.tenant.keys.test.xendit);
      const sub = await liveAccount(api);
      await topUp(api, '900');
      const moved = await api.post('/transfers', { reference: 'sdk-txn-1', amount: 400, source_user_id: server.tenant.tenant.id, destination_user_id: sub });
      assert.equal(moved.status, 200, moved.text);

      const mine = await xendit.Transaction.getAllTransactions({ types: ['TRANSFER'], referenceId: 'sdk-txn-1' });
      assert.equal(mine.hasMore, false);
      assert.equal(mine.data.length, 1);
      const out = mine.data[0]!;
      assert.deepEqual(
        [out.type, out.status, out.channelCategory, out.cashflow, out.amount, out.currency, out.productId, out.businessId, out.settlementStatus, out.estimatedSettlementTime ?? null],
        ['TRANSFER', 'SUCCESS', 'XENPLATFORM', 'MONEY_OUT', 400, 'IDR', moved.body.transfer_id, server.tenant.tenant.id, 'SETTLED', null],
      );
      assert.ok(out.created instanceof Date && out.created.getTime() === out.updated.getTime());
      assert.deepEqual(out.fee, { xenditFee: 0, valueAddedTax: 0, xenditWithholdingTax: 0, thirdPartyWithholdingTax: 0, status: 'COMPLETED' });

      const theirs = await xendit.Transaction.getAllTransactions({ forUserId: sub });
      assert.deepEqual(theirs.data.map((t) => [t.cashflow, t.referenceId]), [['MONEY_IN', 'sdk-txn-1']]);
      const one = await xendit.Transaction.getTransactionByID({ id: theirs.data[0]!.id, forUserId: sub });
      assert.deepEqual(one, theirs.data[0]);

      const filtered = await xendit.Transaction.getAllTransactions({
        types: ['TOPUP', 'TRANSFER'],
        statuses: ['SUCCESS'],
        channelCategories: ['XENPLATFORM'],
        currency: 'IDR',
        amount: 900,
        created: { gte: new Date(Date.now() - 3_600_000), lte: new Date(Date.now() + 3_600_000) },
        limit: 1,
      });
      assert.deepEqual(filtered.data.map((t) => [t.type, t.amount]), [['TOPUP', 900]]);

      const first = await xendit.Transaction.getAllTransactions({ limit: 1 });
      assert.equal(first.hasMore, true);
      assert.equal(first.links?.[0]?.rel, 'next');
      const second = await xendit.Transaction.getAllTransactions({ limit: 1, afterId: first.data[0]!.id });
      assert.notEqual(second.data[0]!.id, first.data[0]!.id);

      await assert.rejects(xendit.Transaction.getTransactionByID({ id: theirs.data[0]!.id }), (error: { status?: number; errorCode?: string }) => {
        assert.equal(error.status, 404, 'the sub-account’s transaction is not the platform’s');
        assert.equal(error.errorCode, 'DATA_NOT_FOUND');
        return true;
      });
    });

    test('the SDK surfaces our Xendit-shaped errors: a publishable key, an unknown for-user-id', async () => {
      const publishable = new Xendit({ secretKey: server.tenant.keys.test.publishable, xenditURL: server.baseUrl });
      await assert.rejects(publishable.Balance.getBalance({}), (error: { status?: number; errorCode?: string }) => {
        assert.equal(error.status, 403);
        assert.equal(error.errorCode, 'REQUEST_FORBIDDEN_ERROR');
        return true;
      });
      const xendit = new Xendit({ secretKey: server.tenant.keys.test.secret, xenditURL: server.baseUrl });
      await assert.rejects(xendit.Balance.getBalance({ forUserId: '0123456789abcdef01234567' }), (error: { status?: number; errorCode?: string }) => {
        assert.equal(error.status, 404);
        assert.equal(error.errorCode, 'DATA_NOT_FOUND');
        return true;
      });
    });
  });
}
