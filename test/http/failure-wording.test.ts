import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { call, client, rawHttp, uniqueRef, type ApiResponse } from '../support/http.js';
import { assertProblemAt } from '../support/problems.js';
import { ADMIN_TOKEN, build, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

// Failures a new user hits first, answered in the surface's problem+json shape and in words
// that say what to change (issue 10): framing errors, content codings, credentials in the
// wrong scheme, over-long ids, publishable keys on unknown paths. The shared plumbing
// (src/http) answers these, so every surface inherits them (test/http/surface-seam.test.ts).

const assertBillingProblem = (response: ApiResponse, status: number, slug: string) => assertProblemAt('/docs/errors', response, status, slug);
const assertAdminProblem = (response: ApiResponse, status: number, slug: string) => assertProblemAt('/docs/errors/admin', response, status, slug);

/** A request whose Content-Length (10) is shorter than the body that follows it. */
function shortContentLength(path: string, headers: string): string {
  const body = JSON.stringify({ external_reference: uniqueRef('CL'), name: 'framing' });
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${headers}Content-Length: 10\r\n\r\n${body}`;
}

for (const kind of await storeKinds()) {
  describe(`failure shapes and wording (${kind})`, () => {
    let server: TestServer;
    let secret: string;
    let api: ReturnType<typeof client>;
    before(async () => {
      // Listening for the framing tests (raw TCP through Node's HTTP parser, a gzip body from a
      // real client); the rest go through inject.
      server = await build(kind, { listen: true });
      secret = server.tenant.keys.test.secret;
      api = client(server, secret);
    });
    after(() => server.close());

    const customerCount = async () => (await api.get('/billing/customers?limit=100')).body.data.length as number;

    describe('request framing and encoding', () => {
      test('a Content-Length shorter than the body answers 400 in the shape of the surface the path is under, and creates nothing', async () => {
        const before = await customerCount();
        const billing = await rawHttp(server.baseUrl, shortContentLength('/billing/customers', `Authorization: Bearer ${secret}\r\nIdempotency-Key: ${uniqueRef('cl')}\r\n`));
        assertBillingProblem(billing, 400, 'validation-error');
        assert.match(billing.body.detail, /Content-Length/);
        assert.equal(billing.body.instance, '/billing/customers');
        assert.equal(billing.headers.get('connection'), 'close');
        assertAdminProblem(await rawHttp(server.baseUrl, shortContentLength('/admin/v1/tenants', `Authorization: Bearer ${ADMIN_TOKEN}\r\n`)), 400, 'validation-error');
        assertProblemAt('/docs/errors', await rawHttp(server.baseUrl, shortContentLength('/nowhere', '')), 400, 'validation-error');
        assert.equal(await customerCount(), before);
      });

      test('Content-Encoding: gzip answers 415 unsupported-media-type naming the coding (not "invalid JSON"), on billing and admin', async () => {
        const before = await customerCount();
        const gzipped = gzipSync(JSON.stringify({ external_reference: uniqueRef('GZ') }));
        const send = (path: string, key: string) =>
          fetch(`${server.baseUrl}${path}`, { method: 'POST', body: gzipped, headers: { authorization: `Bearer ${key}`, 'idempotency-key': uniqueRef('gz'), 'content-type': 'application/json', 'content-encoding': 'gzip' } });
        for (const [path, key, assertShape] of [['/billing/customers', secret, assertBillingProblem], ['/admin/v1/tenants', ADMIN_TOKEN, assertAdminProblem]] as const) {
          const response = await send(path, key);
          const text = await response.text();
          const answer = { status: response.status, headers: response.headers, body: JSON.parse(text), text };
          assertShape(answer, 415, 'unsupported-media-type');
          assert.match(answer.body.detail, /Content-Encoding gzip/);
          assert.doesNotMatch(answer.body.detail, /JSON\b.*valid|invalid JSON/);
        }
        assert.equal(await customerCount(), before);
      });

      test('Content-Encoding: identity is the body as it is, and accepted', async () => {
        const response = await api.post('/billing/customers', { external_reference: uniqueRef('ID') }, { headers: { 'content-encoding': 'identity' } });
        assert.equal(response.status, 201, response.text);
      });
    });

    describe('credentials', () => {
      test('every 401 carries WWW-Authenticate with the surface\'s Bearer challenge; 403 and 404 do not', async () => {
        for (const key of [null, `sk_test_${'0'.repeat(32)}`, 'nonsense']) {
          const response = await call(server, 'GET', '/billing/accounts', undefined, { key });
          assertBillingProblem(response, 401, 'unauthorized');
          assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="billing"');
        }
        const admin = await call(server, 'GET', '/admin/v1/tenants/ten_x', undefined, { key: 'not-the-admin-token' });
        assertAdminProblem(admin, 401, 'unauthorized');
        assert.equal(admin.headers.get('www-authenticate'), 'Bearer realm="admin"');
        const forbidden = await call(server, 'GET', '/billing/accounts', undefined, { key: server.tenant.keys.test.publishable });
        assertBillingProblem(forbidden, 403, 'forbidden');
        assert.equal(forbidden.headers.get('www-authenticate'), null);
        assert.equal((await api.get('/billing/accounts/bacc_nope')).headers.get('www-authenticate'), null);
      });

      test('Basic auth, a bare key, or another scheme is reported as the wrong scheme, not as a missing key', async () => {
        const cases: [string, RegExp][] = [
          [`Basic ${Buffer.from(`${secret}:`).toString('base64')}`, /uses the Basic scheme, not Bearer/],
          [secret, /has no scheme/],
          [`Token ${secret}`, /uses the Token scheme, not Bearer/],
          ['Bearer', /no API key after Bearer/],
        ];
        for (const [authorization, detail] of cases) {
          const response = await call(server, 'GET', '/billing/accounts', undefined, { headers: { authorization } });
          assertBillingProblem(response, 401, 'unauthorized');
          assert.match(response.body.detail, detail, authorization);
          assert.match(response.body.detail, /Authorization: Bearer <secret key>/);
          assert.doesNotMatch(response.body.detail, /missing/);
        }
        const missing = await call(server, 'GET', '/billing/accounts');
        assert.match(missing.body.detail, /^missing API key/);
      });

      test('admin routes ask for the admin token (SUBLEDGER_ADMIN_TOKEN), never for a secret key', async () => {
        for (const key of [null, 'wrong-token-0123456789', secret]) {
          const response = await call(server, 'GET', '/admin/v1/tenants/ten_x', undefined, { key });
          assertAdminProblem(response, 401, 'unauthorized');
          assert.match(response.body.detail, /admin token/);
          assert.match(response.body.detail, /SUBLEDGER_ADMIN_TOKEN/);
          assert.doesNotMatch(response.body.detail, /secret key|API key/);
        }
        const basic = await call(server, 'GET', '/admin/v1/tenants/ten_x', undefined, { headers: { authorization: `Basic ${Buffer.from(`${ADMIN_TOKEN}:`).toString('base64')}` } });
        assert.match(basic.body.detail, /uses the Basic scheme, not Bearer: send Authorization: Bearer <the value of SUBLEDGER_ADMIN_TOKEN>/);
      });

      test('a publishable key on an unknown /billing path gets 404, as a secret key does; on a real route 403; no key 401', async () => {
        const publishable = server.tenant.keys.test.publishable;
        for (const path of ['/billing/nope', '/billing/accounts/bacc_x/nope', '/billing']) {
          assertBillingProblem(await call(server, 'GET', path, undefined, { key: publishable }), 404, 'not-found');
          assertBillingProblem(await call(server, 'GET', path, undefined, { key: secret }), 404, 'not-found');
          assertBillingProblem(await call(server, 'GET', path), 401, 'unauthorized');
        }
        assertBillingProblem(await call(server, 'GET', '/billing/customers', undefined, { key: publishable }), 403, 'forbidden');
      });
    });

    describe('long ids', () => {
      // docs/decisions.md: what a Moment client expects of an id nothing can have is "not found".
      test('a 5,000-character id answers 404 not-found on every billing and admin path that takes one, GET and PATCH', async () => {
        const long = 'a'.repeat(5000);
        for (const path of [`/billing/accounts/${long}`, `/billing/customers/bcus_${long}`, `/billing/accounts/${long}/ledger_entries`]) {
          const response = await api.get(path);
          assertBillingProblem(response, 404, 'not-found');
          assert.match(response.body.detail, /longer than 255 characters/);
        }
        assertBillingProblem(await api.patch(`/billing/accounts/${long}`, { name: 'x' }), 404, 'not-found');
        assertAdminProblem(await call(server, 'GET', `/admin/v1/tenants/ten_${long}`, undefined, { key: ADMIN_TOKEN }), 404, 'not-found');
      });

      test('an external reference of 101 to 255 characters is reachable by path (GET and PATCH)', async () => {
        for (const length of [101, 255]) {
          const ref = uniqueRef('LONG').padEnd(length, 'x');
          const created = await api.post('/billing/accounts', { customer: { external_reference: uniqueRef('CUS') }, external_reference: ref });
          assert.equal(created.status, 201, created.text);
          const read = await api.get(`/billing/accounts/${ref}`);
          assert.equal(read.status, 200, read.text);
          assert.equal(read.body.id, created.body.id);
          assert.equal((await api.patch(`/billing/accounts/${ref}`, { name: 'long' })).body.name, 'long');
        }
      });
    });

    test('no answer to odd input names an internal code (FST_ERR_…) or a parser code', async () => {
      const answers = await Promise.all([
        api.get('/billing/accounts/%E0%A4%A'),
        api.get(`/billing/accounts/${'b'.repeat(20_000).slice(0, 12_000)}`),
        call(server, 'GET', '/%ZZ'),
        call(server, 'GET', '/admin/v1/tenants/%E0%A4%A', undefined, { key: ADMIN_TOKEN }),
        api.post('/billing/customers', undefined, { rawBody: '' }),
        api.post('/billing/customers', undefined, { rawBody: '{"__proto__":{"x":1},"external_reference":"P"}' }),
        api.post('/billing/customers', undefined, { rawBody: '{}', headers: { 'content-type': 'application/json; charset=nope' } }),
        api.post('/billing/customers', undefined, { rawBody: '{}', headers: { 'content-type': 'application/xml' } }),
        api.patch('/billing/accounts/x', undefined, { rawBody: 'null' }),
        rawHttp(server.baseUrl, shortContentLength('/billing/accounts', '')),
      ]);
      for (const answer of answers) {
        assert.ok(answer.status >= 400 && answer.status < 500, `${answer.status} ${answer.text.slice(0, 200)}`);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/, answer.text.slice(0, 200));
        assert.doesNotMatch(answer.text, /FST_|HPE_|ERR_/, answer.text.slice(0, 300));
      }
    });
  });
}
