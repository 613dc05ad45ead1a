import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { nowIso } from '../../src/ledger/clock.js';
import { newId, randomBase62 } from '../../src/ledger/ids.js';
import type { CreatedTenant } from '../../src/tenancy/tenants.js';
import { endpointAccepts } from '../../src/tenancy/webhook-endpoints.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { call, client, type ApiResponse } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestApp, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { assertProblem } from './harness.js';
import { orgApiOf, type OrgApi } from '../org/org-client.js';

// SPEC §2 "Tenant and mode": a request sees only objects of its own tenant and mode; another
// tenant's id answers exactly like an id that does not exist. Checked on every route with an id
// or reference in its path (by id and by external reference, GET and PATCH, with and without an
// Idempotency-Key), on list filters and cursors, on idempotency keys, and on the admin routes
// that name a tenant's sub-objects. Lists never show another scope's objects.

type Api = ReturnType<typeof client>;

/** The answer with the looked-up reference masked and the per-request id dropped, for comparison. */
function comparable(response: ApiResponse, reference: string) {
  const body = typeof response.body === 'object' && response.body !== null ? { ...(response.body as Record<string, unknown>) } : response.body;
  if (body && typeof body === 'object') delete (body as Record<string, unknown>).request_id;
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: JSON.parse(JSON.stringify(body ?? null).replaceAll(reference, '<reference>')) as unknown,
  };
}

/** A reference of the same shape and length that names nothing: `bacc_` ids stay `bacc_` ids. */
function neverExisted(reference: string): string {
  const prefix = /^[a-z]+_/.exec(reference)?.[0] ?? '';
  return `${prefix}${randomBase62(reference.length - prefix.length)}`;
}

const storeOf = (server: TestApp) => server.services.store as KyselyStore;

for (const kind of await storeKinds()) {
  describe(`tenant and mode isolation on every route (${kind})`, () => {
    let server: TestApp;
    let tenantB: CreatedTenant;
    let owner: Api;
    let outsiders: { name: string; api: Api }[];
    let customer: Record<string, any>;
    let account: Record<string, any>;
    let ledger: { id: string }[];
    let bill: Record<string, any>;
    /** Each outsider's own bill (for cursors on its own bill list). */
    const ownBills = new Map<string, string>();
    /** Each outsider's own account (for cursors on its own lists). */
    const ownAccounts = new Map<string, string>();

    /** What tenant A (test mode) owns, as its owner sees it, and the rows around it. */
    async function ownerView() {
      const db = storeOf(server).db;
      const scope = { tenantId: server.tenant.tenant.id, mode: 'test' };
      const count = async (table: 'customers' | 'accounts' | 'ledger_entries' | 'events') =>
        Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode).executeTakeFirstOrThrow()).n);
      return {
        customer: (await owner.get(`/billing/customers/${customer.id}`)).body,
        account: (await owner.get(`/billing/accounts/${account.id}`)).body,
        bill: (await owner.get(`/billing/bills/${bill.id}`)).body,
        ledger: (await owner.get(`/billing/accounts/${account.id}/ledger_entries`)).body,
        rows: { customers: await count('customers'), accounts: await count('accounts'), ledger_entries: await count('ledger_entries'), events: await count('events') },
      };
    }

    before(async () => {
      server = await build(kind);
      tenantB = await server.createTenant('other');
      owner = client(server, server.tenant.keys.test.secret);
      outsiders = [
        { name: "tenant B's test key", api: client(server, tenantB.keys.test.secret) },
        { name: "tenant B's live key", api: client(server, tenantB.keys.live.secret) },
        { name: "tenant A's live key (A's other mode)", api: client(server, server.tenant.keys.live.secret) },
      ];
      const createdCustomer = await owner.post('/billing/customers', { external_reference: `ISO-CUS-${randomUUID().slice(0, 8)}`, email: `owner-${randomUUID().slice(0, 8)}@example.com`, currency: 'ZAR', balance: 100 });
      assert.equal(createdCustomer.status, 201, createdCustomer.text);
      customer = createdCustomer.body;
      const createdAccount = await owner.post('/billing/accounts', { customer: customer.id, external_reference: `ISO-ACC-${randomUUID().slice(0, 8)}`, name: 'Owned', currency: 'ZAR', balance: 500 });
      assert.equal(createdAccount.status, 201, createdAccount.text);
      const changed = await owner.patch(`/billing/accounts/${createdAccount.body.id}`, { balance: 700, currency: 'ZAR' });
      assert.equal(changed.status, 200, changed.text);
      account = changed.body;
      ledger = (await owner.get(`/billing/accounts/${account.id}/ledger_entries`)).body.data;
      assert.equal(ledger.length, 2);
      const RULES = { min_amount: 1, max_amount: 100_000, underpayment_allowed: true, overpayment_allowed: true };
      const createdBill = await owner.post('/billing/bills', { account: account.id, external_reference: `ISO-BILL-${randomUUID().slice(0, 8)}`, currency: 'ZAR', amount_due: 900, payment_rules: RULES });
      assert.equal(createdBill.status, 201, createdBill.text);
      bill = createdBill.body;

      // Every outsider owns objects too, so its lists are not trivially empty.
      for (const { name, api } of outsiders) {
        const own = await api.post('/billing/accounts', { customer: { external_reference: `OWN-CUS-${randomUUID().slice(0, 8)}` }, external_reference: `OWN-ACC-${randomUUID().slice(0, 8)}`, currency: 'ZAR', balance: 42 });
        assert.equal(own.status, 201, `${name}: ${own.text}`);
        ownAccounts.set(name, own.body.id);
        const ownBill = await api.post('/billing/bills', { account: own.body.id, external_reference: `OWN-BILL-${randomUUID().slice(0, 8)}`, currency: 'ZAR', amount_due: 10 });
        assert.equal(ownBill.status, 201, `${name}: ${ownBill.text}`);
        ownBills.set(name, ownBill.body.id);
      }
    });
    after(() => server.close());

    /**
     * For every outsider and every reference of an object of tenant A (test mode): the answer is
     * exactly the answer for a reference that never existed, and `expectedStatus`.
     */
    async function assertAnsweredLikeUnknown(references: string[], request: (api: Api, reference: string, outsider: string) => Promise<ApiResponse>, expectedStatus: number, ownerStatus?: number) {
      for (const reference of references) {
        if (ownerStatus !== undefined) {
          const own = await request(owner, reference, 'owner');
          assert.equal(own.status, ownerStatus, `the owner's own request answers ${ownerStatus} (control): ${own.text}`);
        }
        for (const { name, api } of outsiders) {
          const unknownReference = neverExisted(reference);
          const foreign = await request(api, reference, name);
          const missing = await request(api, unknownReference, name);
          assert.equal(foreign.status, expectedStatus, `${name} on ${reference}: ${foreign.text}`);
          assert.deepEqual(comparable(foreign, reference), comparable(missing, unknownReference), `${name}: ${reference} of another scope answers exactly like the unknown ${unknownReference}`);
        }
      }
    }

    const customerRefs = () => [customer.id as string, customer.external_reference as string];
    const accountRefs = () => [account.id as string, account.external_reference as string];

    test('GET /billing/customers/{id or external_reference} of another tenant or mode: the same 404 as an unknown customer', async () => {
      await assertAnsweredLikeUnknown(customerRefs(), (api, ref) => api.get(`/billing/customers/${ref}`), 404, 200);
      const foreign = await outsiders[0]!.api.get(`/billing/customers/${customer.id}`);
      assertProblem(foreign, 404, 'not-found', `/billing/customers/${customer.id}`);
    });

    test('PATCH /billing/customers/{id or external_reference} of another tenant or mode, with and without Idempotency-Key: the same 404, nothing changes', async () => {
      const before = await ownerView();
      await assertAnsweredLikeUnknown(customerRefs(), (api, ref) => api.patch(`/billing/customers/${ref}`, { name: 'hijacked' }), 404);
      await assertAnsweredLikeUnknown(customerRefs(), (api, ref) => api.patch(`/billing/customers/${ref}`, { balance: 1, currency: 'ZAR', metadata: { x: 'y' } }, { idempotencyKey: `iso-${randomUUID()}` }), 404);
      assert.deepEqual(await ownerView(), before);
    });

    test('GET /billing/accounts/{id or external_reference} of another tenant or mode: the same 404 as an unknown account', async () => {
      await assertAnsweredLikeUnknown(accountRefs(), (api, ref) => api.get(`/billing/accounts/${ref}`), 404, 200);
    });

    test('PATCH /billing/accounts/{id or external_reference} of another tenant or mode, with and without Idempotency-Key: the same 404, no ledger entry, no event', async () => {
      const before = await ownerView();
      await assertAnsweredLikeUnknown(accountRefs(), (api, ref) => api.patch(`/billing/accounts/${ref}`, { name: 'hijacked' }), 404);
      await assertAnsweredLikeUnknown(accountRefs(), (api, ref) => api.patch(`/billing/accounts/${ref}`, { balance: 1, currency: 'ZAR' }, { idempotencyKey: `iso-${randomUUID()}` }), 404);
      await assertAnsweredLikeUnknown(accountRefs(), (api, ref) => api.patch(`/billing/accounts/${ref}`, { currency: 'JPY', balance: 0, payment_rules: null }), 404);
      assert.deepEqual(await ownerView(), before);
    });

    test('GET /billing/accounts/{id or external_reference}/ledger_entries of another tenant or mode: the same 404, with or without a cursor', async () => {
      await assertAnsweredLikeUnknown(accountRefs(), (api, ref) => api.get(`/billing/accounts/${ref}/ledger_entries`), 404, 200);
      await assertAnsweredLikeUnknown(accountRefs(), (api, ref) => api.get(`/billing/accounts/${ref}/ledger_entries?starting_after=${ledger[0]!.id}&limit=1`), 404, 200);
    });

    test('POST /billing/accounts naming another tenant\'s or mode\'s customer (id or external_reference): the same 400 naming `customer` as an unknown customer, nothing created', async () => {
      const before = await ownerView();
      await assertAnsweredLikeUnknown(customerRefs(), (api, ref) => api.post('/billing/accounts', { customer: ref, external_reference: `ISO-NEW-${randomUUID().slice(0, 8)}` }, { idempotencyKey: `iso-${randomUUID()}` }), 400, 201);
      const foreign = await outsiders[0]!.api.post('/billing/accounts', { customer: customer.id, external_reference: 'ISO-NEW-2' });
      assertProblem(foreign, 400, 'validation-error', '/billing/accounts');
      assert.deepEqual(foreign.body.errors.map((e: { param: string }) => e.param), ['customer']);
      const after = await ownerView();
      // The control created accounts in tenant A (one per reference); nothing else changed.
      assert.equal(after.rows.accounts, before.rows.accounts + customerRefs().length);
      assert.deepEqual(after.customer, before.customer);
    });

    const billRefs = () => [bill.id as string, bill.external_reference as string];

    test('GET and PATCH /billing/bills/{id or external_reference} of another tenant or mode, with and without Idempotency-Key: the same 404 as an unknown bill, nothing changes', async () => {
      const before = await ownerView();
      await assertAnsweredLikeUnknown(billRefs(), (api, ref) => api.get(`/billing/bills/${ref}`), 404, 200);
      await assertAnsweredLikeUnknown(billRefs(), (api, ref) => api.patch(`/billing/bills/${ref}`, { amount_paid: 900 }), 404);
      await assertAnsweredLikeUnknown(billRefs(), (api, ref) => api.patch(`/billing/bills/${ref}`, { metadata: { x: 'y' }, due_date: null }, { idempotencyKey: `iso-${randomUUID()}` }), 404);
      assert.deepEqual(await ownerView(), before);
    });

    test("POST /billing/bills naming another tenant's or mode's account or customer: the same 400 naming it as an unknown one, nothing created", async () => {
      const before = await ownerView();
      const bills = async () => (await owner.get(`/billing/bills?customer_id=${customer.id}&limit=100`)).body.data.length;
      const billsBefore = await bills();
      await assertAnsweredLikeUnknown(accountRefs(), (api, ref) => api.post('/billing/bills', { account: ref, external_reference: `ISO-NEWBILL-${randomUUID().slice(0, 8)}`, currency: 'ZAR', amount_due: 5 }), 400, 201);
      await assertAnsweredLikeUnknown(customerRefs(), (api, ref) => api.post('/billing/bills', { customer: ref, external_reference: `ISO-NEWBILL-${randomUUID().slice(0, 8)}`, currency: 'ZAR', amount_due: 5 }), 400, 201);
      const foreign = await outsiders[0]!.api.post('/billing/bills', { account: account.id, external_reference: 'ISO-NEWBILL-X', currency: 'ZAR', amount_due: 5 });
      assert.deepEqual(foreign.body.errors.map((e: { param: string }) => e.param), ['account']);
      // The controls created bills in tenant A (one per reference); nothing else changed.
      assert.equal(await bills(), billsBefore + accountRefs().length + customerRefs().length);
      const after = await ownerView();
      assert.deepEqual([after.customer, after.account, after.bill], [before.customer, before.account, before.bill]);
    });

    test("POST /testing/v1/billing/payments naming another tenant's bill, account or customer: the same 400 as an unknown one; a live key is refused; nothing is paid", async () => {
      const before = await ownerView();
      const other = outsiders[0]!;
      for (const [field, refs] of [['bill', billRefs()], ['account', accountRefs()], ['customer', customerRefs()]] as const) {
        for (const reference of refs) {
          const unknown = neverExisted(reference);
          const foreign = await other.api.post('/testing/v1/billing/payments', { [field]: reference, amount: 5, currency: 'ZAR' });
          const missing = await other.api.post('/testing/v1/billing/payments', { [field]: unknown, amount: 5, currency: 'ZAR' });
          assertProblem(foreign, 400, 'validation-error', '/testing/v1/billing/payments');
          assert.deepEqual(comparable(foreign, reference), comparable(missing, unknown), `${reference} of tenant A answers tenant B like the unknown ${unknown}`);
        }
      }
      for (const { name, api } of outsiders.slice(1)) {
        assertProblem(await api.post('/testing/v1/billing/payments', { bill: bill.id, amount: 5, currency: 'ZAR' }), 403, 'forbidden', '/testing/v1/billing/payments');
        assert.ok(name.includes('live'));
      }
      assert.deepEqual(await ownerView(), before);
    });

    test('bill list filters and cursors naming another tenant\'s or mode\'s objects answer like unknown ones', async () => {
      await assertAnsweredLikeUnknown([customer.id], (api, ref) => api.get(`/billing/bills?customer_id=${ref}`), 200, 200);
      await assertAnsweredLikeUnknown([account.id], (api, ref) => api.get(`/billing/bills?account_id=${ref}`), 200, 200);
      for (const cursor of ['starting_after', 'ending_before']) await assertAnsweredLikeUnknown([bill.id], (api, ref) => api.get(`/billing/bills?${cursor}=${ref}`), 400, 200);
      for (const { api } of outsiders) assert.deepEqual((await api.get(`/billing/bills?account_id=${account.id}`)).body, { object: 'list', data: [], has_more: false });
    });

    test("the admin read of an account's bills under another tenant: the same 404 as an unknown account", async () => {
      const admin = client(server, ADMIN_TOKEN);
      const unknown = neverExisted(account.id);
      const foreign = await admin.get(`/admin/v1/tenants/${tenantB.tenant.id}/accounts/${account.id}/bills`);
      assertProblem(foreign, 404, 'not-found');
      assert.deepEqual(comparable(foreign, account.id), comparable(await admin.get(`/admin/v1/tenants/${tenantB.tenant.id}/accounts/${unknown}/bills`), unknown));
      assert.deepEqual((await admin.get(`/admin/v1/tenants/${server.tenant.tenant.id}/accounts/${account.id}/bills`)).body.data.map((b: { id: string }) => b.id).includes(bill.id), true);
    });

    test('list filters naming another tenant\'s or mode\'s objects answer the same empty page as unknown values', async () => {
      await assertAnsweredLikeUnknown([customer.id], (api, ref) => api.get(`/billing/accounts?customer_id=${ref}`), 200, 200);
      await assertAnsweredLikeUnknown([account.external_reference], (api, ref) => api.get(`/billing/accounts?external_reference=${ref}`), 200, 200);
      await assertAnsweredLikeUnknown([customer.external_reference], (api, ref) => api.get(`/billing/customers?external_reference=${ref}`), 200, 200);
      await assertAnsweredLikeUnknown([customer.email], (api, ref) => api.get(`/billing/customers?email=${encodeURIComponent(ref)}`), 200, 200);
      for (const { api } of outsiders) {
        for (const path of [`/billing/accounts?customer_id=${customer.id}`, `/billing/accounts?external_reference=${account.external_reference}`, `/billing/customers?external_reference=${customer.external_reference}`, `/billing/customers?email=${encodeURIComponent(customer.email)}`]) {
          const page = await api.get(path);
          assert.deepEqual(page.body, { object: 'list', data: [], has_more: false }, path);
        }
      }
    });

    test('list cursors naming another tenant\'s or mode\'s objects answer the same 400 as unknown ids', async () => {
      for (const cursor of ['starting_after', 'ending_before']) {
        await assertAnsweredLikeUnknown([account.id], (api, ref) => api.get(`/billing/accounts?${cursor}=${ref}`), 400, 200);
        await assertAnsweredLikeUnknown([customer.id], (api, ref) => api.get(`/billing/customers?${cursor}=${ref}`), 400, 200);
        // Another scope's ledger entry as a cursor into the caller's own account's ledger.
        await assertAnsweredLikeUnknown([ledger[0]!.id], (api, ref, outsider) => (api === owner ? api.get(`/billing/accounts/${account.id}/ledger_entries?${cursor}=${ref}`) : api.get(`/billing/accounts/${ownAccounts.get(outsider)}/ledger_entries?${cursor}=${ref}`)), 400, 200);
      }
    });

    test('lists never show another tenant\'s or mode\'s objects, on any page', async () => {
      const walk = async (api: Api, path: string): Promise<string[]> => {
        const ids: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await api.get(`${path}?limit=2${cursor ? `&starting_after=${cursor}` : ''}`);
          assert.equal(page.status, 200, page.text);
          ids.push(...page.body.data.map((o: { id: string }) => o.id));
          if (!page.body.has_more) return ids;
          cursor = ids.at(-1);
        }
      };
      const everyone = [{ name: 'owner', api: owner }, ...outsiders];
      const seen = new Map<string, string>();
      for (const { name, api } of everyone) {
        for (const path of ['/billing/customers', '/billing/accounts', '/billing/bills']) {
          for (const id of await walk(api, path)) {
            assert.equal(seen.get(id), undefined, `${id} is listed for ${name} and for ${seen.get(id)}`);
            seen.set(id, name);
            // Every listed object is readable by the one who listed it: it is theirs.
            assert.equal((await api.get(`${path}/${id}`)).status, 200);
          }
        }
      }
      assert.equal(seen.get(customer.id), 'owner');
      assert.equal(seen.get(account.id), 'owner');
      for (const { name } of outsiders) assert.equal(seen.get(ownAccounts.get(name)!), name);
      assert.equal(seen.get(bill.id), 'owner');
      for (const { name } of outsiders) assert.equal(seen.get(ownBills.get(name)!), name);
    });

    test('one external_reference in three scopes names three different objects, each visible only in its own scope', async () => {
      const shared = `ISO-SHARED-${randomUUID().slice(0, 8)}`;
      const ids = [];
      for (const { name, api } of [{ name: 'owner', api: owner }, ...outsiders]) {
        const created = await api.post('/billing/customers', { external_reference: shared, name });
        assert.equal(created.status, 201, `${name}: ${created.text}`);
        ids.push(created.body.id);
        const found = await api.get(`/billing/customers/${shared}`);
        assert.equal(found.body.id, created.body.id, `${name} reads its own ${shared}`);
        assert.equal(found.body.name, name);
      }
      assert.equal(new Set(ids).size, 4);
    });

    test('an Idempotency-Key is scoped to tenant and mode: another scope reusing it, with the same or another body, executes afresh and never sees the first answer', async () => {
      const key = `iso-${randomUUID()}`;
      const body = { external_reference: `ISO-IDEM-${randomUUID().slice(0, 8)}` };
      const first = await owner.post('/billing/customers', body, { idempotencyKey: key });
      assert.equal(first.status, 201, first.text);
      for (const { name, api } of outsiders) {
        const same = await api.post('/billing/customers', body, { idempotencyKey: key });
        assert.equal(same.status, 201, `${name}: ${same.text}`);
        assert.equal(same.headers.get('idempotent-replayed'), null, `${name}: not a replay of another scope's answer`);
        assert.notEqual(same.body.id, first.body.id);
        const other = await api.post('/billing/customers', { external_reference: `ISO-IDEM-OTHER-${randomUUID().slice(0, 8)}` }, { idempotencyKey: `${key}-x` });
        assert.equal(other.status, 201, other.text);
        const different = await api.patch(`/billing/customers/${same.body.id}`, { name: 'x' }, { idempotencyKey: `${key}` });
        // The key was used in this scope for a POST: a PATCH with it conflicts here, and names this scope's object only.
        assertProblem(different, 409, 'idempotency-conflict');
        assert.doesNotMatch(different.text, new RegExp(first.body.id));
      }
      const replay = await owner.post('/billing/customers', body, { idempotencyKey: key });
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.text, first.text, "the owner's key still replays the owner's answer");
    });

    test('platform routes naming another tenant\'s or mode\'s sub-account or transfer (GET, PATCH, for-user-id, transfers, by reference, cursors) answer exactly like unknown ones, and change nothing', async () => {
      const created = await owner.post('/v2/accounts', { email: `iso-${randomUUID().slice(0, 8)}@example.com`, type: 'OWNED', public_profile: { business_name: 'Isolated' } });
      assert.equal(created.status, 200, created.text);
      const subAccount = created.body.id as string;
      assert.equal((await owner.post('/balance/test/topup', { amount: 100 })).status, 200);
      const reference = `ISO-TRF-${randomUUID().slice(0, 8)}`;
      assert.equal((await owner.post('/transfers', { reference, amount: 5, source_user_id: server.tenant.tenant.id, destination_user_id: subAccount })).status, 200);
      const before = await ownerView();
      await assertAnsweredLikeUnknown([subAccount], (api, ref) => api.get(`/v2/accounts/${ref}`), 404, 200);
      await assertAnsweredLikeUnknown([subAccount], (api, ref) => api.patch(`/v2/accounts/${ref}`, { email: 'hijacked@example.com' }), 404);
      await assertAnsweredLikeUnknown([subAccount], (api, ref) => api.patch(`/v2/accounts/${ref}`, { email: 'hijacked@example.com' }, { idempotencyKey: `iso-${randomUUID()}` }), 404);
      await assertAnsweredLikeUnknown([subAccount], (api, ref) => api.get('/balance', { headers: { 'for-user-id': ref } }), 404, 200);
      // Each outsider moves money between its own platform balance (known to it) and the sub-account, both ways.
      const ownPlatformOf = (outsider: string) => (outsider.startsWith('tenant B') ? tenantB.tenant.id : server.tenant.tenant.id);
      await assertAnsweredLikeUnknown([subAccount], (api, ref, outsider) => api.post('/transfers', { reference: `ISO-${randomUUID().slice(0, 8)}`, amount: 1, source_user_id: ref, destination_user_id: ownPlatformOf(outsider) }), 404);
      await assertAnsweredLikeUnknown([subAccount], (api, ref, outsider) => api.post('/transfers', { reference: `ISO-${randomUUID().slice(0, 8)}`, amount: 1, source_user_id: ownPlatformOf(outsider), destination_user_id: ref }), 404);
      await assertAnsweredLikeUnknown([reference], (api, ref) => api.get(`/transfers/reference=${ref}`), 404, 200);
      // A cursor must look like an id (24 hex) before it is looked up: compare with an unknown id of that shape.
      const unknownHex = '0123456789abcdef01234567';
      for (const { name, api } of outsiders) {
        const foreign = await api.get(`/v2/accounts?after_id=${subAccount}`);
        assert.equal(foreign.status, 400, `${name}: ${foreign.text}`);
        assert.deepEqual(comparable(foreign, subAccount), comparable(await api.get(`/v2/accounts?after_id=${unknownHex}`), unknownHex), name);
      }
      for (const { api } of outsiders) assert.ok(!(await api.get('/v2/accounts?limit=50')).body.data.some((a: { id: string }) => a.id === subAccount));
      assert.deepEqual(await ownerView(), before);
      assert.equal((await owner.get(`/v2/accounts/${subAccount}`)).body.email, created.body.email);
    });

    test('platform transactions and balances at an instant (SPEC §4b) of another tenant or mode answer exactly like unknown ones: by id, as cursors, as filters, for-user-id', async () => {
      const created = await owner.post('/v2/accounts', { email: `iso-txn-${randomUUID().slice(0, 8)}@example.com`, type: 'OWNED', public_profile: { business_name: 'Isolated txns' } });
      assert.equal(created.status, 200, created.text);
      const subAccount = created.body.id as string;
      assert.equal((await owner.post('/balance/test/topup', { amount: 100 })).status, 200);
      const reference = `ISO-TXN-${randomUUID().slice(0, 8)}`;
      const moved = await owner.post('/transfers', { reference, amount: 5, source_user_id: server.tenant.tenant.id, destination_user_id: subAccount });
      assert.equal(moved.status, 200, moved.text);
      const own = (await owner.get(`/transactions?reference_id=${reference}`)).body.data as { id: string }[];
      assert.equal(own.length, 1);
      const txn = own[0]!.id;
      const before = await ownerView();
      await assertAnsweredLikeUnknown([txn], (api, ref) => api.get(`/transactions/${ref}`), 404, 200);
      await assertAnsweredLikeUnknown([txn], (api, ref) => api.get(`/transactions?after_id=${ref}`), 400, 200);
      await assertAnsweredLikeUnknown([txn], (api, ref) => api.get(`/transactions?before_id=${ref}`), 400, 200);
      await assertAnsweredLikeUnknown([reference], (api, ref) => api.get(`/transactions?reference_id=${ref}`), 200, 200);
      await assertAnsweredLikeUnknown([moved.body.transfer_id], (api, ref) => api.get(`/transactions?product_id=${ref}`), 200, 200);
      await assertAnsweredLikeUnknown([subAccount], (api, ref) => api.get('/transactions', { headers: { 'for-user-id': ref } }), 404, 200);
      await assertAnsweredLikeUnknown([subAccount], (api, ref) => api.get('/balance?at_timestamp=2100-01-01T00:00:00Z', { headers: { 'for-user-id': ref } }), 404, 200);
      for (const { name, api } of outsiders) {
        const theirs = (await api.get('/transactions?limit=50')).body.data as { id: string; reference_id: string }[];
        assert.ok(!theirs.some((t) => t.id === txn || t.reference_id === reference), `${name} lists none of the owner's transactions`);
      }
      assert.deepEqual(await ownerView(), before);
    });

    test("admin routes naming another tenant's key, webhook endpoint or delivery answer the same 404 as unknown ids, and change nothing", async () => {
      const admin = client(server, ADMIN_TOKEN);
      const a = server.tenant.tenant.id;
      const b = tenantB.tenant.id;
      const endpoint = await admin.post(`/admin/v1/tenants/${b}/webhook-endpoints`, { url: 'http://127.0.0.1:9/b', mode: 'test', events: ['*'] });
      assert.equal(endpoint.status, 201, endpoint.text);
      await storeOf(server).outbox.fanOut(1000, nowIso(), endpointAccepts, () => newId('whd'));
      const deliveries = await admin.get(`/admin/v1/tenants/${b}/webhook-deliveries`);
      assert.ok(deliveries.body.data.length > 0, deliveries.text);
      const delivery = deliveries.body.data[0];
      const keys = (await admin.get(`/admin/v1/tenants/${b}/keys`)).body.data as { id: string; revoked_at: string | null }[];
      const bKey = keys.find((k) => k.revoked_at === null)!;

      const likeUnknown = async (reference: string, request: (ref: string) => Promise<ApiResponse>) => {
        const unknown = neverExisted(reference);
        const foreign = await request(reference);
        assertProblem(foreign, 404, 'not-found');
        assert.deepEqual(comparable(foreign, reference), comparable(await request(unknown), unknown), `${reference} of tenant B under tenant A answers like the unknown ${unknown}`);
      };
      await likeUnknown(bKey.id, (ref) => admin.delete(`/admin/v1/tenants/${a}/keys/${ref}`));
      await likeUnknown(endpoint.body.id, (ref) => admin.delete(`/admin/v1/tenants/${a}/webhook-endpoints/${ref}`));
      await likeUnknown(delivery.id, (ref) => admin.get(`/admin/v1/tenants/${a}/webhook-deliveries/${ref}`));
      await likeUnknown(delivery.id, (ref) => call(server, 'POST', `/admin/v1/tenants/${a}/webhook-deliveries/${ref}/resend`, undefined, { key: ADMIN_TOKEN }));
      for (const filter of [`endpoint_id=${endpoint.body.id}`, `event_id=${delivery.event_id}`]) {
        const page = await admin.get(`/admin/v1/tenants/${a}/webhook-deliveries?${filter}`);
        assert.deepEqual(page.body, { data: [] }, filter);
      }

      // Tenant B's key, endpoint and delivery are untouched.
      assert.equal((await admin.get(`/admin/v1/tenants/${b}/keys`)).body.data.find((k: { id: string }) => k.id === bKey.id).revoked_at, null);
      assert.deepEqual((await admin.get(`/admin/v1/tenants/${b}/webhook-endpoints`)).body.data.map((e: { id: string }) => e.id), [endpoint.body.id]);
      const after = await admin.get(`/admin/v1/tenants/${b}/webhook-deliveries/${delivery.id}`);
      assert.equal(after.status, 200);
      assert.equal(after.body.attempts.length, 0);
      assert.equal(after.body.next_attempt_at, delivery.next_attempt_at, 'the delivery was not re-scheduled by a resend under tenant A');
    });
  });
}

// The org surface (SPEC §5): every route with an account id in its path, page tokens, names and
// idempotency keys, for another tenant's and another mode's OAuth clients; and the admin API's
// OAuth clients of another tenant.
for (const kind of await storeKinds()) {
  describe(`tenant and mode isolation on every org route (${kind})`, () => {
    let server: TestServer;
    let owner: OrgApi;
    let outsiders: { name: string; api: OrgApi }[];
    let accountId: string;
    let accountName: string;
    let pageToken: string;

    before(async () => {
      // Listening for simple-oauth2 (orgApiOf); the API calls go through inject.
      server = await build(kind, { listen: true });
      const tenantB = await server.createTenant('other');
      owner = await orgApiOf(server);
      outsiders = [
        { name: "tenant B's test client", api: await orgApiOf(server, { tenantId: tenantB.tenant.id }) },
        { name: "tenant B's live client", api: await orgApiOf(server, { tenantId: tenantB.tenant.id, mode: 'live' }) },
        { name: "tenant A's live client (A's other mode)", api: await orgApiOf(server, { mode: 'live' }) },
      ];
      accountName = `Owned ${randomUUID().slice(0, 8)}`;
      for (const name of [accountName, `Second ${randomUUID().slice(0, 8)}`]) {
        const created = await owner.post('/v1/accounts', { name, currencyCode: 'USD' });
        assert.equal(created.status, 200, created.text);
        accountId ??= created.body.account.accountId;
      }
      assert.equal((await owner.post(`/v1/accounts/${accountId}/transactions`, { amount: { currencyCode: 'USD', units: '10', nanos: 0 }, topup: { paymentType: 'API' } })).status, 200);
      pageToken = (await owner.get('/v1/accounts?pageSize=1')).body.nextPageToken;
      assert.ok(pageToken);
      for (const { name, api } of outsiders) assert.equal((await api.post('/v1/accounts', { name: `Own ${randomUUID().slice(0, 8)}`, currencyCode: 'USD' })).status, 200, name);
    });
    after(() => server.close());

    const ownerState = async () => ({ account: (await owner.get(`/v1/accounts/${accountId}`)).body, transactions: (await owner.get(`/v1/accounts/${accountId}/transactions`)).body });

    /** Every outsider's answer for the owner's account equals its answer for an id that never existed; the owner's account is unchanged. */
    async function assertLikeUnknown(request: (api: OrgApi, id: string) => Promise<ApiResponse>, expectedStatus: number) {
      const before = await ownerState();
      for (const { name, api } of outsiders) {
        const unknown = neverExisted(accountId);
        const foreign = await request(api, accountId);
        assert.equal(foreign.status, expectedStatus, `${name}: ${foreign.text}`);
        assert.deepEqual(comparable(foreign, accountId), comparable(await request(api, unknown), unknown), `${name}: another scope's account answers like the unknown ${unknown}`);
      }
      assert.deepEqual(await ownerState(), before, "the owner's account and transactions are unchanged");
    }

    test('GET, PUT, POST transactions and GET transactions of another scope\u2019s account: the same 404 as an unknown id, nothing changes', async () => {
      await assertLikeUnknown((api, id) => api.get(`/v1/accounts/${id}`), 404);
      await assertLikeUnknown((api, id) => api.put(`/v1/accounts/${id}`, { accountId: id, name: 'hijacked' }), 404);
      await assertLikeUnknown((api, id) => api.put(`/v1/accounts/${id}`, { accountId: id, name: 'hijacked' }, { idempotencyKey: `iso-${randomUUID()}` }), 404);
      await assertLikeUnknown((api, id) => api.post(`/v1/accounts/${id}/transactions`, { amount: { currencyCode: 'USD', units: '-5', nanos: 0 }, adjustment: {} }, { idempotencyKey: `iso-${randomUUID()}` }), 404);
      await assertLikeUnknown((api, id) => api.get(`/v1/accounts/${id}/transactions`), 404);
    });

    test('lists show only their own scope, and a page token of another scope is the same 400 as a forged one', async () => {
      for (const { name, api } of outsiders) {
        const listed = await api.get('/v1/accounts?pageSize=100');
        assert.equal(listed.status, 200);
        assert.ok(!listed.text.includes(accountId), name);
        const foreign = await api.get(`/v1/accounts?pageToken=${encodeURIComponent(pageToken)}`);
        const forged = await api.get(`/v1/accounts?pageToken=${encodeURIComponent(`${pageToken.slice(0, -2)}xx`)}`);
        assert.equal(foreign.status, 400, name);
        assert.deepEqual(comparable(foreign, pageToken), comparable(forged, pageToken), name);
      }
    });

    test('names and idempotency keys are scoped: another scope may use the owner\u2019s account name and key, and never sees the owner\u2019s answer', async () => {
      const key = `iso-org-${randomUUID()}`;
      const first = await owner.post('/v1/accounts', { name: `Keyed ${randomUUID().slice(0, 8)}`, currencyCode: 'USD' }, { idempotencyKey: key });
      assert.equal(first.status, 200);
      for (const { name, api } of outsiders) {
        const same = await api.post('/v1/accounts', { name: accountName, currencyCode: 'USD' }, { idempotencyKey: key });
        assert.equal(same.status, 200, `${name}: ${same.text}`);
        assert.equal(same.headers.get('idempotent-replayed'), null);
        assert.notEqual(same.body.account.accountId, first.body.account.accountId);
      }
    });

    test("admin: revoking another tenant's OAuth client under tenant A is the same 404 as an unknown client, and changes nothing", async () => {
      const admin = client(server, ADMIN_TOKEN);
      const tenants = (await admin.get('/admin/v1/tenants')).body.data as { id: string; name: string }[];
      const b = tenants.find((t) => t.name === 'other')!.id;
      const a = server.tenant.tenant.id;
      const created = await admin.post(`/admin/v1/tenants/${b}/oauth-clients`, { name: 'b', mode: 'test', roles: ['accounts.read'] });
      assert.equal(created.status, 201, created.text);
      const clientId = created.body.client_id as string;
      const foreign = await admin.delete(`/admin/v1/tenants/${a}/oauth-clients/${clientId}`);
      assertProblem(foreign, 404, 'not-found');
      const unknown = neverExisted(clientId);
      assert.deepEqual(comparable(foreign, clientId), comparable(await admin.delete(`/admin/v1/tenants/${a}/oauth-clients/${unknown}`), unknown));
      assert.ok(!(await admin.get(`/admin/v1/tenants/${a}/oauth-clients`)).text.includes(clientId));
      const own = (await admin.get(`/admin/v1/tenants/${b}/oauth-clients`)).body.data.find((c: { client_id: string }) => c.client_id === clientId);
      assert.equal(own.revoked_at, null);
    });
  });
}
