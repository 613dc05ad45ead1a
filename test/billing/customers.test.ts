import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client, uniqueRef } from '../support/http.js';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

const ISO_MILLIS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CUSTOMER_FIELDS = ['balance', 'created_at', 'currency', 'email', 'external_reference', 'id', 'metadata', 'name', 'payment_rules', 'phone', 'updated_at'];

/** Returns once the wall clock shows a later millisecond, so the next write gets a later timestamp. */
function nextMillisecond(): void {
  const start = new Date().toISOString();
  while (new Date().toISOString() === start) {
    // busy-wait: at most one millisecond
  }
}

function assertTimestamp(value: unknown, field: string): void {
  assert.equal(typeof value, 'string', `${field} is a string`);
  assert.match(value as string, ISO_MILLIS_UTC, `${field} is UTC ISO 8601 with milliseconds`);
  assert.equal(new Date(value as string).toISOString(), value, `${field} is a real instant`);
}

for (const kind of await storeKinds()) {
  describe(`billing customers (${kind})`, () => {
    let server: TestApp;
    let api: ReturnType<typeof client>;
    before(async () => {
      server = await build(kind);
      api = client(server, server.tenant.keys.test.secret);
    });
    after(() => server.close());

    async function createCustomer(body: Record<string, unknown> = {}) {
      const response = await api.post('/billing/customers', { external_reference: uniqueRef('CUS'), ...body });
      assert.equal(response.status, 201, response.text);
      return response.body;
    }

    test('creating a customer answers 201 and echoes every field it was sent', async () => {
      const sent = {
        external_reference: uniqueRef('CUS'),
        name: 'John Doe',
        email: 'john.doe@example.com',
        phone: '+27123456789',
        currency: 'ZAR',
        balance: 1500,
        payment_rules: { min_amount: 100, max_amount: 50000, underpayment_allowed: true, overpayment_allowed: false },
        metadata: { order_id: 'ord_789012', channel: 'web' },
      };
      const startedAt = new Date().toISOString();
      const created = await api.post('/billing/customers', sent);
      const afterwards = new Date().toISOString();
      assert.equal(created.status, 201, created.text);
      assert.match(created.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(Object.keys(created.body).sort(), CUSTOMER_FIELDS);
      assert.match(created.body.id, /^bcus_[a-zA-Z0-9]+$/);
      for (const [field, value] of Object.entries(sent)) assert.deepEqual(created.body[field], value, field);
      assertTimestamp(created.body.created_at, 'created_at');
      assertTimestamp(created.body.updated_at, 'updated_at');
      assert.equal(created.body.updated_at, created.body.created_at);
      assert.ok(created.body.created_at >= startedAt && created.body.created_at <= afterwards, 'created_at is the time of the request');
    });

    test('a customer created with only an external_reference has null optional fields and empty metadata', async () => {
      const ref = uniqueRef('CUS');
      const created = await api.post('/billing/customers', { external_reference: ref });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(Object.keys(created.body).sort(), CUSTOMER_FIELDS);
      assert.equal(created.body.external_reference, ref);
      assert.equal(created.body.name, null);
      assert.equal(created.body.email, null);
      assert.equal(created.body.phone, null);
      assert.equal(created.body.currency, null);
      assert.equal(created.body.balance, null);
      assert.equal(created.body.payment_rules, null);
      assert.deepEqual(created.body.metadata, {});
      assertTimestamp(created.body.created_at, 'created_at');
      assertTimestamp(created.body.updated_at, 'updated_at');
    });

    test('a customer can be read back by id and by external reference', async () => {
      const created = await createCustomer({ name: 'Jane Roe', email: 'jane@example.com', metadata: { tier: 'gold' } });
      const byId = await api.get(`/billing/customers/${created.id}`);
      assert.equal(byId.status, 200, byId.text);
      assert.deepEqual(byId.body, created);
      const byRef = await api.get(`/billing/customers/${created.external_reference}`);
      assert.equal(byRef.status, 200, byRef.text);
      assert.deepEqual(byRef.body, created);
    });

    test('an unknown customer id or external reference answers 404 not-found as problem+json', async () => {
      for (const reference of ['bcus_DoesNotExist0000000', uniqueRef('NOPE')]) {
        const response = await api.get(`/billing/customers/${reference}`);
        assert.equal(response.status, 404, response.text);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.match(response.body.type, /\/docs\/errors#not-found$/);
        assert.equal(response.body.status, 404);
        assert.equal(response.body.instance, `/billing/customers/${reference}`);
      }
    });

    test('a second customer with the same external_reference answers 409 conflict', async () => {
      const created = await createCustomer();
      const duplicate = await api.post('/billing/customers', { external_reference: created.external_reference, name: 'Other' });
      assert.equal(duplicate.status, 409, duplicate.text);
      assert.match(duplicate.body.type, /#conflict$/);
      const listed = await api.get(`/billing/customers?external_reference=${created.external_reference}`);
      assert.deepEqual(listed.body.data, [created], 'the first customer is unchanged and alone');
    });

    test('a PATCH changes only the fields it provides and moves updated_at', async () => {
      const created = await createCustomer({
        name: 'Before',
        email: 'before@example.com',
        phone: '+27110000000',
        currency: 'ZAR',
        balance: 300,
        payment_rules: { min_amount: 1, max_amount: 10, underpayment_allowed: false, overpayment_allowed: false },
        metadata: { a: '1' },
      });
      nextMillisecond();
      const patched = await api.patch(`/billing/customers/${created.id}`, { name: 'After' });
      assert.equal(patched.status, 200, patched.text);
      assert.deepEqual({ ...patched.body, updated_at: undefined }, { ...created, name: 'After', updated_at: undefined });
      assertTimestamp(patched.body.updated_at, 'updated_at');
      assert.ok(patched.body.updated_at > created.updated_at, 'updated_at moved forward');
      assert.equal(patched.body.created_at, created.created_at, 'created_at never changes');
      const read = await api.get(`/billing/customers/${created.id}`);
      assert.deepEqual(read.body, patched.body);
    });

    test('a PATCH addressed by external reference updates that customer', async () => {
      const created = await createCustomer({ email: 'old@example.com' });
      const patched = await api.patch(`/billing/customers/${created.external_reference}`, { email: 'new@example.com', phone: '+27820000000' });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.id, created.id);
      assert.equal(patched.body.email, 'new@example.com');
      assert.equal(patched.body.phone, '+27820000000');
      assert.equal(patched.body.name, null);
      const read = await api.get(`/billing/customers/${created.id}`);
      assert.deepEqual(read.body, patched.body);
    });

    test('a PATCH that sends a field as null clears it', async () => {
      const created = await createCustomer({ name: 'Named', email: 'named@example.com', phone: '+27830000000' });
      const patched = await api.patch(`/billing/customers/${created.id}`, { name: null, phone: null });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.name, null);
      assert.equal(patched.body.phone, null);
      assert.equal(patched.body.email, 'named@example.com', 'fields not sent are kept');
    });

    test('a PATCH of metadata merges keys and removes keys set to "" or null', async () => {
      const created = await createCustomer({ metadata: { keep: 'k', change: 'old', drop_empty: 'x', drop_null: 'y' } });
      const patched = await api.patch(`/billing/customers/${created.id}`, { metadata: { change: 'new', added: 'a', drop_empty: '', drop_null: null } });
      assert.equal(patched.status, 200, patched.text);
      assert.deepEqual(patched.body.metadata, { keep: 'k', change: 'new', added: 'a' });
    });

    test('a PATCH that changes nothing keeps updated_at', async () => {
      const created = await createCustomer({ name: 'Same', email: 'same@example.com', metadata: { k: 'v' } });
      nextMillisecond();
      const sameValues = await api.patch(`/billing/customers/${created.id}`, { name: 'Same', email: 'same@example.com', metadata: { k: 'v' } });
      assert.equal(sameValues.status, 200, sameValues.text);
      assert.deepEqual(sameValues.body, created);
      const empty = await api.patch(`/billing/customers/${created.id}`, {});
      assert.equal(empty.status, 200, empty.text);
      assert.deepEqual(empty.body, created);
      const read = await api.get(`/billing/customers/${created.id}`);
      assert.equal(read.body.updated_at, created.updated_at);
    });

    test('a PATCH of an unknown customer answers 404 not-found', async () => {
      const response = await api.patch(`/billing/customers/${uniqueRef('NOPE')}`, { name: 'x' });
      assert.equal(response.status, 404, response.text);
      assert.match(response.body.type, /#not-found$/);
    });

    test('the customer list answers { object: "list", data, has_more } newest first', async () => {
      const first = await createCustomer();
      nextMillisecond();
      const second = await createCustomer();
      const listed = await api.get('/billing/customers?limit=2');
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(Object.keys(listed.body).sort(), ['data', 'has_more', 'object']);
      assert.equal(listed.body.object, 'list');
      assert.deepEqual(listed.body.data, [second, first]);
      assert.equal(listed.body.has_more, true, 'earlier tests created more customers');
    });

    test('the customer list filtered by external_reference returns exactly that customer', async () => {
      const wanted = await createCustomer({ name: 'Wanted' });
      await createCustomer({ name: 'Other' });
      const listed = await api.get(`/billing/customers?external_reference=${wanted.external_reference}`);
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.body, { object: 'list', data: [wanted], has_more: false });
      const none = await api.get(`/billing/customers?external_reference=${uniqueRef('NOPE')}`);
      assert.deepEqual(none.body, { object: 'list', data: [], has_more: false });
    });

    test('the customer list filtered by email returns exactly the customers with that email, newest first', async () => {
      const email = `${uniqueRef('mail').toLowerCase()}@example.com`;
      const older = await createCustomer({ email });
      await createCustomer({ email: `other-${email}` });
      nextMillisecond();
      const newer = await createCustomer({ email });
      await createCustomer();
      const listed = await api.get(`/billing/customers?email=${encodeURIComponent(email)}`);
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.body, { object: 'list', data: [newer, older], has_more: false });
      const paged = await api.get(`/billing/customers?email=${encodeURIComponent(email)}&limit=1`);
      assert.deepEqual(paged.body, { object: 'list', data: [newer], has_more: true });
    });

    test('the customer list reflects a PATCH', async () => {
      const created = await createCustomer({ email: `${uniqueRef('patch').toLowerCase()}@example.com` });
      const patched = await api.patch(`/billing/customers/${created.id}`, { email: `${uniqueRef('moved').toLowerCase()}@example.com` });
      assert.equal(patched.status, 200, patched.text);
      const byOld = await api.get(`/billing/customers?email=${encodeURIComponent(created.email)}`);
      assert.deepEqual(byOld.body.data, []);
      const byNew = await api.get(`/billing/customers?email=${encodeURIComponent(patched.body.email)}`);
      assert.deepEqual(byNew.body.data, [patched.body]);
    });
  });
}
