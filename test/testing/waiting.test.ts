import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { CreatedTenant } from '../../src/tenancy/tenants.js';
import { call, client, uniqueRef, type ApiResponse } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { waitFor } from '../support/wait.js';
import { newOAuthClient } from '../org/org-client.js';
import { liveAccount, platformClient, topUp } from '../platform/platform-api.js';

// SPEC §7 "Waiting for what a test expects": a tenant's test-mode events (with their webhook
// deliveries) and e-mails, oldest first, after an id; with wait_ms an empty answer waits until
// something matches, woken by the commit that makes it (never a busy loop), or the time is up.

const WAIT_MS = 10_000;
/** Long enough that an answer before it means the wait was woken (a test times out first). */
const LONG_WAIT = 20_000;

interface TestEvent {
  id: string;
  type: string;
  created_at: string;
  object_id: string | null;
  data: { id?: string; [key: string]: unknown };
  deliveries: { endpoint_id: string; status: string; attempts: number; response_status: number | null }[];
}

for (const kind of await storeKinds()) {
  describe(`testing API: waiting for events and e-mails (${kind})`, () => {
    let server: TestApp;
    before(async () => {
      server = await build(kind);
    });
    after(() => server.close());

    /** A tenant of its own per test: its outbox holds only what the test makes. */
    async function freshTenant(): Promise<{ tenant: CreatedTenant; testing: ReturnType<typeof client> }> {
      const tenant = await server.createTenant(uniqueRef('waiting'));
      return { tenant, testing: client(server, tenant.keys.test.secret) };
    }
    const events = async (testing: ReturnType<typeof client>, query: string): Promise<TestEvent[]> => {
      const answer = await testing.get(`/testing/v1/events${query}`);
      assert.equal(answer.status, 200, answer.text);
      return answer.body.data;
    };
    /** Starts a waiting request and resolves once it waits (wrapped: an async function would wait for the answer it returns). */
    async function startWaiting(tenantId: string, send: () => Promise<ApiResponse>): Promise<{ answer: Promise<ApiResponse> }> {
      const before = server.services.outboxChanges.waitingOn(tenantId);
      const answer = send();
      await waitFor(() => server.services.outboxChanges.waitingOn(tenantId) > before, WAIT_MS, 'the request to wait');
      return { answer };
    }

    test('a waiting request answers as soon as another request commits a matching event, with the event as its webhook carries it', { timeout: LONG_WAIT - 5_000 }, async () => {
      const { tenant, testing } = await freshTenant();
      const waiting = await startWaiting(tenant.tenant.id, () => testing.get(`/testing/v1/events?type=billing.customer.created&wait_ms=${LONG_WAIT}`));
      // An event of another type wakes it too, but it matches nothing: it waits on.
      const other = await call(server, 'POST', '/v2/accounts', { email: 'owner@example.com', type: 'OWNED', public_profile: { business_name: 'Shop' } }, { key: tenant.keys.test.secret });
      assert.equal(other.status, 200, other.text);
      const customer = await client(server, tenant.keys.test.secret).post('/billing/customers', { external_reference: uniqueRef('WAIT'), name: 'Ada' });
      assert.equal(customer.status, 201, customer.text);
      const answer = await waiting.answer;
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.data.length, 1, answer.text);
      const [event] = answer.body.data as TestEvent[];
      assert.equal(event!.type, 'billing.customer.created');
      assert.equal(event!.object_id, customer.body.id);
      assert.equal(event!.created_at, customer.body.created_at);
      assert.deepEqual(event!.data, customer.body, 'data is the customer as the API (and the webhook) shows it');
      assert.deepEqual(event!.deliveries, []);
    });

    test('a snapshot restored brings its events back to a waiting request', { timeout: LONG_WAIT - 5_000 }, async () => {
      const { tenant, testing } = await freshTenant();
      const customer = await client(server, tenant.keys.test.secret).post('/billing/customers', { external_reference: uniqueRef('SNAP') });
      assert.equal(customer.status, 201, customer.text);
      const snapshot = await testing.post('/testing/v1/snapshots', {});
      assert.equal(snapshot.status, 201, snapshot.text);
      assert.equal((await testing.post('/testing/v1/reset', {})).status, 200);
      const waiting = await startWaiting(tenant.tenant.id, () => testing.get(`/testing/v1/events?object_id=${customer.body.id}&wait_ms=${LONG_WAIT}`));
      assert.equal((await testing.post(`/testing/v1/snapshots/${snapshot.body.id}/restore`, {})).status, 200);
      const answer = await waiting.answer;
      assert.deepEqual(answer.body.data.map((e: TestEvent) => e.type), ['billing.customer.created'], answer.text);
    });

    test('wait_ms running out answers 200 with nothing; without wait_ms nothing is waited for', async () => {
      const { testing } = await freshTenant();
      assert.deepEqual(await events(testing, '?type=nothing.happened&wait_ms=50'), []);
      assert.deepEqual(await events(testing, ''), []);
    });

    test('oldest first, paged by after and limit, filtered by type and object_id; live mode and other tenants are not shown', async () => {
      const { tenant, testing } = await freshTenant();
      const billing = client(server, tenant.keys.test.secret);
      const customers = [];
      for (const name of ['A', 'B', 'C']) customers.push((await billing.post('/billing/customers', { external_reference: uniqueRef('PAGE'), name })).body);
      await billing.patch(`/billing/customers/${customers[1].id}`, { name: 'B2' });
      assert.equal((await client(server, tenant.keys.live.secret).post('/billing/customers', { external_reference: uniqueRef('LIVE') })).status, 201);
      assert.equal((await client(server, server.tenant.keys.test.secret).post('/billing/customers', { external_reference: uniqueRef('OTHER') })).status, 201);

      const all = await events(testing, '');
      assert.deepEqual(
        all.map((e) => [e.type, e.object_id]),
        [...customers.map((c) => ['billing.customer.created', c.id]), ['billing.customer.updated', customers[1].id]],
      );
      const created = await events(testing, '?type=billing.customer.created&limit=2');
      assert.deepEqual(created.map((e) => e.data.id), [customers[0].id, customers[1].id]);
      const rest = await events(testing, `?type=billing.customer.created&after=${created[1]!.id}`);
      assert.deepEqual(rest.map((e) => e.data.id), [customers[2].id]);
      assert.deepEqual(await events(testing, `?type=billing.customer.created&after=${rest[0]!.id}`), []);
      const aboutB = await events(testing, `?object_id=${customers[1].id}`);
      assert.deepEqual(aboutB.map((e) => e.type), ['billing.customer.created', 'billing.customer.updated']);
      assert.equal(aboutB[1]!.data.name, 'B2');
    });

    test('e-mails: oldest first, by address, after an id; a wait ends with an operator’s e-mail or a low-balance notice', { timeout: LONG_WAIT - 5_000 }, async () => {
      const { tenant, testing } = await freshTenant();
      const tenantId = tenant.tenant.id;
      const sendEmail = (to: string, mode: 'test' | 'live' = 'test') =>
        call(server, 'POST', `/admin/v1/tenants/${tenantId}/emails`, { to, subject: `to ${to}`, text: 'Hello', mode }, { key: ADMIN_TOKEN });

      // An operator's e-mail is written outside the ledger pipeline: it wakes the wait too.
      const waiting = await startWaiting(tenantId, () => testing.get(`/testing/v1/emails?to=ops@example.com&wait_ms=${LONG_WAIT}`));
      assert.equal((await sendEmail('someone@example.com')).status, 201);
      const sent = await sendEmail('ops@example.com');
      assert.equal(sent.status, 201, sent.text);
      const answer = await waiting.answer;
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body.data, [{ id: sent.body.id, to: 'ops@example.com', subject: 'to ops@example.com', text: 'Hello', created_at: sent.body.created_at, status: 'pending' }]);

      assert.equal((await sendEmail('ops@example.com', 'live')).status, 201);
      const all = (await testing.get('/testing/v1/emails')).body.data as { id: string; to: string }[];
      assert.deepEqual(all.map((e) => e.to), ['someone@example.com', 'ops@example.com'], 'test mode only, oldest first');
      assert.deepEqual((await testing.get(`/testing/v1/emails?after=${all[0]!.id}`)).body.data.map((e: { id: string }) => e.id), [all[1]!.id]);

      // An org account crossing its low-balance threshold sends its e-mail through the pipeline.
      const credentials = await newOAuthClient(server, { tenantId });
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret }).toString();
      const token = (await call(server, 'POST', '/oauth2/token', undefined, { rawBody: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).body.access_token as string;
      const usd = (units: number) => ({ currencyCode: 'USD', units: String(units), nanos: 0 });
      const account = await call(server, 'POST', '/v1/accounts', { name: uniqueRef('Budget'), currencyCode: 'USD', lowBalance: { hasNotification: true, notificationEmail: 'alerts@example.com', threshold: usd(10) } }, { key: token });
      assert.equal(account.status, 200, account.text);
      const accountId = account.body.account.accountId as string;
      assert.equal((await call(server, 'POST', `/v1/accounts/${accountId}/transactions`, { amount: usd(20), topup: { paymentType: 'API' } }, { key: token })).status, 200);
      const notice = await startWaiting(tenantId, () => testing.get(`/testing/v1/emails?to=alerts@example.com&wait_ms=${LONG_WAIT}`));
      const spend = await call(server, 'POST', `/v1/accounts/${accountId}/transactions`, { amount: usd(-15), adjustment: { reason: 'spend' } }, { key: token });
      assert.equal(spend.status, 200, spend.text);
      const noticed = await notice.answer;
      assert.equal(noticed.body.data.length, 1, noticed.text);
      assert.match(noticed.body.data[0].subject, /5 USD/);
      // And its account.low_balance event, about the account.
      const low = await events(testing, `?type=account.low_balance&object_id=${accountId}`);
      assert.deepEqual(low.map((e) => e.data.accountId), [accountId]);
    });

    test("object_id names the object an event carries (a transfer) or the holder it is about (the transfer's sub-account)", async () => {
      const { tenant, testing } = await freshTenant();
      const api = platformClient(server, tenant.keys.test.secret);
      const [source, destination] = [await liveAccount(api), await liveAccount(api)];
      await topUp(api, '1000', source);
      const transfer = await api.post('/transfers', { reference: uniqueRef('T'), amount: 250, source_user_id: source, destination_user_id: destination });
      assert.equal(transfer.status, 200, transfer.text);
      const byTransfer = await events(testing, `?object_id=${transfer.body.transfer_id}`);
      assert.deepEqual(byTransfer.map((e) => [e.type, e.object_id, e.data.transfer_id]), [['transfer.created', transfer.body.transfer_id, transfer.body.transfer_id]]);
      const bySource = await events(testing, `?object_id=${source}&type=transfer.created`);
      assert.deepEqual(bySource.map((e) => e.id), byTransfer.map((e) => e.id));
    });

    test('bad parameters answer 400 problem+json naming the parameter, never 5xx', async () => {
      const { testing } = await freshTenant();
      for (const [path, param] of [
        ['/testing/v1/events?wait_ms=30001', 'wait_ms'],
        ['/testing/v1/events?wait_ms=-1', 'wait_ms'],
        ['/testing/v1/events?wait_ms=soon', 'wait_ms'],
        ['/testing/v1/events?limit=0', 'limit'],
        ['/testing/v1/events?limit=101', 'limit'],
        ['/testing/v1/events?after=', 'after'],
        ['/testing/v1/events?type=', 'type'],
        ['/testing/v1/events?object=x', 'object'],
        ['/testing/v1/emails?wait_ms=1.5', 'wait_ms'],
        ['/testing/v1/emails?to=', 'to'],
        ['/testing/v1/emails?subject=x', 'subject'],
      ] as const) {
        const answer = await testing.get(path);
        assert.equal(answer.status, 400, `${path}: ${answer.text}`);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.ok(answer.body.errors.some((e: { param: string }) => e.param === param), `${path} names ${param}: ${answer.text}`);
      }
    });
  });

  describe(`testing API: events with their webhook deliveries (${kind})`, () => {
    let server: TestApp;
    let receiver: Server;
    before(async () => {
      receiver = createServer((_request, response) => response.writeHead(204).end());
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      server = await build(kind, { env: { SUBLEDGER_WORKERS: 'on', SUBLEDGER_OUTBOX_POLL_MS: '20' } });
    });
    after(async () => {
      await server.close();
      receiver.close();
    });

    test('each event lists its deliveries: endpoint, status, attempts and the answer’s status', async () => {
      const tenantId = server.tenant.tenant.id;
      const endpoint = await call(server, 'POST', `/admin/v1/tenants/${tenantId}/webhook-endpoints`, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, mode: 'test' }, { key: ADMIN_TOKEN });
      assert.equal(endpoint.status, 201, endpoint.text);
      const testing = client(server, server.tenant.keys.test.secret);
      const customer = await testing.post('/billing/customers', { external_reference: uniqueRef('HOOK') });
      assert.equal(customer.status, 201, customer.text);
      const [event] = await waitFor(async () => {
        const data = (await testing.get(`/testing/v1/events?object_id=${customer.body.id}`)).body.data as TestEvent[];
        return data[0]?.deliveries[0]?.status === 'succeeded' ? data : null;
      }, WAIT_MS, 'the event delivered');
      assert.deepEqual(event!.deliveries, [{ endpoint_id: endpoint.body.id, status: 'succeeded', attempts: 1, response_status: 204 }]);
    });
  });

  test(`a waiting request ends when the server closes: shutdown does not wait for it (${kind})`, { timeout: LONG_WAIT - 5_000 }, async () => {
    const server = await build(kind, { listen: true });
    const tenantId = server.tenant.tenant.id;
    let waiting: Promise<ApiResponse> | undefined;
    try {
      waiting = call(server.baseUrl, 'GET', `/testing/v1/events?type=never&wait_ms=${LONG_WAIT}`, undefined, { key: server.tenant.keys.test.secret });
      await waitFor(() => server.services.outboxChanges.waitingOn(tenantId) > 0, WAIT_MS, 'the request to wait');
    } finally {
      // Were the wait not ended, closing would take LONG_WAIT and the test's timeout would fail it.
      await server.close();
    }
    const answer = await waiting;
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.body, { data: [] });
  });
}
