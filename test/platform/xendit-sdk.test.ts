import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Xendit } from 'xendit-node';
import { build, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { liveAccount, platformClient, topUp } from './platform-api.js';

// The official Xendit Node SDK, unchanged, pointed at this service. It covers Balance (not
// accounts or transfers, which it has no client for), with Basic auth and for-user-id.
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
