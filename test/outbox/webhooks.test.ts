import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../../src/config.js';
import type { CreatedTenant } from '../../src/tenancy/tenants.js';
import { nextAttemptAt } from '../../src/workers/retry-schedule.js';
import { call, client, uniqueRef, type ApiResponse } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { waitFor as pollUntil } from '../support/wait.js';

// Webhook endpoints (SPEC §1 admin API) and their delivery (SPEC §2 "Events"): a real
// node:http receiver on 127.0.0.1 whose behaviour is chosen per path, the outbox worker
// running in-process with a short retry schedule, and every signature checked with the
// standardwebhooks npm package.

/** The brief's fast worker: attempts 50 ms apart, 5 attempts in all, 300 ms timeout. */
const FAST = {
  SUBLEDGER_WORKERS: 'on',
  SUBLEDGER_RETRY_SCHEDULE: '0.05,0.05,0.05,0.05',
  SUBLEDGER_WEBHOOK_TIMEOUT_MS: '300',
  SUBLEDGER_OUTBOX_LEASE_SECONDS: '1',
  SUBLEDGER_OUTBOX_POLL_MS: '20',
};
/** 3 attempts in all, and a timeout long enough to see other deliveries pass a hanging one. */
const SHORT_SCHEDULE_TIMEOUT_MS = 1500;
const SHORT = {
  ...FAST,
  SUBLEDGER_RETRY_SCHEDULE: '0.05,0.05',
  SUBLEDGER_WEBHOOK_TIMEOUT_MS: String(SHORT_SCHEDULE_TIMEOUT_MS),
  SUBLEDGER_OUTBOX_LEASE_SECONDS: '2',
};
/** One failure, then a retry a minute later: a delivery that sits pending between attempts. */
const LATER = { ...FAST, SUBLEDGER_RETRY_SCHEDULE: '60', SUBLEDGER_WEBHOOK_TIMEOUT_MS: '2000', SUBLEDGER_OUTBOX_LEASE_SECONDS: '3' };

const WAIT_MS = 8000;

/** Polls `condition` every 20 ms until it returns something truthy; fails naming `what` on timeout. */
/** The shared poller, with the condition named first as this file's calls read best. */
function waitFor<T>(what: string, condition: () => T | Promise<T>, timeoutMs = WAIT_MS): Promise<NonNullable<T>> {
  return pollUntil(condition, timeoutMs, what, 20);
}

// ---------------------------------------------------------------------------------------
// The receiver

type Behaviour =
  | { kind: 'ok' }
  | { kind: 'status'; code: number }
  | { kind: 'fail-first'; times: number; code: number }
  /** Reads the request and never answers. */
  | { kind: 'hang' }
  /** Holds the request until release(). */
  | { kind: 'gate' }
  /** Destroys the socket once the request is read. */
  | { kind: 'destroy' }
  | { kind: 'redirect'; location: string };

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

class Receiver {
  private readonly server = createServer((req, res) => this.handle(req, res));
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly hits = new Map<string, number>();
  private readonly open = new Map<string, number>();
  private readonly held = new Map<string, ServerResponse[]>();
  readonly received: Received[] = [];
  private base = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A fresh URL on this receiver that behaves as told. */
  url(behaviour: Behaviour = { kind: 'ok' }): string {
    const path = `/hooks/${randomUUID()}`;
    this.behaviours.set(path, behaviour);
    return `${this.base}${path}`;
  }

  set(url: string, behaviour: Behaviour): void {
    this.behaviours.set(new URL(url).pathname, behaviour);
  }

  to(url: string): Received[] {
    const path = new URL(url).pathname;
    return this.received.filter((r) => r.path === path);
  }

  /** Requests to `url` that were read and are neither answered nor closed by the sender. */
  openRequests(url: string): number {
    return this.open.get(new URL(url).pathname) ?? 0;
  }

  /** Answers `code` to every request a gate holds, and to later ones. */
  release(url: string, code = 200): void {
    const path = new URL(url).pathname;
    this.behaviours.set(path, code === 200 ? { kind: 'ok' } : { kind: 'status', code });
    for (const res of this.held.get(path) ?? []) res.writeHead(code).end(`answering ${code}`);
    this.held.delete(path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', this.base).pathname;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      this.received.push({ path, headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const hit = (this.hits.get(path) ?? 0) + 1;
      this.hits.set(path, hit);
      const behaviour = this.behaviours.get(path) ?? { kind: 'status', code: 404 };
      switch (behaviour.kind) {
        case 'ok':
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
          return;
        case 'status':
          res.writeHead(behaviour.code).end(`answering ${behaviour.code}`);
          return;
        case 'fail-first':
          res.writeHead(hit <= behaviour.times ? behaviour.code : 200).end();
          return;
        case 'redirect':
          res.writeHead(302, { location: behaviour.location }).end();
          return;
        case 'destroy':
          req.socket.destroy();
          return;
        case 'hang':
        case 'gate': {
          this.open.set(path, (this.open.get(path) ?? 0) + 1);
          res.on('close', () => this.open.set(path, (this.open.get(path) ?? 1) - 1));
          if (behaviour.kind === 'gate') this.held.set(path, [...(this.held.get(path) ?? []), res]);
          return;
        }
      }
    });
  }
}

// ---------------------------------------------------------------------------------------
// Admin API and payload helpers

interface EndpointBody {
  id: string;
  url: string;
  mode: 'test' | 'live';
  events: string[];
  created_at: string;
  secret: string;
}

interface AttemptBody {
  attempt: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
}

interface DeliveryBody {
  id: string;
  mode: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  last_status_code: number | null;
  created_at: string;
  delivered_at: string | null;
}

interface Envelope {
  id: string;
  type: string;
  created_at: string;
  data: Record<string, unknown> & { id: string };
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function admin<T = any>(server: TestApp, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  return call<T>(server, method, `/admin/v1${path}`, body, { key: ADMIN_TOKEN });
}

async function createEndpoint(server: TestApp, tenantId: string, body: { url: string; mode: 'test' | 'live'; events?: string[] }): Promise<EndpointBody> {
  const response = await admin<EndpointBody>(server, 'POST', `/tenants/${tenantId}/webhook-endpoints`, body);
  assert.equal(response.status, 201, response.text);
  return response.body;
}

async function deliveriesOf(server: TestApp, tenantId: string, query: Record<string, string>): Promise<DeliveryBody[]> {
  const response = await admin<{ data: DeliveryBody[] }>(server, 'GET', `/tenants/${tenantId}/webhook-deliveries?${new URLSearchParams({ limit: '100', ...query })}`);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

async function deliveryView(server: TestApp, tenantId: string, deliveryId: string): Promise<Omit<DeliveryBody, 'attempts'> & { attempts: AttemptBody[] }> {
  const response = await admin(server, 'GET', `/tenants/${tenantId}/webhook-deliveries/${deliveryId}`);
  assert.equal(response.status, 200, response.text);
  return response.body;
}

/** The one delivery of `endpointId`, once it has reached `status`. */
async function deliveryReaching(server: TestApp, tenantId: string, endpointId: string, status: DeliveryBody['status'], timeoutMs = WAIT_MS) {
  const [delivery] = await waitFor(
    `the delivery to ${endpointId} to be ${status}`,
    async () => {
      const found = await deliveriesOf(server, tenantId, { endpoint_id: endpointId });
      return found.length === 1 && found[0]!.status === status ? found : undefined;
    },
    timeoutMs,
  );
  return delivery!;
}

/** Checks the Standard Webhooks signature with the package and returns the parsed envelope. */
function verified(secret: string, received: Received): Envelope {
  const payload = new Webhook(secret).verify(received.body, received.headers) as Envelope;
  assert.deepEqual(payload, JSON.parse(received.body));
  return payload;
}

const envelopeOf = (received: Received): Envelope => JSON.parse(received.body) as Envelope;

async function metricsText(server: TestApp): Promise<string> {
  const response = await call(server, 'GET', '/metrics');
  assert.equal(response.status, 200);
  return response.text;
}

/** The value of one sample (`name{labels}`), 0 when it has not been emitted yet. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const billingApi = (server: TestApp, tenant: CreatedTenant, mode: 'test' | 'live' = 'test') => client(server, tenant.keys[mode].secret);

async function createAccount(api: ReturnType<typeof client>, body: Record<string, unknown> = {}) {
  const response = await api.post('/billing/accounts', {
    customer: { external_reference: uniqueRef('CUS'), name: 'Jane Doe' },
    external_reference: uniqueRef('ACC'),
    ...body,
  });
  assert.equal(response.status, 201, response.text);
  return response;
}

async function createCustomer(api: ReturnType<typeof client>) {
  const response = await api.post('/billing/customers', { external_reference: uniqueRef('CUS'), name: 'Jane Doe' });
  assert.equal(response.status, 201, response.text);
  return response;
}

// ---------------------------------------------------------------------------------------

// Asked before any test starts: a test's synchronous work (building the app, generating types) would
// hold the event loop past the PostgreSQL probe's 2 s timeout and make a reachable server look down.
const kinds = await storeKinds();

describe('the default retry schedule', () => {
  test('retries with growing (exponential) waits for at least 24 hours before a delivery fails, each wait jittered by at most ±20%', () => {
    const schedule = loadConfig({}).retryScheduleMs;
    assert.ok(schedule.length >= 5, `only ${schedule.length} retries`);
    for (let i = 1; i < schedule.length; i++) assert.ok(schedule[i]! > schedule[i - 1]!, `wait ${i + 1} (${schedule[i]} ms) does not grow`);
    const totalMs = schedule.reduce((sum, ms) => sum + ms, 0);
    assert.ok(totalMs >= 24 * 3_600_000, `the schedule gives up after ${totalMs / 3_600_000} hours`);

    const now = Date.parse('2026-01-01T00:00:00.000Z');
    const waitAfter = (failures: number, random: number) => Date.parse(nextAttemptAt(failures, schedule, now, () => random)!) - now;
    for (let failures = 1; failures <= schedule.length; failures++) {
      const base = schedule[failures - 1]!;
      assert.ok(waitAfter(failures, 0) >= Math.floor(base * 0.8) && waitAfter(failures, 0.999) <= Math.ceil(base * 1.2));
      assert.notEqual(waitAfter(failures, 0), waitAfter(failures, 0.999), 'the wait is jittered');
    }
    assert.equal(nextAttemptAt(schedule.length + 1, schedule, now), null, 'after the last scheduled retry the delivery has failed');
  });
});

for (const kind of kinds) {
  describe(`webhook endpoints and signed deliveries (${kind})`, () => {
    let server: TestApp;
    let receiver: Receiver;
    before(async () => {
      receiver = new Receiver();
      await receiver.start();
      server = await build(kind, { env: FAST });
    });
    after(async () => {
      await receiver.close();
      await server.close();
    });

    test('creating an endpoint answers 201 with a generated whsec_ secret; the list shows it without the secret', async () => {
      const { tenant } = await server.createTenant('endpoints');
      const url = receiver.url();
      const created = await admin(server, 'POST', `/tenants/${tenant.id}/webhook-endpoints`, { url, mode: 'test', events: ['*'] });
      assert.equal(created.status, 201, created.text);
      assert.match(created.body.id, /^we_/);
      assert.equal(created.body.url, url);
      assert.match(created.body.secret, /^whsec_[A-Za-z0-9+/=]{40,}$/);
      const other = await createEndpoint(server, tenant.id, { url: receiver.url(), mode: 'live', events: ['billing.account.created'] });
      assert.notEqual(other.secret, created.body.secret, 'every endpoint gets a secret of its own');

      const listed = await admin(server, 'GET', `/tenants/${tenant.id}/webhook-endpoints`);
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.body.data.map((e: { id: string }) => e.id).sort(), [created.body.id, other.id].sort());
      const shown = listed.body.data.find((e: { id: string }) => e.id === created.body.id);
      assert.equal(shown.url, url);
      assert.equal(shown.mode, 'test');
      assert.deepEqual(shown.events, ['*']);
      assert.ok(!('secret' in shown), 'the list must not reveal the secret');
      assert.ok(!listed.text.includes('whsec_'), 'no secret anywhere in the list');
    });

    test('an endpoint url that is not an absolute http(s) URL answers 400 problem+json naming url', async () => {
      const { tenant } = await server.createTenant('bad-urls');
      for (const url of ['ftp://x', 'not a url', 'javascript:alert(1)']) {
        const response = await admin(server, 'POST', `/tenants/${tenant.id}/webhook-endpoints`, { url, mode: 'test', events: ['*'] });
        assert.equal(response.status, 400, `${url}: ${response.text}`);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(response.body.status, 400);
        assert.deepEqual(response.body.errors.map((e: { param: string }) => e.param), ['url'], `${url}: ${response.text}`);
      }
      const listed = await admin(server, 'GET', `/tenants/${tenant.id}/webhook-endpoints`);
      assert.deepEqual(listed.body.data, [], 'no endpoint was created by a rejected request');
    });

    // SPEC §1: an endpoint that could never receive anything is a mistake to report.
    test('an event type no surface publishes, or a prefix that matches none, answers 400 naming it and creates no endpoint', async () => {
      const { tenant } = await server.createTenant('unknown-events');
      for (const [events, param] of [[['billing.nope'], 'events.0'], [['billing.*', 'billing.account.nope'], 'events.1'], [['nope.*'], 'events.0'], [['account.nope'], 'events.0']] as const) {
        const response = await admin(server, 'POST', `/tenants/${tenant.id}/webhook-endpoints`, { url: receiver.url(), mode: 'test', events });
        assert.equal(response.status, 400, `${events}: ${response.text}`);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.deepEqual(response.body.errors.map((e: { param: string }) => e.param), [param], response.text);
        // The message lists what exists, from the event catalog.
        assert.match(response.body.errors[0].message, /billing\.account\.created/, response.text);
      }
      assert.deepEqual((await admin(server, 'GET', `/tenants/${tenant.id}/webhook-endpoints`)).body.data, []);
    });

    test('"*", a surface prefix, a deeper prefix and every published type are accepted', async () => {
      const { tenant } = await server.createTenant('known-events');
      const published = server.services.events.wireTypes();
      assert.ok(published.includes('billing.account.balance_changed'), published.join());
      for (const events of [['*'], ['billing.*'], ['billing.customer.*'], published]) {
        const response = await admin(server, 'POST', `/tenants/${tenant.id}/webhook-endpoints`, { url: receiver.url(), mode: 'test', events });
        assert.equal(response.status, 201, `${events}: ${response.text}`);
      }
    });

    test('a bad events pattern, a missing or unknown mode answer 400 naming the field; an unknown tenant answers 404', async () => {
      const { tenant } = await server.createTenant('bad-input');
      const url = receiver.url();
      const cases: [unknown, string][] = [
        [{ url, mode: 'test', events: ['Billing Account!'] }, 'events.0'],
        [{ url, mode: 'test', events: ['billing.*', 'billing..created'] }, 'events.1'],
        [{ url, mode: 'test', events: [] }, 'events'],
        [{ url, events: ['*'] }, 'mode'],
        [{ url, mode: 'production', events: ['*'] }, 'mode'],
      ];
      for (const [body, param] of cases) {
        const response = await admin(server, 'POST', `/tenants/${tenant.id}/webhook-endpoints`, body);
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.ok(
          response.body.errors.some((e: { param: string }) => e.param === param),
          `${JSON.stringify(body)} should name ${param}: ${response.text}`,
        );
      }
      const unknown = await admin(server, 'POST', '/tenants/ten_doesnotexist/webhook-endpoints', { url, mode: 'test', events: ['*'] });
      assert.equal(unknown.status, 404, unknown.text);
      assert.match(unknown.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal((await admin(server, 'GET', '/tenants/ten_doesnotexist/webhook-endpoints')).status, 404);
      assert.equal((await admin(server, 'GET', `/tenants/${tenant.id}/webhook-endpoints`)).body.data.length, 0);
    });

    test('a billing account created with an inline customer reaches a * endpoint as two signed events in the Moment envelope', async () => {
      const created = await server.createTenant('signed');
      const endpoint = await createEndpoint(server, created.tenant.id, { url: receiver.url(), mode: 'test', events: ['*'] });
      const api = billingApi(server, created);
      const account = await createAccount(api, { currency: 'ZAR', balance: 2000, name: 'Main account', metadata: { order_id: '42' } });
      const customer = await api.get(`/billing/customers/${account.body.customer_id}`);
      assert.equal(customer.status, 200, customer.text);

      const received = await waitFor('two events at the endpoint', () => (receiver.to(endpoint.url).length >= 2 ? receiver.to(endpoint.url) : undefined));
      assert.equal(received.length, 2);
      const nowSeconds = Date.now() / 1000;
      for (const r of received) {
        const envelope = verified(endpoint.secret, r);
        assert.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(r.body, r.headers), 'another secret must not verify');
        assert.match(r.headers['webhook-id']!, /^evt_[A-Za-z0-9]+$/);
        assert.equal(r.headers['webhook-id'], envelope.id, 'webhook-id is the event id');
        assert.match(r.headers['webhook-timestamp']!, /^\d+$/, 'webhook-timestamp is unix seconds');
        assert.ok(Math.abs(Number(r.headers['webhook-timestamp']) - nowSeconds) < 30, `timestamp ${r.headers['webhook-timestamp']} is not close to now`);
        assert.match(r.headers['webhook-signature']!, /^v1,[A-Za-z0-9+/]+={0,2}$/);
        assert.match(r.headers['content-type'] ?? '', /^application\/json/);
        assert.deepEqual(Object.keys(envelope).sort(), ['created_at', 'data', 'id', 'type']);
        assert.match(envelope.created_at, ISO_MS);
      }
      const byType = new Map(received.map((r) => [envelopeOf(r).type, envelopeOf(r)]));
      assert.deepEqual([...byType.keys()].sort(), ['billing.account.created', 'billing.customer.created']);
      assert.deepEqual(byType.get('billing.account.created')!.data, account.body, 'data is the account exactly as the API answered it');
      assert.deepEqual(byType.get('billing.customer.created')!.data, customer.body, 'data is the inline customer as the API answers it');
      assert.notEqual(byType.get('billing.account.created')!.id, byType.get('billing.customer.created')!.id);
    });

    test('a PATCH that changes the balance emits billing.account.updated and billing.account.balance_changed with its ledger entries', async () => {
      const created = await server.createTenant('patch');
      const endpoint = await createEndpoint(server, created.tenant.id, { url: receiver.url(), mode: 'test', events: ['billing.account.*'] });
      const api = billingApi(server, created);
      const account = await createAccount(api, { currency: 'ZAR', balance: 2000 });
      await waitFor('account.created', () => receiver.to(endpoint.url).length >= 1);

      const patched = await api.patch(`/billing/accounts/${account.body.id}`, { balance: 2500, currency: 'ZAR' });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.balance, 2500);
      const received = await waitFor('updated and balance_changed', () => (receiver.to(endpoint.url).length >= 3 ? receiver.to(endpoint.url) : undefined));
      assert.equal(received.length, 3);
      const envelopes = received.map((r) => verified(endpoint.secret, r));
      assert.deepEqual(envelopes.map((e) => e.type).sort(), ['billing.account.balance_changed', 'billing.account.created', 'billing.account.updated']);

      const updated = envelopes.find((e) => e.type === 'billing.account.updated')!;
      assert.deepEqual(updated.data, patched.body, 'updated carries the account as the PATCH answered it');

      const changed = envelopes.find((e) => e.type === 'billing.account.balance_changed')!;
      const { ledger_entries: entries, ...accountPart } = changed.data as Envelope['data'] & { ledger_entries: Record<string, unknown>[] };
      assert.deepEqual(accountPart, patched.body, 'balance_changed carries the account as it is now');
      assert.equal(entries.length, 1);
      assert.equal(entries[0]!.kind, 'adjustment');
      assert.equal(entries[0]!.amount, 500);
      assert.equal(entries[0]!.balance_after, 2500);
      assert.equal(entries[0]!.account_id, account.body.id);
      const ledger = await api.get(`/billing/accounts/${account.body.id}/ledger_entries`);
      assert.equal(ledger.status, 200, ledger.text);
      assert.deepEqual(entries[0], ledger.body.data[0], 'the ledger entry in the event is the one the ledger lists');
    });

    test('events reach only endpoints of their own tenant and mode whose event filter accepts their type', async () => {
      const a = await server.createTenant('routing-a');
      const b = await server.createTenant('routing-b');
      const testAll = await createEndpoint(server, a.tenant.id, { url: receiver.url(), mode: 'test', events: ['*'] });
      const liveAll = await createEndpoint(server, a.tenant.id, { url: receiver.url(), mode: 'live', events: ['*'] });
      const accountCreatedOnly = await createEndpoint(server, a.tenant.id, { url: receiver.url(), mode: 'test', events: ['billing.account.created'] });
      const customerOnly = await createEndpoint(server, a.tenant.id, { url: receiver.url(), mode: 'test', events: ['billing.customer.*'] });
      const otherTenantTest = await createEndpoint(server, b.tenant.id, { url: receiver.url(), mode: 'test', events: ['*'] });
      const otherTenantLive = await createEndpoint(server, b.tenant.id, { url: receiver.url(), mode: 'live', events: ['*'] });

      // test mode: customer.created, account.created, account.updated, customer.updated
      const testApi = billingApi(server, a, 'test');
      const testAccount = await createAccount(testApi);
      assert.equal((await testApi.patch(`/billing/accounts/${testAccount.body.id}`, { name: 'renamed' })).status, 200);
      assert.equal((await testApi.patch(`/billing/customers/${testAccount.body.customer_id}`, { name: 'renamed' })).status, 200);
      // live mode: customer.created, account.created
      const liveAccount = await createAccount(billingApi(server, a, 'live'));

      await waitFor('every expected delivery of tenant a', () =>
        receiver.to(testAll.url).length >= 4 &&
        receiver.to(liveAll.url).length >= 2 &&
        receiver.to(accountCreatedOnly.url).length >= 1 &&
        receiver.to(customerOnly.url).length >= 2,
      );
      const seen = (endpoint: EndpointBody) => receiver.to(endpoint.url).map((r) => verified(endpoint.secret, r));
      const typesAndIds = (endpoint: EndpointBody) => seen(endpoint).map((e) => `${e.type} ${e.data.id}`).sort();

      const testIds = [testAccount.body.id, testAccount.body.customer_id];
      const liveIds = [liveAccount.body.id, liveAccount.body.customer_id];
      assert.deepEqual(typesAndIds(testAll), [
        `billing.account.created ${testIds[0]}`,
        `billing.account.updated ${testIds[0]}`,
        `billing.customer.created ${testIds[1]}`,
        `billing.customer.updated ${testIds[1]}`,
      ]);
      assert.deepEqual(typesAndIds(liveAll), [`billing.account.created ${liveIds[0]}`, `billing.customer.created ${liveIds[1]}`].sort());
      assert.deepEqual(typesAndIds(accountCreatedOnly), [`billing.account.created ${testIds[0]}`]);
      assert.deepEqual(typesAndIds(customerOnly), [`billing.customer.created ${testIds[1]}`, `billing.customer.updated ${testIds[1]}`]);

      // Every event has been fanned out (each reached a * endpoint), so the delivery lists are complete.
      const deliveriesA = await deliveriesOf(server, a.tenant.id, {});
      assert.equal(deliveriesA.length, 4 + 2 + 1 + 2, JSON.stringify(deliveriesA));
      assert.ok(deliveriesA.every((d) => d.mode === (d.endpoint_id === liveAll.id ? 'live' : 'test')));
      assert.deepEqual(await deliveriesOf(server, b.tenant.id, {}), [], 'another tenant gets no delivery');
      assert.equal(receiver.to(otherTenantTest.url).length, 0);
      assert.equal(receiver.to(otherTenantLive.url).length, 0);
    });

    test('a deleted endpoint leaves the list and receives no later event; deleting it again answers 404', async () => {
      const created = await server.createTenant('delete');
      const victim = await createEndpoint(server, created.tenant.id, { url: receiver.url(), mode: 'test', events: ['*'] });
      const sentinel = await createEndpoint(server, created.tenant.id, { url: receiver.url(), mode: 'test', events: ['*'] });
      const api = billingApi(server, created);
      await createCustomer(api);
      await waitFor('the first event at both endpoints', () => receiver.to(victim.url).length === 1 && receiver.to(sentinel.url).length === 1);

      const deleted = await admin(server, 'DELETE', `/tenants/${created.tenant.id}/webhook-endpoints/${victim.id}`);
      assert.equal(deleted.status, 200, deleted.text);
      const listed = await admin(server, 'GET', `/tenants/${created.tenant.id}/webhook-endpoints`);
      assert.deepEqual(listed.body.data.map((e: { id: string }) => e.id), [sentinel.id]);

      await createCustomer(api);
      const second = await waitFor('the second event at the sentinel', () => receiver.to(sentinel.url)[1]);
      const eventId = envelopeOf(second).id;
      const deliveries = await deliveriesOf(server, created.tenant.id, { event_id: eventId });
      assert.deepEqual(deliveries.map((d) => d.endpoint_id), [sentinel.id], 'no delivery is made to a deleted endpoint');
      assert.equal(receiver.to(victim.url).length, 1);

      const again = await admin(server, 'DELETE', `/tenants/${created.tenant.id}/webhook-endpoints/${victim.id}`);
      assert.equal(again.status, 404, again.text);
    });

    test('a receiver that answers 500 three times gets the event on the 4th attempt, with the same webhook-id and a valid signature every time', async () => {
      const created = await server.createTenant('flaky');
      const endpoint = await createEndpoint(server, created.tenant.id, {
        url: receiver.url({ kind: 'fail-first', times: 3, code: 500 }),
        mode: 'test',
        events: ['billing.account.created'],
      });
      const account = await createAccount(billingApi(server, created));
      const delivery = await deliveryReaching(server, created.tenant.id, endpoint.id, 'succeeded');

      const received = receiver.to(endpoint.url);
      assert.equal(received.length, 4);
      const envelopes = received.map((r) => verified(endpoint.secret, r));
      const eventId = envelopes[0]!.id;
      assert.ok(received.every((r) => r.headers['webhook-id'] === eventId), 'the same webhook-id on every attempt');
      assert.ok(received.every((r) => r.body === received[0]!.body), 'the same body on every attempt');
      assert.equal(envelopes[0]!.type, 'billing.account.created');
      assert.deepEqual(envelopes[0]!.data, account.body);

      const byEvent = await deliveriesOf(server, created.tenant.id, { event_id: eventId });
      assert.deepEqual(byEvent.map((d) => d.id), [delivery.id]);
      const view = await deliveryView(server, created.tenant.id, delivery.id);
      assert.equal(view.status, 'succeeded');
      assert.equal(view.event_id, eventId);
      assert.equal(view.event_type, 'billing.account.created');
      assert.equal(view.endpoint_id, endpoint.id);
      assert.equal(byEvent[0]!.attempts, 4);
      assert.equal(view.last_status_code, 200);
      assert.equal(view.last_error, null);
      assert.match(view.delivered_at ?? '', ISO_MS);
      assert.equal(view.next_attempt_at, null);
      assert.equal(view.attempts.length, 4);
      assert.deepEqual(view.attempts.map((a) => a.attempt), [1, 2, 3, 4]);
      assert.deepEqual(view.attempts.map((a) => a.status_code), [500, 500, 500, 200]);
      for (const failed of view.attempts.slice(0, 3)) assert.match(failed.error ?? '', /500/);
      assert.equal(view.attempts[3]!.error, null);
      for (const attempt of view.attempts) assert.match(attempt.started_at, ISO_MS);
    });
  });

  describe(`webhook retries, failures, resend and metrics (${kind})`, () => {
    let server: TestApp;
    let receiver: Receiver;
    before(async () => {
      receiver = new Receiver();
      await receiver.start();
      server = await build(kind, { env: SHORT });
    });
    after(async () => {
      await receiver.close();
      await server.close();
    });

    test('a delivery that fails every attempt of the schedule ends failed with its last error; resend answers 202 and succeeds with one more attempt', async () => {
      const created = await server.createTenant('exhausted');
      const endpoint = await createEndpoint(server, created.tenant.id, {
        url: receiver.url({ kind: 'status', code: 500 }),
        mode: 'test',
        events: ['billing.account.created'],
      });
      await createAccount(billingApi(server, created));
      const failed = await deliveryReaching(server, created.tenant.id, endpoint.id, 'failed');
      assert.equal(failed.attempts, 3, 'schedule 0.05,0.05: the first attempt and two retries');
      assert.equal(failed.last_status_code, 500);
      assert.match(failed.last_error ?? '', /500/);
      assert.equal(failed.delivered_at, null);
      assert.equal(failed.next_attempt_at, null);

      const view = await deliveryView(server, created.tenant.id, failed.id);
      assert.deepEqual(view.attempts.map((a) => [a.attempt, a.status_code]), [[1, 500], [2, 500], [3, 500]]);
      for (let i = 1; i < view.attempts.length; i++) {
        const gap = Date.parse(view.attempts[i]!.started_at) - Date.parse(view.attempts[i - 1]!.started_at);
        assert.ok(gap >= 35, `retry ${i} came ${gap} ms after the previous attempt; the schedule waits 50 ms ±20%`);
      }
      assert.equal(receiver.to(endpoint.url).length, 3);

      receiver.set(endpoint.url, { kind: 'ok' });
      const resent = await admin(server, 'POST', `/tenants/${created.tenant.id}/webhook-deliveries/${failed.id}/resend`);
      assert.equal(resent.status, 202, resent.text);
      assert.equal(resent.body.id, failed.id);
      assert.equal(resent.body.status, 'pending');

      const succeeded = await deliveryReaching(server, created.tenant.id, endpoint.id, 'succeeded');
      assert.equal(succeeded.attempts, 4);
      assert.equal(succeeded.last_error, null);
      const after = await deliveryView(server, created.tenant.id, failed.id);
      assert.deepEqual(after.attempts.map((a) => [a.attempt, a.status_code]), [[1, 500], [2, 500], [3, 500], [4, 200]]);
      const received = receiver.to(endpoint.url);
      assert.equal(received.length, 4);
      const ids = received.map((r) => verified(endpoint.secret, r).id);
      assert.deepEqual(new Set(ids), new Set([failed.event_id]), 'the resent delivery is the same event');

      const unknown = await admin(server, 'POST', `/tenants/${created.tenant.id}/webhook-deliveries/whd_doesnotexist/resend`);
      assert.equal(unknown.status, 404, unknown.text);
    });

    test('/metrics counts attempts by outcome (succeeded, retrying, failed), the queue depth and the delivery latency', async () => {
      const before = await metricsText(server);
      const created = await server.createTenant('metrics');
      const gate = await createEndpoint(server, created.tenant.id, { url: receiver.url({ kind: 'gate' }), mode: 'test', events: ['billing.account.created'] });
      const broken = await createEndpoint(server, created.tenant.id, { url: receiver.url({ kind: 'status', code: 503 }), mode: 'test', events: ['billing.account.created'] });
      await createAccount(billingApi(server, created));

      await waitFor('the gated attempt to be held', () => receiver.openRequests(gate.url) === 1);
      const during = await metricsText(server);
      assert.ok(
        sample(during, 'subledger_outbox_queue_depth{kind="webhook_delivery"}') >= 1,
        `a held delivery is pending, so the queue is not empty:\n${during.split('\n').filter((l) => l.includes('queue_depth')).join('\n')}`,
      );
      await deliveryReaching(server, created.tenant.id, broken.id, 'failed');
      receiver.release(gate.url);
      await deliveryReaching(server, created.tenant.id, gate.id, 'succeeded');

      const afterText = await metricsText(server);
      const delta = (series: string) => sample(afterText, series) - sample(before, series);
      assert.ok(delta('subledger_webhook_attempts_total{outcome="succeeded"}') >= 1, 'succeeded attempts counted');
      assert.ok(delta('subledger_webhook_attempts_total{outcome="retrying"}') >= 2, 'two failed attempts that will be retried counted');
      assert.ok(delta('subledger_webhook_attempts_total{outcome="failed"}') >= 1, 'the final failed attempt counted');
      assert.ok(delta('subledger_webhook_delivery_latency_seconds_count') >= 1, 'the successful delivery observed in the latency histogram');
      assert.ok(sample(afterText, 'subledger_webhook_delivery_latency_seconds_count') > 0);
      assert.match(afterText, /^subledger_outbox_queue_depth\{kind="webhook_delivery"\} \d+$/m);
    });

    test("an endpoint that hangs with a backlog holds at most its bound of deliveries in flight; another tenant's endpoint and the same tenant's other endpoint are served meanwhile", async () => {
      const hanging = await server.createTenant('hanging-backlog');
      const bystander = await server.createTenant('bystander');
      const hang = await createEndpoint(server, hanging.tenant.id, { url: receiver.url({ kind: 'hang' }), mode: 'test', events: ['billing.customer.*'] });
      const sibling = await createEndpoint(server, hanging.tenant.id, { url: receiver.url(), mode: 'test', events: ['billing.account.*'] });
      const other = await createEndpoint(server, bystander.tenant.id, { url: receiver.url(), mode: 'test', events: ['*'] });
      const api = billingApi(server, hanging);
      // 30 deliveries due at once to the hanging endpoint: more than the worker's 16 slots.
      await Promise.all(Array.from({ length: 30 }, () => createCustomer(api)));
      await waitFor('the hanging endpoint to hold its four', () => receiver.openRequests(hang.url) === 4);
      // While those four hang (1.5 s each), both healthy endpoints get their events.
      await createCustomer(billingApi(server, bystander));
      await createAccount(api);
      const seen = await waitFor('both healthy endpoints served', () =>
        receiver.to(other.url).length >= 1 && receiver.to(sibling.url).length >= 1 ? { open: receiver.openRequests(hang.url), sent: receiver.to(hang.url).length } : undefined,
      );
      assert.deepEqual(seen, { open: 4, sent: 4 }, 'served while the first four attempts still hung, and no fifth was sent to the hanging endpoint');
    });

    test('receivers that hang, close the socket or redirect are retried with the reason recorded, and never hold up a healthy endpoint', async () => {
      const created = await server.createTenant('slow-receivers');
      const tenantId = created.tenant.id;
      const redirectTarget = receiver.url();
      const hang = await createEndpoint(server, tenantId, { url: receiver.url({ kind: 'hang' }), mode: 'test', events: ['billing.account.created'] });
      const destroy = await createEndpoint(server, tenantId, { url: receiver.url({ kind: 'destroy' }), mode: 'test', events: ['billing.account.created'] });
      const redirect = await createEndpoint(server, tenantId, {
        url: receiver.url({ kind: 'redirect', location: redirectTarget }),
        mode: 'test',
        events: ['billing.account.created'],
      });
      const healthy = await createEndpoint(server, tenantId, { url: receiver.url(), mode: 'test', events: ['billing.customer.*'] });
      const api = billingApi(server, created);

      const customer = await createCustomer(api);
      assert.equal((await api.post('/billing/accounts', { customer: customer.body.id, external_reference: uniqueRef('ACC') })).status, 201);
      await waitFor('the first attempt to hang at the receiver', () => receiver.openRequests(hang.url) === 1);

      // While that attempt hangs (up to 1.5 s), ten more events must reach the healthy endpoint.
      await Promise.all(Array.from({ length: 10 }, () => createCustomer(api)));
      const snapshot = await waitFor('all 11 customer events at the healthy endpoint', () =>
        receiver.to(healthy.url).length >= 11 ? { hangRequests: receiver.to(hang.url).length, hangOpen: receiver.openRequests(hang.url) } : undefined,
      );
      assert.deepEqual(snapshot, { hangRequests: 1, hangOpen: 1 }, 'all ten arrived while the first attempt to the hanging receiver was still stuck');
      // The receiver has answered; the worker records each success just after.
      const healthyDeliveries = await waitFor('the 11 healthy deliveries to be recorded as succeeded', async () => {
        const found = await deliveriesOf(server, tenantId, { endpoint_id: healthy.id });
        return found.every((d) => d.status === 'succeeded') ? found : undefined;
      });
      assert.equal(healthyDeliveries.length, 11);
      assert.ok(healthyDeliveries.every((d) => d.attempts === 1), `each in one attempt: ${JSON.stringify(healthyDeliveries)}`);
      for (const r of receiver.to(healthy.url)) verified(healthy.secret, r);

      const retried = async (endpoint: EndpointBody) => {
        const [delivery] = await deliveriesOf(server, tenantId, { endpoint_id: endpoint.id });
        const view = await waitFor(
          `${endpoint.url} to be retried`,
          async () => {
            const v = await deliveryView(server, tenantId, delivery!.id);
            return v.attempts.length >= 2 ? v : undefined;
          },
          3 * SHORT_SCHEDULE_TIMEOUT_MS + WAIT_MS,
        );
        assert.notEqual(view.status, 'succeeded');
        const received = receiver.to(endpoint.url);
        assert.ok(received.length >= 2);
        assert.ok(received.every((r) => r.headers['webhook-id'] === delivery!.event_id), 'the same webhook-id on every retry');
        for (const r of received) verified(endpoint.secret, r);
        return view;
      };

      const hangView = await retried(hang);
      for (const attempt of hangView.attempts.slice(0, 2)) {
        assert.equal(attempt.status_code, null);
        assert.match(attempt.error ?? '', /no answer within 1500 ms|time(d)? ?out/i);
        assert.ok(attempt.duration_ms >= SHORT_SCHEDULE_TIMEOUT_MS - 50, `a hanging attempt is cut off at the timeout, took ${attempt.duration_ms} ms`);
      }
      const destroyView = await retried(destroy);
      for (const attempt of destroyView.attempts.slice(0, 2)) {
        assert.equal(attempt.status_code, null);
        assert.match(attempt.error ?? '', /socket|connection|closed|reset/i);
      }
      const redirectView = await retried(redirect);
      for (const attempt of redirectView.attempts.slice(0, 2)) {
        assert.equal(attempt.status_code, 302);
        assert.match(attempt.error ?? '', /redirect/i);
      }
      assert.equal(receiver.to(redirectTarget).length, 0, 'a redirect is not followed');
    });
  });

  describe(`deleting an endpoint fails its pending deliveries (${kind})`, () => {
    let server: TestApp;
    let receiver: Receiver;
    before(async () => {
      receiver = new Receiver();
      await receiver.start();
      server = await build(kind, { env: LATER });
    });
    after(async () => {
      await receiver.close();
      await server.close();
    });

    test('a delivery waiting for its retry becomes failed with last_error "endpoint deleted" when its endpoint is deleted', async () => {
      const created = await server.createTenant('delete-pending');
      const endpoint = await createEndpoint(server, created.tenant.id, {
        url: receiver.url({ kind: 'status', code: 500 }),
        mode: 'test',
        events: ['billing.account.created'],
      });
      const keeper = await createEndpoint(server, created.tenant.id, { url: receiver.url(), mode: 'test', events: ['billing.account.created'] });
      await createAccount(billingApi(server, created));
      const waiting = await waitFor('the first attempt to fail', async () => {
        const [d] = await deliveriesOf(server, created.tenant.id, { endpoint_id: endpoint.id });
        return d && d.attempts === 1 ? d : undefined;
      });
      assert.equal(waiting.status, 'pending');
      assert.ok(Date.parse(waiting.next_attempt_at ?? '') > Date.now() + 30_000, 'the retry is scheduled a minute out');

      const deleted = await admin(server, 'DELETE', `/tenants/${created.tenant.id}/webhook-endpoints/${endpoint.id}`);
      assert.equal(deleted.status, 200, deleted.text);
      const view = await deliveryView(server, created.tenant.id, waiting.id);
      assert.equal(view.status, 'failed');
      assert.equal(view.last_error, 'endpoint deleted');
      assert.equal(view.next_attempt_at, null);
      assert.equal(view.attempts.length, 1, 'the attempt history is kept');
      // The keeper's delivery may still be in flight: it must end succeeded (a delete that failed it would leave it failed).
      const kept = await waitFor("another endpoint's delivery of the same event to succeed", async () => {
        const [d] = await deliveriesOf(server, created.tenant.id, { endpoint_id: keeper.id });
        return d && d.status !== 'pending' ? d : undefined;
      });
      assert.equal(kept.status, 'succeeded', "another endpoint's delivery of the same event is untouched");
    });

    test('a delivery whose endpoint was deleted cannot be re-sent: 400 naming deliveryId, and it stays failed', async () => {
      const created = await server.createTenant('delete-resend');
      const endpoint = await createEndpoint(server, created.tenant.id, { url: receiver.url({ kind: 'status', code: 500 }), mode: 'test', events: ['billing.account.created'] });
      await createAccount(billingApi(server, created));
      const waiting = await waitFor('the first attempt to fail', async () => {
        const [d] = await deliveriesOf(server, created.tenant.id, { endpoint_id: endpoint.id });
        return d && d.attempts === 1 ? d : undefined;
      });
      assert.equal((await admin(server, 'DELETE', `/tenants/${created.tenant.id}/webhook-endpoints/${endpoint.id}`)).status, 200);
      const resent = await admin(server, 'POST', `/tenants/${created.tenant.id}/webhook-deliveries/${waiting.id}/resend`);
      assert.equal(resent.status, 400, resent.text);
      assert.equal(resent.body.errors[0].param, 'delivery_id');
      const view = await deliveryView(server, created.tenant.id, waiting.id);
      assert.equal(view.status, 'failed');
      assert.equal(view.last_error, 'endpoint deleted');
    });

    test('an attempt in flight when its endpoint is deleted does not reschedule the delivery, even if the receiver then answers 500', async () => {
      const created = await server.createTenant('delete-in-flight');
      const endpoint = await createEndpoint(server, created.tenant.id, { url: receiver.url({ kind: 'gate' }), mode: 'test', events: ['billing.account.created'] });
      await createAccount(billingApi(server, created));
      await waitFor('the attempt to be held at the receiver', () => receiver.openRequests(endpoint.url) === 1);
      assert.equal((await admin(server, 'DELETE', `/tenants/${created.tenant.id}/webhook-endpoints/${endpoint.id}`)).status, 200);
      const [delivery] = await deliveriesOf(server, created.tenant.id, { endpoint_id: endpoint.id });
      assert.equal(delivery!.status, 'failed');
      assert.equal(delivery!.last_error, 'endpoint deleted');

      // The held attempt now ends (the worker's timeout is 2 s, so the delete came first).
      receiver.release(endpoint.url, 500);
      await waitFor('the in-flight attempt to be recorded', async () => (await deliveryView(server, created.tenant.id, delivery!.id)).attempts.length >= 1);
      // Read again: the view's two reads are not one snapshot, and the attempt commits with the delivery's new state.
      const view = await deliveryView(server, created.tenant.id, delivery!.id);
      assert.equal(view.attempts[0]!.status_code, 500, 'the attempt itself is recorded');
      assert.equal(view.status, 'failed', `after the in-flight attempt: ${JSON.stringify(view)}`);
      assert.equal(view.last_error, 'endpoint deleted');
      assert.equal(view.next_attempt_at, null, 'no retry is scheduled to a deleted endpoint');
    });
  });
}
