import { orgRepositoriesOf } from '../../src/surfaces/org/store/repositories.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify, SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import { signingKeysOf } from '../../src/surfaces/org/store/signing-keys.js';
import { call } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { newOAuthClient, orgClient, tokenFor, uniqueName, type OrgCredentials } from './org-client.js';

// OAuth 2.0 client credentials (SPEC §5): tokens through a general OAuth 2.0 client library
// (simple-oauth2), verified with jose's createRemoteJWKSet against our JWKS URL.

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

for (const kind of await storeKinds()) {
  describe(`org OAuth 2.0 (${kind})`, () => {
    let server: TestServer;
    let credentials: OrgCredentials;
    before(async () => {
      // Listening for simple-oauth2 and jose's remote JWKS (they take URLs); the rest go through inject.
      server = await build(kind, { listen: true });
      credentials = await newOAuthClient(server);
    });
    after(() => server.close());

    const tokenRequest = (body: string, headers: Record<string, string> = {}) =>
      call(server, 'POST', '/oauth2/token', undefined, { rawBody: body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

    test('simple-oauth2 gets a token with HTTP Basic and with the form body; jose verifies it against our JWKS URL', async () => {
      const jwks = createRemoteJWKSet(new URL(`${server.baseUrl}/.well-known/jwks.json`));
      for (const method of ['header', 'body'] as const) {
        const token = await tokenFor(server.baseUrl, credentials, { method });
        const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: 'subledger', audience: 'subledger-org' });
        assert.equal(protectedHeader.alg, 'EdDSA');
        assert.equal(payload.tenant_id, server.tenant.tenant.id);
        assert.equal(payload.mode, 'test');
        assert.equal(payload.sub, credentials.clientId);
        assert.deepEqual(payload.roles, ['accounts.read', 'accounts.write', 'transactions.read', 'transactions.write']);
        assert.equal(payload.exp! - payload.iat!, 3600, 'tokens expire after an hour');
      }
    });

    test('the token answer is RFC 6749 §5.1: Bearer, expires_in 3600, no-store', async () => {
      const answer = await tokenRequest(form({ grant_type: 'client_credentials' }), { authorization: basic(credentials.clientId, credentials.clientSecret) });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.token_type, 'Bearer');
      assert.equal(answer.body.expires_in, 3600);
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      assert.equal(decodeJwt(answer.body.access_token).client_id, credentials.clientId);
    });

    test('failures are OAuth 2.0 error JSON: invalid_client 401 with a challenge, unsupported_grant_type, invalid_request, invalid_scope', async () => {
      const wrong = await tokenRequest(form({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: 'nope' }));
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error, 'invalid_client');
      assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic/);
      assert.equal(typeof wrong.body.error_description, 'string');
      const unknown = await tokenRequest(form({ grant_type: 'client_credentials' }), { authorization: basic('oac_0000000000000000000000', 'x') });
      assert.equal(unknown.body.error, 'invalid_client');
      const none = await tokenRequest(form({ grant_type: 'client_credentials' }));
      assert.equal(none.status, 401);
      assert.equal(none.body.error, 'invalid_client');
      const grant = await tokenRequest(form({ grant_type: 'password', client_id: credentials.clientId, client_secret: credentials.clientSecret }));
      assert.equal(grant.status, 400);
      assert.equal(grant.body.error, 'unsupported_grant_type');
      const missing = await tokenRequest(form({ client_id: credentials.clientId, client_secret: credentials.clientSecret }));
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error, 'invalid_request');
      const repeated = await tokenRequest(`grant_type=client_credentials&grant_type=client_credentials&client_id=${credentials.clientId}&client_secret=${credentials.clientSecret}`);
      assert.equal(repeated.body.error, 'invalid_request');
      const both = await tokenRequest(form({ grant_type: 'client_credentials', client_secret: credentials.clientSecret }), { authorization: basic(credentials.clientId, credentials.clientSecret) });
      assert.equal(both.body.error, 'invalid_request');
      const scope = await tokenRequest(form({ grant_type: 'client_credentials', scope: 'accounts.read admin' }), { authorization: basic(credentials.clientId, credentials.clientSecret) });
      assert.equal(scope.status, 400);
      assert.equal(scope.body.error, 'invalid_scope');
      const xml = await call(server, 'POST', '/oauth2/token', undefined, { rawBody: '<x/>', headers: { 'content-type': 'application/xml' } });
      assert.equal(xml.status, 415);
      assert.equal(xml.body.error, 'invalid_request');
      const get = await call(server, 'GET', '/oauth2/token');
      assert.equal(get.status, 405);
      assert.equal(get.body.error, 'invalid_request');
    });

    test('a narrower scope gives a token with only those roles; a missing role answers 403 PERMISSION_DENIED', async () => {
      const token = await tokenFor(server.baseUrl, credentials, { scope: 'accounts.read' });
      const api = orgClient(server, token);
      assert.equal((await api.get('/v1/accounts')).status, 200);
      const denied = await api.post('/v1/accounts', { name: uniqueName(), currencyCode: 'USD' });
      assert.equal(denied.status, 403, denied.text);
      assert.equal(denied.body.code, 7);
      const readOnly = orgClient(server, await tokenFor(server.baseUrl, await newOAuthClient(server, { roles: ['transactions.read'] })));
      assert.equal((await readOnly.get('/v1/accounts')).status, 403);
    });

    test('forged, tampered, expired, alg:none and malformed tokens answer 401 UNAUTHENTICATED', async () => {
      const good = await tokenFor(server.baseUrl, credentials);
      const key = (await signingKeysOf(server.services).get()).current;
      const claims = decodeJwt(good);
      const [header, payload, signature] = good.split('.');
      const otherPayload = Buffer.from(JSON.stringify({ ...claims, roles: ['accounts.read'], tenant_id: 'ten_other' })).toString('base64url');
      const { generateKeyPair } = await import('jose');
      const foreign = await generateKeyPair('EdDSA');
      const expired = await new SignJWT({ ...claims, exp: undefined, iat: undefined })
        .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' })
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .sign(key.privateKey);
      const tokens = {
        tampered: `${header}.${otherPayload}.${signature}`,
        'bad signature': `${header}.${payload}.${signature!.slice(0, -4)}AAAA`,
        forged: await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' }).sign(foreign.privateKey),
        expired,
        'alg none': new UnsecuredJWT(claims).encode(),
        malformed: 'not-a-jwt',
      };
      for (const [name, token] of Object.entries(tokens)) {
        const answer = await orgClient(server, token).get('/v1/accounts');
        assert.equal(answer.status, 401, `${name}: ${answer.text}`);
        assert.equal(answer.body.code, 16, name);
        assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer/);
      }
      const missing = await call(server, 'GET', '/v1/accounts');
      assert.equal(missing.status, 401);
      assert.equal(missing.body.code, 16);
    });

    test('the admin API creates, lists and revokes OAuth clients; a revoked client gets no token', async () => {
      const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
      const path = `/admin/v1/tenants/${server.tenant.tenant.id}/oauth-clients`;
      const created = await call(server, 'POST', path, { name: 'ci', mode: 'live', roles: ['accounts.read'] }, { headers: admin });
      assert.equal(created.status, 201, created.text);
      assert.match(created.body.client_id, /^oac_/);
      assert.equal(created.body.mode, 'live');
      assert.deepEqual(created.body.roles, ['accounts.read']);
      const token = await tokenFor(server.baseUrl, { clientId: created.body.client_id, clientSecret: created.body.client_secret });
      assert.equal(decodeJwt(token).mode, 'live');
      const listed = await call(server, 'GET', path, undefined, { headers: admin });
      assert.ok(listed.body.data.some((c: { client_id: string }) => c.client_id === created.body.client_id));
      assert.ok(!listed.text.includes(created.body.client_secret), 'secrets are never listed');
      const bad = await call(server, 'POST', path, { name: 'x', mode: 'test', roles: ['root'] }, { headers: admin });
      assert.equal(bad.status, 400);
      const revoked = await call(server, 'DELETE', `${path}/${created.body.client_id}`, undefined, { headers: admin });
      assert.equal(revoked.status, 200, revoked.text);
      assert.ok(revoked.body.revoked_at);
      const after = await tokenRequest(form({ grant_type: 'client_credentials' }), { authorization: basic(created.body.client_id, created.body.client_secret) });
      assert.equal(after.status, 401);
      assert.equal(after.body.error, 'invalid_client');
    });

    test('the signing key is created once and survives a restart of the services on the same database', async () => {
      const before = (await call(server, 'GET', '/.well-known/jwks.json')).body;
      const stored = await orgRepositoriesOf.of(server.services.store.reader).signingKeys.find('primary');
      assert.ok(stored);
      assert.equal(before.keys[0].kid, stored.kid);
      assert.equal(before.keys[0].d, undefined, 'the JWKS shows no private part');
    });
  });
}
