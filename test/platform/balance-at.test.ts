import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { frozenTenant, liveAccount, platformClient, topUp } from './platform-api.js';

// SPEC §4b: GET /balance takes account_type (CASH, HOLDING, TAX) and at_timestamp (the balance as
// it stood at that instant, read from the ledger entries' balance_after, SPEC §8).

for (const kind of await storeKinds()) {
  describe(`platform balance: account_type and at_timestamp (${kind})`, () => {
    let server: TestApp;
    before(async () => {
      server = await build(kind);
    });
    after(() => server.close());

    const frozen = (start: string) => frozenTenant(server, start);

    test('at_timestamp answers the balance as it stood at each instant, the platform’s and a sub-account’s', async () => {
      const { tenant, api, setClock } = await frozen('2030-01-01T10:00:00.000Z');
      const sub = await liveAccount(api);
      await topUp(api, '1000');
      await setClock('2030-01-01T11:00:00.000Z');
      await topUp(api, '500');
      const moved = await api.postRaw('/transfers', `{"reference":"r-${randomUUID()}","amount":300,"source_user_id":"${tenant.tenant.id}","destination_user_id":"${sub}"}`);
      assert.equal(moved.status, 200, moved.text);
      await setClock('2030-01-01T12:00:00.000Z');
      await topUp(api, '7', sub);

      const at = async (instant: string, forUserId?: string) => {
        const answer = await api.get(`/balance?at_timestamp=${encodeURIComponent(instant)}`, forUserId ? { 'for-user-id': forUserId } : {});
        assert.equal(answer.status, 200, answer.text);
        return answer.body.balance as number;
      };
      assert.equal(await at('2030-01-01T09:59:59.999Z'), 0, 'before any entry');
      assert.equal(await at('2030-01-01T10:00:00.000Z'), 1000, 'an entry at the very instant counts');
      assert.equal(await at('2030-01-01T10:59:59.999Z'), 1000);
      assert.equal(await at('2030-01-01T11:00:00.000Z'), 1200, 'two entries at one instant: the last applied');
      assert.equal(await at('2030-01-01T13:00:00+02:00'), 1200, 'an offset is converted to UTC');
      assert.equal(await at('2030-01-01T11:30:00Z', sub), 300);
      assert.equal(await at('2030-01-01T12:00:00.000Z', sub), 307);
      assert.equal(await at('2030-01-01T11:59:59.999Z', sub), 300);
      assert.equal(await at('2030-01-01'), 0, 'a date is its midnight UTC');
      assert.deepEqual((await api.get('/balance')).body, { balance: 1200 }, 'without at_timestamp: now');
      assert.deepEqual((await api.get('/balance?currency=PHP&at_timestamp=2030-01-02T00:00:00Z')).body, { balance: 0 }, 'another currency has no entries');
    });

    test('account_type: CASH is the balance, HOLDING and TAX are 0, anything else is 400', async () => {
      const { api } = await frozen('2030-02-01T10:00:00.000Z');
      await topUp(api, '2500');
      assert.deepEqual((await api.get('/balance?account_type=CASH')).body, { balance: 2500 });
      assert.deepEqual((await api.get('/balance?account_type=HOLDING')).body, { balance: 0 });
      assert.deepEqual((await api.get('/balance?account_type=TAX&at_timestamp=2030-02-01T10:00:00.000Z')).body, { balance: 0 });
      assert.deepEqual((await api.get('/balance?account_type=CASH&at_timestamp=2030-02-01T10:00:00.000Z')).body, { balance: 2500 });
      for (const bad of ['account_type=SAVINGS', 'account_type=cash', 'at_timestamp=yesterday', 'at_timestamp=2030-13-01T00:00:00Z', 'at_timestamp=', 'at_timestamp=1700000000']) {
        const answer = await api.get(`/balance?${bad}`);
        assert.equal(answer.status, 400, `${bad}: ${answer.text}`);
        assert.equal(answer.body.error_code, 'API_VALIDATION_ERROR', bad);
        assert.equal(typeof answer.body.message, 'string');
      }
    });

    test('at_timestamp reads only the request’s tenant and mode', async () => {
      const { tenant, api } = await frozen('2030-03-01T10:00:00.000Z');
      await topUp(api, '900');
      const live = platformClient(server, tenant.keys.live.secret);
      assert.deepEqual((await live.get('/balance?at_timestamp=2030-03-02T00:00:00Z')).body, { balance: 0 }, 'live mode: its own (empty) balance');
      const other = await server.createTenant('other');
      const otherApi = platformClient(server, other.keys.test.secret);
      assert.deepEqual((await otherApi.get('/balance?at_timestamp=2030-03-02T00:00:00Z')).body, { balance: 0 });
    });
  });
}
