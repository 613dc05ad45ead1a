import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, client, uniqueRef, type ApiResponse } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestApp, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

const PROBLEM_SLUGS = [
  'validation-error',
  'unauthorized',
  'forbidden',
  'not-found',
  'conflict',
  'idempotency-conflict',
  'payload-too-large',
  'unsupported-media-type',
  'rate-limited',
  'internal-error',
] as const;

/** A stack frame ("at fn (file:1:2)" / "at file:1:2") or a dependency path: never in an answer. */
const STACK_TRACE = /\bat (?:\S+ \()?(?:file:|node:|\/)\S*:\d+:\d+|node_modules/;

/** Every problem answer this file sees, checked once more at the end for shared rules. */
const problemsSeen: ApiResponse[] = [];

/** A billing/admin failure: RFC 9457 problem+json of the given slug and status, no stack trace. */
function assertProblem(response: ApiResponse, status: number, slug: string): void {
  assert.equal(response.status, status, response.text);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, response.text);
  assert.equal(typeof response.body, 'object', response.text);
  assert.equal(response.body.status, status);
  assert.equal(new URL(response.body.type).pathname, '/docs/errors', response.body.type);
  assert.equal(new URL(response.body.type).hash, `#${slug}`, response.body.type);
  assert.equal(response.body.stack, undefined);
  assert.equal(typeof response.body.title, 'string');
  assert.equal(typeof response.body.detail, 'string');
  assert.equal(response.body.request_id, response.headers.get('request-id'));
  assert.doesNotMatch(response.text, STACK_TRACE);
  problemsSeen.push(response);
}

/** An admin API failure: problem+json in the admin API's own types, explained at /docs/errors/admin. */
function assertAdminProblem(response: ApiResponse, status: number, slug: string): void {
  assert.equal(response.status, status, response.text);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, response.text);
  assert.equal(response.body.status, status);
  assert.equal(new URL(response.body.type).pathname, '/docs/errors/admin', response.body.type);
  assert.equal(new URL(response.body.type).hash, `#${slug}`, response.body.type);
  assert.doesNotMatch(response.text, STACK_TRACE);
}

const allowedMethods = (response: ApiResponse) =>
  new Set(
    (response.headers.get('allow') ?? '')
      .split(',')
      .map((m) => m.trim().toUpperCase())
      .filter((m) => m.length > 0 && m !== 'HEAD'),
  );

for (const kind of await storeKinds()) {
  describe(`cross-cutting HTTP rules (${kind})`, () => {
    let server: TestServer;
    let secret: string;
    let api: ReturnType<typeof client>;
    before(async () => {
      // Listening for the two tests that need Node's HTTP parser and a real client (a chunked
      // body over the limit, /docs's redirect followed); the rest go through inject.
      server = await build(kind, { listen: true });
      problemsSeen.length = 0;
      secret = server.tenant.keys.test.secret;
      api = client(server, secret);
    });
    after(() => server.close());

    describe('request ids', () => {
      test('every response carries a request-id header: success, client error, unknown route, health and docs', async () => {
        const responses = await Promise.all([
          api.get('/billing/accounts'),
          call(server, 'GET', '/billing/accounts'),
          api.get('/billing/accounts/bacc_doesnotexist'),
          call(server, 'GET', '/no/such/route'),
          call(server, 'GET', '/healthz'),
          call(server, 'GET', '/openapi.json'),
          call(server, 'GET', '/docs/errors'),
          call(server, 'GET', '/metrics'),
        ]);
        const ids = responses.map((r) => r.headers.get('request-id'));
        for (const [i, id] of ids.entries()) assert.ok(id && id.length > 0, `response ${i} (${responses[i].status}) has no request-id`);
        assert.equal(new Set(ids).size, ids.length, 'generated request ids are unique per request');
      });

      test('a well-formed incoming X-Request-Id is echoed in the header and as request_id in an error body', async () => {
        const requestId = `trace-${uniqueRef('RID')}.span:42`;
        const ok = await api.get('/billing/accounts', { headers: { 'x-request-id': requestId } });
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.headers.get('request-id'), requestId);

        const missing = await api.get('/billing/accounts/bacc_doesnotexist', { headers: { 'x-request-id': requestId } });
        assertProblem(missing, 404, 'not-found');
        assert.equal(missing.headers.get('request-id'), requestId);
        assert.equal(missing.body.request_id, requestId);
      });

      test('a malformed incoming X-Request-Id (too long, or with spaces) is replaced by a generated one', async () => {
        for (const bad of ['x'.repeat(300), 'has spaces in it', '<script>']) {
          const response = await api.get('/billing/accounts/bacc_doesnotexist', { headers: { 'x-request-id': bad } });
          const id = response.headers.get('request-id');
          assert.ok(id && id.length > 0 && id.length <= 128, `generated id for ${JSON.stringify(bad.slice(0, 20))}: ${id}`);
          assert.notEqual(id, bad);
          assert.match(id, /^[A-Za-z0-9._:-]+$/);
          assertProblem(response, 404, 'not-found');
          assert.equal(response.body.request_id, id);
        }
      });
    });

    describe('request bodies', () => {
      test('a body over 1 MiB answers 413 payload-too-large in problem+json', async () => {
        const big = JSON.stringify({ external_reference: uniqueRef('BIG'), customer: 'x', name: 'a'.repeat(1024 * 1024 + 16) });
        const response = await api.post('/billing/accounts', undefined, { rawBody: big });
        assertProblem(response, 413, 'payload-too-large');
      });

      test('a chunked body (no Content-Length) over 1 MiB answers 413 payload-too-large too', async () => {
        const chunk = new TextEncoder().encode('a'.repeat(64 * 1024));
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent === 0) controller.enqueue(new TextEncoder().encode('{"name":"'));
            if (sent > 1024 * 1024 + 64 * 1024) {
              controller.enqueue(new TextEncoder().encode('"}'));
              controller.close();
              return;
            }
            controller.enqueue(chunk);
            sent += chunk.length;
          },
        });
        const response = await fetch(`${server.baseUrl}/billing/accounts`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'idempotency-key': uniqueRef('chunked'), 'content-type': 'application/json' },
          body,
          duplex: 'half',
        } as RequestInit & { duplex: 'half' });
        const text = await response.text();
        assertProblem({ status: response.status, headers: response.headers, body: JSON.parse(text), text }, 413, 'payload-too-large');
      });

      test('a body of just under 1 MiB is not rejected for its size', async () => {
        const padding = 'a'.repeat(1024 * 1024 - 200);
        const response = await api.post('/billing/accounts', { external_reference: uniqueRef('NEAR'), customer: 'x', name: padding });
        // The name is too long for an account, so it is refused, but for its content, not its size.
        assertProblem(response, 400, 'validation-error');
      });

      test('Content-Type text/plain answers 415 unsupported-media-type', async () => {
        const response = await api.post('/billing/accounts', undefined, {
          rawBody: JSON.stringify({ external_reference: uniqueRef('TXT'), customer: 'x' }),
          headers: { 'content-type': 'text/plain' },
        });
        assertProblem(response, 415, 'unsupported-media-type');
      });

      test('malformed JSON answers 400 validation-error', async () => {
        const response = await api.post('/billing/accounts', undefined, { rawBody: '{"external_reference": "abc",' });
        assertProblem(response, 400, 'validation-error');
      });
    });

    describe('routing', () => {
      test('an unknown route under /billing answers 404 not-found in problem+json', async () => {
        const response = await api.get('/billing/no_such_collection');
        assertProblem(response, 404, 'not-found');
        assert.equal(response.body.instance, '/billing/no_such_collection');
      });

      test('an unknown route outside every surface answers 404 not-found in problem+json', async () => {
        const response = await call(server, 'GET', '/definitely/not/here?x=1');
        assertProblem(response, 404, 'not-found');
      });

      test('DELETE /billing/accounts answers 405 method-not-allowed with Allow: GET, POST', async () => {
        const response = await api.delete('/billing/accounts');
        assertProblem(response, 405, 'method-not-allowed');
        assert.deepEqual(allowedMethods(response), new Set(['GET', 'POST']));
      });

      test('PUT /billing/accounts/{id} answers 405 method-not-allowed with Allow: GET, PATCH', async () => {
        const response = await call(server, 'PUT', '/billing/accounts/bacc_whatever', { name: 'x' }, { key: secret });
        assertProblem(response, 405, 'method-not-allowed');
        assert.deepEqual(allowedMethods(response), new Set(['GET', 'PATCH']));
      });

      test('a wrong method on a customer route answers 405 with its real methods', async () => {
        const response = await call(server, 'DELETE', '/billing/customers/bcus_whatever', undefined, { key: secret });
        assertProblem(response, 405, 'method-not-allowed');
        assert.deepEqual(allowedMethods(response), new Set(['GET', 'PATCH']));
      });
    });

    describe('operations endpoints', () => {
      test('/healthz answers 200', async () => {
        const response = await call(server, 'GET', '/healthz');
        assert.equal(response.status, 200, response.text);
      });

      test('/readyz answers 200 {status:"ready"} once the store is reachable and migrated', async () => {
        const response = await call(server, 'GET', '/readyz');
        assert.equal(response.status, 200, response.text);
        assert.equal(response.body.status, 'ready');
      });

      test('/metrics is Prometheus text counting requests per billing route template', async () => {
        const account = await api.get('/billing/accounts/bacc_metricsprobe');
        assert.equal(account.status, 404);
        const listed = await api.get('/billing/accounts');
        assert.equal(listed.status, 200);
        const response = await call(server, 'GET', '/metrics');
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
        assert.match(response.text, /^# HELP subledger_http_requests_total /m);
        assert.match(response.text, /^# TYPE subledger_http_requests_total counter$/m);
        const samples = response.text.split('\n').filter((line) => line.startsWith('subledger_http_requests_total{'));
        const sample = (route: string, status: string) =>
          samples.find((line) => line.includes(`route="${route}"`) && line.includes('method="GET"') && line.includes(`status="${status}"`));
        const listSample = sample('/billing/accounts', '200');
        assert.ok(listSample, `no sample for GET /billing/accounts 200 in:\n${samples.join('\n')}`);
        assert.ok(Number(listSample.split(' ').at(-1)) >= 1);
        // A route template, not the concrete id: the label set stays bounded.
        assert.ok(sample('/billing/accounts/:account', '404'), `no templated sample in:\n${samples.join('\n')}`);
        assert.ok(!samples.some((line) => line.includes('bacc_metricsprobe')), 'concrete ids never become label values');
      });
    });

    describe('OpenAPI and docs', () => {
      test('/openapi.json is OpenAPI 3.1.0 with an operation for every billing and admin route', async () => {
        const response = await call(server, 'GET', '/openapi.json');
        assert.equal(response.status, 200, response.text);
        const doc = response.body;
        assert.equal(doc.openapi, '3.1.0');
        const expected: Record<string, string[]> = {
          '/billing/customers': ['get', 'post'],
          '/billing/customers/{customer}': ['get', 'patch'],
          '/billing/accounts': ['get', 'post'],
          '/billing/accounts/{account}': ['get', 'patch'],
          '/billing/accounts/{account}/ledger_entries': ['get'],
          '/admin/v1/tenants': ['get', 'post'],
          '/admin/v1/tenants/{tenantId}': ['get'],
          '/admin/v1/tenants/{tenantId}/keys': ['get', 'post'],
          '/admin/v1/tenants/{tenantId}/keys/{keyId}': ['delete'],
        };
        const operationsOf = (path: string) =>
          Object.keys(doc.paths[path] ?? {}).filter((k) => ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].includes(k)).sort();
        for (const [path, methods] of Object.entries(expected)) {
          assert.ok(doc.paths[path], `missing path ${path}; have ${Object.keys(doc.paths).join(', ')}`);
          // Exactly the real methods: the internal 405 routes are not documented as operations.
          assert.deepEqual(operationsOf(path), [...methods].sort(), `operations of ${path}`);
        }
      });

      test('/openapi.json documents no 405 placeholder operation anywhere', async () => {
        const doc = (await call(server, 'GET', '/openapi.json')).body;
        for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
          if (!path.startsWith('/billing') && !path.startsWith('/admin')) continue;
          for (const method of ['put', 'delete'] as const) {
            const real = {
              delete: ['/admin/v1/tenants/{tenantId}/keys/{keyId}', '/admin/v1/tenants/{tenantId}/webhook-endpoints/{endpointId}', '/admin/v1/tenants/{tenantId}/oauth-clients/{clientId}'],
              put: ['/admin/v1/tenants/{tenantId}/org-accounts/{accountId}/low-balance'],
            };
            if (real[method].includes(path)) {
              assert.ok((item[method] as { summary?: string }).summary, `${method.toUpperCase()} ${path} is a real route with a summary`);
              continue;
            }
            assert.equal(item[method], undefined, `${method.toUpperCase()} ${path} is a 405 route and must not be documented`);
          }
        }
      });

      test('/docs answers 200 with an HTML page (following redirects)', async () => {
        const response = await fetch(`${server.baseUrl}/docs`, { redirect: 'follow' });
        const text = await response.text();
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
        assert.match(text, /<html/i);
      });

      test('/docs/errors is HTML with an anchor (element id) for every problem slug', async () => {
        const response = await call(server, 'GET', '/docs/errors');
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
        for (const slug of PROBLEM_SLUGS) assert.match(response.text, new RegExp(`id="${slug}"`), `no element with id="${slug}"`);
      });

      test('401 and 403 answers are problem+json too', async () => {
        assertProblem(await call(server, 'GET', '/billing/accounts'), 401, 'unauthorized');
        assertProblem(await call(server, 'GET', '/billing/accounts', undefined, { key: `sk_test_${'0'.repeat(32)}` }), 401, 'unauthorized');
        assertProblem(await call(server, 'GET', '/billing/accounts', undefined, { key: server.tenant.keys.test.publishable }), 403, 'forbidden');
        assertAdminProblem(await call(server, 'GET', '/admin/v1/tenants/ten_x', undefined, { key: 'not-the-admin-token' }), 401, 'unauthorized');
        assertAdminProblem(await call(server, 'GET', '/admin/v1/tenants/ten_doesnotexist', undefined, { key: ADMIN_TOKEN }), 404, 'not-found');
      });

      test('every problem type URL seen points to /docs/errors on this server, and that page explains the slug', async () => {
        assert.ok(problemsSeen.length >= 10, `only ${problemsSeen.length} problems were collected`);
        const page = (await call(server, 'GET', '/docs/errors')).text;
        for (const problem of problemsSeen) {
          const type = new URL(problem.body.type);
          assert.equal(type.pathname, '/docs/errors', problem.body.type);
          assert.equal(type.origin, server.origin, problem.body.type);
          assert.ok(page.includes(`id="${type.hash.slice(1)}"`), `${type.hash} is not explained on /docs/errors`);
        }
      });
    });
  });

  describe(`rate limit of 5 per minute per key (${kind})`, () => {
    let server: TestApp;
    before(async () => {
      server = await build(kind, { env: { SUBLEDGER_RATE_LIMIT: '5' } });
    });
    after(() => server.close());

    test('responses carry Rate-Limit headers counting down; the 6th request is 429 rate-limited with Retry-After', async () => {
      const api = client(server, server.tenant.keys.test.secret);
      for (let i = 1; i <= 5; i++) {
        const response = await api.get('/billing/accounts');
        assert.equal(response.status, 200, `request ${i}: ${response.text}`);
        assert.equal(response.headers.get('rate-limit-limit'), '5');
        assert.equal(response.headers.get('rate-limit-remaining'), String(5 - i), `remaining after request ${i}`);
        const reset = Number(response.headers.get('rate-limit-reset'));
        assert.ok(Number.isInteger(reset) && reset >= 0 && reset <= 60, `rate-limit-reset ${reset}`);
      }
      const limited = await api.get('/billing/accounts');
      assertProblem(limited, 429, 'rate-limited');
      assert.equal(limited.headers.get('rate-limit-limit'), '5');
      assert.equal(limited.headers.get('rate-limit-remaining'), '0');
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 0 && retryAfter <= 60, `retry-after ${limited.headers.get('retry-after')}`);

      // Writes are refused too.
      const write = await api.post('/billing/customers', { external_reference: uniqueRef('RL') });
      assertProblem(write, 429, 'rate-limited');
    });

    test('a different key has a budget of its own', async () => {
      const other = client(server, server.tenant.keys.live.secret);
      const first = await other.get('/billing/accounts');
      assert.equal(first.status, 200, first.text);
      assert.equal(first.headers.get('rate-limit-limit'), '5');
      assert.equal(first.headers.get('rate-limit-remaining'), '4');
    });

    test('requests to health, readiness and docs are not counted against the key they carry', async () => {
      const { keys } = await server.createTenant('rate-limit-probe');
      for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs/errors', '/healthz', '/readyz']) {
        const response = await call(server, 'GET', path, undefined, { key: keys.test.secret });
        assert.equal(response.status, 200, path);
        assert.equal(response.headers.get('rate-limit-remaining'), null, `${path} sends no rate-limit headers`);
      }
      const first = await call(server, 'GET', '/billing/accounts', undefined, { key: keys.test.secret });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.headers.get('rate-limit-remaining'), '4');
    });
  });

  describe(`rate limit disabled with SUBLEDGER_RATE_LIMIT=0 (${kind})`, () => {
    let server: TestApp;
    before(async () => {
      server = await build(kind, { env: { SUBLEDGER_RATE_LIMIT: '0' } });
    });
    after(() => server.close());

    test('no rate-limit headers are sent and no request is ever refused with 429', async () => {
      const api = client(server, server.tenant.keys.test.secret);
      const responses = await Promise.all(Array.from({ length: 30 }, () => api.get('/billing/accounts')));
      for (const response of responses) {
        assert.equal(response.status, 200, response.text);
        for (const header of ['rate-limit-limit', 'rate-limit-remaining', 'rate-limit-reset', 'retry-after']) {
          assert.equal(response.headers.get(header), null, `${header} present`);
        }
      }
    });
  });
}
