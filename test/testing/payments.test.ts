import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { call, client, uniqueRef, type ApiResponse } from '../support/http.js';
import { ledgerSumInMinorUnits } from '../support/ledger.js';
import { assertProblemAt } from '../support/problems.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { waitFor } from '../support/wait.js';
import { Webhook } from 'standardwebhooks';

// SPEC §3b "Payments against an obligation": POST /testing/v1/billing/payments applies an amount
// to a bill, an account or a customer as Moment does when a customer pays; the obligation's
// payment_rules decide, exactly as written; Moment's obligation.amount_applied goes out.

const RULES = { min_amount: 100, max_amount: 5000, underpayment_allowed: true, overpayment_allowed: false };
const PAYMENT_FIELDS = ['amount', 'applied_at', 'currency', 'obligation', 'payment_id'];
const APPLIED_FIELDS = ['amount', 'created_at', 'currency', 'customer_id', 'id', 'metadata', 'payment_id', 'updated_at'];

interface TestEvent {
  id: string;
  type: string;
  created_at: string;
  object_id: string | null;
  data: Record<string, any>;
}

for (const kind of await storeKinds()) {
  describe(`testing API: billing payments (${kind})`, () => {
    let server: TestApp;
    let api: ReturnType<typeof client>;
    before(async () => {
      server = await build(kind);
      api = client(server, server.tenant.keys.test.secret);
    });
    after(() => server.close());

    const scope = () => ({ tenantId: server.tenant.tenant.id, mode: 'test' as const });
    const problem = (response: ApiResponse, status: number, slug: string) => assertProblemAt('/docs/errors', response, status, slug);
    const params = (response: ApiResponse) => (response.body.errors ?? []).map((e: { param: string }) => e.param);
    const pay = (body: Record<string, unknown>, target = api, options = {}) => target.post('/testing/v1/billing/payments', { currency: 'ZAR', ...body }, options);

    async function createAccount(body: Record<string, unknown> = {}) {
      const response = await api.post('/billing/accounts', { customer: { external_reference: uniqueRef('CUS') }, external_reference: uniqueRef('ACC'), currency: 'ZAR', ...body });
      assert.equal(response.status, 201, response.text);
      return response.body;
    }
    async function createCustomer(body: Record<string, unknown> = {}) {
      const response = await api.post('/billing/customers', { external_reference: uniqueRef('CUS'), ...body });
      assert.equal(response.status, 201, response.text);
      return response.body;
    }
    async function createBill(body: Record<string, unknown> = {}) {
      const account = await createAccount();
      const response = await api.post('/billing/bills', { account: account.id, external_reference: uniqueRef('BILL'), currency: 'ZAR', amount_due: 2000, payment_rules: RULES, ...body });
      assert.equal(response.status, 201, response.text);
      return response.body;
    }
    async function eventsAbout(objectId: string): Promise<TestEvent[]> {
      const response = await api.get(`/testing/v1/events?object_id=${objectId}&limit=100`);
      assert.equal(response.status, 200, response.text);
      return response.body.data;
    }
    const typesOf = (events: TestEvent[]) => events.map((e) => e.type);

    describe('a bill', () => {
      test("a payment grows amount_paid, answers 201, and emits billing.bill.updated and obligation.amount_applied with Moment's payload", async () => {
        const bill = await createBill({ metadata: { event_id: 'wellness_joburg_2025' } });
        const response = await pay({ bill: bill.id, amount: 1500 });
        assert.equal(response.status, 201, response.text);
        assert.deepEqual(Object.keys(response.body).sort(), PAYMENT_FIELDS);
        assert.match(response.body.payment_id, /^pay_[a-zA-Z0-9]+$/);
        assert.deepEqual(response.body.obligation, { type: 'bill', id: bill.id });
        assert.equal(response.body.amount, 1500);
        assert.equal(response.body.currency, 'ZAR');
        const after = (await api.get(`/billing/bills/${bill.id}`)).body;
        assert.deepEqual([after.amount_paid, after.amount_remaining, after.status], [1500, 500, 'unpaid']);
        assert.equal(after.updated_at, response.body.applied_at);

        const events = await eventsAbout(bill.id);
        assert.deepEqual(typesOf(events), ['billing.bill.created', 'billing.bill.updated', 'obligation.amount_applied']);
        assert.deepEqual(events[1]!.data, after);
        const applied = events[2]!.data;
        assert.deepEqual(Object.keys(applied).sort(), [...APPLIED_FIELDS, 'bill_id'].sort());
        assert.match(applied.id, /^ob_[a-zA-Z0-9]+$/);
        assert.deepEqual(
          { amount: applied.amount, currency: applied.currency, payment_id: applied.payment_id, customer_id: applied.customer_id, bill_id: applied.bill_id, metadata: applied.metadata, created_at: applied.created_at },
          { amount: 1500, currency: 'ZAR', payment_id: response.body.payment_id, customer_id: bill.customer_id, bill_id: bill.id, metadata: { event_id: 'wellness_joburg_2025' }, created_at: response.body.applied_at },
        );
        // Paying the rest settles it.
        assert.equal((await pay({ bill: bill.external_reference, amount: 500 })).status, 201);
        assert.equal((await api.get(`/billing/bills/${bill.id}`)).body.status, 'paid');
      });

      test('a bill without payment_rules cannot be paid against: 400, nothing changes, no event', async () => {
        const bill = await createBill({ payment_rules: null });
        const response = await pay({ bill: bill.id, amount: 100 });
        problem(response, 400, 'validation-error');
        assert.deepEqual(params(response), ['bill']);
        assert.match(response.body.errors[0].message, /cannot be paid against/);
        assert.deepEqual((await api.get(`/billing/bills/${bill.id}`)).body, bill);
        assert.deepEqual(typesOf(await eventsAbout(bill.id)), ['billing.bill.created']);
      });

      test('min_amount, max_amount and the currency each refuse, naming the rule; nothing changes', async () => {
        const bill = await createBill({ amount_due: 10_000, payment_rules: { ...RULES, max_amount: 5000 } });
        const cases: [Record<string, unknown>, string, RegExp][] = [
          [{ amount: 99 }, 'amount', /min_amount \(100\)/],
          [{ amount: 5001 }, 'amount', /max_amount \(5000\)/],
          [{ amount: 100, currency: 'USD' }, 'currency', /ZAR/],
        ];
        for (const [body, param, message] of cases) {
          const response = await pay({ bill: bill.id, ...body });
          problem(response, 400, 'validation-error');
          assert.deepEqual(params(response), [param]);
          assert.match(response.body.errors[0].message, message);
        }
        assert.deepEqual((await api.get(`/billing/bills/${bill.id}`)).body, bill);
        assert.equal((await pay({ bill: bill.id, amount: 100 })).status, 201, 'min_amount itself is allowed');
        assert.equal((await pay({ bill: bill.id, amount: 5000 })).status, 201, 'max_amount itself is allowed');
      });

      test('underpayment and overpayment are judged against amount_remaining', async () => {
        const strict = await createBill({ amount_due: 1000, payment_rules: { ...RULES, underpayment_allowed: false, overpayment_allowed: false } });
        const under = await pay({ bill: strict.id, amount: 999 });
        problem(under, 400, 'validation-error');
        assert.match(under.body.errors[0].message, /underpayment/);
        const over = await pay({ bill: strict.id, amount: 1001 });
        problem(over, 400, 'validation-error');
        assert.match(over.body.errors[0].message, /overpayment/);
        assert.equal((await pay({ bill: strict.id, amount: 1000 })).status, 201, 'exactly what is owed');
        // Now nothing is owed: any payment is an overpayment.
        problem(await pay({ bill: strict.id, amount: 100 }), 400, 'validation-error');

        const generous = await createBill({ amount_due: 1000, payment_rules: { ...RULES, underpayment_allowed: false, overpayment_allowed: true } });
        assert.equal((await pay({ bill: generous.id, amount: 1500 })).status, 201);
        const paid = (await api.get(`/billing/bills/${generous.id}`)).body;
        assert.deepEqual([paid.amount_paid, paid.amount_remaining, paid.status], [1500, -500, 'paid']);
      });

      test("a bill's payment never changes its account's balance", async () => {
        const account = await createAccount({ balance: 700, payment_rules: RULES });
        const bill = (await api.post('/billing/bills', { account: account.id, external_reference: uniqueRef('BILL'), currency: 'ZAR', amount_due: 2000, payment_rules: RULES })).body;
        assert.equal((await pay({ bill: bill.id, amount: 1000 })).status, 201);
        assert.deepEqual((await api.get(`/billing/accounts/${account.id}`)).body, account);
      });
    });

    describe('an account or a customer', () => {
      test("an account's balance falls by a payment ledger entry; account.updated, balance_changed and obligation.amount_applied go out", async () => {
        const account = await createAccount({ balance: 3000, payment_rules: RULES, metadata: { plan: 'gold' } });
        const response = await pay({ account: account.external_reference, amount: 1200 });
        assert.equal(response.status, 201, response.text);
        assert.deepEqual(response.body.obligation, { type: 'account', id: account.id });
        const after = (await api.get(`/billing/accounts/${account.id}`)).body;
        assert.equal(after.balance, 1800);
        const entries = (await api.get(`/billing/accounts/${account.id}/ledger_entries`)).body.data;
        assert.deepEqual(entries.map((e: { kind: string; amount: number; balance_after: number }) => [e.kind, e.amount, e.balance_after]), [['payment', -1200, 1800], ['initial', 3000, 3000]]);
        assert.equal(await ledgerSumInMinorUnits(server.services.store.reader, scope(), account.id), 1800n, 'the stored entries sum to the balance');

        const events = await eventsAbout(account.id);
        assert.deepEqual(typesOf(events), ['billing.account.created', 'billing.account.updated', 'billing.account.balance_changed', 'obligation.amount_applied']);
        const applied = events[3]!.data;
        assert.deepEqual(Object.keys(applied).sort(), [...APPLIED_FIELDS, 'account_id'].sort());
        assert.deepEqual([applied.account_id, applied.customer_id, applied.amount, applied.metadata], [account.id, account.customer_id, 1200, { plan: 'gold' }]);
        assert.equal(events[2]!.data.ledger_entries[0].kind, 'payment');
      });

      test("a customer's balance falls; customer.updated and obligation.amount_applied (customer_id only) go out", async () => {
        const customer = await createCustomer({ currency: 'ZAR', balance: 2000, payment_rules: RULES });
        const response = await pay({ customer: customer.id, amount: 2000 });
        assert.equal(response.status, 201, response.text);
        assert.deepEqual(response.body.obligation, { type: 'customer', id: customer.id });
        assert.equal((await api.get(`/billing/customers/${customer.id}`)).body.balance, 0);
        assert.equal(await ledgerSumInMinorUnits(server.services.store.reader, scope(), customer.id), 0n);
        const events = await eventsAbout(customer.id);
        assert.deepEqual(typesOf(events), ['billing.customer.created', 'billing.customer.updated', 'obligation.amount_applied']);
        assert.deepEqual(Object.keys(events[2]!.data).sort(), APPLIED_FIELDS);
        assert.equal(events[2]!.data.customer_id, customer.id);
      });

      test('what is owed is the balance: underpayment and overpayment are judged against it', async () => {
        const account = await createAccount({ balance: 1000, payment_rules: { ...RULES, underpayment_allowed: false } });
        const under = await pay({ account: account.id, amount: 500 });
        problem(under, 400, 'validation-error');
        assert.match(under.body.errors[0].message, /owed \(1000\)/);
        problem(await pay({ account: account.id, amount: 1001 }), 400, 'validation-error');
        assert.equal((await pay({ account: account.id, amount: 1000 })).status, 201);
        assert.equal((await api.get(`/billing/accounts/${account.id}`)).body.balance, 0);
        const credit = await createCustomer({ currency: 'ZAR', balance: 0, payment_rules: { ...RULES, overpayment_allowed: true } });
        assert.equal((await pay({ customer: credit.external_reference, amount: 300 })).status, 201);
        assert.equal((await api.get(`/billing/customers/${credit.id}`)).body.balance, -300, 'an overpayment leaves a credit');
      });

      test('an account without payment_rules, or that tracks no balance, cannot be paid against; nothing is written', async () => {
        const noRules = await createAccount({ balance: 1000 });
        const refused = await pay({ account: noRules.id, amount: 100 });
        problem(refused, 400, 'validation-error');
        assert.match(refused.body.errors[0].message, /cannot be paid against/);
        const untracked = await createAccount({ currency: null, payment_rules: RULES });
        const nothing = await pay({ account: untracked.id, amount: 100 });
        problem(nothing, 400, 'validation-error');
        assert.deepEqual(params(nothing), ['account']);
        assert.deepEqual((await api.get(`/billing/accounts/${noRules.id}/ledger_entries`)).body.data.length, 1);
        assert.deepEqual(typesOf(await eventsAbout(noRules.id)), ['billing.account.created']);
      });

      test('concurrent payments to one account serialize: N payments of 1 lower the balance by exactly N', async () => {
        const account = await createAccount({ balance: 1000, payment_rules: { min_amount: 1, max_amount: 1000, underpayment_allowed: true, overpayment_allowed: false } });
        const answers = await Promise.all(Array.from({ length: 12 }, () => pay({ account: account.id, amount: 1 })));
        assert.deepEqual(answers.map((a) => a.status), Array(12).fill(201));
        assert.equal((await api.get(`/billing/accounts/${account.id}`)).body.balance, 988);
        assert.equal(await ledgerSumInMinorUnits(server.services.store.reader, scope(), account.id), 988n);
      });
    });

    test("after every payment above, the tenant's ledger verifies: hash chains, balances against their entries, holders against the external postings", async () => {
      const account = await createAccount({ balance: 800, payment_rules: RULES });
      assert.equal((await pay({ account: account.id, amount: 300 })).status, 201);
      const verified = await call(server, 'POST', `/admin/v1/tenants/${server.tenant.tenant.id}/verify`, undefined, { key: ADMIN_TOKEN });
      assert.equal(verified.status, 200, verified.text);
      assert.equal(verified.body.ok, true, verified.text);
      assert.ok(verified.body.entries > 0);
    });

    describe('the request', () => {
      test('exactly one of bill, account or customer; unknown ones (another tenant\'s, live mode\'s) answer 400 naming it', async () => {
        const bill = await createBill();
        const account = await createAccount({ balance: 10, payment_rules: RULES });
        const none = await pay({ amount: 100 });
        problem(none, 400, 'validation-error');
        assert.deepEqual(params(none), ['bill']);
        const two = await pay({ bill: bill.id, account: account.id, amount: 100 });
        problem(two, 400, 'validation-error');
        assert.deepEqual(params(two), ['account']);
        const otherTenant = await server.createTenant(uniqueRef('other'));
        const other = client(server, otherTenant.keys.test.secret);
        const liveAccount = (await client(server, server.tenant.keys.live.secret).post('/billing/accounts', { customer: { external_reference: uniqueRef('CUS') }, external_reference: uniqueRef('ACC'), currency: 'ZAR', balance: 10, payment_rules: RULES })).body;
        for (const [body, target, param] of [
          [{ bill: 'bill_doesnotexist' }, api, 'bill'],
          [{ customer: 'NO-SUCH' }, api, 'customer'],
          [{ bill: bill.id }, other, 'bill'],
          [{ account: account.id }, other, 'account'],
          [{ account: liveAccount.id }, api, 'account'],
        ] as const) {
          const response = await pay({ ...body, amount: 100 }, target);
          problem(response, 400, 'validation-error');
          assert.deepEqual(params(response), [param]);
        }
        assert.equal((await api.get(`/billing/bills/${bill.id}`)).body.amount_paid, 0);
      });

      test('a bad amount or currency, unknown fields and malformed JSON answer 400; never 5xx', async () => {
        const bill = await createBill();
        for (const body of [{ amount: 0 }, { amount: -1 }, { amount: 1.5 }, { amount: '100' }, { amount: 2 ** 53 }, { amount: undefined }, { amount: 100, currency: undefined }, { amount: 100, currency: 'zar' }, { amount: 100, extra: true }, { amount: 100, bill: '' }]) {
          const response = await api.post('/testing/v1/billing/payments', { bill: bill.id, currency: 'ZAR', ...body });
          problem(response, 400, 'validation-error');
        }
        problem(await call(server, 'POST', '/testing/v1/billing/payments', undefined, { key: server.tenant.keys.test.secret, rawBody: '{"bill":', headers: { 'content-type': 'application/json' } }), 400, 'validation-error');
        problem(await call(server, 'POST', '/testing/v1/billing/payments', null, { key: server.tenant.keys.test.secret }), 400, 'validation-error');
        assert.equal((await api.get(`/billing/bills/${bill.id}`)).body.amount_paid, 0);
      });

      test('a live key or a publishable key answers 403, no credentials 401: live data never moves', async () => {
        const live = client(server, server.tenant.keys.live.secret);
        const liveAccount = (await live.post('/billing/accounts', { customer: { external_reference: uniqueRef('CUS') }, external_reference: uniqueRef('ACC'), currency: 'ZAR', balance: 500, payment_rules: RULES })).body;
        problem(await pay({ account: liveAccount.id, amount: 100 }, live), 403, 'forbidden');
        problem(await pay({ account: liveAccount.id, amount: 100 }, client(server, server.tenant.keys.test.publishable)), 403, 'forbidden');
        problem(await call(server, 'POST', '/testing/v1/billing/payments', { account: liveAccount.id, amount: 100, currency: 'ZAR' }), 401, 'unauthorized');
        assert.equal((await live.get(`/billing/accounts/${liveAccount.id}`)).body.balance, 500);
      });

      test('an Idempotency-Key makes a retry replay the first answer and apply nothing twice', async () => {
        const account = await createAccount({ balance: 1000, payment_rules: RULES });
        const key = randomUUID();
        const first = await pay({ account: account.id, amount: 100 }, api, { idempotencyKey: key });
        assert.equal(first.status, 201, first.text);
        const retry = await pay({ account: account.id, amount: 100 }, api, { idempotencyKey: key });
        assert.equal(retry.status, 201);
        assert.equal(retry.headers.get('idempotent-replayed'), 'true');
        assert.deepEqual(retry.body, first.body);
        assert.equal((await api.get(`/billing/accounts/${account.id}`)).body.balance, 900);
        const other = await pay({ account: account.id, amount: 101 }, api, { idempotencyKey: key });
        problem(other, 409, 'conflict');
        assert.equal((await api.get(`/billing/accounts/${account.id}`)).body.balance, 900);
      });

      test('the payment and its event take their time from the tenant\'s test clock', async () => {
        const tenant = await server.createTenant(uniqueRef('clock'));
        const own = client(server, tenant.keys.test.secret);
        assert.equal((await own.put('/testing/v1/clock', { frozen_at: '2032-03-04T05:06:07.008Z' })).status, 200);
        const customer = (await own.post('/billing/customers', { external_reference: uniqueRef('CUS'), currency: 'ZAR', balance: 500, payment_rules: RULES })).body;
        const paid = await pay({ customer: customer.id, amount: 200 }, own);
        assert.equal(paid.body.applied_at, '2032-03-04T05:06:07.008Z');
        const events = (await own.get(`/testing/v1/events?type=obligation.amount_applied`)).body.data;
        assert.equal(events.length, 1);
        assert.equal(events[0].created_at, '2032-03-04T05:06:07.008Z');
        assert.equal(events[0].data.created_at, '2032-03-04T05:06:07.008Z');
      });
    });
  });
}

// The webhook a merchant's handler receives (Moment's one documented billing webhook), signed
// per Standard Webhooks, on an endpoint subscribed to `obligation.*` only.
for (const kind of await storeKinds()) {
  describe(`testing API: a payment's webhook (${kind})`, () => {
    let server: TestApp;
    let receiver: Server;
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    before(async () => {
      receiver = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          received.push({ headers: request.headers, body });
          response.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      server = await build(kind, { env: { SUBLEDGER_WORKERS: 'on', SUBLEDGER_OUTBOX_POLL_MS: '20' } });
    });
    after(async () => {
      await server.close();
      await new Promise((resolve) => receiver.close(resolve));
    });

    test('obligation.amount_applied arrives in Moment\'s envelope, signed, and only it on an obligation.* endpoint', async () => {
      const api = client(server, server.tenant.keys.test.secret);
      const endpoint = await call(server, 'POST', `/admin/v1/tenants/${server.tenant.tenant.id}/webhook-endpoints`, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/moment`, mode: 'test', events: ['obligation.*'] }, { key: ADMIN_TOKEN });
      assert.equal(endpoint.status, 201, endpoint.text);
      const customer = (await api.post('/billing/customers', { external_reference: uniqueRef('CUS'), currency: 'ZAR', balance: 1000, payment_rules: RULES, metadata: { event_id: 'wellness_joburg_2025' } })).body;
      const paid = await api.post('/testing/v1/billing/payments', { customer: customer.id, amount: 400, currency: 'ZAR' });
      assert.equal(paid.status, 201, paid.text);
      await waitFor(() => received.length > 0, 10_000, 'the webhook');
      const [delivery] = received;
      const envelope = new Webhook(endpoint.body.secret).verify(delivery!.body, delivery!.headers as Record<string, string>) as { id: string; type: string; created_at: string; data: Record<string, unknown> };
      assert.equal(envelope.type, 'obligation.amount_applied');
      assert.match(envelope.id, /^evt_/);
      assert.deepEqual(envelope.data, {
        id: envelope.data.id,
        amount: 400,
        currency: 'ZAR',
        payment_id: paid.body.payment_id,
        customer_id: customer.id,
        metadata: { event_id: 'wellness_joburg_2025' },
        created_at: paid.body.applied_at,
        updated_at: paid.body.applied_at,
      });
      // The customer's own events (created, updated) make no delivery to an endpoint subscribed to obligation.* only.
      const deliveries = await call(server, 'GET', `/admin/v1/tenants/${server.tenant.tenant.id}/webhook-deliveries?endpoint_id=${endpoint.body.id}`, undefined, { key: ADMIN_TOKEN });
      assert.deepEqual(deliveries.body.data.map((d: { event_type: string }) => d.event_type), ['obligation.amount_applied']);
    });
  });
}
