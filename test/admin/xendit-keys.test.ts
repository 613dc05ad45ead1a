import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { call, client } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { platformClient } from '../platform/platform-api.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';

// SPEC §1: secret keys of `format: "xendit"` look like Xendit's own (xnd_development_… in test
// mode, xnd_production_… in live), are hashed at rest, and work on every surface.

const admin = (server: TestApp, method: string, path: string, body?: unknown) => call(server, method, `/admin/v1${path}`, body, { key: ADMIN_TOKEN });

for (const kind of await storeKinds()) {
  describe(`Xendit-format secret keys (${kind})`, () => {
    let server: TestApp;
    let created: { id: string; keys: Record<'test' | 'live', { secret: string; xendit: string; xendit_id: string }> };
    before(async () => {
      server = await build(kind);
      const answer = await admin(server, 'POST', '/tenants', { name: 'xendit-keys' });
      assert.equal(answer.status, 201, answer.text);
      created = answer.body;
    });
    after(() => server.close());

    test('tenant creation answers one of each mode: keys.test.xendit xnd_development_…, keys.live.xendit xnd_production_…', async () => {
      assert.match(created.keys.test.xendit, /^xnd_development_[0-9A-Za-z]{48}$/);
      assert.match(created.keys.live.xendit, /^xnd_production_[0-9A-Za-z]{48}$/);
      const listed = await admin(server, 'GET', `/tenants/${created.id}/keys`);
      const byId = new Map(listed.body.data.map((k: { id: string }) => [k.id, k]));
      assert.deepEqual(
        ['test', 'live'].map((mode) => {
          const k = byId.get(created.keys[mode as 'test' | 'live'].xendit_id) as { mode: string; type: string; format: string; hint: string };
          return [k.mode, k.type, k.format, k.hint.slice(0, 4)];
        }),
        [['test', 'secret', 'xendit', 'xnd_'], ['live', 'secret', 'xendit', 'xnd_']],
      );
    });

    test('the key is stored only as a hash', async () => {
      const db = (server.services.store as KyselyStore).db as Kysely<any>;
      const rows = await db.selectFrom('api_keys').selectAll().where('tenant_id', '=', created.id).execute();
      const stored = JSON.stringify(rows);
      for (const key of [created.keys.test.xendit, created.keys.live.xendit]) assert.ok(!stored.includes(key) && !stored.includes(key.slice(16)), 'no part of the key is stored');
    });

    test('a test xendit key works on billing (Bearer), platform (Basic and Bearer) and the testing API, in test mode', async () => {
      const key = created.keys.test.xendit;
      const billing = client(server, key);
      assert.equal((await billing.get('/billing/accounts')).status, 200);
      const basic = platformClient(server, key);
      const sub = await basic.post('/v2/accounts', { email: 'xnd@example.com', type: 'OWNED', public_profile: { business_name: 'Xnd' } });
      assert.equal(sub.status, 200, sub.text);
      const bearer = await call(server, 'GET', `/v2/accounts/${sub.body.id}`, undefined, { key });
      assert.equal(bearer.status, 200, bearer.text);
      // The same tenant and mode as its sk_test_ key: the account is visible there, not in live.
      assert.equal((await platformClient(server, created.keys.test.secret).get(`/v2/accounts/${sub.body.id}`)).status, 200);
      assert.equal((await platformClient(server, created.keys.live.xendit).get(`/v2/accounts/${sub.body.id}`)).status, 404);
      assert.equal((await client(server, key).get('/testing/v1/clock')).status, 200);
      const basicTesting = await call(server, 'GET', '/testing/v1/clock', undefined, { headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` } });
      assert.equal(basicTesting.status, 200);
    });

    test('a live xendit key is a live secret key: it works on live routes, the testing API refuses it (403)', async () => {
      const key = created.keys.live.xendit;
      assert.equal((await platformClient(server, key).get('/balance')).status, 200);
      assert.equal((await client(server, key).get('/testing/v1/clock')).status, 403);
      const topUp = await platformClient(server, key).post('/balance/test/topup', { amount: 1 });
      assert.equal(topUp.status, 403);
      assert.equal(topUp.body.error_code, 'REQUEST_FORBIDDEN_ERROR');
    });

    test('POST /tenants/{id}/keys with format "xendit" issues one; rotation keeps the format; revocation refuses it', async () => {
      const issued = await admin(server, 'POST', `/tenants/${created.id}/keys`, { mode: 'test', type: 'secret', format: 'xendit' });
      assert.equal(issued.status, 201, issued.text);
      assert.match(issued.body.key, /^xnd_development_[0-9A-Za-z]{48}$/);
      assert.equal(issued.body.format, 'xendit');
      const plain = await admin(server, 'POST', `/tenants/${created.id}/keys`, { mode: 'live', type: 'secret', format: 'subledger' });
      assert.match(plain.body.key, /^sk_live_/);
      const live = await admin(server, 'POST', `/tenants/${created.id}/keys`, { mode: 'live', type: 'secret', format: 'xendit' });
      assert.match(live.body.key, /^xnd_production_/);
      const rotated = await admin(server, 'POST', `/tenants/${created.id}/keys/${issued.body.id}/rotate`);
      assert.equal(rotated.status, 201, rotated.text);
      assert.match(rotated.body.key, /^xnd_development_/);
      assert.equal(rotated.body.format, 'xendit');
      const old = await platformClient(server, issued.body.key).get('/balance');
      assert.equal(old.status, 403);
      assert.equal(old.body.error_code, 'REQUEST_FORBIDDEN_ERROR');
      assert.equal((await platformClient(server, rotated.body.key).get('/balance')).status, 200);
    });

    test('an unknown format is 400; a made-up xnd_ key is 401', async () => {
      const bad = await admin(server, 'POST', `/tenants/${created.id}/keys`, { mode: 'test', type: 'secret', format: 'stripe' });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /format/);
      const guessed = await platformClient(server, `xnd_development_${'A'.repeat(48)}`).get('/balance');
      assert.equal(guessed.status, 401);
      assert.equal(guessed.body.error_code, 'INVALID_API_KEY');
    });
  });
}
