import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { after, describe, test, type TestContext } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { call, client, uniqueRef, type ApiResponse, type HttpTarget } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { createTestDatabase, storeKinds } from '../support/stores.js';
import { waitFor } from '../support/wait.js';
import { ServeProcesses } from '../support/serve-process.js';
import { SmtpSink, type ReceivedMail } from '../support/smtp-sink.js';

// Durability of the outbox (SPEC §1 "Running it", §2 "Events"): webhooks and e-mails are
// at-least-once, survive SIGKILL between commit and delivery and during delivery (leases),
// are shared by several processes on one PostgreSQL database without double-sending, and
// e-mails go over a real SMTP server (or are logged, never lost, without SMTP_URL).
// Everything here is real: `subledger serve` processes, an HTTP receiver and an SMTP server
// on 127.0.0.1.

const TIMEOUT = { timeout: 45_000 };
const WAIT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// waitFor: poll a condition (no fixed sleeps)
// ---------------------------------------------------------------------------------------------


// ---------------------------------------------------------------------------------------------
// A real `subledger serve` process
// ---------------------------------------------------------------------------------------------

// Every process here is admin-enabled and logs at info (one test reads the mail log line).
const spawned = new ServeProcesses({ SUBLEDGER_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'info' }, WAIT_MS);
const startServe = (name: string, env: Record<string, string>) => spawned.start(name, env);

// ---------------------------------------------------------------------------------------------
// A real webhook receiver
// ---------------------------------------------------------------------------------------------

interface Received {
  webhookId: string;
  headers: Record<string, string>;
  body: string;
  receivedAt: number;
}

/** What the receiver does with the n-th request (0-based): answer with a status, or hold it open forever. */
type Answer = (request: Received, index: number) => number | 'hold';

class Receiver {
  readonly requests: Received[] = [];
  private readonly server: Server;
  url = '';

  /** `delayMs`: how long each answer takes, as with a real receiver that does some work. */
  constructor(
    private readonly answer: Answer = () => 200,
    private readonly delayMs = 0,
  ) {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  /** Requests per webhook-id. */
  countsById(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.requests) counts.set(r.webhookId, (counts.get(r.webhookId) ?? 0) + 1);
    return counts;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      const received: Received = { webhookId: headers['webhook-id'] ?? '', headers, body, receivedAt: Date.now() };
      const index = this.requests.push(received) - 1;
      const answer = this.answer(received, index);
      if (answer === 'hold') return; // never answered: the sender's connection stays open until it dies
      const send = () => res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
      if (this.delayMs > 0) setTimeout(send, this.delayMs);
      else send();
    });
    req.on('error', () => {});
    res.on('error', () => {});
  }
}

/** The verified Standard Webhooks payload (throws when the signature does not verify). */
function verified(secret: string, request: Received): { id: string; type: string; created_at: string; data: any } {
  const payload = new Webhook(secret).verify(request.body, request.headers) as { id: string; type: string; created_at: string; data: any };
  assert.equal(payload.id, request.webhookId, 'webhook-id is the event id of the envelope');
  return payload;
}

// ---------------------------------------------------------------------------------------------
// A real SMTP server
// ---------------------------------------------------------------------------------------------

/** A port nothing listens on now (bound and released), to be bound later. */
async function unusedPort(): Promise<number> {
  const probe = createNetServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

// ---------------------------------------------------------------------------------------------
// API helpers
// ---------------------------------------------------------------------------------------------

const admin = (base: HttpTarget) => ({
  get: <T = any>(path: string): Promise<ApiResponse<T>> => call<T>(base, 'GET', `/admin/v1${path}`, undefined, { key: ADMIN_TOKEN }),
  post: <T = any>(path: string, body: unknown): Promise<ApiResponse<T>> => call<T>(base, 'POST', `/admin/v1${path}`, body, { key: ADMIN_TOKEN }),
});

async function createEndpoint(base: HttpTarget, tenantId: string, url: string, events: string[] = ['*']): Promise<{ id: string; secret: string }> {
  const created = await admin(base).post(`/tenants/${tenantId}/webhook-endpoints`, { url, mode: 'test', events });
  assert.equal(created.status, 201, created.text);
  assert.match(created.body.secret, /^whsec_/);
  return created.body;
}

async function createAccount(base: HttpTarget, secret: string, customer: unknown = { external_reference: uniqueRef('CUS') }): Promise<any> {
  const created = await client(base, secret).post(
    '/billing/accounts',
    { customer, external_reference: uniqueRef('ACC'), name: 'Durable', currency: 'ZAR', balance: 500 },
    { idempotencyKey: uniqueRef('idem') },
  );
  assert.equal(created.status, 201, created.text);
  return created.body;
}

async function deliveries(base: HttpTarget, tenantId: string): Promise<any[]> {
  const listed = await admin(base).get(`/tenants/${tenantId}/webhook-deliveries?limit=100`);
  assert.equal(listed.status, 200, listed.text);
  return listed.body.data;
}

async function emails(base: HttpTarget, tenantId: string): Promise<any[]> {
  const listed = await admin(base).get(`/tenants/${tenantId}/emails`);
  assert.equal(listed.status, 200, listed.text);
  return listed.body.data;
}

async function queueEmail(base: HttpTarget, tenantId: string, message: { to: string; subject: string; text: string }): Promise<any> {
  const created = await admin(base).post(`/tenants/${tenantId}/emails`, message);
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.status, 'pending');
  assert.match(created.body.id, /^eml_/);
  return created.body;
}

/** The value of a Prometheus counter sample in a /metrics text, 0 when absent. */
async function counter(base: HttpTarget, sample: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

const byTypeAndId = (pairs: [string, string][]) => pairs.map(([type, id]) => `${type} ${id}`).sort();

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

/** What a test set up, undone last-in first-out however the test ends. */
class Cleanup {
  private readonly stack: (() => unknown)[] = [];

  add<T>(value: T, undo: (value: T) => unknown): T {
    this.stack.push(() => undo(value));
    return value;
  }

  async run(): Promise<void> {
    for (const undo of this.stack.splice(0).reverse()) {
      try {
        await undo();
      } catch {
        // keep undoing the rest
      }
    }
  }
}

function withCleanup(body: (cleanup: Cleanup, t: TestContext) => Promise<void>): (t: TestContext) => Promise<void> {
  return async (t) => {
    const cleanup = new Cleanup();
    try {
      await body(cleanup, t);
    } finally {
      await cleanup.run();
    }
  };
}

const kinds = await storeKinds();
// A safety net: every spawned process is killed even if a test's own cleanup never ran.
after(async () => {
  await spawned.killAll();
});

/** A `subledger serve` killed when the test ends (if it has not exited by then). */
const serveIn = (cleanup: Cleanup, name: string, env: Record<string, string>) => cleanup.add(startServe(name, env), (p) => p.sigkill());

// One test at a time: each spawns server processes, and timing-sensitive steps (a 900 ms webhook
// timeout, a kill while a request is in flight) must not starve on a small CI machine.
describe('outbox durability', { concurrency: 1 }, () => {
  for (const kind of kinds) {
    describe(`webhooks survive crashes (${kind})`, () => {
      test('SIGKILL between commit and delivery: after a restart with workers on, the receiver gets exactly the events committed before the kill, signed', TIMEOUT, withCleanup(async (cleanup) => {
        const database = cleanup.add(await createTestDatabase(kind), (d) => d.drop());
        const receiver = cleanup.add(await new Receiver().start(), (r) => r.close());

        const first = serveIn(cleanup, `${kind} serve (workers off)`, { DATABASE_URL: database.url, SUBLEDGER_WORKERS: 'off' });
        const base1 = await first.ready();
        const { tenantId, secret } = await first.defaultTenant();
        const endpoint = await createEndpoint(base1, tenantId, receiver.url);
        const account = await createAccount(base1, secret);
        const patched = await client(base1, secret).patch(`/billing/accounts/${account.id}`, { balance: 750, currency: 'ZAR' }, { idempotencyKey: uniqueRef('idem') });
        assert.equal(patched.status, 200, patched.text);

        assert.equal(await first.sigkill(), 'SIGKILL', 'the first process died by SIGKILL, without a graceful shutdown');
        assert.equal(receiver.requests.length, 0, 'nothing was delivered before the crash');

        const second = serveIn(cleanup, `${kind} serve (restarted, workers on)`, { DATABASE_URL: database.url, SUBLEDGER_WORKERS: 'on', SUBLEDGER_OUTBOX_POLL_MS: '50' });
        const base2 = await second.ready();
        const expected = byTypeAndId([
          ['billing.customer.created', account.customer_id],
          ['billing.account.created', account.id],
          ['billing.account.updated', account.id],
          ['billing.account.balance_changed', account.id],
        ]);
        const done = await waitFor(
          async () => {
            const list = await deliveries(base2, tenantId);
            return list.length === expected.length && list.every((d) => d.status === 'succeeded') ? list : undefined;
          },
          WAIT_MS,
          () => `${expected.length} succeeded deliveries after the restart (receiver got ${receiver.requests.length})`,
        );

        const payloads = receiver.requests.map((r) => verified(endpoint.secret, r));
        assert.deepEqual(byTypeAndId(payloads.map((p) => [p.type, p.data.id])), expected, 'exactly the events committed before the kill');
        assert.deepEqual([...receiver.countsById().values()], [1, 1, 1, 1], 'each event once');
        assert.deepEqual(new Set(done.map((d) => d.event_id)), new Set(payloads.map((p) => p.id)), 'the deliveries are of the received events');
        assert.ok(done.every((d) => d.attempts === 1 && d.delivered_at), JSON.stringify(done));

        const created = payloads.find((p) => p.type === 'billing.account.created')!;
        assert.match(created.id, /^evt_/);
        assert.equal(created.data.external_reference, account.external_reference);
        assert.equal(created.data.balance, 500, 'the snapshot taken at commit, before the update');
        assert.equal(payloads.find((p) => p.type === 'billing.account.balance_changed')!.data.balance, 750);
        assert.equal(await second.terminate(), 0, second.stderr);
      }));

      test('SIGKILL during delivery: once the lease lapses, the restarted server sends the same event (same webhook-id) again and the delivery ends succeeded', TIMEOUT, withCleanup(async (cleanup) => {
        const database = cleanup.add(await createTestDatabase(kind), (d) => d.drop());
        // The first request is held open (the crash happens while it is in flight); later ones get 200.
        const receiver = cleanup.add(await new Receiver((_request, index) => (index === 0 ? 'hold' : 200)).start(), (r) => r.close());

        // The lease (4 s) outlives the request timeout (3.5 s), and a failed attempt would be retried only in
        // an hour: a redelivery within the test can only come from the lapsed lease of the killed process.
        const first = serveIn(cleanup, `${kind} serve (crashes mid-delivery)`, {
          DATABASE_URL: database.url,
          SUBLEDGER_WORKERS: 'on',
          SUBLEDGER_OUTBOX_LEASE_SECONDS: '4',
          SUBLEDGER_WEBHOOK_TIMEOUT_MS: '3500',
          SUBLEDGER_RETRY_SCHEDULE: '3600',
          SUBLEDGER_OUTBOX_POLL_MS: '50',
        });
        const base1 = await first.ready();
        const { tenantId, secret } = await first.defaultTenant();
        const endpoint = await createEndpoint(base1, tenantId, receiver.url, ['billing.account.created']);
        const account = await createAccount(base1, secret);

        const held = await waitFor(() => receiver.requests[0], WAIT_MS, 'the first delivery to reach the receiver');
        assert.equal(await first.sigkill(), 'SIGKILL');
        const heldPayload = verified(endpoint.secret, held);
        assert.equal(heldPayload.type, 'billing.account.created');
        assert.equal(heldPayload.data.id, account.id);

        const second = serveIn(cleanup, `${kind} serve (restarted, lease 1 s)`, {
          DATABASE_URL: database.url,
          SUBLEDGER_WORKERS: 'on',
          SUBLEDGER_OUTBOX_LEASE_SECONDS: '1',
          SUBLEDGER_WEBHOOK_TIMEOUT_MS: '900',
          SUBLEDGER_RETRY_SCHEDULE: '0.2,0.5,1',
          SUBLEDGER_OUTBOX_POLL_MS: '50',
        });
        const base2 = await second.ready();
        const [delivery] = await waitFor(
          async () => {
            const list = await deliveries(base2, tenantId);
            return list.length === 1 && list[0].status === 'succeeded' ? list : undefined;
          },
          WAIT_MS,
          () => `the delivery to succeed after the restart (receiver got ${receiver.requests.length})`,
        );

        const again = receiver.requests.slice(1);
        assert.ok(again.length >= 1, 'delivered again after the lease lapsed');
        for (const request of again) {
          assert.equal(request.webhookId, held.webhookId, 'the same webhook-id, so receivers can dedupe');
          assert.deepEqual(verified(endpoint.secret, request), heldPayload, 'the same event, validly signed');
        }
        assert.equal(delivery.event_id, held.webhookId);
        assert.ok(delivery.delivered_at, 'delivered_at is set');

        const detail = await admin(base2).get(`/tenants/${tenantId}/webhook-deliveries/${delivery.id}`);
        assert.equal(detail.status, 200, detail.text);
        assert.equal(detail.body.status, 'succeeded');
        const attempts: any[] = detail.body.attempts;
        assert.equal(attempts.at(-1).status_code, 200, JSON.stringify(attempts));
        // The killed attempt never finished, so it left no record (only the first process times out at
        // 3500 ms): the lease alone brought the event back.
        assert.ok(attempts.every((a) => !/3500/.test(a.error ?? '')), `no attempt recorded by the killed process: ${JSON.stringify(attempts)}`);
        assert.equal(await second.terminate(), 0, second.stderr);
      }));
    });
  }

  describe('two server processes on one PostgreSQL database', { skip: !kinds.includes('postgres') && 'PostgreSQL is not reachable' }, () => {
    test('share the outbox: each of 61 events reaches the receiver exactly once and every delivery succeeds at the first attempt', TIMEOUT, withCleanup(async (cleanup, t) => {
      const database = cleanup.add(await createTestDatabase('postgres'), (d) => d.drop());
      // A receiver that takes a little while per request, as real ones do, so both workers find work.
      const receiver = cleanup.add(await new Receiver(() => 200, 30).start(), (r) => r.close());
      const env = { DATABASE_URL: database.url, SUBLEDGER_WORKERS: 'on', SUBLEDGER_OUTBOX_POLL_MS: '20', LOG_LEVEL: 'warn' };

      // Started one after the other: only the first creates (and prints) the default tenant.
      const a = serveIn(cleanup, 'postgres serve A', env);
      const baseA = await a.ready();
      const { tenantId, secret } = await a.defaultTenant();
      const b = serveIn(cleanup, 'postgres serve B', env);
      const baseB = await b.ready();

      const endpoint = await createEndpoint(baseA, tenantId, receiver.url);
      const customer = await client(baseA, secret).post('/billing/customers', { external_reference: uniqueRef('CUS'), name: 'Shared' }, { idempotencyKey: uniqueRef('idem') });
      assert.equal(customer.status, 201, customer.text);
      const accounts = await Promise.all(Array.from({ length: 60 }, () => createAccount(baseA, secret, customer.body.id)));
      const expected = byTypeAndId([['billing.customer.created', customer.body.id], ...accounts.map((acc): [string, string] => ['billing.account.created', acc.id])]);

      const done = await waitFor(
        async () => {
          const list = await deliveries(baseB, tenantId);
          return list.length === 61 && list.every((d) => d.status === 'succeeded') ? list : undefined;
        },
        WAIT_MS,
        () => `61 succeeded deliveries (receiver got ${receiver.requests.length})`,
      );
      const sample = 'subledger_webhook_attempts_total{outcome="succeeded"}';
      const [byA, byB] = await waitFor(
        async () => {
          const counts = [await counter(baseA, sample), await counter(baseB, sample)];
          return counts[0] + counts[1] >= 61 ? counts : undefined;
        },
        WAIT_MS,
        'the two processes to have counted 61 successful attempts between them',
      );

      const duplicates = [...receiver.countsById()].filter(([, n]) => n !== 1);
      assert.deepEqual(duplicates, [], 'no event was sent twice');
      assert.equal(receiver.requests.length, 61);
      const payloads = receiver.requests.map((r) => verified(endpoint.secret, r));
      assert.deepEqual(byTypeAndId(payloads.map((p) => [p.type, p.data.id])), expected, 'every committed event, once');
      assert.ok(done.every((d) => d.attempts === 1), `every delivery took one attempt: ${JSON.stringify(done.filter((d) => d.attempts !== 1))}`);
      assert.equal(byA + byB, 61, `attempts made by the two processes add up to the events (A ${byA}, B ${byB})`);
      // Which process took how many is up to timing; exactly-once above is the contract.
      t.diagnostic(`successful attempts: process A ${byA}, process B ${byB}`);

      assert.equal(await a.terminate(), 0, a.stderr);
      assert.equal(await b.terminate(), 0, b.stderr);
    }));
  });

  for (const kind of kinds) {
    describe(`e-mail through the outbox (${kind})`, () => {
      test('with SMTP_URL, a real SMTP server receives each e-mail for its recipient with its subject; the admin list shows them sent, newest first', TIMEOUT, withCleanup(async (cleanup) => {
        const smtp = cleanup.add(await new SmtpSink().listen(), (m) => m.close());
        const server: TestApp = cleanup.add(
          await build(kind, { env: { SUBLEDGER_WORKERS: 'on', SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, SUBLEDGER_OUTBOX_POLL_MS: '50' } }),
          (x) => x.close(),
        );
        const tenantId = server.tenant.tenant.id;

        const queued: any[] = [];
        for (let i = 1; i <= 3; i++) {
          // Distinct created_at (millisecond precision), so "newest first" has one right answer.
          if (queued.length > 0) await waitFor(() => Date.now() > Date.parse(queued[queued.length - 1].created_at), 1000, 'the clock to tick');
          queued.push(await queueEmail(server, tenantId, { to: `user${i}@example.com`, subject: `Invoice ${i} ready ${uniqueRef('S')}`, text: `Hello number ${i}` }));
        }

        const mails = await waitFor(
          () => {
            const found = queued.map((e) => smtp.mailFor(e.id));
            return found.every(Boolean) ? (found as ReceivedMail[]) : undefined;
          },
          WAIT_MS,
          () => `3 mails at the SMTP server (got ${smtp.mails.length})`,
        );
        queued.forEach((email, i) => {
          assert.deepEqual(mails[i].envelopeTo, [email.to], 'envelope recipient');
          assert.match(mails[i].headers.get('to') ?? '', new RegExp(`(^|<)${email.to.replace(/\./g, '\\.')}(>|$)`), 'To: header');
          assert.equal(mails[i].headers.get('subject'), email.subject, 'Subject: header');
          assert.match(mails[i].raw, new RegExp(`Hello number ${i + 1}`), 'the text body');
        });
        assert.equal(smtp.mails.length, 3, 'each e-mail sent once');

        const listed = await waitFor(
          async () => {
            const list = await emails(server, tenantId);
            return list.length === 3 && list.every((e) => e.status === 'sent') ? list : undefined;
          },
          WAIT_MS,
          'the admin list to show 3 sent e-mails',
        );
        assert.deepEqual(listed.map((e) => e.id), queued.map((e) => e.id).reverse(), 'newest first');
        for (const email of listed) {
          const original = queued.find((q) => q.id === email.id);
          assert.equal(email.to, original.to);
          assert.equal(email.subject, original.subject);
          assert.equal(email.created_at, original.created_at);
          assert.match(email.sent_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
          assert.ok(email.sent_at >= email.created_at, 'sent_at is not before created_at');
        }
      }));

      test('with the SMTP server down, an e-mail stays pending with last_error and growing attempts, and is sent once the server comes up: never lost', TIMEOUT, withCleanup(async (cleanup) => {
        const port = await unusedPort();
        const server: TestApp = cleanup.add(
          await build(kind, {
            env: {
              SUBLEDGER_WORKERS: 'on',
              SMTP_URL: `smtp://127.0.0.1:${port}`,
              SUBLEDGER_RETRY_SCHEDULE: '0.1,0.1,0.2,0.3,0.5,1,2,5,30,60',
              SUBLEDGER_OUTBOX_POLL_MS: '20',
            },
          }),
          (x) => x.close(),
        );
        const tenantId = server.tenant.tenant.id;
        const queued = await queueEmail(server, tenantId, { to: 'ops@example.com', subject: `Retry me ${uniqueRef('S')}`, text: 'still here' });

        const failing = await waitFor(
          async () => (await emails(server, tenantId)).find((e) => e.id === queued.id && e.attempts >= 2),
          WAIT_MS,
          'two failed attempts while SMTP is down',
        );
        assert.equal(failing.status, 'pending');
        assert.ok(typeof failing.last_error === 'string' && failing.last_error.length > 0, `last_error names the failure: ${JSON.stringify(failing)}`);
        assert.equal(failing.sent_at, null);
        const later = await waitFor(
          async () => (await emails(server, tenantId)).find((e) => e.id === queued.id && e.attempts > failing.attempts),
          WAIT_MS,
          'another attempt',
        );
        assert.equal(later.status, 'pending', 'still pending while the schedule runs');

        const smtp = cleanup.add(await new SmtpSink().listen(port), (m) => m.close());
        const sent = await waitFor(
          async () => (await emails(server, tenantId)).find((e) => e.id === queued.id && e.status === 'sent'),
          WAIT_MS,
          'the e-mail to be sent once the SMTP server is up',
        );
        assert.ok(sent.attempts > later.attempts, 'sent at a later attempt');
        assert.ok(sent.sent_at, 'sent_at is set');
        const mail = smtp.mailFor(queued.id);
        assert.ok(mail, 'the SMTP server received it');
        assert.deepEqual(mail.envelopeTo, ['ops@example.com']);
        assert.equal(mail.headers.get('subject'), queued.subject);
        assert.equal(smtp.mails.length, 1);
      }));
    });
  }

  describe('e-mail without SMTP_URL', () => {
    test('the e-mail ends logged: recorded in the outbox, shown by the admin list and written to the log, never lost', TIMEOUT, withCleanup(async (cleanup) => {
      const database = cleanup.add(await createTestDatabase(kinds.includes('postgres') ? 'postgres' : 'sqlite'), (d) => d.drop());
      const serve = serveIn(cleanup, 'serve without SMTP_URL', { DATABASE_URL: database.url, SUBLEDGER_WORKERS: 'on', SUBLEDGER_OUTBOX_POLL_MS: '50' });
      const base = await serve.ready();
      const { tenantId } = await serve.defaultTenant();
      const queued = await queueEmail(base, tenantId, { to: 'nobody@example.com', subject: `Logged ${uniqueRef('S')}`, text: 'kept' });

      const logged = await waitFor(
        async () => (await emails(base, tenantId)).find((e) => e.id === queued.id && e.status !== 'pending'),
        WAIT_MS,
        'the e-mail to leave pending',
      );
      assert.equal(logged.status, 'logged');
      assert.equal(logged.to, 'nobody@example.com');
      assert.equal(logged.subject, queued.subject);
      assert.equal(logged.created_at, queued.created_at);
      assert.equal(logged.sent_at, null, 'not sent: no SMTP server');

      const [line] = await serve.output(new RegExp(`^.*"${queued.id}".*$`, 'm'));
      const entry = JSON.parse(line);
      assert.match(entry.msg, /logged/);
      assert.equal(entry.email.to, 'nobody@example.com');
      assert.equal(entry.email.subject, queued.subject);
      assert.equal(await serve.terminate(), 0, serve.stderr);
    }));
  });
});
