import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client, uniqueRef } from '../support/http.js';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

for (const kind of await storeKinds()) {
  describe(`billing accounts (${kind})`, () => {
    let server: TestApp;
    let api: ReturnType<typeof client>;
    before(async () => {
      server = await build(kind);
      api = client(server, server.tenant.keys.test.secret);
    });
    after(() => server.close());

    test('an account created with an inline customer can be read back by id and by external reference', async () => {
      const ref = uniqueRef('ACC');
      const created = await api.post('/billing/accounts', {
        customer: { external_reference: uniqueRef('CUS'), name: 'John Doe' },
        external_reference: ref,
        currency: 'ZAR',
        balance: 2000,
      });
      assert.equal(created.status, 201, created.text);
      assert.match(created.body.id, /^bacc_[a-zA-Z0-9]+$/);
      assert.equal(created.body.balance, 2000);
      const byId = await api.get(`/billing/accounts/${created.body.id}`);
      const byRef = await api.get(`/billing/accounts/${ref}`);
      assert.deepEqual(byId.body, created.body);
      assert.deepEqual(byRef.body, created.body);
    });

    test('a read answers byte-for-byte what the create answered (same fields, same order)', async () => {
      const customer = await api.post('/billing/customers', { external_reference: uniqueRef('CUS'), email: 'a@example.com' });
      const account = await api.post('/billing/accounts', { customer: customer.body.id, external_reference: uniqueRef('ACC') });
      assert.equal((await api.get(`/billing/customers/${customer.body.id}`)).text, customer.text);
      assert.equal((await api.get(`/billing/accounts/${account.body.id}`)).text, account.text);
    });
  });
}
