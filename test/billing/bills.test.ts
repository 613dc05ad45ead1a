import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call, client, uniqueRef, type ApiResponse } from '../support/http.js';
import { assertProblemAt } from '../support/problems.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

// SPEC §3b: Moment bills: create, get by id or external reference, list with filters, PATCH with
// derived amount_remaining and status. A bill never changes a balance.

const BILL_FIELDS = ['account_id', 'amount_due', 'amount_paid', 'amount_remaining', 'bill_date', 'created_at', 'currency', 'customer_id', 'due_date', 'external_reference', 'id', 'metadata', 'payment_rules', 'status', 'updated_at'];
const OVERPAY = { min_amount: 1, max_amount: 1_000_000, underpayment_allowed: true, overpayment_allowed: true };
const NO_OVERPAY = { ...OVERPAY, overpayment_allowed: false };

for (const kind of await storeKinds()) {
  describe(`billing bills (${kind})`, () => {
    let server: TestApp;
    let api: ReturnType<typeof client>;
    before(async () => {
      server = await build(kind);
      api = client(server, server.tenant.keys.test.secret);
    });
    after(() => server.close());

    const problem = (response: ApiResponse, status: number, slug: string) => assertProblemAt('/docs/errors', response, status, slug);
    const params = (response: ApiResponse) => (response.body.errors ?? []).map((e: { param: string }) => e.param);

    async function createAccount(body: Record<string, unknown> = {}, target = api) {
      const response = await target.post('/billing/accounts', { customer: { external_reference: uniqueRef('CUS') }, external_reference: uniqueRef('ACC'), ...body });
      assert.equal(response.status, 201, response.text);
      return response.body;
    }

    async function createBill(body: Record<string, unknown>, target = api) {
      const response = await target.post('/billing/bills', { external_reference: uniqueRef('BILL'), currency: 'ZAR', amount_due: 2000, ...body });
      assert.equal(response.status, 201, response.text);
      return response.body;
    }

    describe('create', () => {
      test('a bill on an account (by external reference) takes the account\'s customer, starts unpaid, and answers every field', async () => {
        const account = await createAccount({ currency: 'ZAR' });
        const sent = { account: account.external_reference, external_reference: uniqueRef('BILL'), currency: 'ZAR', amount_due: 2000, bill_date: '2026-01-01', due_date: '2026-01-31', payment_rules: NO_OVERPAY, metadata: { invoice: 'INV-1' } };
        const response = await api.post('/billing/bills', sent);
        assert.equal(response.status, 201, response.text);
        const bill = response.body;
        assert.deepEqual(Object.keys(bill).sort(), BILL_FIELDS);
        assert.match(bill.id, /^bill_[a-zA-Z0-9]+$/);
        assert.equal(bill.customer_id, account.customer_id);
        assert.equal(bill.account_id, account.id);
        assert.equal(bill.status, 'unpaid');
        assert.equal(bill.amount_due, 2000);
        assert.equal(bill.amount_paid, 0);
        assert.equal(bill.amount_remaining, 2000);
        assert.equal(bill.bill_date, '2026-01-01');
        assert.equal(bill.due_date, '2026-01-31');
        assert.deepEqual(bill.payment_rules, NO_OVERPAY);
        assert.deepEqual(bill.metadata, { invoice: 'INV-1' });
        assert.equal(bill.created_at, bill.updated_at);
      });

      test('a bill directly on a customer (by id) has account_id null; optional fields sent as null are left out', async () => {
        const customer = (await api.post('/billing/customers', { external_reference: uniqueRef('CUS') })).body;
        const bill = await createBill({ customer: customer.id, account: null, due_date: null, payment_rules: null, metadata: null, bill_date: null });
        assert.equal(bill.customer_id, customer.id);
        assert.equal(bill.account_id, null);
        assert.equal(bill.due_date, null);
        assert.equal(bill.payment_rules, null);
        assert.deepEqual(bill.metadata, {});
      });

      test("bill_date defaults to today (UTC) on the tenant's test clock", async () => {
        const tenant = await server.createTenant(uniqueRef('clock'));
        const own = client(server, tenant.keys.test.secret);
        const frozen = await own.put('/testing/v1/clock', { frozen_at: '2031-05-17T23:59:59.500Z' });
        assert.equal(frozen.status, 200, frozen.text);
        const customer = (await own.post('/billing/customers', { external_reference: uniqueRef('CUS') })).body;
        const bill = await createBill({ customer: customer.id }, own);
        assert.equal(bill.bill_date, '2031-05-17');
        assert.equal(bill.created_at, '2031-05-17T23:59:59.500Z');
        // due_date is judged against the defaulted bill_date.
        const early = await own.post('/billing/bills', { customer: customer.id, external_reference: uniqueRef('BILL'), currency: 'ZAR', amount_due: 1, due_date: '2031-05-16' });
        problem(early, 400, 'validation-error');
        assert.deepEqual(params(early), ['due_date']);
        await createBill({ customer: customer.id, due_date: '2031-05-17' }, own);
      });

      test('customer and account together must agree; either alone is enough; neither answers 400', async () => {
        const account = await createAccount();
        const other = (await api.post('/billing/customers', { external_reference: uniqueRef('CUS') })).body;
        const agreeing = await createBill({ customer: account.customer_id, account: account.id });
        assert.equal(agreeing.account_id, account.id);
        const disagreeing = await api.post('/billing/bills', { customer: other.id, account: account.id, external_reference: uniqueRef('BILL'), currency: 'ZAR', amount_due: 100 });
        problem(disagreeing, 400, 'validation-error');
        assert.deepEqual(params(disagreeing), ['customer']);
        const neither = await api.post('/billing/bills', { external_reference: uniqueRef('BILL'), currency: 'ZAR', amount_due: 100 });
        problem(neither, 400, 'validation-error');
        assert.deepEqual(params(neither), ['customer']);
      });

      test("an unknown customer or account answers 400 naming it: another tenant's and live mode's are unknown", async () => {
        const otherTenant = await server.createTenant(uniqueRef('other'));
        const foreign = await createAccount({}, client(server, otherTenant.keys.test.secret));
        const live = await createAccount({}, client(server, server.tenant.keys.live.secret));
        for (const [field, reference] of [['customer', 'bcus_doesnotexist'], ['customer', 'NO-SUCH-CUSTOMER'], ['customer', foreign.customer_id], ['account', 'bacc_doesnotexist'], ['account', foreign.id], ['account', live.id]]) {
          const response = await api.post('/billing/bills', { [field!]: reference, external_reference: uniqueRef('BILL'), currency: 'ZAR', amount_due: 100 });
          problem(response, 400, 'validation-error');
          assert.deepEqual(params(response), [field]);
          assert.match(response.body.errors[0].message, /existing/);
        }
      });

      test("currency is required, ISO 4217, and the account's when the account has one", async () => {
        const zar = await createAccount({ currency: 'ZAR' });
        const none = await createAccount();
        const wrong = await api.post('/billing/bills', { account: zar.id, external_reference: uniqueRef('BILL'), currency: 'USD', amount_due: 100 });
        problem(wrong, 400, 'validation-error');
        assert.deepEqual(params(wrong), ['currency']);
        assert.match(wrong.body.errors[0].message, /ZAR/);
        for (const currency of ['zar', 'XXY', '', undefined]) {
          const response = await api.post('/billing/bills', { account: none.id, external_reference: uniqueRef('BILL'), currency, amount_due: 100 });
          problem(response, 400, 'validation-error');
          assert.deepEqual(params(response), ['currency']);
        }
        assert.equal((await createBill({ account: none.id, currency: 'JPY' })).currency, 'JPY');
      });

      test('amount_due must be an integer > 0 within ±(2^53−1); dates must be real calendar dates, due_date not before bill_date', async () => {
        const account = await createAccount();
        const cases: [Record<string, unknown>, string][] = [
          [{ amount_due: 0 }, 'amount_due'],
          [{ amount_due: -5 }, 'amount_due'],
          [{ amount_due: 1.5 }, 'amount_due'],
          [{ amount_due: '100' }, 'amount_due'],
          [{ amount_due: 2 ** 53 }, 'amount_due'],
          [{ amount_due: undefined }, 'amount_due'],
          [{ bill_date: '2026-02-30' }, 'bill_date'],
          [{ bill_date: '2026-1-01' }, 'bill_date'],
          [{ due_date: '2026-13-01' }, 'due_date'],
          [{ bill_date: '2026-03-01', due_date: '2026-02-28' }, 'due_date'],
          [{ external_reference: 'has space' }, 'external_reference'],
          [{ external_reference: undefined }, 'external_reference'],
          [{ payment_rules: { ...OVERPAY, min_amount: 10, max_amount: 5 } }, 'payment_rules.min_amount'],
          [{ metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
          [{ amount_paid: 5 }, 'amount_paid'],
          [{ status: 'paid' }, 'status'],
        ];
        for (const [change, param] of cases) {
          const response = await api.post('/billing/bills', { account: account.id, external_reference: uniqueRef('BILL'), currency: 'ZAR', amount_due: 100, ...change });
          problem(response, 400, 'validation-error');
          assert.ok(params(response).includes(param), `${JSON.stringify(change)}: ${response.text}`);
        }
        assert.equal((await createBill({ account: account.id, bill_date: '2028-02-29', due_date: '2028-02-29' })).due_date, '2028-02-29');
      });

      test('a duplicate external_reference answers 409 conflict; the same reference in live mode or another tenant is free', async () => {
        const account = await createAccount();
        const bill = await createBill({ account: account.id });
        const again = await api.post('/billing/bills', { account: account.id, external_reference: bill.external_reference, currency: 'ZAR', amount_due: 5 });
        problem(again, 409, 'conflict');
        const liveApi = client(server, server.tenant.keys.live.secret);
        const liveAccount = await createAccount({}, liveApi);
        assert.equal((await createBill({ account: liveAccount.id, external_reference: bill.external_reference }, liveApi)).external_reference, bill.external_reference);
      });

      test('Idempotency-Key is required; a retry replays the first answer and creates nothing; another body with the key answers 409', async () => {
        const account = await createAccount();
        const body = { account: account.id, external_reference: uniqueRef('BILL'), currency: 'ZAR', amount_due: 700 };
        const missing = await api.post('/billing/bills', body, { idempotencyKey: null });
        problem(missing, 400, 'validation-error');
        assert.deepEqual(params(missing), ['Idempotency-Key']);
        const key = randomUUID();
        const first = await api.post('/billing/bills', body, { idempotencyKey: key });
        assert.equal(first.status, 201, first.text);
        const retry = await api.post('/billing/bills', body, { idempotencyKey: key });
        assert.equal(retry.status, 201);
        assert.equal(retry.headers.get('idempotent-replayed'), 'true');
        assert.deepEqual(retry.body, first.body);
        const listed = await api.get(`/billing/bills?account_id=${account.id}`);
        assert.equal(listed.body.data.length, 1);
        const other = await api.post('/billing/bills', { ...body, amount_due: 701 }, { idempotencyKey: key });
        problem(other, 409, 'idempotency-conflict');
        assert.equal(other.body.resource_id, first.body.id);
      });

      test('a publishable key answers 403; no key 401', async () => {
        const publishable = await call(server, 'POST', '/billing/bills', { customer: 'x', external_reference: 'X', currency: 'ZAR', amount_due: 1 }, { key: server.tenant.keys.test.publishable, idempotencyKey: randomUUID() });
        problem(publishable, 403, 'forbidden');
        problem(await call(server, 'GET', '/billing/bills'), 401, 'unauthorized');
      });

      test('malformed JSON, a wrong content type and a non-object body answer 400/415 problems, never 5xx', async () => {
        const headers = { authorization: `Bearer ${server.tenant.keys.test.secret}`, 'idempotency-key': randomUUID() };
        problem(await call(server, 'POST', '/billing/bills', undefined, { headers: { ...headers, 'content-type': 'application/json' }, rawBody: '{"amount_due":' }), 400, 'validation-error');
        problem(await call(server, 'POST', '/billing/bills', undefined, { headers: { ...headers, 'content-type': 'text/plain' }, rawBody: 'hello' }), 415, 'unsupported-media-type');
        problem(await call(server, 'POST', '/billing/bills', [1, 2], { headers: { ...headers, 'idempotency-key': randomUUID() } }), 400, 'validation-error');
      });
    });

    describe('retrieve', () => {
      test('by id and by external reference; an unknown one, another tenant\'s, or live mode\'s answers 404', async () => {
        const account = await createAccount();
        const bill = await createBill({ account: account.id });
        assert.deepEqual((await api.get(`/billing/bills/${bill.id}`)).body, bill);
        assert.deepEqual((await api.get(`/billing/bills/${bill.external_reference}`)).body, bill);
        problem(await api.get('/billing/bills/bill_doesnotexist'), 404, 'not-found');
        const otherTenant = await server.createTenant(uniqueRef('other'));
        problem(await client(server, otherTenant.keys.test.secret).get(`/billing/bills/${bill.id}`), 404, 'not-found');
        problem(await client(server, server.tenant.keys.live.secret).get(`/billing/bills/${bill.external_reference}`), 404, 'not-found');
      });
    });

    describe('update', () => {
      test('amount_paid derives amount_remaining and status: part paid stays unpaid, fully paid is paid, back down is unpaid again', async () => {
        const bill = await createBill({ account: (await createAccount()).id, amount_due: 2000 });
        const part = await api.patch(`/billing/bills/${bill.id}`, { amount_paid: 1500 });
        assert.equal(part.status, 200, part.text);
        assert.deepEqual([part.body.amount_paid, part.body.amount_remaining, part.body.status], [1500, 500, 'unpaid']);
        assert.ok(part.body.updated_at >= bill.updated_at);
        const full = await api.patch(`/billing/bills/${bill.external_reference}`, { amount_paid: 2000 });
        assert.deepEqual([full.body.amount_paid, full.body.amount_remaining, full.body.status], [2000, 0, 'paid']);
        const back = await api.patch(`/billing/bills/${bill.id}`, { amount_paid: 0 });
        assert.deepEqual([back.body.amount_remaining, back.body.status], [2000, 'unpaid']);
      });

      test('amount_paid above amount_due only when the payment rules allow overpayment (then amount_remaining is negative)', async () => {
        const account = await createAccount();
        for (const rules of [undefined, NO_OVERPAY]) {
          const bill = await createBill({ account: account.id, amount_due: 100, payment_rules: rules });
          const over = await api.patch(`/billing/bills/${bill.id}`, { amount_paid: 101 });
          problem(over, 400, 'validation-error');
          assert.deepEqual(params(over), ['amount_paid']);
          assert.equal((await api.get(`/billing/bills/${bill.id}`)).body.amount_paid, 0, 'nothing changed');
        }
        const allowed = await createBill({ account: account.id, amount_due: 100, payment_rules: OVERPAY });
        const over = await api.patch(`/billing/bills/${allowed.id}`, { amount_paid: 150 });
        assert.deepEqual([over.body.amount_remaining, over.body.status], [-50, 'paid']);
        // Rules sent in the same request are the ones that judge it.
        const withRules = await createBill({ account: account.id, amount_due: 100 });
        const both = await api.patch(`/billing/bills/${withRules.id}`, { amount_paid: 120, payment_rules: OVERPAY });
        assert.equal(both.status, 200, both.text);
        assert.equal(both.body.amount_remaining, -20);
      });

      test('sending amount_remaining or status answers 400 naming it (they are derived); other fields are not updatable', async () => {
        const bill = await createBill({ account: (await createAccount()).id });
        for (const [body, param] of [[{ status: 'paid' }, 'status'], [{ amount_remaining: 0 }, 'amount_remaining'], [{ amount_paid: 10, status: 'unpaid' }, 'status'], [{ amount_due: 5 }, 'amount_due'], [{ currency: 'USD' }, 'currency'], [{ external_reference: 'X' }, 'external_reference'], [{ amount_paid: -1 }, 'amount_paid'], [{ amount_paid: 1.5 }, 'amount_paid'], [{ due_date: '2020-01-01' }, 'due_date'], [{ due_date: 'soon' }, 'due_date']] as const) {
          const response = await api.patch(`/billing/bills/${bill.id}`, body);
          problem(response, 400, 'validation-error');
          assert.ok(params(response).includes(param), `${JSON.stringify(body)}: ${response.text}`);
        }
        const derived = await api.patch(`/billing/bills/${bill.id}`, { status: 'paid' });
        assert.match(derived.body.errors[0].message, /derived/);
        assert.deepEqual((await api.get(`/billing/bills/${bill.id}`)).body, bill, 'nothing changed');
      });

      test('due_date, payment_rules and metadata (merged; "" or null removes) change; an empty PATCH changes nothing', async () => {
        const bill = await createBill({ account: (await createAccount()).id, bill_date: '2026-01-01', metadata: { a: '1', b: '2' } });
        const changed = await api.patch(`/billing/bills/${bill.id}`, { due_date: '2026-02-01', payment_rules: OVERPAY, metadata: { a: null, b: '', c: '3' } });
        assert.equal(changed.status, 200, changed.text);
        assert.equal(changed.body.due_date, '2026-02-01');
        assert.deepEqual(changed.body.payment_rules, OVERPAY);
        assert.deepEqual(changed.body.metadata, { c: '3' });
        const cleared = await api.patch(`/billing/bills/${bill.id}`, { due_date: null, payment_rules: null });
        assert.equal(cleared.body.due_date, null);
        assert.equal(cleared.body.payment_rules, null);
        const empty = await api.patch(`/billing/bills/${bill.id}`, {});
        assert.deepEqual(empty.body, cleared.body);
      });

      test('an unknown bill answers 404; a PATCH with a reused Idempotency-Key replays', async () => {
        problem(await api.patch('/billing/bills/NO-SUCH-BILL', { amount_paid: 1 }), 404, 'not-found');
        const bill = await createBill({ account: (await createAccount()).id });
        const key = randomUUID();
        const first = await api.patch(`/billing/bills/${bill.id}`, { amount_paid: 10 }, { idempotencyKey: key });
        const retry = await api.patch(`/billing/bills/${bill.id}`, { amount_paid: 10 }, { idempotencyKey: key });
        assert.equal(retry.headers.get('idempotent-replayed'), 'true');
        assert.deepEqual(retry.body, first.body);
      });

      test("a bill never changes its account's or customer's balance nor their ledger", async () => {
        const account = await createAccount({ currency: 'ZAR', balance: 5000 });
        const customer = (await api.get(`/billing/customers/${account.customer_id}`)).body;
        const ledgerBefore = (await api.get(`/billing/accounts/${account.id}/ledger_entries`)).body.data;
        const bill = await createBill({ account: account.id, amount_due: 3000, payment_rules: OVERPAY });
        await api.patch(`/billing/bills/${bill.id}`, { amount_paid: 4000 });
        const after = (await api.get(`/billing/accounts/${account.id}`)).body;
        assert.equal(after.balance, 5000);
        assert.equal(after.updated_at, account.updated_at);
        assert.deepEqual((await api.get(`/billing/accounts/${account.id}/ledger_entries`)).body.data, ledgerBefore);
        assert.deepEqual((await api.get(`/billing/customers/${customer.id}`)).body, customer);
      });
    });

    describe('list', () => {
      test('newest first in the list shape of accounts, filtered by customer_id, account_id and status, paged both ways', async () => {
        const account = await createAccount();
        const otherAccount = await createAccount({ customer: account.customer_id });
        const direct = await createBill({ customer: account.customer_id });
        const onAccount = await createBill({ account: account.id });
        const paid = await createBill({ account: account.id, amount_due: 10 });
        await api.patch(`/billing/bills/${paid.id}`, { amount_paid: 10 });
        const onOther = await createBill({ account: otherAccount.id });
        const ids = (response: ApiResponse) => response.body.data.map((b: { id: string }) => b.id);

        const byCustomer = await api.get(`/billing/bills?customer_id=${account.customer_id}`);
        assert.equal(byCustomer.status, 200, byCustomer.text);
        assert.equal(byCustomer.body.object, 'list');
        assert.equal(byCustomer.body.has_more, false);
        assert.deepEqual(ids(byCustomer), [onOther.id, paid.id, onAccount.id, direct.id]);
        assert.deepEqual(ids(await api.get(`/billing/bills?account_id=${account.id}`)), [paid.id, onAccount.id]);
        assert.deepEqual(ids(await api.get(`/billing/bills?customer_id=${account.customer_id}&status=paid`)), [paid.id]);
        assert.deepEqual(ids(await api.get(`/billing/bills?account_id=${account.id}&status=unpaid`)), [onAccount.id]);

        const first = await api.get(`/billing/bills?customer_id=${account.customer_id}&limit=2`);
        assert.deepEqual(ids(first), [onOther.id, paid.id]);
        assert.equal(first.body.has_more, true);
        const next = await api.get(`/billing/bills?customer_id=${account.customer_id}&limit=2&starting_after=${paid.id}`);
        assert.deepEqual(ids(next), [onAccount.id, direct.id]);
        assert.equal(next.body.has_more, false);
        const previous = await api.get(`/billing/bills?customer_id=${account.customer_id}&limit=2&ending_before=${onAccount.id}`);
        assert.deepEqual(ids(previous), [onOther.id, paid.id]);
      });

      test('bad list parameters answer 400; another tenant\'s and live mode\'s bills are never listed', async () => {
        for (const query of ['limit=0', 'limit=101', 'status=open', 'starting_after=bill_nope', 'starting_after=a&ending_before=b', 'colour=red']) {
          problem(await api.get(`/billing/bills?${query}`), 400, 'validation-error');
        }
        const account = await createAccount();
        await createBill({ account: account.id });
        const otherTenant = await server.createTenant(uniqueRef('other'));
        assert.deepEqual((await client(server, otherTenant.keys.test.secret).get('/billing/bills')).body.data, []);
        assert.deepEqual((await client(server, server.tenant.keys.live.secret).get(`/billing/bills?customer_id=${account.customer_id}`)).body.data, []);
      });
    });

    describe('test data', () => {
      test('a snapshot keeps the bills and a restore brings them back as they were; a reset deletes them', async () => {
        const tenant = await server.createTenant(uniqueRef('data'));
        const own = client(server, tenant.keys.test.secret);
        const customer = (await own.post('/billing/customers', { external_reference: uniqueRef('CUS') })).body;
        const bill = await createBill({ customer: customer.id, payment_rules: OVERPAY }, own);
        const snapshot = await own.post('/testing/v1/snapshots', { name: 'one bill' });
        assert.equal(snapshot.status, 201, snapshot.text);
        await own.patch(`/billing/bills/${bill.id}`, { amount_paid: 2000 });
        await createBill({ customer: customer.id }, own);
        assert.equal((await own.post(`/testing/v1/snapshots/${snapshot.body.id}/restore`, {})).status, 200);
        assert.deepEqual((await own.get('/billing/bills')).body.data, [bill]);
        const reset = await own.post('/testing/v1/reset', {});
        assert.equal(reset.body.deleted.bills, 1);
        assert.deepEqual((await own.get('/billing/bills')).body.data, []);
      });
    });

    describe('admin read (the console account page)', () => {
      test("an account's and a customer's bills, newest first; other surfaces' holders have none; an unknown one is 404", async () => {
        const account = await createAccount();
        const onAccount = await createBill({ account: account.id });
        const direct = await createBill({ customer: account.customer_id });
        const read = (holderId: string) => call(server, 'GET', `/admin/v1/tenants/${server.tenant.tenant.id}/accounts/${holderId}/bills`, undefined, { key: ADMIN_TOKEN });
        const ofAccount = await read(account.id);
        assert.equal(ofAccount.status, 200, ofAccount.text);
        assert.deepEqual(ofAccount.body, { data: [onAccount], has_more: false });
        assert.deepEqual((await read(account.customer_id)).body.data.map((b: { id: string }) => b.id), [direct.id, onAccount.id]);
        const platform = await call(server, 'POST', '/v2/accounts', { email: 'owner@example.com', type: 'OWNED', public_profile: { business_name: 'Shop' } }, { key: server.tenant.keys.test.secret });
        assert.deepEqual((await read(platform.body.id)).body, { data: [], has_more: false });
        assert.equal((await read('bacc_doesnotexist')).status, 404);
        assert.equal((await call(server, 'GET', `/admin/v1/tenants/${server.tenant.tenant.id}/accounts/${account.id}/bills`)).status, 401);
      });
    });

    describe('events', () => {
      test('billing.bill.created and billing.bill.updated carry the bill as the API shows it; endpoints may subscribe to them', async () => {
        const bill = await createBill({ account: (await createAccount()).id });
        const updated = (await api.patch(`/billing/bills/${bill.id}`, { amount_paid: 5 })).body;
        const events = await api.get(`/testing/v1/events?object_id=${bill.id}`);
        assert.equal(events.status, 200, events.text);
        assert.deepEqual(events.body.data.map((e: { type: string }) => e.type), ['billing.bill.created', 'billing.bill.updated']);
        assert.deepEqual(events.body.data[0].data, bill);
        assert.deepEqual(events.body.data[1].data, updated);
        assert.equal(events.body.data[1].created_at, updated.updated_at);
        const endpoint = await call(server, 'POST', `/admin/v1/tenants/${server.tenant.tenant.id}/webhook-endpoints`, { url: 'http://127.0.0.1:9/hook', mode: 'test', events: ['billing.bill.created', 'billing.bill.updated', 'obligation.amount_applied'] }, { key: ADMIN_TOKEN });
        assert.equal(endpoint.status, 201, endpoint.text);
      });

      test("/openapi.json lists the bill events and obligation.amount_applied under webhooks, in Moment's envelope", async () => {
        const document = (await call(server, 'GET', '/openapi.json')).body;
        for (const [type, field] of [['billing.bill.created', 'amount_remaining'], ['billing.bill.updated', 'status'], ['obligation.amount_applied', 'payment_id']]) {
          const schema = document.webhooks?.[type!]?.post?.requestBody?.content?.['application/json']?.schema;
          assert.ok(schema, `${type} is in webhooks`);
          assert.deepEqual(Object.keys(schema.properties).sort(), ['created_at', 'data', 'id', 'type']);
          assert.ok(field! in schema.properties.data.properties, `${type}: data has ${field}`);
        }
        assert.ok(document.paths['/billing/bills'].post && document.paths['/billing/bills/{bill}'].patch && document.paths['/testing/v1/billing/payments'].post);
      });
    });
  });
}
