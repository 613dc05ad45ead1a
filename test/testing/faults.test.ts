import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call, client, uniqueRef, type ApiResponse } from '../support/http.js';
import { build, type TestApp, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { waitFor } from '../support/wait.js';
import { injectedToken } from '../org/org-client.js';
import { platformClient } from '../platform/platform-api.js';

// SPEC §7 "Faults": the next `times` test-mode requests of a tenant that match a fault's method
// and path are answered by it, in the surface's own error shape, delayed, or dropped; nothing
// they would have done happens, and their idempotency key stays free for the real retry.

const WAIT_MS = 10_000;

for (const kind of await storeKinds()) {
  describe(`testing API: faults (${kind})`, () => {
    let server: TestApp;
    let testing: ReturnType<typeof client>;
    let billing: ReturnType<typeof client>;
    before(async () => {
      server = await build(kind);
      testing = client(server, server.tenant.keys.test.secret);
      billing = client(server, server.tenant.keys.test.secret);
    });
    after(() => server.close());

    async function fault(body: Record<string, unknown>, key = server.tenant.keys.test.secret): Promise<{ id: string; remaining: number }> {
      const created = await call(server, 'POST', '/testing/v1/faults', body, { key });
      assert.equal(created.status, 201, created.text);
      return created.body;
    }
    const pendingIds = async (key = server.tenant.keys.test.secret) => ((await call(server, 'GET', '/testing/v1/faults', undefined, { key })).body.data as { id: string }[]).map((f) => f.id);


    test('billing answers a fault as a problem whose type slug is the code, with the message as detail and Retry-After; the next request runs', async () => {
      const created = await fault({ method: 'POST', path: '/billing/customers', status: 503, code: 'maintenance', message: 'down for maintenance', retry_after: 7 });
      assert.match(created.id, /^flt_/);
      assert.equal(created.remaining, 1);
      const reference = uniqueRef('FLT');
      const faulted = await billing.post('/billing/customers', { external_reference: reference });
      assert.equal(faulted.status, 503, faulted.text);
      assert.match(faulted.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(faulted.headers.get('retry-after'), '7');
      assert.equal(faulted.body.type, `${server.origin}/docs/errors#maintenance`);
      assert.equal(faulted.body.status, 503);
      assert.equal(faulted.body.detail, 'down for maintenance');
      assert.equal(faulted.body.instance, '/billing/customers');
      assert.equal((await billing.get(`/billing/customers/${reference}`)).status, 404, 'the faulted create made nothing');
      const real = await billing.post('/billing/customers', { external_reference: reference });
      assert.equal(real.status, 201, real.text);
      assert.deepEqual(await pendingIds(), []);
    });

    test('platform answers { error_code, message } with the code, and its own code for the status when none is given', async () => {
      const platform = platformClient(server, server.tenant.keys.test.secret);
      await fault({ method: 'GET', path: '/balance', status: 429, code: 'RATE_LIMIT_EXCEEDED', message: 'slow down', retry_after: 3 });
      const faulted = await platform.get('/balance');
      assert.equal(faulted.status, 429, faulted.text);
      assert.deepEqual(faulted.body, { error_code: 'RATE_LIMIT_EXCEEDED', message: 'slow down' });
      assert.equal(faulted.headers.get('retry-after'), '3');
      await fault({ method: 'GET', path: '/balance', status: 503 });
      const plain = await platform.get('/balance');
      assert.equal(plain.status, 503, plain.text);
      assert.equal(plain.body.error_code, 'SERVICE_UNAVAILABLE');
      assert.match(plain.body.message, /fault flt_/);
      assert.equal(plain.headers.get('retry-after'), null);
      assert.equal((await platform.get('/balance')).status, 200);
    });

    test('org answers google.rpc.Status with the number of the gRPC name given as code (or of the status), with the fault’s HTTP status', async () => {
      const token = await injectedToken(server);
      await fault({ path: '/v1/accounts', status: 400, code: 'FAILED_PRECONDITION', message: 'not now', retry_after: 1 });
      const faulted = await call(server, 'GET', '/v1/accounts', undefined, { key: token });
      assert.equal(faulted.status, 400, faulted.text);
      assert.deepEqual(faulted.body, { code: 9, message: 'not now', details: [] });
      assert.equal(faulted.headers.get('retry-after'), '1');
      await fault({ path: '/v1/accounts', status: 503 });
      const unavailable = await call(server, 'GET', '/v1/accounts', undefined, { key: token });
      assert.equal(unavailable.status, 503, unavailable.text);
      assert.equal(unavailable.body.code, 14);
      assert.equal((await call(server, 'GET', '/v1/accounts', undefined, { key: token })).status, 200);
    });

    test('times counts matching requests; * stands for one whole segment; a method limits it to that method', async () => {
      const customer = await billing.post('/billing/customers', { external_reference: uniqueRef('SEG') });
      assert.equal(customer.status, 201, customer.text);
      const id = customer.body.id as string;
      const created = await fault({ method: 'GET', path: '/billing/customers/*', status: 500, times: 2 });
      assert.equal(created.remaining, 2);
      // Other methods, and paths with no segment or two where `*` stands, are not taken.
      assert.equal((await billing.patch(`/billing/customers/${id}`, { name: 'Patched' })).status, 200);
      assert.equal((await billing.get('/billing/customers')).status, 200);
      assert.equal((await billing.get(`/billing/customers/${id}/extra`)).status, 404);
      assert.equal((await billing.get(`/billing/customers/${id}`)).status, 500);
      const listed = await testing.get('/testing/v1/faults');
      assert.deepEqual(listed.body.data.map((f: { id: string; remaining: number }) => [f.id, f.remaining]), [[created.id, 1]]);
      // The query is not part of the path.
      assert.equal((await billing.get(`/billing/customers/${id}?expand=nothing`)).status, 500);
      assert.deepEqual(await pendingIds(), []);
      const after = await billing.get(`/billing/customers/${id}`);
      assert.equal(after.status, 200, after.text);
      assert.equal(after.body.name, 'Patched');
    });

    test('of concurrent matching requests exactly `times` are faulted (the count is taken under a row lock)', async () => {
      await fault({ method: 'GET', path: '/billing/customers', status: 502, times: 3 });
      const answers = await Promise.all(Array.from({ length: 12 }, () => billing.get('/billing/customers')));
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 200, 200, 200, 200, 502, 502, 502]);
      assert.deepEqual(await pendingIds(), []);
    });

    test('a faulted request changes nothing and leaves its Idempotency-Key free: the retry with the same key runs for real, then replays', async () => {
      await fault({ method: 'POST', path: '/billing/customers', status: 500, code: 'internal-error' });
      const key = randomUUID();
      const reference = uniqueRef('IDEM');
      const first = await billing.post('/billing/customers', { external_reference: reference }, { idempotencyKey: key });
      assert.equal(first.status, 500, first.text);
      assert.equal((await billing.get(`/billing/customers/${reference}`)).status, 404);
      const retry = await billing.post('/billing/customers', { external_reference: reference }, { idempotencyKey: key });
      assert.equal(retry.status, 201, retry.text);
      assert.equal(retry.headers.get('idempotent-replayed'), null, 'the retry ran; it was not a replay of the fault');
      const again = await billing.post('/billing/customers', { external_reference: reference }, { idempotencyKey: key });
      assert.equal(again.status, 201);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(again.body.id, retry.body.id);
    });

    test("another tenant's fault is invisible (404 on delete) and never takes this tenant's requests; live-mode requests are never faulted", async () => {
      const other = await server.createTenant('other');
      const theirs = await fault({ method: 'GET', path: '/billing/customers', status: 500, times: 5 }, other.keys.test.secret);
      assert.equal((await billing.get('/billing/customers')).status, 200, "this tenant's request is not taken");
      const deleted = await testing.delete(`/testing/v1/faults/${theirs.id}`);
      assert.equal(deleted.status, 404, deleted.text);
      assert.match(deleted.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.deepEqual(await pendingIds(), []);
      assert.equal((await call(server, 'GET', '/billing/customers', undefined, { key: other.keys.live.secret })).status, 200, 'live mode runs');
      const listed = await call(server, 'GET', '/testing/v1/faults', undefined, { key: other.keys.test.secret });
      assert.deepEqual(listed.body.data.map((f: { remaining: number }) => f.remaining), [5], 'neither request took one');
      assert.equal((await call(server, 'GET', '/billing/customers', undefined, { key: other.keys.test.secret })).status, 500);
      const removed = await call(server, 'DELETE', `/testing/v1/faults/${theirs.id}`, undefined, { key: other.keys.test.secret });
      assert.equal(removed.status, 204, removed.text);
      assert.equal(removed.text, '');
      assert.equal((await call(server, 'GET', '/billing/customers', undefined, { key: other.keys.test.secret })).status, 200);
      assert.equal((await call(server, 'DELETE', `/testing/v1/faults/${theirs.id}`, undefined, { key: other.keys.test.secret })).status, 404);
    });

    test('the testing API itself and the org token endpoint are never faulted', async () => {
      await fault({ path: '/testing/v1/clock', status: 500 });
      await fault({ path: '/oauth2/token', status: 500 });
      assert.equal((await testing.get('/testing/v1/clock')).status, 200);
      await injectedToken(server);
      assert.equal((await pendingIds()).length, 2, 'neither was taken');
      for (const id of await pendingIds()) assert.equal((await testing.delete(`/testing/v1/faults/${id}`)).status, 204);
    });

    test('a reset clears the tenant’s faults (and counts them)', async () => {
      const tenant = await server.createTenant('reset');
      const key = tenant.keys.test.secret;
      await fault({ method: 'GET', path: '/billing/customers', status: 500, times: 3 }, key);
      await fault({ path: '/v2/accounts/*', drop: true }, key);
      const reset = await call(server, 'POST', '/testing/v1/reset', {}, { key });
      assert.equal(reset.status, 200, reset.text);
      assert.equal(reset.body.deleted.test_faults, 2, reset.text);
      assert.deepEqual(await pendingIds(key), []);
      assert.equal((await call(server, 'GET', '/billing/customers', undefined, { key })).status, 200);
    });

    test('bad fault input answers 400 problem+json naming the field, never 5xx', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{}, 'path'],
        [{ path: 'transfers', status: 500 }, 'path'],
        [{ path: '/transfers?x=1', status: 500 }, 'path'],
        [{ path: '/v2/acc*', status: 500 }, 'path'],
        [{ path: '/transfers' }, 'status'],
        [{ path: '/transfers', status: 399 }, 'status'],
        [{ path: '/transfers', status: 600 }, 'status'],
        [{ path: '/transfers', status: '500' }, 'status'],
        [{ path: '/transfers', delay_ms: 30_001 }, 'delay_ms'],
        [{ path: '/transfers', delay_ms: -1 }, 'delay_ms'],
        [{ path: '/transfers', drop: false }, 'drop'],
        [{ path: '/transfers', drop: true, status: 500 }, 'drop'],
        [{ path: '/transfers', status: 500, times: 0 }, 'times'],
        [{ path: '/transfers', status: 500, times: 1001 }, 'times'],
        [{ path: '/transfers', status: 500, method: 'get' }, 'method'],
        [{ path: '/transfers', status: 500, code: 'has space' }, 'code'],
        [{ path: '/transfers', status: 500, retry_after: -1 }, 'retry_after'],
        [{ path: '/transfers', delay_ms: 10, code: 'X' }, 'code'],
        [{ path: '/transfers', drop: true, message: 'gone' }, 'message'],
        [{ path: '/transfers', status: 500, extra: 1 }, 'extra'],
      ];
      for (const [body, param] of cases) {
        const answer = await testing.post('/testing/v1/faults', body);
        assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.text}`);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.ok(answer.body.errors.some((e: { param: string }) => e.param === param), `${JSON.stringify(body)} names ${param}: ${answer.text}`);
      }
      assert.deepEqual(await pendingIds(), [], 'nothing was stored');
      assert.equal((await testing.delete(`/testing/v1/faults/${'x'.repeat(256)}`)).status, 404);
    });
  });

  describe(`testing API: faults over a real socket (${kind})`, () => {
    let server: TestServer;
    let billing: ReturnType<typeof client>;
    before(async () => {
      server = await build(kind, { listen: true });
      billing = client(server, server.tenant.keys.test.secret);
    });
    after(() => server.close());

    const fault = async (body: Record<string, unknown>) => {
      const created = await billing.post('/testing/v1/faults', body);
      assert.equal(created.status, 201, created.text);
    };
    const overSocket = (method: string, path: string, body?: unknown): Promise<ApiResponse> =>
      call(server.baseUrl, method, path, body, { key: server.tenant.keys.test.secret, idempotencyKey: method === 'POST' ? randomUUID() : null });

    test('drop closes the connection without an answer, and nothing ran', async () => {
      await fault({ method: 'POST', path: '/billing/customers', drop: true });
      const reference = uniqueRef('DROP');
      await assert.rejects(overSocket('POST', '/billing/customers', { external_reference: reference }), TypeError);
      assert.equal((await billing.get(`/billing/customers/${reference}`)).status, 404);
      assert.equal((await overSocket('POST', '/billing/customers', { external_reference: reference })).status, 201);
    });

    test('delay_ms alone delays the real answer: the request then runs', async () => {
      await fault({ method: 'POST', path: '/billing/customers', delay_ms: 300 });
      const reference = uniqueRef('SLOW');
      const started = Date.now();
      const answer = await overSocket('POST', '/billing/customers', { external_reference: reference });
      assert.equal(answer.status, 201, answer.text);
      assert.equal(answer.body.external_reference, reference);
      assert.ok(Date.now() - started >= 290, 'not answered before the delay');
      assert.equal((await billing.get(`/billing/customers/${reference}`)).status, 200);
    });

    test('a delay with a status answers the fault after it', async () => {
      await fault({ method: 'GET', path: '/billing/customers', delay_ms: 50, status: 504 });
      const answer = await overSocket('GET', '/billing/customers');
      assert.equal(answer.status, 504, answer.text);
      assert.equal(answer.body.type, `${server.baseUrl}/docs/errors#injected-fault`, 'a status no billing type has');
    });
  });

  test(`a delay ends when the server closes: shutdown does not wait for it (${kind})`, { timeout: 20_000 }, async () => {
    const server = await build(kind, { listen: true });
    const key = server.tenant.keys.test.secret;
    let slow: Promise<unknown> | undefined;
    try {
      assert.equal((await call(server, 'POST', '/testing/v1/faults', { method: 'GET', path: '/billing/customers', delay_ms: 30_000 }, { key })).status, 201);
      slow = call(server.baseUrl, 'GET', '/billing/customers', undefined, { key }).catch((error: unknown) => error);
      // The fault is spent once the delayed request has taken it: it is in its delay now.
      await waitFor(async () => ((await call(server, 'GET', '/testing/v1/faults', undefined, { key })).body.data as unknown[]).length === 0, WAIT_MS, 'the delayed request to take its fault');
    } finally {
      // Without the delay ending, this would take 30 s and the test's timeout would fail it.
      await server.close();
    }
    const answer = await slow;
    assert.ok(answer instanceof TypeError || (answer as ApiResponse).status > 0, String(answer));
  });
}
