import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { call } from '../support/http.js';
import { runCli } from '../support/run-cli.js';
import { ServeProcesses } from '../support/serve-process.js';
import { createTestDatabase, storeKinds } from '../support/stores.js';
import { waitFor } from '../support/wait.js';

// SPEC §9: `subledger signing-keys rotate` makes a new key sign the org surface's access tokens;
// the JWKS publishes the new and the previous key, and the previous key's tokens keep working,
// until its last token has expired. Against a running `serve`, with the built CLI, and
// verified with jose as a resource server would. Also: `oauth-clients revoke` from the CLI
// refuses the client's tokens in the running server.

const TIMEOUT = { timeout: 120_000 };
const processes = new ServeProcesses({}, TIMEOUT.timeout);
after(() => processes.killAll());

/** The JSON a successful `subledger <args>` prints. */
async function runCliJson(args: string[], env: Record<string, string>): Promise<any> {
  const { code, stdout, stderr } = await runCli(args, env);
  assert.equal(code, 0, `subledger ${args.join(' ')}: exit ${code}\n${stderr}`);
  return JSON.parse(stdout);
}

async function tokenFrom(base: string, client: { client_id: string; client_secret: string }): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }).toString();
  const answer = await call(base, 'POST', '/oauth2/token', undefined, { rawBody: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(answer.status, 200, answer.text);
  return answer.body.access_token as string;
}

const jwksOf = async (base: string) => (await call<JSONWebKeySet>(base, 'GET', '/.well-known/jwks.json')).body;
const kidOf = (token: string) => decodeProtectedHeader(token).kid;

for (const kind of await storeKinds()) {
  describe(`subledger signing-keys rotate and oauth-clients revoke while serve runs (${kind})`, { concurrency: 1 }, () => {
    test('the new key signs, the JWKS publishes both, and tokens of the previous key keep working', TIMEOUT, async () => {
      const database = await createTestDatabase(kind);
      try {
        const env = { DATABASE_URL: database.url };
        const tenant = await runCliJson(['tenants', 'create', '--name', 'rotation'], env);
        const client = await runCliJson(['oauth-clients', 'create', '--tenant', tenant.id, '--mode', 'test'], env);
        const serve = processes.start(`serve (${kind})`, env);
        const base = await serve.ready();

        const before = await tokenFrom(base, client);
        const [published] = (await jwksOf(base)).keys;
        assert.equal(kidOf(before), published!.kid);

        const rotated = await runCliJson(['signing-keys', 'rotate'], env);
        assert.equal(rotated.previous_kid, published!.kid);
        assert.notEqual(rotated.kid, rotated.previous_kid);
        assert.ok(Date.parse(rotated.previous_published_until) > Date.now() + 3600_000, 'published for at least the hour its last token lives');

        // The server learns of it at once on PostgreSQL (a notice), within SUBLEDGER_KEY_CACHE_SECONDS (5) on SQLite.
        const jwks = await waitFor(async () => {
          const current = await jwksOf(base);
          return current.keys.length === 2 ? current : undefined;
        }, 30_000, 'the JWKS to publish both keys');
        assert.deepEqual(jwks.keys.map((key) => key.kid), [rotated.kid, rotated.previous_kid], 'the new key first, then the previous one');
        assert.ok(jwks.keys.every((key) => key.d === undefined), 'no private part');

        const after = await waitFor(async () => {
          const token = await tokenFrom(base, client);
          return kidOf(token) === rotated.kid ? token : undefined;
        }, 30_000, 'a token signed with the new key');

        // A resource server verifying with the published keys accepts both tokens.
        const keySet = createLocalJWKSet(jwks);
        for (const token of [before, after]) {
          const { payload } = await jwtVerify(token, keySet, { issuer: 'subledger', audience: 'subledger-org' });
          assert.equal(payload.tenant_id, tenant.id);
        }
        // And so does the service itself.
        for (const token of [before, after]) {
          const answer = await call(base, 'GET', '/v1/accounts', undefined, { key: token });
          assert.equal(answer.status, 200, answer.text);
        }

        // Revoked from the CLI: the running server refuses the client's tokens, old key and new.
        await runCliJson(['oauth-clients', 'revoke', '--tenant', tenant.id, '--client', client.client_id], env);
        await waitFor(async () => (await call(base, 'GET', '/v1/accounts', undefined, { key: after })).status === 401, 30_000, 'the revoked client to be refused');
        const refused = await call(base, 'GET', '/v1/accounts', undefined, { key: before });
        assert.equal(refused.status, 401, refused.text);
        assert.equal(refused.body.code, 16);
        assert.equal(await serve.terminate(), 0, serve.stderr);
      } finally {
        await database.drop();
      }
    });
  });
}
