import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, client, uniqueRef } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { injectedToken, orgClient, usd, uniqueName } from '../org/org-client.js';
import { accountBody, platformClient, topUp } from '../platform/platform-api.js';
import type { CreatedTenant } from '../../src/tenancy/tenants.js';

// SPEC §7 "Reset" and "Snapshots": a tenant's test-mode data deleted, kept and brought back
// exactly, its configuration and live mode and other tenants untouched.

for (const kind of await storeKinds()) {
  describe(`testing API: reset and snapshots (${kind})`, () => {
    let server: TestApp;
    before(async () => {
      server = await build(kind);
    });
    after(() => server.close());


    /** Objects of every surface in the tenant's test mode, with ledger entries, events, deliveries and an e-mail. */
    async function populate(tenant: CreatedTenant) {
      const billing = client(server, tenant.keys.test.secret);
      const customer = await billing.post('/billing/customers', { external_reference: uniqueRef('CUS'), currency: 'ZAR', balance: 100 });
      assert.equal(customer.status, 201, customer.text);
      const account = await billing.post('/billing/accounts', { customer: customer.body.id, external_reference: uniqueRef('ACC'), currency: 'ZAR', balance: 250 });
      assert.equal(account.status, 201, account.text);
      const platform = platformClient(server, tenant.keys.test.secret);
      const subAccount = await platform.post('/v2/accounts', accountBody('OWNED'));
      assert.equal(subAccount.status, 200, subAccount.text);
      await topUp(platform, '5000');
      const org = orgClient(server, await injectedToken(server, { tenantId: tenant.tenant.id }));
      const orgAccount = await org.post('/v1/accounts', { name: uniqueName('Budget'), currencyCode: 'USD' });
      assert.equal(orgAccount.status, 200, orgAccount.text);
      const orgId = orgAccount.body.account.accountId as string;
      assert.equal((await org.post(`/v1/accounts/${orgId}/transactions`, { amount: usd(10), topup: { paymentType: 'API' } })).status, 200);
      const email = await call(server, 'POST', `/admin/v1/tenants/${tenant.tenant.id}/emails`, { to: 'ops@example.com', subject: 'Hello', text: 'Hi' }, { key: ADMIN_TOKEN });
      assert.equal(email.status, 201, email.text);
      return { customerId: customer.body.id as string, accountId: account.body.id as string, orgId, org };
    }

    /** What the tenant's test mode shows through its surfaces (every list, in order), and its clock. */
    async function view(tenant: CreatedTenant, accountId: string, orgToken: string) {
      const billing = client(server, tenant.keys.test.secret);
      const platform = platformClient(server, tenant.keys.test.secret);
      const testing = client(server, tenant.keys.test.secret);
      const [customers, accounts, ledger, subAccounts, balance, orgAccounts, clock] = await Promise.all([
        billing.get('/billing/customers?limit=100'),
        billing.get('/billing/accounts?limit=100'),
        billing.get(`/billing/accounts/${accountId}/ledger_entries?limit=100`),
        platform.get('/v2/accounts?limit=50'),
        platform.get('/balance'),
        orgClient(server, orgToken).get('/v1/accounts'),
        testing.get('/testing/v1/clock'),
      ]);
      return { customers: customers.body, accounts: accounts.body, ledger: ledger.body, subAccounts: subAccounts.body, balance: balance.body, orgAccounts: orgAccounts.body, clock: clock.body };
    }

    test('a snapshot restored makes the test-mode data and the clock exactly what they were; reset deletes them and keeps keys, clients, endpoints and snapshots; live mode and other tenants are untouched', async () => {
      const tenant = await server.createTenant('snapshots');
      const other = await server.createTenant('bystander');
      const key = tenant.keys.test.secret;
      const testing = client(server, key);
      const endpoint = await call(server, 'POST', `/admin/v1/tenants/${tenant.tenant.id}/webhook-endpoints`, { url: 'http://127.0.0.1:9/hook', mode: 'test' }, { key: ADMIN_TOKEN });
      assert.equal(endpoint.status, 201, endpoint.text);
      assert.equal((await testing.put('/testing/v1/clock', { frozen_at: new Date(Date.now() + 86_400_000).toISOString() })).status, 200);
      const { accountId, customerId } = await populate(tenant);
      await populate(other);
      const live = await client(server, tenant.keys.live.secret).post('/billing/customers', { external_reference: uniqueRef('LIVE') });
      assert.equal(live.status, 201, live.text);
      const orgToken = await injectedToken(server, { tenantId: tenant.tenant.id });
      const kept = await view(tenant, accountId, orgToken);
      const otherBefore = await client(server, other.keys.test.secret).get('/billing/customers?limit=100');

      const fault = await testing.post('/testing/v1/faults', { path: '/billing/never-called', status: 503, times: 2 });
      assert.equal(fault.status, 201, fault.text);
      const faultIds = async () => ((await testing.get('/testing/v1/faults')).body.data as { id: string }[]).map((f) => f.id);

      const snapshot = await testing.post('/testing/v1/snapshots', { name: 'populated' });
      assert.equal(snapshot.status, 201, snapshot.text);
      assert.match(snapshot.body.id, /^snap_/);
      assert.equal(snapshot.body.name, 'populated');

      // Changes after the snapshot: another customer, a balance change, the clock moved.
      const billing = client(server, key);
      assert.equal((await billing.post('/billing/customers', { external_reference: uniqueRef('NEW') })).status, 201);
      assert.equal((await billing.patch(`/billing/accounts/${accountId}`, { balance: 999, currency: 'ZAR' })).status, 200);
      assert.equal((await testing.post('/testing/v1/clock/advance', { seconds: 3600 })).status, 200);
      assert.equal((await testing.delete(`/testing/v1/faults/${fault.body.id}`)).status, 204);
      assert.notDeepEqual(await view(tenant, accountId, orgToken), kept);

      const restored = await testing.post(`/testing/v1/snapshots/${snapshot.body.id}/restore`, {});
      assert.equal(restored.status, 200, restored.text);
      assert.deepEqual(await view(tenant, accountId, orgToken), kept);
      // Faults are part of it too (a reset clears them): the deleted one is pending again.
      assert.deepEqual(await faultIds(), [fault.body.id]);
      assert.equal((await billing.get('/billing/never-called')).status, 503, 'the restored fault acts at once');

      // Reset: everything of the test mode goes; what configures the tenant stays.
      const reset = await testing.post('/testing/v1/reset', {});
      assert.equal(reset.status, 200, reset.text);
      for (const kindName of ['customers', 'accounts', 'ledger_entries', 'balances', 'events', 'platform_sub_accounts', 'org_accounts', 'org_transactions', 'emails', 'idempotency_keys']) {
        assert.ok(reset.body.deleted[kindName] > 0, `reset deleted ${kindName}: ${reset.text}`);
      }
      const empty = await view(tenant, accountId, orgToken);
      assert.deepEqual(empty.customers.data, []);
      assert.deepEqual(empty.accounts.data, []);
      assert.deepEqual(empty.subAccounts.data, []);
      assert.deepEqual(empty.orgAccounts.accounts ?? [], []);
      assert.equal(empty.clock.frozen, false, 'the clock is back to wall time');
      assert.deepEqual(await faultIds(), [], 'faults cleared');
      assert.ok(Math.abs(Date.parse(empty.clock.now) - Date.now()) < 60_000, empty.clock.now);
      const gone = await billing.get(`/billing/customers/${customerId}`);
      assert.equal(gone.status, 404, gone.text);
      const events = await call(server, 'GET', `/admin/v1/tenants/${tenant.tenant.id}/webhook-deliveries`, undefined, { key: ADMIN_TOKEN });
      assert.deepEqual(events.body.data.filter((d: { mode?: string }) => d.mode !== 'live'), []);
      // Kept: keys (they still work), OAuth clients (a token is still issued), endpoints, snapshots, live data, other tenants.
      assert.equal((await call(server, 'GET', `/admin/v1/tenants/${tenant.tenant.id}/webhook-endpoints`, undefined, { key: ADMIN_TOKEN })).body.data.length, 1);
      assert.ok(await injectedToken(server, { tenantId: tenant.tenant.id }));
      assert.deepEqual((await testing.get('/testing/v1/snapshots')).body.data.map((s: { id: string }) => s.id), [snapshot.body.id]);
      const liveList = await client(server, tenant.keys.live.secret).get('/billing/customers');
      assert.deepEqual(liveList.body.data.map((c: { id: string }) => c.id), [live.body.id]);
      assert.deepEqual(await client(server, other.keys.test.secret).get('/billing/customers?limit=100').then((r) => r.body), otherBefore.body);

      // An idempotency key used before the reset runs for real again.
      const first = await billing.post('/billing/customers', { external_reference: uniqueRef('IDEM') }, { idempotencyKey: 'reused-after-reset' });
      assert.equal(first.status, 201, first.text);
      assert.equal((await testing.post('/testing/v1/reset', {})).status, 200);
      const again = await billing.post('/billing/customers', { external_reference: uniqueRef('IDEM') }, { idempotencyKey: 'reused-after-reset' });
      assert.equal(again.status, 201, again.text);
      assert.notEqual(again.headers.get('idempotent-replayed'), 'true');
      assert.notEqual(again.body.id, first.body.id);

      // Restored after a reset: all of it back.
      assert.equal((await testing.post(`/testing/v1/snapshots/${snapshot.body.id}/restore`, {})).status, 200);
      assert.deepEqual(await view(tenant, accountId, orgToken), kept);
    });

    test("another tenant's snapshot, an unknown one and a deleted one answer 404 problem+json; a deleted snapshot leaves the list", async () => {
      const owner = await server.createTenant('owner');
      const stranger = await server.createTenant('stranger');
      const snapshot = await client(server, owner.keys.test.secret).post('/testing/v1/snapshots', {});
      assert.equal(snapshot.status, 201, snapshot.text);
      assert.equal(snapshot.body.name, null);
      const strangers = client(server, stranger.keys.test.secret);
      for (const answer of [await strangers.post(`/testing/v1/snapshots/${snapshot.body.id}/restore`, {}), await strangers.delete(`/testing/v1/snapshots/${snapshot.body.id}`), await strangers.post('/testing/v1/snapshots/snap_nope/restore', {})]) {
        assert.equal(answer.status, 404, answer.text);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
      }
      assert.deepEqual((await strangers.get('/testing/v1/snapshots')).body.data, []);
      const owners = client(server, owner.keys.test.secret);
      assert.equal((await owners.delete(`/testing/v1/snapshots/${snapshot.body.id}`)).status, 204);
      assert.deepEqual((await owners.get('/testing/v1/snapshots')).body.data, []);
      assert.equal((await owners.post(`/testing/v1/snapshots/${snapshot.body.id}/restore`, {})).status, 404);
      for (const body of [{ name: '' }, { name: 'x'.repeat(256) }, { name: 5 }, { extra: true }]) {
        const answer = await owners.post('/testing/v1/snapshots', body);
        assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.text}`);
      }
    });
  });
}
