import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, client } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { injectedToken, orgClient, uniqueName, usd } from '../org/org-client.js';
import { randomUUID } from 'node:crypto';

// SPEC §8 "Point in time": an account's balances as they stood at an instant, exact, in minor
// units (a fraction of one after a point), from the entries (the kernel's balanceAsOf).

const instantBefore = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();
/** Returns once the clock has left the current millisecond: the next write is stamped later than the last. */
function nextMillisecond(): void {
  const now = Date.now();
  while (Date.now() === now);
}

for (const kind of await storeKinds()) {
  describe(`balances as of an instant (${kind})`, () => {
    let server: TestApp;
    before(async () => {
      server = await build(kind);
    });
    after(() => server.close());

    const tenantId = () => server.tenant.tenant.id;
    const asOf = (accountId: string, query = '') => call(server, 'GET', `/admin/v1/tenants/${tenantId()}/accounts/${accountId}/balances${query}`, undefined, { key: ADMIN_TOKEN });
    const entriesOf = async (accountId: string) => {
      const page = await call(server, 'GET', `/admin/v1/tenants/${tenantId()}/accounts/${accountId}/ledger-entries`, undefined, { key: ADMIN_TOKEN });
      assert.equal(page.status, 200, page.text);
      return (page.body.data as { created_at: string }[]).reverse();
    };

    test('a billing account: each instant answers the balance after the last entry by then, in minor units', async () => {
      const billing = client(server, server.tenant.keys.test.secret);
      const created = await billing.post('/billing/accounts', { customer: { external_reference: randomUUID() }, external_reference: randomUUID(), currency: 'ZAR', balance: 1000 });
      assert.equal(created.status, 201, created.text);
      const id = created.body.id as string;
      for (const balance of [1500, -250]) {
        nextMillisecond();
        assert.equal((await billing.patch(`/billing/accounts/${id}`, { balance })).status, 200);
      }
      const [first, second, third] = await entriesOf(id);
      const at = async (instant: string) => {
        const answer = await asOf(id, `?as_of=${encodeURIComponent(instant)}`);
        assert.equal(answer.status, 200, answer.text);
        assert.equal(answer.body.as_of, instant);
        return answer.body.data;
      };
      assert.deepEqual(await at(instantBefore(first!.created_at)), [], 'before the account held anything');
      assert.deepEqual(await at(first!.created_at), [{ currency: 'ZAR', amount: '1000' }]);
      assert.deepEqual(await at(second!.created_at), [{ currency: 'ZAR', amount: '1500' }]);
      assert.deepEqual(await at(third!.created_at), [{ currency: 'ZAR', amount: '-250' }]);
      const now = await asOf(id);
      assert.equal(now.status, 200);
      assert.deepEqual(now.body.data, [{ currency: 'ZAR', amount: '-250' }], 'without as_of: now');
      assert.ok(Date.parse(now.body.as_of) >= Date.parse(third!.created_at));
      const offset = await asOf(id, `?as_of=${encodeURIComponent('2999-01-01T02:00:00+02:00')}`);
      assert.equal(offset.body.as_of, '2999-01-01T00:00:00.000Z', 'any ISO 8601 offset, answered in UTC');
    });

    test('a long chain: every instant between its entries answers the entry before it (the chain is bisected, no index on time)', async () => {
      const billing = client(server, server.tenant.keys.test.secret);
      const created = await billing.post('/billing/accounts', { customer: { external_reference: randomUUID() }, external_reference: randomUUID(), currency: 'ZAR', balance: 100 });
      assert.equal(created.status, 201, created.text);
      const id = created.body.id as string;
      // 23 entries: odd and even lengths of every sub-range the bisection visits.
      for (let n = 2; n <= 23; n++) {
        nextMillisecond();
        assert.equal((await billing.patch(`/billing/accounts/${id}`, { balance: n * 100 })).status, 200);
      }
      const entries = await entriesOf(id);
      assert.equal(entries.length, 23);
      assert.deepEqual((await asOf(id, `?as_of=${encodeURIComponent(instantBefore(entries[0]!.created_at))}`)).body.data, []);
      for (const [i, entry] of entries.entries()) {
        const expected = [{ currency: 'ZAR', amount: String((i + 1) * 100) }];
        assert.deepEqual((await asOf(id, `?as_of=${encodeURIComponent(entry.created_at)}`)).body.data, expected, `at entry ${i + 1}`);
        const justBeforeNext = entries[i + 1] ? instantBefore(entries[i + 1]!.created_at) : '2999-01-01T00:00:00.000Z';
        assert.deepEqual((await asOf(id, `?as_of=${encodeURIComponent(justBeforeNext)}`)).body.data, expected, `just before entry ${i + 2}`);
      }
    });

    test('an org account: a fraction of a minor unit after a point', async () => {
      const org = orgClient(server, await injectedToken(server));
      const account = await org.post('/v1/accounts', { name: uniqueName(), currencyCode: 'USD' });
      const id = account.body.account.accountId as string;
      assert.equal((await org.post(`/v1/accounts/${id}/transactions`, { amount: usd(10, 5_000_000), topup: { reference: 'T-1', paymentType: 'BACS' } })).status, 200);
      nextMillisecond();
      assert.equal((await org.post(`/v1/accounts/${id}/transactions`, { amount: usd(-20), adjustment: { reason: 'fee' } })).status, 200);
      const [topup] = await entriesOf(id);
      assert.deepEqual((await asOf(id, `?as_of=${topup!.created_at}`)).body.data, [{ currency: 'USD', amount: '1000.5' }]);
      assert.deepEqual((await asOf(id)).body.data, [{ currency: 'USD', amount: '-999.5' }]);
    });

    test('a bad instant answers 400; an unknown account or another tenant\'s answers 404', async () => {
      const billing = client(server, server.tenant.keys.test.secret);
      const created = await billing.post('/billing/accounts', { customer: { external_reference: randomUUID() }, external_reference: randomUUID(), currency: 'ZAR', balance: 1 });
      for (const bad of ['yesterday', '2026-13-01T00:00:00Z']) {
        const answer = await asOf(created.body.id, `?as_of=${encodeURIComponent(bad)}`);
        assert.equal(answer.status, 400, `${bad}: ${answer.text}`);
      }
      assert.equal((await asOf('bacc_nothing')).status, 404);
      const other = await server.createTenant('other');
      const elsewhere = await call(server, 'GET', `/admin/v1/tenants/${other.tenant.id}/accounts/${created.body.id}/balances`, undefined, { key: ADMIN_TOKEN });
      assert.equal(elsewhere.status, 404);
    });
  });
}
