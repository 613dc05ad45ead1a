import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, client, uniqueRef } from '../support/http.js';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { injectedToken } from '../org/org-client.js';
import { ADMIN_TOKEN } from '../support/server.js';
import { waitFor } from '../support/wait.js';

// SPEC §7 "Authentication" and "Clock": the control plane's credentials, and a tenant's test
// clock read by everything its test-mode data gets.

const YEAR_MS = 365 * 86_400_000;
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

for (const kind of await storeKinds()) {
  describe(`testing API: credentials and the test clock (${kind})`, () => {
    let server: TestApp;
    let testing: ReturnType<typeof client>;
    let billing: ReturnType<typeof client>;
    before(async () => {
      server = await build(kind);
      testing = client(server, server.tenant.keys.test.secret);
      billing = client(server, server.tenant.keys.test.secret);
    });
    after(() => server.close());


    test("a test-mode secret key in any surface's form, or a test-mode org token, is let in; live, publishable and no credentials are not", async () => {
      const keys = server.tenant.keys;
      for (const authorization of [`Bearer ${keys.test.secret}`, basic(keys.test.secret), `Bearer ${await injectedToken(server, { mode: 'test' })}`]) {
        const answer = await call(server, 'GET', '/testing/v1/clock', undefined, { headers: { authorization } });
        assert.equal(answer.status, 200, `${authorization.slice(0, 12)}…: ${answer.text}`);
      }
      for (const authorization of [`Bearer ${keys.live.secret}`, basic(keys.live.secret), `Bearer ${keys.test.publishable}`, `Bearer ${await injectedToken(server, { mode: 'live' })}`]) {
        const answer = await call(server, 'GET', '/testing/v1/clock', undefined, { headers: { authorization } });
        assert.equal(answer.status, 403, `${authorization.slice(0, 12)}…: ${answer.text}`);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(answer.body.status, 403);
      }
      for (const headers of [{}, { authorization: 'Bearer sk_test_notakey' }] as Record<string, string>[]) {
        const answer = await call(server, 'GET', '/testing/v1/clock', undefined, { headers });
        assert.equal(answer.status, 401, answer.text);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
      }
    });

    test('a fresh clock runs on wall time, unfrozen', async () => {
      const other = await server.createTenant('fresh clock');
      const before = Date.now();
      const clock = await call(server, 'GET', '/testing/v1/clock', undefined, { key: other.keys.test.secret });
      assert.equal(clock.status, 200, clock.text);
      assert.equal(clock.body.frozen, false);
      assert.ok(Date.parse(clock.body.now) >= before - 1 && Date.parse(clock.body.now) <= Date.now() + 1, clock.text);
    });

    test('frozen, advanced and resumed: every timestamp of test-mode data is the clock’s, live mode and other tenants keep wall time, and time never runs backwards', async () => {
      const frozenAt = new Date(Date.now() + YEAR_MS).toISOString();
      const frozen = await testing.put('/testing/v1/clock', { frozen_at: frozenAt });
      assert.equal(frozen.status, 200, frozen.text);
      assert.deepEqual(frozen.body, { now: frozenAt, frozen: true });

      const customer = await billing.post('/billing/customers', { external_reference: uniqueRef('CLK'), currency: 'ZAR', balance: 100 });
      assert.equal(customer.status, 201, customer.text);
      assert.equal(customer.body.created_at, frozenAt);
      const account = await billing.post('/billing/accounts', { customer: customer.body.id, external_reference: uniqueRef('CLK'), currency: 'ZAR', balance: 250 });
      assert.equal(account.status, 201, account.text);
      assert.equal(account.body.created_at, frozenAt);
      const ledger = await billing.get(`/billing/accounts/${account.body.id}/ledger_entries`);
      assert.equal(ledger.status, 200, ledger.text);
      assert.deepEqual(ledger.body.data.map((e: { created_at: string }) => e.created_at), [frozenAt]);

      // Live mode and another tenant are on wall time.
      const live = await client(server, server.tenant.keys.live.secret).post('/billing/customers', { external_reference: uniqueRef('LIVE') });
      assert.equal(live.status, 201, live.text);
      assert.ok(Date.parse(live.body.created_at) < Date.parse(frozenAt) - YEAR_MS / 2, live.text);

      // Backwards: refused, and nothing moves.
      const back = await testing.put('/testing/v1/clock', { frozen_at: new Date(Date.parse(frozenAt) - 1).toISOString() });
      assert.equal(back.status, 400, back.text);
      assert.match(back.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.deepEqual(back.body.errors.map((e: { param: string }) => e.param), ['frozen_at']);
      assert.deepEqual((await testing.get('/testing/v1/clock')).body, { now: frozenAt, frozen: true });

      // Advanced: still frozen, at the later instant; the next object is of that instant.
      const advanced = await testing.post('/testing/v1/clock/advance', { seconds: 3600 });
      assert.equal(advanced.status, 200, advanced.text);
      const later = new Date(Date.parse(frozenAt) + 3_600_000).toISOString();
      assert.deepEqual(advanced.body, { now: later, frozen: true });
      const second = await billing.post('/billing/customers', { external_reference: uniqueRef('CLK') });
      assert.equal(second.body.created_at, later);

      // Date filters read the same times: only the second customer was created at or after `later`.
      const listed = await billing.get(`/billing/customers?created[gte]=${encodeURIComponent(later)}`);
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.body.data.map((c: { id: string }) => c.id), [second.body.id]);
      // Newest first, as the clock ordered them.
      const all = await billing.get(`/billing/customers?created[gte]=${encodeURIComponent(frozenAt)}`);
      assert.deepEqual(all.body.data.map((c: { id: string }) => c.id), [second.body.id, customer.body.id]);

      // Resumed: runs again from where it stood, not from wall time.
      const resumed = await testing.delete('/testing/v1/clock');
      assert.equal(resumed.status, 200, resumed.text);
      assert.equal(resumed.body.frozen, false);
      assert.ok(resumed.body.now >= later, resumed.text);
      const third = await billing.post('/billing/customers', { external_reference: uniqueRef('CLK') });
      assert.ok(third.body.created_at >= later && Date.parse(third.body.created_at) > Date.now() + YEAR_MS / 2, third.text);

      // Advancing a running clock moves it forward by as much.
      const before = (await testing.get('/testing/v1/clock')).body.now as string;
      const moved = await testing.post('/testing/v1/clock/advance', { seconds: 86_400 });
      assert.ok(Date.parse(moved.body.now) >= Date.parse(before) + 86_400_000, moved.text);
    });

    test("org access tokens are issued at the tenant's time and expire by it: an hour of test clock ends a token, even one already used", async () => {
      const tenant = await server.createTenant('token clock');
      const key = tenant.keys.test.secret;
      const frozenAt = new Date(Date.now() + YEAR_MS).toISOString();
      assert.equal((await call(server, 'PUT', '/testing/v1/clock', { frozen_at: frozenAt }, { key })).status, 200);
      const token = await injectedToken(server, { tenantId: tenant.tenant.id });
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
      assert.deepEqual([claims.iat, claims.exp], [Date.parse(frozenAt) / 1000, Date.parse(frozenAt) / 1000 + 3600].map(Math.floor));
      const org = { authorization: `Bearer ${token}` };
      assert.equal((await call(server, 'GET', '/v1/accounts', undefined, { headers: org })).status, 200, 'valid at its tenant’s time');
      assert.equal((await call(server, 'POST', '/testing/v1/clock/advance', { seconds: 3599 }, { key })).status, 200);
      assert.equal((await call(server, 'GET', '/v1/accounts', undefined, { headers: org })).status, 200, 'one second before its expiry');
      assert.equal((await call(server, 'POST', '/testing/v1/clock/advance', { seconds: 1 }, { key })).status, 200);
      const expired = await call(server, 'GET', '/v1/accounts', undefined, { headers: org });
      assert.equal(expired.status, 401, expired.text);
      assert.match(expired.text, /expired/);
    });

    test('bad clock input answers 400 problem+json naming the field, never 5xx', async () => {
      for (const [method, path, body, param] of [
        ['PUT', '/testing/v1/clock', { frozen_at: 'tomorrow' }, 'frozen_at'],
        ['PUT', '/testing/v1/clock', {}, 'frozen_at'],
        ['PUT', '/testing/v1/clock', { frozen_at: new Date().toISOString(), extra: 1 }, 'extra'],
        ['POST', '/testing/v1/clock/advance', { seconds: 0 }, 'seconds'],
        ['POST', '/testing/v1/clock/advance', { seconds: 315_360_001 }, 'seconds'],
        ['POST', '/testing/v1/clock/advance', { seconds: 1.5 }, 'seconds'],
        ['POST', '/testing/v1/clock/advance', { seconds: '60' }, 'seconds'],
      ] as const) {
        const answer = await call(server, method, path, body, { key: server.tenant.keys.test.secret });
        assert.equal(answer.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${answer.text}`);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.ok(answer.body.errors.some((e: { param: string }) => e.param === param), `${JSON.stringify(body)}: ${answer.text}`);
      }
    });
  });
}

for (const kind of await storeKinds()) {
  describe(`testing API: an advance runs what came due (${kind})`, () => {
    let server: TestApp;
    /** Answers 500 to the first delivery, 204 after. */
    const receiver = createServer((request, response) => {
      received.push(request.headers['webhook-id'] as string);
      request.resume();
      response.writeHead(received.length === 1 ? 500 : 204).end();
    });
    const received: string[] = [];
    before(async () => {
      // An hour before the first retry: only an advance brings it within this test.
      server = await build(kind, { env: { SUBLEDGER_WORKERS: 'on', SUBLEDGER_RETRY_SCHEDULE: '3600,3600' } });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    });
    after(async () => {
      await server.close();
      receiver.close();
    });

    test("a failed delivery's retry, an hour away, is attempted before an advance past it answers", async () => {
      const tenant = await server.createTenant('retries');
      const key = tenant.keys.test.secret;
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      assert.equal((await call(server, 'POST', `/admin/v1/tenants/${tenant.tenant.id}/webhook-endpoints`, { url, mode: 'test' }, { key: ADMIN_TOKEN })).status, 201);
      assert.equal((await client(server, key).post('/billing/customers', { external_reference: uniqueRef('HOOK') })).status, 201);
      const deliveries = () => call(server, 'GET', `/admin/v1/tenants/${tenant.tenant.id}/webhook-deliveries`, undefined, { key: ADMIN_TOKEN }).then((r) => r.body.data as { status: string; attempts: number }[]);
      await waitFor(async () => ((await deliveries())[0]?.attempts === 1 ? true : null), 10_000, 'the first attempt');
      assert.equal(received.length, 1);

      // The retry is due an hour later, ±20% (jitter): not after 2,000 s, surely after 4,400 s.
      assert.equal((await call(server, 'POST', '/testing/v1/clock/advance', { seconds: 2000 }, { key })).status, 200);
      assert.equal(received.length, 1, 'the retry is not due yet');
      // Past it: attempted before the answer (no waiting here).
      assert.equal((await call(server, 'POST', '/testing/v1/clock/advance', { seconds: 2400 }, { key })).status, 200);
      assert.equal(received.length, 2, 'the retry ran before the advance answered');
      assert.equal(received[1], received[0], 'the same event (webhook-id) again');
      assert.deepEqual((await deliveries()).map((d) => [d.status, d.attempts]), [['succeeded', 2]]);
    });
  });
}

for (const kind of await storeKinds()) {
  describe(`testing API: a frozen clock holds the retry schedule (${kind})`, () => {
    let server: TestApp;
    /** Answers 500 to the first delivery of each event, 204 after. */
    const attempts = new Map<string, number>();
    const receiver = createServer((request, response) => {
      const id = request.headers['webhook-id'] as string;
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      request.resume();
      response.writeHead(attempts.get(id) === 1 ? 500 : 204).end();
    });
    before(async () => {
      // A retry 0.2 s (±20%) after a failure: on wall time it would be due at once.
      server = await build(kind, { env: { SUBLEDGER_WORKERS: 'on', SUBLEDGER_RETRY_SCHEDULE: '0.2,0.2' } });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    });
    after(async () => {
      await server.close();
      receiver.close();
    });

    test('a retry scheduled while the clock is frozen waits for the clock, not for wall time; an advance or a resume brings it', async () => {
      const tenant = await server.createTenant('frozen-retries');
      const key = tenant.keys.test.secret;
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      assert.equal((await call(server, 'POST', `/admin/v1/tenants/${tenant.tenant.id}/webhook-endpoints`, { url, mode: 'test' }, { key: ADMIN_TOKEN })).status, 201);
      const frozenAt = new Date(Date.now() + 86_400_000).toISOString();
      assert.equal((await call(server, 'PUT', '/testing/v1/clock', { frozen_at: frozenAt }, { key })).status, 200);
      type Delivery = { event_id: string; status: string; attempts: number; next_attempt_at: string | null };
      const deliveries = () => call(server, 'GET', `/admin/v1/tenants/${tenant.tenant.id}/webhook-deliveries`, undefined, { key: ADMIN_TOKEN }).then((r) => r.body.data as Delivery[]);
      const deliveryOf = async (eventId: string) => (await deliveries()).find((d) => d.event_id === eventId);
      const created = async (ref: string) => {
        assert.equal((await client(server, key).post('/billing/customers', { external_reference: uniqueRef(ref) })).status, 201);
        const events = await call(server, 'GET', '/testing/v1/events?wait_ms=5000', undefined, { key });
        return (events.body.data as { id: string }[]).at(-1)!.id;
      };

      // An e-mail queued at the clock's time, a day ahead of wall time, goes out at once.
      const email = await call(server, 'POST', `/admin/v1/tenants/${tenant.tenant.id}/emails`, { to: 'ops@example.com', subject: 'frozen', text: 'hello', mode: 'test' }, { key: ADMIN_TOKEN });
      assert.equal(email.status, 201);
      assert.equal(email.body.created_at, frozenAt);
      const emailStatus = async () => ((await call(server, 'GET', '/testing/v1/emails', undefined, { key })).body.data as { id: string; status: string }[]).find((e) => e.id === email.body.id)?.status;
      await waitFor(async () => ((await emailStatus()) !== 'pending' ? true : null), 10_000, 'the e-mail handled');
      assert.equal(await emailStatus(), 'logged', 'no SMTP_URL: recorded and logged');

      // The first attempt runs at once (the clock being frozen does not stop the outbox); it fails.
      const first = await created('FROZEN-1');
      await waitFor(async () => ((await deliveryOf(first))?.attempts === 1 ? true : null), 10_000, 'the first attempt');
      const parked = (await deliveryOf(first))!;
      assert.equal(parked.status, 'pending');
      const dueMs = Date.parse(parked.next_attempt_at!) - Date.parse(frozenAt);
      assert.ok(dueMs >= 160 && dueMs <= 240, `the retry is due 0.2 s ±20% after the frozen instant, on the clock (${parked.next_attempt_at})`);

      // Wall time passes well beyond the retry's wait, and the worker runs a pass (another
      // event's delivery, failing then retried, comes and goes): the parked retry stays put.
      const failedAt = Date.now();
      await waitFor(async () => (Date.now() - failedAt > 500 ? true : null), 5_000, 'half a second of wall time');
      const second = await created('FROZEN-2');
      await waitFor(async () => ((await deliveryOf(second))?.attempts === 1 ? true : null), 10_000, 'the second event attempted');
      assert.equal(attempts.get(first), 1, 'no retry of the first event by wall time while the clock is frozen');
      assert.equal((await deliveryOf(first))!.next_attempt_at, parked.next_attempt_at);

      // An advance past it: the retry runs before the answer.
      assert.equal((await call(server, 'POST', '/testing/v1/clock/advance', { seconds: 1 }, { key })).status, 200);
      assert.equal(attempts.get(first), 2, 'the retry ran before the advance answered');
      assert.equal(attempts.get(second), 2, "the other event's retry too");
      assert.deepEqual((await deliveries()).map((d) => [d.status, d.attempts]), [['succeeded', 2], ['succeeded', 2]]);

      // A retry parked while frozen, then a resume: due again on wall time's pace.
      const third = await created('FROZEN-3');
      await waitFor(async () => ((await deliveryOf(third))?.attempts === 1 ? true : null), 10_000, 'the third event attempted');
      assert.equal((await call(server, 'DELETE', '/testing/v1/clock', undefined, { key })).status, 200);
      await waitFor(async () => ((await deliveryOf(third))?.status === 'succeeded' ? true : null), 10_000, 'the retry after the resume');
      assert.equal(attempts.get(third), 2);
    });
  });
}
