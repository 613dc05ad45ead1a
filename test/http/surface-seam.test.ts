import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { loadConfig } from '../../src/config.js';
import { nowIso } from '../../src/ledger/clock.js';
import { createTenant } from '../../src/tenancy/tenants.js';
import { buildApp } from '../../src/http/app.js';
import { openServices } from '../../src/runtime.js';
import { call, rawHttp, type ApiResponse } from '../support/http.js';
import { PROBE_CONTENT_TYPE, probeSurface } from '../support/probe-surface.js';
import { assertProblemAt } from '../support/problems.js';
import { ADMIN_TOKEN, build, type TestApp, type TestServer } from '../support/server.js';
import { createTestDatabase, storeKinds } from '../support/stores.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

/** The security schemes of the vendor surfaces and the testing API's (served wherever they are, SPEC §7), spelled out: a surface that loses one fails here. */
const VENDOR_SCHEMES = ['billingSecretKey', 'orgBearer', 'orgOAuth2', 'platformBasic', 'platformBearer', 'testingBasic', 'testingBearer'];

// The surface seam (src/http/surface.ts): a surface owns its path roots, a prefix or one exact
// path, and answers everything under them in its own shape; routes may be open; principals
// carry roles, client id and actor; the admin API and the root have shapes of their own.
// The seam does not depend on the store, so it is checked on SQLite; a store that stops
// answering (StoreUnavailable, 503) is checked on both.

const BIG_BODY = JSON.stringify({ text: 'a'.repeat(1024 * 1024 + 16) });

/** An answer in the probe surface's own error shape, with that failure code. */
function assertProbeFailure(response: ApiResponse, status: number, code: string): void {
  assert.equal(response.status, status, response.text);
  assert.equal(response.headers.get('content-type')?.split(';')[0], PROBE_CONTENT_TYPE, response.text);
  assert.equal(response.body.probe_error, code, response.text);
}


// Asked before any test starts: a test's synchronous work (building the app, generating types) would
// hold the event loop past the PostgreSQL probe's 2 s timeout and make a reachable server look down.
const kinds = await storeKinds();

describe('a surface with two roots next to the real ones', () => {
  let server: TestServer;
  let secret: string;
  before(async () => {
    // Listening for the framing test (raw TCP through Node's HTTP parser); the rest go through inject.
    server = await build('sqlite', { extraSurfaces: [probeSurface], listen: true });
    secret = server.tenant.keys.test.secret;
  });
  after(() => server.close());
  const send = (method: string, path: string, options: Parameters<typeof call>[4] & { body?: unknown } = {}) =>
    call(server, method, path, options.body, options);

  describe('under the prefix root /probe, every failure is in the probe shape', () => {
    test('an unknown path answers 404 (401 without credentials: its routes need them)', async () => {
      assertProbeFailure(await send('GET', '/probe/nothing-here', { key: secret }), 404, 'route_not_found');
      assertProbeFailure(await send('GET', '/probe/nothing-here'), 401, 'unauthenticated');
    });

    test('a wrong method answers 405 with Allow', async () => {
      const response = await send('DELETE', '/probe/echo', { key: secret });
      assertProbeFailure(response, 405, 'method_not_allowed');
      assert.equal(response.headers.get('allow'), 'POST');
    });

    test('a body over 1 MiB answers 413, text/plain 415, malformed JSON 400, a schema violation 400', async () => {
      assertProbeFailure(await send('POST', '/probe/echo', { key: secret, rawBody: BIG_BODY }), 413, 'payload_too_large');
      assertProbeFailure(await send('POST', '/probe/echo', { key: secret, rawBody: '{"text":"x"}', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
      assertProbeFailure(await send('POST', '/probe/echo', { key: secret, rawBody: '{"text":' }), 400, 'malformed_json');
      assertProbeFailure(await send('POST', '/probe/echo', { key: secret, body: { text: 1 } }), 400, 'request_invalid');
    });

    test('a URL that cannot be decoded answers 400', async () => {
      assertProbeFailure(await send('GET', '/probe/%E0%A4%A', { key: secret }), 400, 'request_invalid');
    });

    // What the shared plumbing adds, a surface inherits without a line of its own (issue 10).
    test("a 401 carries the surface's WWW-Authenticate challenge; a wrong scheme is named", async () => {
      const response = await send('GET', '/probe/whoami', { headers: { authorization: `Basic ${Buffer.from(`${secret}:`).toString('base64')}` } });
      assertProbeFailure(response, 401, 'unauthenticated');
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="probe"');
      assert.match(response.body.message, /Basic scheme, not Bearer/);
    });

    test('Content-Encoding gzip answers 415 and a body longer than its Content-Length 400, both in the probe shape', async () => {
      assertProbeFailure(await send('POST', '/probe/echo', { key: secret, rawBody: '{"text":"x"}', headers: { 'content-encoding': 'gzip' } }), 415, 'unsupported_media_type');
      const framing = await rawHttp(server.baseUrl, `POST /probe/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${secret}\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\n{"text":"longer"}`);
      assertProbeFailure(framing, 400, 'request_invalid');
    });

    test('an authenticated route answers 401 without credentials, and 200 with a key', async () => {
      assertProbeFailure(await send('GET', '/probe/whoami'), 401, 'unauthenticated');
      assert.equal((await send('GET', '/probe/whoami', { key: secret })).status, 200);
    });
  });

  describe('under the exact root /probe-oauth/token, whose one route is open', () => {
    test('the open route answers without credentials, and sees no principal', async () => {
      const response = await send('POST', '/probe-oauth/token', { body: { grant_type: 'client_credentials' } });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(response.body, { access_token: 'probe-token', principal: null });
    });

    test('credentials sent to the open route are not looked at: even an invalid key gets 200', async () => {
      const response = await send('POST', '/probe-oauth/token', { key: 'not-a-key', body: { grant_type: 'client_credentials' } });
      assert.equal(response.status, 200, response.text);
    });

    test('a path below it answers 404 and a wrong method 405, both in the probe shape, without credentials', async () => {
      assertProbeFailure(await send('GET', '/probe-oauth/token/x'), 404, 'route_not_found');
      assertProbeFailure(await send('POST', '/probe-oauth/token/'), 404, 'route_not_found');
      const wrongMethod = await send('GET', '/probe-oauth/token');
      assertProbeFailure(wrongMethod, 405, 'method_not_allowed');
      assert.equal(wrongMethod.headers.get('allow'), 'POST');
    });

    test('413, 415 and malformed JSON on the open route answer in the probe shape', async () => {
      assertProbeFailure(await send('POST', '/probe-oauth/token', { rawBody: BIG_BODY }), 413, 'payload_too_large');
      assertProbeFailure(await send('POST', '/probe-oauth/token', { rawBody: '{}', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
      assertProbeFailure(await send('POST', '/probe-oauth/token', { rawBody: '{"grant_type":' }), 400, 'malformed_json');
    });

    test('a path that merely starts like the root is not under it: neutral 404', async () => {
      assertProblemAt('/docs/errors', await send('GET', '/probe-oauth/tokenx'), 404, 'not-found');
    });
  });

  describe('the principal a route sees', () => {
    test('a secret key carries every role, no client id, and acts as itself', async () => {
      const response = await send('GET', '/probe/whoami', { key: secret });
      assert.equal(response.status, 200, response.text);
      const { key_id, roles, client_id, actor, context_actor } = response.body;
      assert.deepEqual(roles, ['accounts.read', 'accounts.write', 'transactions.read', 'transactions.write']);
      assert.equal(client_id, null);
      assert.match(key_id, /^key_/);
      assert.equal(actor, key_id);
      assert.equal(context_actor, key_id, 'commandContextOf records the principal’s actor');
    });

    test('a publishable key carries no role', async () => {
      const response = await send('GET', '/probe/whoami', { key: server.tenant.keys.test.publishable });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(response.body.roles, []);
    });

    test('a principal acting for an OAuth client carries its client id, which is the actor', async () => {
      const response = await send('GET', '/probe/whoami', { key: `${secret}~client_123` });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.client_id, 'client_123');
      assert.equal(response.body.actor, 'client_123');
      assert.equal(response.body.context_actor, 'client_123');
    });
  });

  describe('the admin API and the root answer in shapes of their own', () => {
    test('admin failures are problem+json of the admin types (/docs/errors/admin)', async () => {
      assertProblemAt('/docs/errors/admin', await send('GET', '/admin/v1/tenants/ten_x'), 401, 'unauthorized');
      assertProblemAt('/docs/errors/admin', await send('GET', '/admin/v1/no-such-thing', { key: ADMIN_TOKEN }), 404, 'not-found');
      assertProblemAt('/docs/errors/admin', await send('PUT', '/admin/v1/tenants', { key: ADMIN_TOKEN }), 405, 'method-not-allowed');
      assertProblemAt('/docs/errors/admin', await send('POST', '/admin/v1/tenants', { key: ADMIN_TOKEN, rawBody: '{"name":' }), 400, 'validation-error');
      assertProblemAt('/docs/errors/admin', await send('POST', '/admin/v1/tenants', { key: ADMIN_TOKEN, body: { name: 'x', country: 'XX' } }), 400, 'validation-error');
    });

    test('/docs/errors/admin explains every admin type; /docs/errors the billing and neutral ones', async () => {
      const adminPage = await send('GET', '/docs/errors/admin');
      assert.equal(adminPage.status, 200);
      for (const slug of ['validation-error', 'unauthorized', 'not-found', 'method-not-allowed', 'service-unavailable']) assert.match(adminPage.text, new RegExp(`id="${slug}"`));
      const page = await send('GET', '/docs/errors');
      for (const slug of ['idempotency-conflict', 'not-found', 'service-unavailable']) assert.match(page.text, new RegExp(`id="${slug}"`));
    });

    test('paths outside every surface answer neutral problem+json, not billing’s', async () => {
      const missing = await send('GET', '/definitely/not/here');
      assertProblemAt('/docs/errors', missing, 404, 'not-found');
      assert.equal(missing.body.title, 'Not found', 'the neutral title, not the billing surface’s');
      assertProblemAt('/docs/errors', await send('GET', '/%E0%A4%A'), 400, 'validation-error');
    });

    test('billing still answers in its own shape', async () => {
      const missing = await send('GET', '/billing/nothing-here', { key: secret });
      assertProblemAt('/docs/errors', missing, 404, 'not-found');
      assert.equal(missing.body.title, 'The requested resource was not found');
    });
  });

  test('OpenAPI carries each served surface’s security schemes and tags', async () => {
    const doc = (await send('GET', '/openapi.json')).body;
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), [...VENDOR_SCHEMES, 'adminToken', 'probeKey'].sort());
    assert.ok(doc.tags.some((t: { name: string }) => t.name === 'probe'));
    assert.ok(doc.paths['/probe/whoami']?.get, 'the probe routes are documented');
    assert.ok(doc.paths['/probe-oauth/token']?.post, 'the exact-path route is documented at the root path');
  });
});

describe('without SUBLEDGER_ADMIN_TOKEN', () => {
  let server: TestApp;
  before(async () => {
    server = await build('sqlite', { env: { SUBLEDGER_ADMIN_TOKEN: '' } });
  });
  after(() => server.close());

  test('OpenAPI has no adminToken scheme and no admin path; /admin paths are neutral 404s', async () => {
    const doc = (await call(server, 'GET', '/openapi.json')).body;
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), [...VENDOR_SCHEMES].sort());
    assert.ok(!Object.keys(doc.paths).some((path) => path.startsWith('/admin')));
    assertProblemAt('/docs/errors', await call(server, 'GET', '/admin/v1/tenants/ten_x', undefined, { key: ADMIN_TOKEN }), 404, 'not-found');
  });
});

describe('open routes and the rate limit (2 per minute)', () => {
  let server: TestApp;
  before(async () => {
    server = await build('sqlite', { env: { SUBLEDGER_RATE_LIMIT: '2' }, extraSurfaces: [probeSurface] });
  });
  after(() => server.close());

  test('an open route is never counted nor limited, even with a key; an authenticated one is, per actor', async () => {
    const key = server.tenant.keys.test.secret;
    for (let i = 0; i < 4; i++) {
      const open = await call(server, 'POST', '/probe-oauth/token', { grant_type: 'client_credentials' }, { key });
      assert.equal(open.status, 200, open.text);
      assert.equal(open.headers.get('rate-limit-remaining'), null);
    }
    for (const remaining of ['1', '0']) {
      const counted = await call(server, 'GET', '/probe/whoami', undefined, { key });
      assert.equal(counted.status, 200, counted.text);
      assert.equal(counted.headers.get('rate-limit-remaining'), remaining);
    }
    assertProbeFailure(await call(server, 'GET', '/probe/whoami', undefined, { key }), 429, 'rate_limited');
    // Another actor (an OAuth client acting with the same key) has a budget of its own.
    const client = await call(server, 'GET', '/probe/whoami', undefined, { key: `${key}~client_rl` });
    assert.equal(client.status, 200, client.text);
  });
});

describe('a store that stops answering: StoreUnavailable is a 503 in each surface’s shape', () => {
  test('PostgreSQL behind a relay that is stopped, then started again', { skip: kinds.includes('postgres') ? false : 'PostgreSQL is not reachable' }, async () => {
    const database = await createTestDatabase('postgres');
    const url = new URL(database.url);
    const relay = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(await relay.start());
    const env = { DATABASE_URL: url.toString(), SUBLEDGER_ADMIN_TOKEN: ADMIN_TOKEN, SUBLEDGER_RATE_LIMIT: '0', SUBLEDGER_WORKERS: 'off', LOG_LEVEL: 'silent' };
    const services = await openServices(loadConfig(env));
    const app = await buildApp(services, { logLevel: 'silent', extraSurfaces: [probeSurface] });
    try {
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      const tenant = async (name: string) => (await services.store.transaction((tx) => createTenant(tx, { name }, nowIso()))).keys.test.secret;
      const [key, unseenKey] = [await tenant('outage'), await tenant('outage-unseen')];
      assert.equal((await call(base, 'GET', '/billing/accounts', undefined, { key })).status, 200);

      await relay.stop();
      assertProblemAt('/docs/errors', await call(base, 'GET', '/billing/accounts', undefined, { key }), 503, 'service-unavailable');
      const create = await call(base, 'POST', '/billing/customers', { external_reference: 'OUTAGE-1' }, { key, idempotencyKey: randomUUID() });
      assertProblemAt('/docs/errors', create, 503, 'service-unavailable');
      // A key never seen before needs the store to authenticate: that is an outage too, not a 401.
      assertProblemAt('/docs/errors', await call(base, 'GET', '/billing/accounts', undefined, { key: unseenKey }), 503, 'service-unavailable');
      assertProbeFailure(await call(base, 'GET', '/probe/tenant-count', undefined, { key }), 503, 'unavailable');
      assertProblemAt('/docs/errors/admin', await call(base, 'GET', '/admin/v1/tenants/ten_x', undefined, { key: ADMIN_TOKEN }), 503, 'service-unavailable');
      assert.equal((await call(base, 'GET', '/readyz')).status, 503);

      await relay.start();
      await waitFor(async () => (await call(base, 'GET', '/billing/accounts', undefined, { key })).status === 200, 15_000, 'the same app to serve again');
      assert.equal((await call(base, 'GET', '/probe/tenant-count', undefined, { key })).status, 200);
    } finally {
      await app.close();
      await services.store.close();
      await relay.stop();
      await database.drop();
    }
  });

  test('SQLite whose write lock another connection holds past busy_timeout (5 s)', async () => {
    const server = await build('sqlite', { extraSurfaces: [probeSurface] });
    const key = server.tenant.keys.test.secret;
    const blocker = new SqliteDatabase(server.database.url.slice('sqlite:'.length));
    try {
      blocker.exec('begin immediate');
      const create = await call(server, 'POST', '/billing/customers', { external_reference: 'BUSY-1' }, { key, idempotencyKey: randomUUID() });
      assertProblemAt('/docs/errors', create, 503, 'service-unavailable');
      blocker.exec('rollback');
      const retried = await call(server, 'POST', '/billing/customers', { external_reference: 'BUSY-1' }, { key, idempotencyKey: randomUUID() });
      assert.equal(retried.status, 201, retried.text);
    } finally {
      blocker.close();
      await server.close();
    }
  });
});
