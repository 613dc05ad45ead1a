import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OutboxEvent } from '../../src/store/ports.js';
import { client, uniqueRef } from '../support/http.js';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { ledgerSumInMinorUnits } from '../support/ledger.js';

const ISO_MILLIS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ACCOUNT_FIELDS = ['balance', 'created_at', 'currency', 'customer_id', 'external_reference', 'id', 'metadata', 'name', 'payment_rules', 'updated_at'];
const LEDGER_ENTRY_FIELDS = ['account_id', 'amount', 'balance_after', 'created_at', 'currency', 'id', 'kind'];
const RULES = { min_amount: 500, max_amount: 100000, underpayment_allowed: false, overpayment_allowed: true };

/** Returns once the wall clock shows a later millisecond, so the next write gets a later timestamp. */
function nextMillisecond(): void {
  const start = new Date().toISOString();
  while (new Date().toISOString() === start) {
    // busy-wait: at most one millisecond
  }
}

/** Whether an outbox event's snapshot is about the object with this id. */
const mentions = (event: OutboxEvent, id: string) => JSON.stringify(event.data).includes(`"${id}"`);

for (const kind of await storeKinds()) {
  describe(`billing accounts (${kind})`, () => {
    let server: TestApp;
    let api: ReturnType<typeof client>;
    before(async () => {
      server = await build(kind);
      api = client(server, server.tenant.keys.test.secret);
    });
    after(() => server.close());

    const scope = () => ({ tenantId: server.tenant.tenant.id, mode: 'test' as const });

    async function createCustomer(body: Record<string, unknown> = {}) {
      const response = await api.post('/billing/customers', { external_reference: uniqueRef('CUS'), ...body });
      assert.equal(response.status, 201, response.text);
      return response.body;
    }

    async function createAccount(body: Record<string, unknown> = {}) {
      const response = await api.post('/billing/accounts', {
        customer: { external_reference: uniqueRef('CUS') },
        external_reference: uniqueRef('ACC'),
        ...body,
      });
      assert.equal(response.status, 201, response.text);
      return response.body;
    }

    async function ledgerOf(reference: string) {
      const response = await api.get(`/billing/accounts/${reference}/ledger_entries?limit=100`);
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.object, 'list');
      assert.equal(response.body.has_more, false);
      return response.body.data as any[];
    }

    async function patchAccount(reference: string, body: Record<string, unknown>) {
      const response = await api.patch(`/billing/accounts/${reference}`, body);
      assert.equal(response.status, 200, response.text);
      return response.body;
    }

    async function assertLedgerSumsToBalance(account: { id: string; balance: number | null }) {
      const entries = await ledgerOf(account.id);
      // BigInt: partial sums of amounts near ±(2^53−1) are not exact as JS numbers.
      const sum = entries.reduce((total, e) => total + BigInt(e.amount), 0n);
      assert.equal(sum, BigInt(account.balance ?? 0), 'the ledger entries listed sum to the balance');
      assert.equal(await ledgerSumInMinorUnits(server.services.store.reader, scope(), account.id), BigInt(account.balance ?? 0), 'the stored entries sum to the balance');
    }

    describe('create', () => {
      test('an account for an existing customer given by bcus_ id answers 201 with that customer_id and every field echoed', async () => {
        const customer = await createCustomer();
        const sent = {
          customer: customer.id,
          external_reference: uniqueRef('ACC'),
          name: 'Subscription Account',
          currency: 'ZAR',
          balance: 2000,
          payment_rules: RULES,
          metadata: { customer_id: 'cust_123456', order_id: 'ord_789012' },
        };
        const created = await api.post('/billing/accounts', sent);
        assert.equal(created.status, 201, created.text);
        assert.deepEqual(Object.keys(created.body).sort(), ACCOUNT_FIELDS);
        assert.match(created.body.id, /^bacc_[a-zA-Z0-9]+$/);
        assert.equal(created.body.customer_id, customer.id);
        const { customer: _customer, ...echoed } = sent;
        for (const [field, value] of Object.entries(echoed)) assert.deepEqual(created.body[field], value, field);
        assert.match(created.body.created_at, ISO_MILLIS_UTC);
        assert.equal(created.body.updated_at, created.body.created_at);
      });

      test('an account for an existing customer given by its external reference belongs to that customer', async () => {
        const customer = await createCustomer();
        const created = await api.post('/billing/accounts', { customer: customer.external_reference, external_reference: uniqueRef('ACC') });
        assert.equal(created.status, 201, created.text);
        assert.equal(created.body.customer_id, customer.id);
      });

      test('an account with an inline customer creates that customer and belongs to it', async () => {
        const customerRef = uniqueRef('CUS');
        const created = await api.post('/billing/accounts', {
          customer: { external_reference: customerRef, name: 'John Doe', email: 'john.doe@example.com', metadata: { source: 'inline' } },
          external_reference: uniqueRef('ACC'),
        });
        assert.equal(created.status, 201, created.text);
        const customer = await api.get(`/billing/customers/${customerRef}`);
        assert.equal(customer.status, 200, customer.text);
        assert.match(customer.body.id, /^bcus_[a-zA-Z0-9]+$/);
        assert.equal(created.body.customer_id, customer.body.id);
        assert.equal(customer.body.name, 'John Doe');
        assert.equal(customer.body.email, 'john.doe@example.com');
        assert.deepEqual(customer.body.metadata, { source: 'inline' });
      });

      test('an inline customer whose external_reference already exists is rejected and creates no account', async () => {
        const existing = await createCustomer();
        const accountRef = uniqueRef('ACC');
        const response = await api.post('/billing/accounts', { customer: { external_reference: existing.external_reference }, external_reference: accountRef });
        assert.equal(response.status, 409, response.text);
        assert.match(response.body.type, /#conflict$/);
        assert.ok(response.body.errors.some((e: { param: string }) => e.param.startsWith('customer')), response.text);
        const lookup = await api.get(`/billing/accounts/${accountRef}`);
        assert.equal(lookup.status, 404);
      });

      test('an unknown customer answers 400 naming customer and creates nothing', async () => {
        for (const customer of ['bcus_DoesNotExist0000000', uniqueRef('NOPE')]) {
          const accountRef = uniqueRef('ACC');
          const response = await api.post('/billing/accounts', { customer, external_reference: accountRef });
          assert.equal(response.status, 400, response.text);
          assert.match(response.body.type, /#validation-error$/);
          assert.deepEqual(response.body.errors.map((e: { param: string }) => e.param), ['customer']);
          assert.equal((await api.get(`/billing/accounts/${accountRef}`)).status, 404);
        }
      });

      test('a duplicate account external_reference answers 409 conflict', async () => {
        const account = await createAccount();
        const response = await api.post('/billing/accounts', { customer: account.customer_id, external_reference: account.external_reference });
        assert.equal(response.status, 409, response.text);
        assert.match(response.body.type, /#conflict$/);
      });

      test('an account without balance has balance null; currency is null unless sent', async () => {
        const bare = await createAccount();
        assert.equal(bare.balance, null);
        assert.equal(bare.currency, null);
        assert.equal(bare.name, null);
        assert.equal(bare.payment_rules, null);
        assert.deepEqual(bare.metadata, {});
        const withCurrency = await createAccount({ currency: 'USD' });
        assert.equal(withCurrency.balance, null);
        assert.equal(withCurrency.currency, 'USD');
        assert.deepEqual(await ledgerOf(bare.id), []);
        assert.deepEqual(await ledgerOf(withCurrency.id), []);
      });

      test('a balance without currency answers 400 naming currency', async () => {
        const accountRef = uniqueRef('ACC');
        const response = await api.post('/billing/accounts', { customer: { external_reference: uniqueRef('CUS') }, external_reference: accountRef, balance: 100 });
        assert.equal(response.status, 400, response.text);
        assert.ok(response.body.errors.some((e: { param: string }) => e.param === 'currency'), response.text);
        assert.equal((await api.get(`/billing/accounts/${accountRef}`)).status, 404);
      });

      test('payment_rules round-trip, and are null when not sent or sent as null', async () => {
        const withRules = await createAccount({ payment_rules: RULES });
        assert.deepEqual(withRules.payment_rules, RULES);
        assert.deepEqual((await api.get(`/billing/accounts/${withRules.id}`)).body.payment_rules, RULES);
        const explicitNull = await createAccount({ payment_rules: null });
        assert.equal(explicitNull.payment_rules, null);
        assert.equal((await api.get(`/billing/accounts/${explicitNull.id}`)).body.payment_rules, null);
      });

      test('a non-zero initial balance is one ledger entry of kind "initial"', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: -750 });
        const entries = await ledgerOf(account.id);
        assert.equal(entries.length, 1);
        const [entry] = entries;
        assert.deepEqual(Object.keys(entry).sort(), LEDGER_ENTRY_FIELDS);
        assert.match(entry.id, /^ble_[a-zA-Z0-9]+$/);
        assert.deepEqual(
          { account_id: entry.account_id, kind: entry.kind, amount: entry.amount, balance_after: entry.balance_after, currency: entry.currency },
          { account_id: account.id, kind: 'initial', amount: -750, balance_after: -750, currency: 'ZAR' },
        );
        assert.match(entry.created_at, ISO_MILLIS_UTC);
        assert.equal(entry.created_at, account.created_at);
      });

      test('a zero initial balance writes no ledger entry', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 0 });
        assert.equal(account.balance, 0);
        assert.equal(account.currency, 'ZAR');
        assert.deepEqual(await ledgerOf(account.id), []);
        await assertLedgerSumsToBalance(account);
      });

      test('an account can be read back by id and by external reference', async () => {
        const account = await createAccount({ name: 'Read me', currency: 'KWD', balance: 1234 });
        assert.deepEqual((await api.get(`/billing/accounts/${account.id}`)).body, account);
        assert.deepEqual((await api.get(`/billing/accounts/${account.external_reference}`)).body, account);
      });
    });

    describe('update', () => {
      test('a PATCH of name changes only the name and moves updated_at', async () => {
        const account = await createAccount({ name: 'Old', currency: 'ZAR', balance: 10, payment_rules: RULES, metadata: { a: '1' } });
        nextMillisecond();
        const patched = await patchAccount(account.id, { name: 'New' });
        assert.deepEqual({ ...patched, updated_at: undefined }, { ...account, name: 'New', updated_at: undefined });
        assert.ok(patched.updated_at > account.updated_at, 'updated_at moved forward');
        assert.match(patched.updated_at, ISO_MILLIS_UTC);
        assert.deepEqual((await api.get(`/billing/accounts/${account.id}`)).body, patched);
      });

      test('a PATCH addressed by external reference updates that account', async () => {
        const account = await createAccount();
        const patched = await patchAccount(account.external_reference, { name: 'By reference' });
        assert.equal(patched.id, account.id);
        assert.equal(patched.name, 'By reference');
      });

      test('a PATCH of metadata merges keys and removes keys set to "" or null', async () => {
        const account = await createAccount({ metadata: { keep: 'k', change: 'old', drop_empty: 'x', drop_null: 'y' } });
        const patched = await patchAccount(account.id, { metadata: { change: 'new', added: 'a', drop_empty: '', drop_null: null } });
        assert.deepEqual(patched.metadata, { keep: 'k', change: 'new', added: 'a' });
        assert.equal(patched.name, account.name);
      });

      test('a PATCH sets payment_rules, replaces them, and null removes them', async () => {
        const account = await createAccount();
        const set = await patchAccount(account.id, { payment_rules: RULES });
        assert.deepEqual(set.payment_rules, RULES);
        const replacement = { min_amount: 0, max_amount: 0, underpayment_allowed: true, overpayment_allowed: false };
        const replaced = await patchAccount(account.id, { payment_rules: replacement });
        assert.deepEqual(replaced.payment_rules, replacement);
        const cleared = await patchAccount(account.id, { payment_rules: null });
        assert.equal(cleared.payment_rules, null);
        assert.equal((await api.get(`/billing/accounts/${account.id}`)).body.payment_rules, null);
      });

      test('a PATCH that changes nothing keeps updated_at and writes no ledger entry', async () => {
        const account = await createAccount({ name: 'Same', currency: 'ZAR', balance: 100, metadata: { k: 'v' } });
        nextMillisecond();
        const same = await patchAccount(account.id, { name: 'Same', currency: 'ZAR', balance: 100, metadata: { k: 'v' } });
        assert.deepEqual(same, account);
        assert.equal((await ledgerOf(account.id)).length, 1);
      });

      test('a PATCH that changes the balance writes an adjustment entry of the difference', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 2000 });
        nextMillisecond();
        const patched = await patchAccount(account.id, { balance: 1250, currency: 'ZAR' });
        assert.equal(patched.balance, 1250);
        assert.equal(patched.currency, 'ZAR');
        const [newest, initial] = await ledgerOf(account.id);
        assert.deepEqual(
          { account_id: newest.account_id, kind: newest.kind, amount: newest.amount, balance_after: newest.balance_after, currency: newest.currency },
          { account_id: account.id, kind: 'adjustment', amount: -750, balance_after: 1250, currency: 'ZAR' },
        );
        assert.equal(newest.created_at, patched.updated_at);
        assert.equal(initial.kind, 'initial');
        await assertLedgerSumsToBalance(patched);
      });

      test('a PATCH that starts tracking a balance on an account without one writes its first entry', async () => {
        const account = await createAccount();
        const patched = await patchAccount(account.id, { balance: 300, currency: 'USD' });
        assert.equal(patched.balance, 300);
        assert.equal(patched.currency, 'USD');
        const entries = await ledgerOf(account.id);
        assert.equal(entries.length, 1);
        assert.equal(entries[0].amount, 300);
        assert.equal(entries[0].balance_after, 300);
        assert.equal(entries[0].currency, 'USD');
        await assertLedgerSumsToBalance(patched);
      });

      test('a PATCH of balance alone on an account with a currency sets it in that currency (Moment\'s {"balance":10000} example)', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 100 });
        nextMillisecond();
        const patched = await patchAccount(account.id, { balance: 10000 });
        assert.equal(patched.balance, 10000);
        assert.equal(patched.currency, 'ZAR');
        const [newest] = await ledgerOf(account.id);
        assert.deepEqual({ kind: newest.kind, amount: newest.amount, balance_after: newest.balance_after, currency: newest.currency }, { kind: 'adjustment', amount: 9900, balance_after: 10000, currency: 'ZAR' });
        await assertLedgerSumsToBalance(patched);
      });

      test('a PATCH of balance alone on an account with a currency but no balance starts tracking it in that currency', async () => {
        const account = await createAccount({ currency: 'JPY' });
        const patched = await patchAccount(account.id, { balance: 500 });
        assert.equal(patched.balance, 500);
        assert.equal(patched.currency, 'JPY');
        const entries = await ledgerOf(account.id);
        assert.deepEqual(entries.map((e) => [e.kind, e.amount, e.currency]), [['initial', 500, 'JPY']]);
      });

      test('a PATCH of balance on an account without a currency answers 400 naming currency and changes nothing', async () => {
        const account = await createAccount();
        const response = await api.patch(`/billing/accounts/${account.id}`, { balance: 999 });
        assert.equal(response.status, 400, response.text);
        assert.match(response.body.type, /#validation-error$/);
        assert.ok(response.body.errors.some((e: { param: string }) => e.param === 'currency'), response.text);
        assert.deepEqual((await api.get(`/billing/accounts/${account.id}`)).body, account);
        assert.equal((await ledgerOf(account.id)).length, 0);
      });

      test('changing the currency of an account that tracks a balance without sending balance answers 400 naming balance', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 100 });
        const response = await api.patch(`/billing/accounts/${account.id}`, { currency: 'USD' });
        assert.equal(response.status, 400, response.text);
        assert.ok(response.body.errors.some((e: { param: string }) => e.param === 'balance'), response.text);
        assert.deepEqual((await api.get(`/billing/accounts/${account.id}`)).body, account);
      });

      test('a currency change with a balance sets both and keeps the ledger summing to the balance', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 1000 });
        nextMillisecond();
        const patched = await patchAccount(account.id, { currency: 'USD', balance: 500 });
        assert.equal(patched.currency, 'USD');
        assert.equal(patched.balance, 500);
        assert.deepEqual((await api.get(`/billing/accounts/${account.id}`)).body, patched);
        await assertLedgerSumsToBalance(patched);
      });

      test('after currency changes the newest ledger entry carries the account balance and currency', async () => {
        // Several accounts: a currency change writes two entries in one request, and their order must not be left to chance.
        for (let i = 0; i < 8; i++) {
          const account = await createAccount({ currency: 'ZAR', balance: 1000 + i });
          nextMillisecond();
          const patched = await patchAccount(account.id, { currency: 'JPY', balance: 40 + i });
          const [newest] = await ledgerOf(account.id);
          assert.equal(newest.balance_after, patched.balance, `account ${i}: newest entry's balance_after`);
          assert.equal(newest.currency, patched.currency, `account ${i}: newest entry's currency`);
        }
      });

      test('a PATCH of an unknown account answers 404 not-found', async () => {
        const response = await api.patch(`/billing/accounts/${uniqueRef('NOPE')}`, { name: 'x' });
        assert.equal(response.status, 404, response.text);
        assert.match(response.body.type, /#not-found$/);
      });
    });

    describe('ledger entries', () => {
      test('GET ledger_entries lists the entries newest first, each with exactly id, account_id, kind, amount, balance_after, currency, created_at', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 100 });
        const balances = [250, -50, 0, 75];
        for (const balance of balances) {
          nextMillisecond();
          await patchAccount(account.id, { balance, currency: 'ZAR' });
        }
        const entries = await ledgerOf(account.id);
        assert.equal(entries.length, 5);
        for (const entry of entries) {
          assert.deepEqual(Object.keys(entry).sort(), LEDGER_ENTRY_FIELDS);
          assert.equal(entry.account_id, account.id);
          assert.equal(entry.currency, 'ZAR');
          assert.match(entry.created_at, ISO_MILLIS_UTC);
        }
        assert.deepEqual(
          entries.map((e) => [e.kind, e.amount, e.balance_after]),
          [
            ['adjustment', 75, 75],
            ['adjustment', 50, 0],
            ['adjustment', -300, -50],
            ['adjustment', 150, 250],
            ['initial', 100, 100],
          ],
        );
        for (let i = 1; i < entries.length; i++) assert.ok(entries[i - 1].created_at > entries[i].created_at, 'strictly newest first');
        assert.equal(new Set(entries.map((e) => e.id)).size, entries.length);
      });

      test('GET ledger_entries by external reference lists the same entries as by id', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 5 });
        await patchAccount(account.external_reference, { balance: 7, currency: 'ZAR' });
        const byId = await ledgerOf(account.id);
        assert.equal(byId.length, 2);
        assert.deepEqual(await ledgerOf(account.external_reference), byId);
      });

      test('GET ledger_entries of an unknown account answers 404 not-found', async () => {
        const response = await api.get(`/billing/accounts/${uniqueRef('NOPE')}/ledger_entries`);
        assert.equal(response.status, 404, response.text);
        assert.match(response.body.type, /#not-found$/);
      });

      test('after a series of PATCHes the ledger entries sum to the account balance', async () => {
        let account = await createAccount({ currency: 'ZAR', balance: 12345 });
        const steps: Record<string, unknown>[] = [
          { balance: 0, currency: 'ZAR' },
          { name: 'no money change' },
          { balance: -9000, currency: 'ZAR' },
          { balance: -9000, currency: 'ZAR', metadata: { same: 'balance' } },
          { balance: 4500, currency: 'USD' },
          { balance: 4501, currency: 'USD' },
          { payment_rules: RULES },
          { balance: 0, currency: 'JPY' },
          { balance: 9007199254740991, currency: 'JPY' },
          { balance: -9007199254740991, currency: 'KWD' },
          { balance: -9007199254740000, currency: 'KWD' },
          { balance: 0, currency: 'ZAR' },
          { balance: 17, currency: 'ZAR' },
        ];
        for (const step of steps) {
          account = await patchAccount(account.id, step);
          await assertLedgerSumsToBalance(account);
        }
        assert.equal(account.balance, 17);
        assert.equal(account.currency, 'ZAR');
      });
    });

    describe('events', () => {
      test('creating an account with an inline customer emits billing.customer.created and billing.account.created', async () => {
        const customerRef = uniqueRef('CUS');
        const account = await createAccount({ customer: { external_reference: customerRef } });
        const customer = (await api.get(`/billing/customers/${customerRef}`)).body;
        const events = await server.services.store.reader.events.listRecent(scope(), 50);
        assert.ok(events.some((e) => e.type === 'billing.customer.created' && mentions(e, customer.id)), 'customer.created for the inline customer');
        const accountEvents = events.filter((e) => mentions(e, account.id));
        assert.deepEqual(accountEvents.map((e) => e.type), ['billing.account.created']);
        for (const e of events) {
          assert.match(e.id, /^evt_/);
          assert.match(e.createdAt, ISO_MILLIS_UTC);
        }
      });

      test('creating an account for an existing customer emits no customer event', async () => {
        const customer = await createCustomer();
        const account = await createAccount({ customer: customer.id });
        const events = await server.services.store.reader.events.listRecent(scope(), 50);
        assert.deepEqual(events.filter((e) => mentions(e, customer.id) && e.type.startsWith('billing.customer.')).map((e) => e.type), ['billing.customer.created']);
        assert.ok(events.some((e) => e.type === 'billing.account.created' && mentions(e, account.id)));
      });

      test('a PATCH without a balance change emits billing.account.updated only', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 10 });
        await patchAccount(account.id, { name: 'Renamed' });
        const events = await server.services.store.reader.events.listRecent(scope(), 50);
        assert.deepEqual(events.filter((e) => mentions(e, account.id)).map((e) => e.type).sort(), ['billing.account.created', 'billing.account.updated']);
      });

      test('a PATCH that changes the balance emits billing.account.updated and billing.account.balance_changed', async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 10 });
        await patchAccount(account.id, { balance: 20, currency: 'ZAR' });
        const events = await server.services.store.reader.events.listRecent(scope(), 50);
        assert.deepEqual(
          events.filter((e) => mentions(e, account.id)).map((e) => e.type).sort(),
          ['billing.account.balance_changed', 'billing.account.created', 'billing.account.updated'],
        );
      });

      test('a PATCH that changes nothing emits no event', async () => {
        const account = await createAccount({ name: 'Quiet' });
        await patchAccount(account.id, { name: 'Quiet' });
        const events = await server.services.store.reader.events.listRecent(scope(), 50);
        assert.deepEqual(events.filter((e) => mentions(e, account.id)).map((e) => e.type), ['billing.account.created']);
      });
    });
  });
}
