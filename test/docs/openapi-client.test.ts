import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from '../generated/openapi.js';
import { injectFetch, uniqueRef } from '../support/http.js';
import { GENERATED_TYPES_FILE, REGENERATE_TYPES_COMMAND, servedOpenApiTypes } from '../support/openapi.js';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

// A client generated from our own /openapi.json (openapi-typescript types, openapi-fetch at run
// time), as a user of the API reference would make one. Its calls are type-checked by
// `npm run typecheck`: a required `limit` or a wrong body shape in the document breaks the build.

type Problem = components['schemas']['ProblemDetails'];

// Asked before any test starts: a test's synchronous work (building the app, generating types) would
// hold the event loop past the PostgreSQL probe's 2 s timeout and make a reachable server look down.
const kinds = await storeKinds();

describe('the committed client types', () => {
  let server: TestApp;
  before(async () => {
    server = await build('sqlite');
  });
  after(() => server.close());

  test('equal what openapi-typescript generates from the served /openapi.json', async () => {
    const generated = await servedOpenApiTypes(server);
    const committed = readFileSync(GENERATED_TYPES_FILE, 'utf8');
    assert.ok(generated === committed, `test/generated/openapi.ts is stale: run ${REGENERATE_TYPES_COMMAND} and commit it`);
  });
});

for (const kind of kinds) {
  describe(`a client generated from /openapi.json (${kind})`, () => {
    let server: TestApp;
    let billing: Client<paths>;
    before(async () => {
      server = await build(kind);
      billing = createClient<paths>({ baseUrl: server.origin, fetch: injectFetch(server), headers: { authorization: `Bearer ${server.tenant.keys.test.secret}` } });
    });
    after(() => server.close());

    test('creates, retrieves, lists and updates a customer', async () => {
      const externalReference = uniqueRef('CUS');
      const created = await billing.POST('/billing/customers', {
        params: { header: { 'idempotency-key': randomUUID() } },
        body: { external_reference: externalReference, name: 'John Doe', email: 'john.doe@example.com' },
      });
      assert.equal(created.response.status, 201);
      const customer = created.data!;
      assert.match(customer.id, /^bcus_/);

      const byReference = await billing.GET('/billing/customers/{customer}', { params: { path: { customer: externalReference } } });
      assert.deepEqual(byReference.data, customer);

      const listed = await billing.GET('/billing/customers', { params: { query: { external_reference: externalReference } } });
      assert.deepEqual(listed.data, { object: 'list', data: [customer], has_more: false });

      const updated = await billing.PATCH('/billing/customers/{customer}', {
        params: { path: { customer: customer.id }, header: {} },
        body: { email: 'j.doe@example.com', metadata: { segment: 'retail' } },
      });
      assert.equal(updated.response.status, 200);
      assert.equal(updated.data!.email, 'j.doe@example.com');
      assert.deepEqual(updated.data!.metadata, { segment: 'retail' });
    });

    test('creates an account with an inline customer, then retrieves, lists, updates it and reads its ledger', async () => {
      const externalReference = uniqueRef('ACC');
      const created = await billing.POST('/billing/accounts', {
        params: { header: { 'idempotency-key': randomUUID() } },
        body: {
          customer: { external_reference: uniqueRef('CUS'), name: 'John Doe' },
          external_reference: externalReference,
          name: 'Subscription Account',
          currency: 'ZAR',
          balance: 2000,
          payment_rules: { min_amount: 1000, max_amount: 50000, underpayment_allowed: false, overpayment_allowed: true },
        },
      });
      assert.equal(created.response.status, 201);
      const account = created.data!;
      assert.equal(account.balance, 2000);

      const retrieved = await billing.GET('/billing/accounts/{account}', { params: { path: { account: account.id } } });
      assert.deepEqual(retrieved.data, account);

      // No limit: it has a default, so the generated type does not ask for it.
      const listed = await billing.GET('/billing/accounts', { params: { query: { customer_id: account.customer_id } } });
      assert.deepEqual(listed.data?.data.map((a) => a.id), [account.id]);

      const updated = await billing.PATCH('/billing/accounts/{account}', {
        params: { path: { account: externalReference }, header: { 'idempotency-key': randomUUID() } },
        body: { name: 'Premium Subscription Account', currency: 'ZAR', balance: 5000 },
      });
      assert.equal(updated.response.status, 200);
      assert.equal(updated.data!.name, 'Premium Subscription Account');
      assert.equal(updated.data!.balance, 5000);

      const ledger = await billing.GET('/billing/accounts/{account}/ledger_entries', { params: { path: { account: account.id }, query: { limit: 5 } } });
      assert.deepEqual(
        ledger.data?.data.map((entry) => [entry.kind, entry.amount, entry.balance_after]),
        [['adjustment', 3000, 5000], ['initial', 2000, 2000]],
      );
    });

    test('failures arrive as the declared problem+json type', async () => {
      const missing = await billing.GET('/billing/accounts/{account}', { params: { path: { account: 'bacc_doesnotexist' } } });
      assert.equal(missing.response.status, 404);
      assert.match(missing.response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const problem: Problem | undefined = missing.error;
      assert.equal(problem?.status, 404);
      assert.match(problem?.type ?? '', /\/docs\/errors#not-found$/);

      const invalid = await billing.POST('/billing/accounts', {
        params: { header: { 'idempotency-key': randomUUID() } },
        body: { customer: 'CUS-unknown', external_reference: uniqueRef('ACC') },
      });
      assert.equal(invalid.response.status, 400);
      assert.deepEqual(invalid.error?.errors?.map((e) => e.param), ['customer']);
    });
  });
}
