import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeJwt, SignJWT } from 'jose';
import { signingKeysOf } from '../../src/surfaces/org/store/signing-keys.js';
import { WINDOW_MS } from '../../src/admin/auth-throttle.js';
import { call, callExactly } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { injectedToken, newOAuthClient, orgClient } from '../org/org-client.js';

// The routes SPEC §9's authentication rules changed, fuzzed and checked for isolation:
// - whatever Host, X-Forwarded-* and Origin a client sends (no trusted proxy), problem types stay
//   on the service's own origin, the console's cookie is never Secure over plain HTTP, and a
//   sign-in succeeds only from the console's own origin;
// - whatever access token is forged (any kid, iat, exp, claims, signed by our key or not), the
//   org surface answers 401 UNAUTHENTICATED in its own shape, never a 5xx, never a success;
// - revoking one OAuth client refuses its tokens only; a throttled address is throttled on the
//   admin API and console only, and for nobody else.

const RUNS = Number(process.env.FUZZ_RUNS ?? 120);

/** Header values node lets a client send: visible ASCII and spaces, short. */
const headerValue = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,60}$/);
const hostLike = fc.oneof(fc.domain(), fc.ipV4(), fc.constantFrom('evil.example', 'evil.example:443', '[::1]:80', 'localhost'), headerValue);

for (const kind of await storeKinds()) {
  describe(`authentication hardening, fuzzed (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await build(kind, { listen: true });
      // Fuzzed sign-ins fail; each sees a new minute so that the throttle stays out of these properties.
      let minutes = 0;
      server.services.authThrottle.now = () => Date.now() + ++minutes * WINDOW_MS;
    });
    after(() => server.close());

    test('no Host, X-Forwarded-* or Origin moves a problem type, makes the cookie Secure, or passes the console origin check', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({ host: hostLike, forwardedHost: fc.option(hostLike, { nil: undefined }), forwardedProto: fc.option(fc.constantFrom('https', 'http', 'wss', 'https, http'), { nil: undefined }), forwardedFor: fc.option(fc.ipV4(), { nil: undefined }), origin: fc.option(fc.oneof(fc.webUrl(), fc.constantFrom('null', 'https://evil.example')), { nil: undefined }) }),
          fc.constantFrom('/billing/accounts', '/admin/v1/tenants', '/nowhere', '/v2/accounts'),
          async (forged, path) => {
            const headers: Record<string, string> = { host: forged.host };
            if (forged.forwardedHost) headers['x-forwarded-host'] = forged.forwardedHost;
            if (forged.forwardedProto) headers['x-forwarded-proto'] = forged.forwardedProto;
            if (forged.forwardedFor) headers['x-forwarded-for'] = forged.forwardedFor;
            const problem = await callExactly(server.baseUrl, 'GET', path, headers);
            assert.ok(problem.status < 500, `${problem.status}`);
            if (typeof problem.body === 'object' && typeof problem.body.type === 'string') assert.ok(problem.body.type.startsWith(`${server.baseUrl}/`), problem.body.type);
            const signIn = await callExactly(server.baseUrl, 'POST', '/console/api/session', { ...headers, ...(forged.origin ? { origin: forged.origin } : {}) }, { token: ADMIN_TOKEN });
            const ownOrigin = forged.origin === undefined || forged.origin === server.baseUrl;
            assert.equal(signIn.status, ownOrigin ? 200 : 403, JSON.stringify(signIn.body));
            assert.doesNotMatch(String(signIn.headers['set-cookie'] ?? ''), /Secure/i);
          },
        ),
        { numRuns: RUNS },
      );
    });

    test('forged access tokens (any kid, iat, exp or claims; our key or not) answer 401 UNAUTHENTICATED, never a success or a 5xx', async () => {
      const genuine = await injectedToken(server);
      const claims = decodeJwt(genuine);
      const ours = (await signingKeysOf(server.services).get()).current;
      const now = Math.floor(Date.now() / 1000);
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            kid: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 200 }), fc.constant(`${ours.kid}x`)),
            iat: fc.oneof(fc.integer({ min: now + 61, max: now + 10 ** 8 }), fc.constant(undefined)),
            exp: fc.integer({ min: now - 10 ** 6, max: now + 10 ** 8 }),
            roles: fc.oneof(fc.constant(claims.roles), fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 })),
          }),
          async ({ kid, iat, exp, roles }) => {
            // Every one is forged in a way that must be refused: an unknown or missing kid, or an iat in the future.
            const header = kid === undefined ? { alg: 'EdDSA', typ: 'at+jwt' } : { alg: 'EdDSA', kid, typ: 'at+jwt' };
            let jwt = new SignJWT({ ...claims, roles, iat: undefined, exp: undefined }).setProtectedHeader(kid === ours.kid ? { ...header, kid: `${kid}?` } : header).setExpirationTime(exp);
            jwt = iat === undefined ? jwt : jwt.setIssuedAt(iat);
            const token = await jwt.sign(ours.privateKey);
            const answer = await orgClient(server, token).get('/v1/accounts');
            assert.equal(answer.status, 401, answer.text);
            assert.equal(answer.body.code, 16, answer.text);
          },
        ),
        { numRuns: RUNS },
      );
    });
  });

  describe(`revocation and throttling stay within their subject (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await build(kind, { listen: true, env: { SUBLEDGER_KEY_CACHE_SECONDS: '300' } });
    });
    after(() => server.close());

    test("revoking one tenant's OAuth client refuses its tokens only: the tenant's other clients and other tenants' keep working", async () => {
      const other = await server.createTenant('other');
      const apis = {
        sameTenant: orgClient(server, await injectedToken(server)),
        sameTenantLive: orgClient(server, await injectedToken(server, { mode: 'live' })),
        otherTenant: orgClient(server, await injectedToken(server, { tenantId: other.tenant.id })),
      };
      for (const api of Object.values(apis)) assert.equal((await api.get('/v1/accounts')).status, 200);
      const doomed = await newOAuthClient(server);
      const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: doomed.clientId, client_secret: doomed.clientSecret }).toString();
      const doomedToken = (await call(server, 'POST', '/oauth2/token', undefined, { rawBody: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).body.access_token as string;
      assert.equal((await orgClient(server, doomedToken).get('/v1/accounts')).status, 200);
      const revoked = await call(server, 'DELETE', `/admin/v1/tenants/${server.tenant.tenant.id}/oauth-clients/${doomed.clientId}`, undefined, { key: ADMIN_TOKEN });
      assert.equal(revoked.status, 200, revoked.text);
      assert.equal((await orgClient(server, doomedToken).get('/v1/accounts')).status, 401);
      for (const [name, api] of Object.entries(apis)) assert.equal((await api.get('/v1/accounts')).status, 200, name);
    });

    test('a throttled address is refused on the admin API and console only: the vendor surfaces answer it as before', async () => {
      const throttle = server.services.authThrottle;
      const realNow = throttle.now;
      const later = Date.now() + 10 * WINDOW_MS;
      throttle.now = () => later;
      try {
        for (let i = 0; i <= 20; i++) await call(server, 'GET', '/admin/v1/tenants', undefined, { key: 'wrong-admin-token-0123456789-abcdefghij' });
        assert.equal((await call(server, 'GET', '/admin/v1/tenants', undefined, { key: ADMIN_TOKEN })).status, 429);
        assert.equal((await call(server, 'GET', '/billing/accounts', undefined, { key: server.tenant.keys.test.secret })).status, 200);
        assert.equal((await orgClient(server, await injectedToken(server)).get('/v1/accounts')).status, 200);
        assert.equal((await call(server, 'GET', '/healthz')).status, 200);
        throttle.now = () => later + WINDOW_MS + 1000;
        assert.equal((await call(server, 'GET', '/admin/v1/tenants', undefined, { key: ADMIN_TOKEN })).status, 200, 'a minute later the address may sign in again');
      } finally {
        throttle.now = realNow;
      }
    });
  });
}
