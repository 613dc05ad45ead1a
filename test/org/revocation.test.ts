import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { sql } from 'kysely';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { signingKeysOf } from '../../src/surfaces/org/store/signing-keys.js';
import { call, type ApiResponse } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { waitFor } from '../support/wait.js';
import { injectedToken, newOAuthClient, orgClient } from './org-client.js';

// SPEC §9 "Revocation is immediate": revoking an OAuth client refuses the access tokens it
// holds at once in the revoking process, and in the others within SUBLEDGER_KEY_CACHE_SECONDS
// (on PostgreSQL at once, by a notice); tokens with an unknown `kid`, or an `iat` ahead of the
// tenant's clock beyond a small skew, are refused. All in the org surface's error shape.

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
/** A long key cache: what is refused before it ends was refused by the revocation, not by time. */
const LONG_CACHE = { SUBLEDGER_KEY_CACHE_SECONDS: '300' };

async function tokenOf(server: TestApp, credentials: { clientId: string; clientSecret: string }): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret }).toString();
  const answer = await call(server, 'POST', '/oauth2/token', undefined, { rawBody: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(answer.status, 200, answer.text);
  return answer.body.access_token as string;
}

function assertUnauthenticated(answer: ApiResponse, message?: RegExp): void {
  assert.equal(answer.status, 401, answer.text);
  assert.equal(answer.body.code, 16, answer.text);
  assert.equal(typeof answer.body.message, 'string');
  if (message) assert.match(answer.body.message, message);
  assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer/);
}

/** The claims our tokens carry, re-signed by `sign` with the header and times given. */
async function resigned(token: string, key: CryptoKey | Uint8Array, kid: string, times: { iat: number; exp: number }): Promise<string> {
  const { iat: _iat, exp: _exp, ...claims } = decodeJwt(token);
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' }).setIssuedAt(times.iat).setExpirationTime(times.exp).sign(key);
}

for (const kind of await storeKinds()) {
  describe(`revoking an OAuth client (${kind})`, () => {
    let server: TestApp;
    before(async () => {
      server = await build(kind, { env: LONG_CACHE });
    });
    after(() => server.close());

    test('its outstanding access token is refused at once by the process that revoked it, writes included', async () => {
      const credentials = await newOAuthClient(server);
      const api = orgClient(server, await tokenOf(server, credentials));
      assert.equal((await api.get('/v1/accounts')).status, 200, 'the token works (and is now in the key cache)');
      const revoked = await call(server, 'DELETE', `/admin/v1/tenants/${server.tenant.tenant.id}/oauth-clients/${credentials.clientId}`, undefined, { headers: admin });
      assert.equal(revoked.status, 200, revoked.text);
      assertUnauthenticated(await api.get('/v1/accounts'), /revoked/);
      assertUnauthenticated(await api.post('/v1/accounts', { name: 'after revocation', currencyCode: 'USD' }), /revoked/);
      const listed = await call(server, 'GET', `/admin/v1/tenants/${server.tenant.tenant.id}/oauth-clients`, undefined, { headers: admin });
      assert.ok(listed.body.data.some((c: { client_id: string; revoked_at: string | null }) => c.client_id === credentials.clientId && c.revoked_at), listed.text);
    });

    test("another client's token of the same tenant keeps working", async () => {
      const keep = orgClient(server, await injectedToken(server));
      const drop = await newOAuthClient(server);
      const dropped = orgClient(server, await tokenOf(server, drop));
      assert.equal((await dropped.get('/v1/accounts')).status, 200);
      await call(server, 'DELETE', `/admin/v1/tenants/${server.tenant.tenant.id}/oauth-clients/${drop.clientId}`, undefined, { headers: admin });
      assertUnauthenticated(await dropped.get('/v1/accounts'));
      assert.equal((await keep.get('/v1/accounts')).status, 200);
    });
  });

  describe(`revocation seen by another process on the same database (${kind})`, () => {
    let first: TestApp;
    let second: TestApp;
    before(async () => {
      // PostgreSQL: the other node's key cache is long (300 s), so only the notice can refuse in time.
      // SQLite (one file, two stores): no notices; the other node's window is 1 s.
      first = await build(kind, { env: LONG_CACHE });
      second = await build(kind, { database: first.database, env: kind === 'postgres' ? LONG_CACHE : { SUBLEDGER_KEY_CACHE_SECONDS: '1' } });
    });
    after(async () => {
      await second.close();
      await first.close();
    });

    test(kind === 'postgres' ? 'the other process refuses the token on the notice, long before its key cache window ends' : 'the other process refuses the token once its key cache window (1 s) ends', async () => {
      const credentials = await newOAuthClient(first);
      const token = await tokenOf(first, credentials);
      const elsewhere = orgClient(second, token);
      assert.equal((await elsewhere.get('/v1/accounts')).status, 200, 'the token works on the other node (and is in its cache)');
      const revoked = await call(first, 'DELETE', `/admin/v1/tenants/${first.tenant.tenant.id}/oauth-clients/${credentials.clientId}`, undefined, { headers: admin });
      assert.equal(revoked.status, 200, revoked.text);
      const refused = await waitFor(async () => ((await elsewhere.get('/v1/accounts')).status === 401 ? true : undefined), 20_000, 'the other node to refuse the revoked client');
      assert.ok(refused);
      assertUnauthenticated(await elsewhere.get('/v1/accounts'), /revoked/);
    });

    if (kind === 'postgres') {
      test('after its listening connection is cut (PostgreSQL restarting), a process listens again and still refuses at once', async () => {
        const db = (first.services.store as KyselyStore).db;
        const listeners = async () =>
          (await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database() and query ilike 'LISTEN subledger_credentials%'`.execute(db)).rows;
        assert.equal((await listeners()).length, 2, 'one listening connection per process');
        const credentials = await newOAuthClient(first);
        const elsewhere = orgClient(second, await tokenOf(first, credentials));
        assert.equal((await elsewhere.get('/v1/accounts')).status, 200);
        const cut = (await listeners()).map((row) => row.pid);
        await sql`select pg_terminate_backend(pid) from pg_stat_activity where pid in (${sql.join(cut)})`.execute(db);
        await waitFor(async () => {
          const now = (await listeners()).map((row) => row.pid);
          return now.length === 2 && now.every((pid) => !cut.includes(pid));
        }, 20_000, 'both processes to listen again');
        await call(first, 'DELETE', `/admin/v1/tenants/${first.tenant.tenant.id}/oauth-clients/${credentials.clientId}`, undefined, { headers: admin });
        await waitFor(async () => ((await elsewhere.get('/v1/accounts')).status === 401 ? true : undefined), 20_000, 'the other node to refuse the revoked client after reconnecting');
      });

      test('an API key revoked on one process is refused by the other at once too (the same notice)', async () => {
        const created = await call(first, 'POST', `/admin/v1/tenants/${first.tenant.tenant.id}/keys`, { mode: 'test', type: 'secret' }, { headers: admin });
        assert.equal(created.status, 201, created.text);
        const billing = () => call(second, 'GET', '/billing/customers', undefined, { key: created.body.key });
        assert.equal((await billing()).status, 200);
        await call(first, 'DELETE', `/admin/v1/tenants/${first.tenant.tenant.id}/keys/${created.body.id}`, undefined, { headers: admin });
        await waitFor(async () => ((await billing()).status === 403 ? true : undefined), 20_000, 'the other node to refuse the revoked key');
      });
    }
  });

  describe(`tokens the service would not have issued (${kind})`, () => {
    let server: TestApp;
    let token: string;
    before(async () => {
      server = await build(kind);
      token = await injectedToken(server);
    });
    after(() => server.close());

    test('an unknown kid is refused, even when the signature is by our key', async () => {
      const key = (await signingKeysOf(server.services).get()).current;
      const now = Math.floor(Date.now() / 1000);
      assertUnauthenticated(await orgClient(server, await resigned(token, key.privateKey, 'not-a-key-of-ours', { iat: now, exp: now + 600 })).get('/v1/accounts'), /kid/);
      const foreign = await generateKeyPair('EdDSA');
      assertUnauthenticated(await orgClient(server, await resigned(token, foreign.privateKey, 'not-a-key-of-ours', { iat: now, exp: now + 600 })).get('/v1/accounts'), /kid/);
      const withoutKid = await new SignJWT(decodeJwt(token)).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' }).sign(key.privateKey);
      assertUnauthenticated(await orgClient(server, withoutKid).get('/v1/accounts'), /kid/);
      assert.equal((await orgClient(server, await resigned(token, key.privateKey, key.kid, { iat: now, exp: now + 600 })).get('/v1/accounts')).status, 200, 'the same token with our kid works');
    });

    test('an iat in the future beyond the skew (60 s) is refused; within it, accepted', async () => {
      const key = (await signingKeysOf(server.services).get()).current;
      const now = Math.floor(Date.now() / 1000);
      assertUnauthenticated(await orgClient(server, await resigned(token, key.privateKey, key.kid, { iat: now + 3600, exp: now + 7200 })).get('/v1/accounts'), /future/);
      assertUnauthenticated(await orgClient(server, await resigned(token, key.privateKey, key.kid, { iat: now + 120, exp: now + 1200 })).get('/v1/accounts'), /future/);
      assert.equal((await orgClient(server, await resigned(token, key.privateKey, key.kid, { iat: now + 20, exp: now + 1200 })).get('/v1/accounts')).status, 200);
    });

    test("the iat is judged on the tenant's test clock: ahead of wall time but not of the tenant's clock is fine", async () => {
      const tenant = await server.createTenant('clocked');
      const testing = { key: tenant.keys.test.secret };
      const advanced = await call(server, 'POST', '/testing/v1/clock/advance', { seconds: 7200 }, testing);
      assert.equal(advanced.status, 200, advanced.text);
      const clocked = await injectedToken(server, { tenantId: tenant.tenant.id });
      const iat = decodeJwt(clocked).iat!;
      assert.ok(iat > Date.now() / 1000 + 3600, 'issued at the tenant’s time, two hours ahead of the wall');
      assert.equal((await orgClient(server, clocked).get('/v1/accounts')).status, 200, 'accepted: not in the future of its tenant');
      // The same claims a live-mode token would carry are judged on wall time.
      const key = (await signingKeysOf(server.services).get()).current;
      const live = await new SignJWT({ ...decodeJwt(clocked), mode: 'live' }).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' }).sign(key.privateKey);
      assertUnauthenticated(await orgClient(server, live).get('/v1/accounts'), /future/);
    });
  });
}
