import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, type HttpTarget } from '../support/http.js';
import { operationsOf, servedDocument } from '../support/openapi.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

// The operator console's sign-in (issue 14), over real HTTP on both stores: the admin token is
// exchanged for an HttpOnly SameSite cookie; the admin API accepts that cookie, and a change
// made with it needs the session's CSRF token and the console's own origin; sign-out ends the
// session on the server. Browser-level checks are in console-e2e.test.ts.

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** Through inject: redirects are answers, not followed. */
async function send(app: HttpTarget, method: string, path: string, options: { body?: unknown; cookie?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  const { status, headers: answered, body } = await call(app, method, path, options.body, { headers });
  return { status, headers: answered, body };
}

/** Signs in; returns the cookie pair to send and the CSRF token. */
async function signIn(app: HttpTarget): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const answer = await send(app, 'POST', '/console/api/session', { body: { token: ADMIN_TOKEN } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const setCookie = answer.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  assert.match(cookie, /^subledger_console=[A-Za-z0-9_-]{43}$/);
  return { cookie, csrf: answer.body.csrf_token, setCookie };
}

const tenantCount = async (server: TestApp) => (await send(server, 'GET', '/admin/v1/tenants?limit=100', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body.data.length as number;

for (const kind of await storeKinds()) {
  describe(`console sign-in (${kind})`, () => {
    let server: TestApp;
    before(async () => {
      server = await build(kind);
    });
    after(() => server.close());

    test('the cookie is HttpOnly, SameSite=Strict, on /, and the session is stored only as a hash', async () => {
      const { setCookie, cookie } = await signIn(server);
      assert.match(setCookie, /; HttpOnly/);
      assert.match(setCookie, /; SameSite=Strict/);
      assert.match(setCookie, /; Path=\//);
      assert.match(setCookie, /; Max-Age=43200/);
      assert.doesNotMatch(setCookie, /; Secure/, 'plain http on 127.0.0.1: a Secure cookie would never be sent back');
      const value = cookie.split('=')[1]!;
      const rows = await (server.services.store as unknown as { db: any }).db.selectFrom('console_sessions').selectAll().execute();
      assert.ok(rows.length >= 1);
      for (const row of rows) assert.notEqual(row.id_hash, value);
    });

    test('a wrong or missing token is 401 problem+json and sets no cookie', async () => {
      for (const body of [{ token: 'not-the-token' }, { token: `${ADMIN_TOKEN}x` }]) {
        const answer = await send(server, 'POST', '/console/api/session', { body });
        assert.equal(answer.status, 401);
        assert.equal(answer.headers.get('content-type'), 'application/problem+json; charset=utf-8');
        assert.equal(answer.headers.get('set-cookie'), null);
        assert.match(answer.body.detail, /wrong admin token/);
      }
      const empty = await send(server, 'POST', '/console/api/session', { body: {} });
      assert.equal(empty.status, 400);
      assert.equal(empty.body.errors[0].param, 'token');
    });

    test('the session reads the admin API; GET /console/api/session answers its CSRF token', async () => {
      const { cookie, csrf } = await signIn(server);
      const session = await send(server, 'GET', '/console/api/session', { cookie });
      assert.equal(session.status, 200);
      assert.equal(session.body.csrf_token, csrf);
      assert.ok(Date.parse(session.body.expires_at) > Date.now());
      const tenants = await send(server, 'GET', '/admin/v1/tenants', { cookie });
      assert.equal(tenants.status, 200);
      assert.ok(tenants.body.data.some((t: { id: string }) => t.id === server.tenant.tenant.id));
    });

    test('a change with the cookie but without the CSRF token, with a wrong one, or from another origin is 403 and changes nothing', async () => {
      const { cookie, csrf } = await signIn(server);
      const before = await tenantCount(server);
      const forged: Array<{ cookie: string; headers?: Record<string, string> }> = [
        { cookie },
        { cookie, headers: { 'x-csrf-token': 'guessed' } },
        // One character off (never the token itself: its last character may already be an A).
        { cookie, headers: { 'x-csrf-token': `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'E' : 'A'}` } },
        { cookie, headers: { 'x-csrf-token': csrf, origin: 'http://evil.example' } },
      ];
      for (const options of forged) {
        const answer = await send(server, 'POST', '/admin/v1/tenants', { ...options, body: { name: 'forged' } });
        assert.equal(answer.status, 403, JSON.stringify(answer.body));
        assert.equal(answer.body.type.split('#')[1], 'forbidden');
        const revoke = await send(server, 'DELETE', `/admin/v1/tenants/${server.tenant.tenant.id}/keys/${server.tenant.keys.test.secretId}`, options);
        assert.equal(revoke.status, 403);
      }
      assert.equal(await tenantCount(server), before, 'no tenant was created');
      const keys = await send(server, 'GET', `/admin/v1/tenants/${server.tenant.tenant.id}/keys`, { cookie });
      assert.equal(keys.body.data.find((k: { id: string }) => k.id === server.tenant.keys.test.secretId).revoked_at, null, 'the key was not revoked');

      const made = await send(server, 'POST', '/admin/v1/tenants', { cookie, headers: { 'x-csrf-token': csrf, origin: server.origin }, body: { name: 'made by the console' } });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.equal(await tenantCount(server), before + 1);
    });

    test('sign-in from another origin is refused (no login CSRF)', async () => {
      const answer = await send(server, 'POST', '/console/api/session', { body: { token: ADMIN_TOKEN }, headers: { origin: 'http://evil.example' } });
      assert.equal(answer.status, 403);
      assert.equal(answer.headers.get('set-cookie'), null);
    });

    test('sign-out needs the CSRF token, clears the cookie and ends the session on the server', async () => {
      const { cookie, csrf } = await signIn(server);
      assert.equal((await send(server, 'DELETE', '/console/api/session', { cookie })).status, 403);
      assert.equal((await send(server, 'GET', '/console/api/session', { cookie })).status, 200, 'a refused sign-out leaves the session');
      const out = await send(server, 'DELETE', '/console/api/session', { cookie, headers: { 'x-csrf-token': csrf } });
      assert.equal(out.status, 204);
      assert.match(out.headers.get('set-cookie') ?? '', /^subledger_console=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict/);
      // The old cookie, replayed, is worth nothing.
      assert.equal((await send(server, 'GET', '/console/api/session', { cookie })).status, 401);
      assert.equal((await send(server, 'GET', '/admin/v1/tenants', { cookie })).status, 401);
      const page = await send(server, 'GET', '/console/tenants', { cookie });
      assert.equal(page.status, 303);
    });

    test('an unknown or made-up cookie is no session', async () => {
      for (const cookie of ['subledger_console=', 'subledger_console=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'other=1']) {
        assert.equal((await send(server, 'GET', '/admin/v1/tenants', { cookie })).status, 401, cookie);
        assert.equal((await send(server, 'GET', '/console/api/session', { cookie })).status, 401, cookie);
      }
    });

    test('pages redirect to sign-in without a session and keep where the operator was going; signed in, they are the app', async () => {
      for (const path of ['/console', '/console/', '/console/tenants', `/console/tenants/${server.tenant.tenant.id}/accounts?q=x`]) {
        const answer = await send(server, 'GET', path);
        assert.equal(answer.status, 303, path);
        assert.equal(answer.headers.get('location'), `/console/sign-in?next=${encodeURIComponent(path)}`);
      }
      const signInPage = await send(server, 'GET', '/console/sign-in');
      assert.equal(signInPage.status, 200);
      assert.match(signInPage.body, /<div id="root">/);
      assert.match(signInPage.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      assert.equal(signInPage.headers.get('x-frame-options'), 'DENY');
      const { cookie } = await signIn(server);
      const page = await send(server, 'GET', '/console/tenants', { cookie });
      assert.equal(page.status, 200);
      assert.equal(page.body, signInPage.body);
    });

    test('assets are served by name only: no path outside the build answers', async () => {
      const html = (await send(server, 'GET', '/console/sign-in')).body as string;
      const script = html.match(/src="(\/console\/assets\/[^"]+\.js)"/)?.[1];
      assert.ok(script, html);
      const asset = await send(server, 'GET', script);
      assert.equal(asset.status, 200);
      assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
      for (const path of ['/console/assets/..%2F..%2Fpackage.json', '/console/assets/.hidden', '/console/assets/nope.js']) {
        const answer = await send(server, 'GET', path);
        assert.equal(answer.status, 404, path);
        assert.equal(answer.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      }
    });

    test('every console route and every admin route is refused without a session; every admin change with the cookie but no CSRF token is refused and changes nothing', async () => {
      const tenantId = server.tenant.tenant.id;
      const adminGet = async (path: string) => (await send(server, 'GET', `/admin/v1${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).body;
      const state = async () => JSON.stringify(await Promise.all(['/tenants?limit=100', `/tenants/${tenantId}/keys`, `/tenants/${tenantId}/oauth-clients`, `/tenants/${tenantId}/webhook-endpoints`, `/tenants/${tenantId}/emails`].map(adminGet)));
      const before = await state();
      // Real ids where the route takes them: a change that got through would show.
      const values: Record<string, string> = { tenantId, keyId: server.tenant.keys.test.secretId, accountId: 'acct_any', clientId: 'oac_any', endpointId: 'we_any', deliveryId: 'wd_any' };
      const adminRoutes = operationsOf(await servedDocument(server)).filter(({ path }) => path.startsWith('/admin/v1/'));
      assert.ok(adminRoutes.length >= 25, `${adminRoutes.length} admin routes`);
      const { cookie } = await signIn(server);
      for (const { method, path } of adminRoutes) {
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? 'x');
        const body = ['post', 'put', 'patch'].includes(method) ? {} : undefined;
        const anonymous = await send(server, method.toUpperCase(), url, { body });
        assert.equal(anonymous.status, 401, `${method} ${url} without a session`);
        if (method !== 'get') {
          const forged = await send(server, method.toUpperCase(), url, { body, cookie });
          assert.equal(forged.status, 403, `${method} ${url} with the cookie, no CSRF token`);
        }
      }
      for (const path of ['/console/', `/console/tenants/${tenantId}`, `/console/tenants/${tenantId}/accounts`, `/console/tenants/${tenantId}/accounts/acct_any`, `/console/tenants/${tenantId}/webhooks`, `/console/tenants/${tenantId}/emails`]) {
        assert.equal((await send(server, 'GET', path)).status, 303, path);
      }
      assert.equal((await send(server, 'GET', '/console/api/session')).status, 401);
      assert.equal((await send(server, 'DELETE', '/console/api/session')).status, 401);
      assert.equal((await send(server, 'DELETE', '/console/api/session', { cookie })).status, 403, 'sign-out too needs the CSRF token');
      assert.equal(await state(), before, 'nothing changed');
    });

    test('unknown console API routes are 404 problem+json, not the app', async () => {
      const answer = await send(server, 'GET', '/console/api/nothing');
      assert.equal(answer.status, 404);
      assert.equal(answer.body.type.split('#')[1], 'not-found');
    });
  });
}

describe('without SUBLEDGER_ADMIN_TOKEN', () => {
  let server: TestApp;
  before(async () => {
    server = await build('sqlite', { env: { SUBLEDGER_ADMIN_TOKEN: '' } });
  });
  after(() => server.close());

  test('the console does not exist: every /console path is a plain 404', async () => {
    for (const [method, path] of [
      ['GET', '/console'],
      ['GET', '/console/sign-in'],
      ['GET', '/console/tenants'],
      ['GET', '/console/api/session'],
      ['POST', '/console/api/session'],
    ] as const) {
      const answer = await send(server, method, path, method === 'POST' ? { body: { token: 'x' } } : {});
      assert.equal(answer.status, 404, `${method} ${path}`);
      assert.equal(answer.headers.get('set-cookie'), null);
    }
  });
});
