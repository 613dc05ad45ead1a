import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CreatedTenant } from '../../src/tenancy/tenants.js';
import { call, client, uniqueRef, type ApiResponse } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

type Api = ReturnType<typeof client>;

const NEVER_EXISTED_ACCOUNT = 'bacc_0NeverExisted00000000';
const NEVER_EXISTED_CUSTOMER = 'bcus_0NeverExisted00000000';

/**
 * A problem answer with the looked-up reference and the per-request id taken out, so that the
 * answer for another tenant's object can be compared with the answer for an unknown one.
 */
function comparable(response: ApiResponse, reference: string) {
  const { request_id: _requestId, ...body } = response.body as Record<string, unknown>;
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: JSON.parse(JSON.stringify(body).replaceAll(reference, '<reference>')) as unknown,
  };
}

/** Every billing route, with a body that would succeed for a secret key of the object's scope. */
function billingRoutes(account: { id: string }, customer: { id: string }) {
  return [
    { method: 'POST', path: '/billing/customers', body: () => ({ external_reference: uniqueRef('CUS') }) },
    { method: 'GET', path: '/billing/customers' },
    { method: 'GET', path: `/billing/customers/${customer.id}` },
    { method: 'PATCH', path: `/billing/customers/${customer.id}`, body: () => ({ name: 'changed' }) },
    { method: 'POST', path: '/billing/accounts', body: () => ({ customer: customer.id, external_reference: uniqueRef('ACC') }) },
    { method: 'GET', path: '/billing/accounts' },
    { method: 'GET', path: `/billing/accounts/${account.id}` },
    { method: 'PATCH', path: `/billing/accounts/${account.id}`, body: () => ({ name: 'changed' }) },
    { method: 'GET', path: `/billing/accounts/${account.id}/ledger_entries` },
  ] as { method: string; path: string; body?: () => Record<string, unknown> }[];
}

for (const kind of await storeKinds()) {
  describe(`billing tenant and mode isolation (${kind})`, () => {
    let server: TestApp;
    let tenantB: CreatedTenant;
    let owner: Api;
    let outsiders: { name: string; api: Api }[];
    let customer: any;
    let account: any;

    before(async () => {
      server = await build(kind);
      tenantB = await server.createTenant('other');
      owner = client(server, server.tenant.keys.test.secret);
      outsiders = [
        { name: "tenant B's test key", api: client(server, tenantB.keys.test.secret) },
        { name: "tenant B's live key", api: client(server, tenantB.keys.live.secret) },
        { name: "tenant A's live key", api: client(server, server.tenant.keys.live.secret) },
      ];
      const createdCustomer = await owner.post('/billing/customers', { external_reference: uniqueRef('CUS'), name: 'Owned' });
      assert.equal(createdCustomer.status, 201, createdCustomer.text);
      customer = createdCustomer.body;
      const createdAccount = await owner.post('/billing/accounts', { customer: customer.id, external_reference: uniqueRef('ACC'), name: 'Owned', currency: 'ZAR', balance: 500 });
      assert.equal(createdAccount.status, 201, createdAccount.text);
      account = createdAccount.body;
    });
    after(() => server.close());

    /** The object is unchanged for its owner. */
    async function assertUntouched() {
      assert.deepEqual((await owner.get(`/billing/accounts/${account.id}`)).body, account);
      assert.deepEqual((await owner.get(`/billing/customers/${customer.id}`)).body, customer);
      const ledger = await owner.get(`/billing/accounts/${account.id}/ledger_entries`);
      assert.equal(ledger.body.data.length, 1);
    }

    async function assertAnsweredLikeUnknown(request: (reference: string) => Promise<ApiResponse>, existing: string, unknown: string) {
      const foreign = await request(existing);
      const missing = await request(unknown);
      assert.equal(foreign.status, 404, foreign.text);
      assert.match(foreign.body.type, /#not-found$/);
      assert.deepEqual(comparable(foreign, existing), comparable(missing, unknown));
    }

    describe('objects of another tenant or mode answer exactly like unknown ones', () => {
      test('GET /billing/accounts/{id}', async () => {
        for (const { name, api } of outsiders) {
          await assertAnsweredLikeUnknown((ref) => api.get(`/billing/accounts/${ref}`), account.id, NEVER_EXISTED_ACCOUNT).catch((e) => assert.fail(`${name}: ${e.message}`));
        }
      });

      test('GET /billing/accounts/{external_reference}', async () => {
        for (const { name, api } of outsiders) {
          await assertAnsweredLikeUnknown((ref) => api.get(`/billing/accounts/${ref}`), account.external_reference, uniqueRef('NEVER')).catch((e) => assert.fail(`${name}: ${e.message}`));
        }
      });

      test('PATCH /billing/accounts/{id or external_reference} answers 404 and changes nothing', async () => {
        for (const { name, api } of outsiders) {
          for (const [existing, unknown] of [[account.id, NEVER_EXISTED_ACCOUNT], [account.external_reference, uniqueRef('NEVER')]]) {
            await assertAnsweredLikeUnknown((ref) => api.patch(`/billing/accounts/${ref}`, { name: 'hijacked', currency: 'ZAR', balance: 1 }), existing, unknown).catch((e) =>
              assert.fail(`${name}: ${e.message}`),
            );
          }
        }
        await assertUntouched();
      });

      test('GET /billing/accounts/{id or external_reference}/ledger_entries', async () => {
        for (const { name, api } of outsiders) {
          for (const [existing, unknown] of [[account.id, NEVER_EXISTED_ACCOUNT], [account.external_reference, uniqueRef('NEVER')]]) {
            await assertAnsweredLikeUnknown((ref) => api.get(`/billing/accounts/${ref}/ledger_entries`), existing, unknown).catch((e) => assert.fail(`${name}: ${e.message}`));
          }
        }
      });

      test('GET /billing/customers/{id or external_reference}', async () => {
        for (const { name, api } of outsiders) {
          for (const [existing, unknown] of [[customer.id, NEVER_EXISTED_CUSTOMER], [customer.external_reference, uniqueRef('NEVER')]]) {
            await assertAnsweredLikeUnknown((ref) => api.get(`/billing/customers/${ref}`), existing, unknown).catch((e) => assert.fail(`${name}: ${e.message}`));
          }
        }
      });

      test('PATCH /billing/customers/{id or external_reference} answers 404 and changes nothing', async () => {
        for (const { name, api } of outsiders) {
          for (const [existing, unknown] of [[customer.id, NEVER_EXISTED_CUSTOMER], [customer.external_reference, uniqueRef('NEVER')]]) {
            await assertAnsweredLikeUnknown((ref) => api.patch(`/billing/customers/${ref}`, { name: 'hijacked', email: 'x@example.com' }), existing, unknown).catch((e) =>
              assert.fail(`${name}: ${e.message}`),
            );
          }
        }
        await assertUntouched();
      });

      test('a list cursor naming another scope\'s object is rejected like an unknown cursor', async () => {
        for (const { name, api } of outsiders) {
          for (const [path, existing, unknown] of [
            ['/billing/accounts', account.id, NEVER_EXISTED_ACCOUNT],
            ['/billing/customers', customer.id, NEVER_EXISTED_CUSTOMER],
          ]) {
            const foreign = await api.get(`${path}?starting_after=${existing}`);
            const missing = await api.get(`${path}?starting_after=${unknown}`);
            assert.equal(foreign.status, 400, `${name}: ${foreign.text}`);
            assert.deepEqual(comparable(foreign, existing), comparable(missing, unknown), name);
          }
        }
      });
    });

    test('lists never include objects of another tenant or mode', async () => {
      for (const { name, api } of outsiders) {
        // Give each scope objects of its own, so that an empty list is not the only thing tested.
        const own = await api.post('/billing/accounts', { customer: { external_reference: uniqueRef('CUS') }, external_reference: uniqueRef('OWN') });
        assert.equal(own.status, 201, own.text);
        const accounts = await api.get('/billing/accounts?limit=100');
        const customers = await api.get('/billing/customers?limit=100');
        assert.equal(accounts.status, 200, accounts.text);
        assert.equal(customers.status, 200, customers.text);
        const accountIds = accounts.body.data.map((a: { id: string }) => a.id);
        const customerIds = customers.body.data.map((c: { id: string }) => c.id);
        assert.ok(accountIds.includes(own.body.id), `${name} sees its own account`);
        assert.ok(customerIds.includes(own.body.customer_id), `${name} sees its own customer`);
        assert.ok(!accountIds.includes(account.id), `${name} does not see tenant A's test account`);
        assert.ok(!customerIds.includes(customer.id), `${name} does not see tenant A's test customer`);
        for (const query of [`external_reference=${account.external_reference}`, `customer_id=${customer.id}`]) {
          const filtered = await api.get(`/billing/accounts?${query}`);
          assert.deepEqual(filtered.body, { object: 'list', data: [], has_more: false }, `${name}: ${query}`);
        }
        const byRef = await api.get(`/billing/customers?external_reference=${customer.external_reference}`);
        assert.deepEqual(byRef.body, { object: 'list', data: [], has_more: false }, name);
      }
      const ownerAccounts = (await owner.get('/billing/accounts?limit=100')).body.data.map((a: { id: string }) => a.id);
      assert.deepEqual(ownerAccounts, [account.id], "tenant A's test list holds only its own account");
    });

    test("another tenant's or mode's customer cannot be the customer of a new account: 400 naming customer", async () => {
      for (const { name, api } of outsiders) {
        for (const reference of [customer.id, customer.external_reference]) {
          const accountRef = uniqueRef('ACC');
          const response = await api.post('/billing/accounts', { customer: reference, external_reference: accountRef });
          assert.equal(response.status, 400, `${name}: ${response.text}`);
          assert.match(response.body.type, /#validation-error$/);
          assert.deepEqual(response.body.errors.map((e: { param: string }) => e.param), ['customer'], name);
          assert.equal((await api.get(`/billing/accounts/${accountRef}`)).status, 404, `${name}: no account was created`);
        }
      }
    });

    test('the same external_reference may exist in test and live and in two tenants', async () => {
      const customerRef = uniqueRef('SHARED-CUS');
      const accountRef = uniqueRef('SHARED-ACC');
      const scopes = [{ name: "tenant A's test key", api: owner }, ...outsiders];
      const ids = [];
      for (const { name, api } of scopes) {
        const createdCustomer = await api.post('/billing/customers', { external_reference: customerRef });
        assert.equal(createdCustomer.status, 201, `${name}: ${createdCustomer.text}`);
        const createdAccount = await api.post('/billing/accounts', { customer: customerRef, external_reference: accountRef });
        assert.equal(createdAccount.status, 201, `${name}: ${createdAccount.text}`);
        assert.equal(createdAccount.body.customer_id, createdCustomer.body.id, `${name}: the account belongs to this scope's customer`);
        ids.push(createdCustomer.body.id, createdAccount.body.id);
      }
      assert.equal(new Set(ids).size, ids.length, 'every scope has objects of its own');
      for (const [i, { name, api }] of scopes.entries()) {
        assert.equal((await api.get(`/billing/customers/${customerRef}`)).body.id, ids[2 * i], name);
        assert.equal((await api.get(`/billing/accounts/${accountRef}`)).body.id, ids[2 * i + 1], name);
        const duplicate = await api.post('/billing/accounts', { customer: customerRef, external_reference: accountRef });
        assert.equal(duplicate.status, 409, `${name}: still unique within the scope`);
      }
    });

    describe('keys', () => {
      async function assertEveryRouteAnswers(key: string | null, status: number, slug: string, headers: Record<string, string> = {}) {
        for (const route of billingRoutes(account, customer)) {
          const body = route.body?.();
          const response = await call(server, route.method, route.path, body, { key, headers, idempotencyKey: route.method === 'POST' ? uniqueRef('idem') : null });
          const label = `${route.method} ${route.path}`;
          assert.equal(response.status, status, `${label}: ${response.text}`);
          assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, label);
          assert.match(response.body.type, new RegExp(`/docs/errors#${slug}$`), label);
          assert.equal(response.body.status, status, label);
          if (body && typeof body.external_reference === 'string') {
            const lookup = await owner.get(`/billing/${route.path.endsWith('customers') ? 'customers' : 'accounts'}/${body.external_reference}`);
            assert.equal(lookup.status, 404, `${label}: nothing was created`);
          }
        }
        await assertUntouched();
      }

      test('publishable keys (pk_test_, pk_live_) get 403 forbidden on every billing route', async () => {
        for (const key of [server.tenant.keys.test.publishable, server.tenant.keys.live.publishable, tenantB.keys.test.publishable]) {
          assert.match(key, /^pk_(test|live)_/);
          await assertEveryRouteAnswers(key, 403, 'forbidden');
        }
      });

      test('a revoked secret key gets 403 forbidden on every billing route', async () => {
        const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
        const tenantId = server.tenant.tenant.id;
        const issued = await call(server, 'POST', `/admin/v1/tenants/${tenantId}/keys`, { mode: 'test', type: 'secret' }, { headers: admin });
        assert.equal(issued.status, 201, issued.text);
        assert.match(issued.body.key, /^sk_test_/);
        const fresh = client(server, issued.body.key);
        const beforeRevocation = await fresh.get(`/billing/accounts/${account.id}`);
        assert.equal(beforeRevocation.status, 200, 'the fresh key works before it is revoked');
        assert.deepEqual(beforeRevocation.body, account);
        const revoked = await call(server, 'DELETE', `/admin/v1/tenants/${tenantId}/keys/${issued.body.id}`, undefined, { headers: admin });
        assert.equal(revoked.status, 200, revoked.text);
        await assertEveryRouteAnswers(issued.body.key, 403, 'forbidden');
        assert.equal((await owner.get(`/billing/accounts/${account.id}`)).status, 200, "the tenant's other keys still work");
      });

      test('a missing Authorization header gets 401 unauthorized on every billing route', async () => {
        await assertEveryRouteAnswers(null, 401, 'unauthorized');
      });

      test('an unknown, well-formed secret key gets 401 unauthorized on every billing route', async () => {
        await assertEveryRouteAnswers(`sk_test_${'A1b2C3d4'.repeat(4)}`, 401, 'unauthorized');
        await assertEveryRouteAnswers(`sk_live_${'Z9y8X7w6'.repeat(4)}`, 401, 'unauthorized');
      });

      test('malformed keys and authorization schemes get 401 unauthorized on every billing route', async () => {
        const secret = server.tenant.keys.test.secret;
        for (const authorization of ['Bearer not-a-key', `Bearer ${secret}x`, `Bearer ${secret.slice(0, -1)}`, `Basic ${Buffer.from(`${secret}:`).toString('base64')}`, secret, 'Bearer ', `Bearer ${secret.toUpperCase()}`]) {
          await assertEveryRouteAnswers(null, 401, 'unauthorized', { authorization });
        }
      });
    });
  });
}
