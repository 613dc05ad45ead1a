import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { call, client, uniqueRef, type ApiResponse } from '../support/http.js';
import { assertProblemAt } from '../support/problems.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';

/** The admin API's own problem types (explained at /docs/errors/admin). */
const assertAdminProblem = (response: ApiResponse, status: number, slug: string) => assertProblemAt('/docs/errors/admin', response, status, slug);
/** The billing surface's and the neutral root's problem types (explained at /docs/errors). */
const assertProblem = (response: ApiResponse, status: number, slug: string) => assertProblemAt('/docs/errors', response, status, slug);

const params = (response: ApiResponse): string[] => (response.body.errors ?? []).map((e: { param: string }) => e.param);

const admin = (server: TestApp, method: string, path: string, body?: unknown) =>
  call(server, method, `/admin/v1${path}`, body, { key: ADMIN_TOKEN });

interface IssuedKeys {
  secret: string;
  secret_id: string;
  publishable: string;
  publishable_id: string;
}

interface CreatedTenantBody {
  id: string;
  name: string;
  country: string;
  keys: { test: IssuedKeys; live: IssuedKeys };
}

for (const kind of await storeKinds()) {
  describe(`admin API disabled: no SUBLEDGER_ADMIN_TOKEN (${kind})`, () => {
    let server: TestApp;
    before(async () => {
      server = await build(kind, { env: { SUBLEDGER_ADMIN_TOKEN: '' } });
    });
    after(() => server.close());

    const requests: [string, string, unknown?][] = [
      ['POST', '/admin/v1/tenants', { name: 'acme', country: 'ID' }],
      ['GET', '/admin/v1/tenants/ten_whatever'],
      ['GET', '/admin/v1/tenants/ten_whatever/keys'],
      ['POST', '/admin/v1/tenants/ten_whatever/keys', { mode: 'test', type: 'secret' }],
      ['DELETE', '/admin/v1/tenants/ten_whatever/keys/key_whatever'],
      ['GET', '/admin/v1/no_such_thing'],
    ];

    test('every admin route answers 404 not-found, with or without a bearer token', async () => {
      for (const [method, path, body] of requests) {
        for (const key of [null, ADMIN_TOKEN, 'anything-at-all-0123456789']) {
          const response = await call(server, method, path, body, { key });
          assertProblem(response, 404, 'not-found');
        }
      }
    });

    test('a wrong method on an admin path answers 404 too, not 405 (the admin API does not exist)', async () => {
      for (const [method, path] of [
        ['PUT', '/admin/v1/tenants'],
        ['DELETE', '/admin/v1/tenants/ten_whatever'],
        ['PATCH', '/admin/v1/tenants/ten_whatever/keys'],
      ] as const) {
        const response = await call(server, method, path, undefined, { key: ADMIN_TOKEN });
        assert.equal(response.status, 404, `${method} ${path}: ${response.status} ${response.text}`);
        assert.equal(response.headers.get('allow'), null, `${method} ${path} reveals its methods`);
      }
    });

    test('no tenant can be created through the disabled admin API', async () => {
      const before = await server.services.store.reader.tenants.count();
      await call(server, 'POST', '/admin/v1/tenants', { name: 'sneaky' }, { key: ADMIN_TOKEN });
      assert.equal(await server.services.store.reader.tenants.count(), before);
    });
  });

  describe(`admin API enabled (${kind})`, () => {
    let server: TestApp;
    let created: CreatedTenantBody;
    before(async () => {
      server = await build(kind);
      const response = await admin(server, 'POST', '/tenants', { name: 'acme', country: 'ID' });
      assert.equal(response.status, 201, response.text);
      created = response.body;
    });
    after(() => server.close());

    describe('authentication', () => {
      test('a request without a bearer token answers 401 unauthorized', async () => {
        assertAdminProblem(await call(server, 'GET', `/admin/v1/tenants/${created.id}`), 401, 'unauthorized');
        assertAdminProblem(await call(server, 'POST', '/admin/v1/tenants', { name: 'x' }), 401, 'unauthorized');
      });

      test('a wrong bearer token answers 401 unauthorized (even a tenant secret key, or the token with a suffix)', async () => {
        for (const key of ['wrong-admin-token-0123456789', created.keys.test.secret, `${ADMIN_TOKEN}x`, ADMIN_TOKEN.slice(0, -1)]) {
          assertAdminProblem(await call(server, 'GET', `/admin/v1/tenants/${created.id}`, undefined, { key }), 401, 'unauthorized');
        }
        const basic = await call(server, 'GET', `/admin/v1/tenants/${created.id}`, undefined, {
          headers: { authorization: `Basic ${Buffer.from(`${ADMIN_TOKEN}:`).toString('base64')}` },
        });
        assertAdminProblem(basic, 401, 'unauthorized');
      });

      test('a rejected token creates nothing', async () => {
        const before = await server.services.store.reader.tenants.count();
        const response = await call(server, 'POST', '/admin/v1/tenants', { name: 'intruder' }, { key: 'wrong-admin-token-0123456789' });
        assert.equal(response.status, 401);
        assert.equal(await server.services.store.reader.tenants.count(), before);
      });
    });

    describe('tenants', () => {
      test('POST /admin/v1/tenants answers 201 with id, name, country and test and live keys of the right prefixes', () => {
        assert.equal(typeof created.id, 'string');
        assert.ok(created.id.length > 0);
        assert.equal(created.name, 'acme');
        assert.equal(created.country, 'ID');
        assert.match(created.keys.test.secret, /^sk_test_[0-9A-Za-z]+$/);
        assert.match(created.keys.test.publishable, /^pk_test_[0-9A-Za-z]+$/);
        assert.match(created.keys.live.secret, /^sk_live_[0-9A-Za-z]+$/);
        assert.match(created.keys.live.publishable, /^pk_live_[0-9A-Za-z]+$/);
        const all = [created.keys.test.secret, created.keys.test.publishable, created.keys.live.secret, created.keys.live.publishable];
        assert.equal(new Set(all).size, 4);
      });

      test('each key in the creation answer carries its id, the one the key list shows and revocation takes', async () => {
        const listed = await admin(server, 'GET', `/tenants/${created.id}/keys`);
        assert.equal(listed.status, 200, listed.text);
        const byId = new Map(listed.body.data.map((k: { id: string; mode: string; type: string }) => [k.id, `${k.mode} ${k.type}`]));
        for (const mode of ['test', 'live'] as const) {
          assert.match(created.keys[mode].secret_id, /^key_/);
          assert.equal(byId.get(created.keys[mode].secret_id), `${mode} secret`);
          assert.equal(byId.get(created.keys[mode].publishable_id), `${mode} publishable`);
        }
      });

      test('GET /admin/v1/tenants lists tenants newest first without keys, a page at a time (limit, starting_after, ending_before, has_more)', async () => {
        const made: string[] = [];
        for (const name of ['page-1', 'page-2', 'page-3']) made.unshift((await admin(server, 'POST', '/tenants', { name })).body.id);
        const first = await admin(server, 'GET', '/tenants?limit=2');
        assert.equal(first.status, 200, first.text);
        assert.deepEqual(first.body.data.map((t: { id: string }) => t.id), made.slice(0, 2));
        assert.equal(first.body.has_more, true);
        assert.deepEqual(Object.keys(first.body.data[0]).sort(), ['callback_token', 'country', 'created_at', 'id', 'name']);
        const next = await admin(server, 'GET', `/tenants?limit=2&starting_after=${made[1]}`);
        assert.equal(next.body.data[0].id, made[2]);
        const back = await admin(server, 'GET', `/tenants?limit=2&ending_before=${made[2]}`);
        assert.deepEqual(back.body.data.map((t: { id: string }) => t.id), made.slice(0, 2));
        const everyone = await admin(server, 'GET', '/tenants?limit=100');
        assert.equal(everyone.body.has_more, false);
        assert.equal(everyone.body.data.length, await server.services.store.reader.tenants.count());
        assert.ok(!everyone.text.includes('sk_test_'), 'no key in a tenant list');
      });

      test('GET /admin/v1/tenants with a bad limit, an unknown cursor or both cursors answers 400 naming the param; without the token 401', async () => {
        for (const [query, param] of [['limit=0', 'limit'], ['limit=101', 'limit'], ['starting_after=ten_nope', 'starting_after'], [`starting_after=${created.id}&ending_before=${created.id}`, 'ending_before'], ['nope=1', 'nope']]) {
          const response = await admin(server, 'GET', `/tenants?${query}`);
          assertAdminProblem(response, 400, 'validation-error');
          assert.deepEqual(params(response), [param], `${query}: ${response.text}`);
        }
        assertAdminProblem(await call(server, 'GET', '/admin/v1/tenants'), 401, 'unauthorized');
      });

      test('the new secret keys work on /billing, each in its own mode', async () => {
        const test = client(server, created.keys.test.secret);
        const live = client(server, created.keys.live.secret);
        const ref = uniqueRef('ADM');
        const made = await test.post('/billing/customers', { external_reference: ref, name: 'Admin Made' });
        assert.equal(made.status, 201, made.text);
        assert.equal((await test.get(`/billing/customers/${made.body.id}`)).status, 200);
        // Live mode is a separate world: the test-mode customer does not exist there.
        assertProblem(await live.get(`/billing/customers/${made.body.id}`), 404, 'not-found');
        const liveList = await live.get('/billing/accounts');
        assert.equal(liveList.status, 200, liveList.text);
      });

      test('the new publishable keys authenticate but get 403 forbidden on billing objects', async () => {
        for (const key of [created.keys.test.publishable, created.keys.live.publishable]) {
          assertProblem(await call(server, 'GET', '/billing/accounts', undefined, { key }), 403, 'forbidden');
          assertProblem(await call(server, 'GET', '/billing/customers', undefined, { key }), 403, 'forbidden');
        }
      });

      test('GET /admin/v1/tenants/{id} returns the tenant with its callback_token and without any key', async () => {
        const response = await admin(server, 'GET', `/tenants/${created.id}`);
        assert.equal(response.status, 200, response.text);
        assert.equal(response.body.id, created.id);
        assert.equal(response.body.name, 'acme');
        assert.equal(response.body.country, 'ID');
        assert.equal(typeof response.body.callback_token, 'string');
        assert.ok(response.body.callback_token.length >= 16, 'callback_token is a real secret');
        assert.equal(response.body.keys, undefined);
        assert.doesNotMatch(response.text, /[sp]k_(test|live)_/);
      });

      test('GET of an unknown tenant answers 404 not-found', async () => {
        assertAdminProblem(await admin(server, 'GET', '/tenants/ten_doesnotexist0000000'), 404, 'not-found');
      });

      test('country defaults to ID when omitted', async () => {
        const response = await admin(server, 'POST', '/tenants', { name: 'no-country' });
        assert.equal(response.status, 201, response.text);
        assert.equal(response.body.country, 'ID');
      });

      test('an unknown or lowercase country ("XX", "id") answers 400 naming country', async () => {
        for (const country of ['XX', 'id', 'IDN', '']) {
          const response = await admin(server, 'POST', '/tenants', { name: 'bad-country', country });
          assertAdminProblem(response, 400, 'validation-error');
          assert.ok(params(response).includes('country'), `country ${JSON.stringify(country)}: ${response.text}`);
        }
      });

      test('a missing or empty name answers 400 naming name', async () => {
        for (const body of [{ country: 'ID' }, { name: '', country: 'ID' }, { name: 42 }]) {
          const response = await admin(server, 'POST', '/tenants', body);
          assertAdminProblem(response, 400, 'validation-error');
          assert.ok(params(response).includes('name'), `${JSON.stringify(body)}: ${response.text}`);
        }
      });

      test('an unknown field answers 400 naming it', async () => {
        const response = await admin(server, 'POST', '/tenants', { name: 'x', plan: 'gold' });
        assertAdminProblem(response, 400, 'validation-error');
        assert.ok(params(response).includes('plan'), response.text);
      });
    });

    describe('keys', () => {
      test('POST /tenants/{id}/keys {mode:"live",type:"secret"} answers 201 with a working sk_live_ key of that tenant', async () => {
        const response = await admin(server, 'POST', `/tenants/${created.id}/keys`, { mode: 'live', type: 'secret' });
        assert.equal(response.status, 201, response.text);
        assert.match(response.body.key, /^sk_live_[0-9A-Za-z]+$/);
        assert.equal(typeof response.body.id, 'string');
        assert.equal(response.body.mode, 'live');
        assert.equal(response.body.type, 'secret');

        // Same tenant and mode as the original live key: they see the same objects.
        const original = client(server, created.keys.live.secret);
        const rotated = client(server, response.body.key);
        const made = await original.post('/billing/customers', { external_reference: uniqueRef('ROT') });
        assert.equal(made.status, 201, made.text);
        const seen = await rotated.get(`/billing/customers/${made.body.id}`);
        assert.equal(seen.status, 200, seen.text);
        assert.deepEqual(seen.body, made.body);
      });

      test('POST /tenants/{id}/keys for an unknown tenant answers 404, and a bad mode or type 400', async () => {
        assertAdminProblem(await admin(server, 'POST', '/tenants/ten_doesnotexist0000000/keys', { mode: 'test', type: 'secret' }), 404, 'not-found');
        const badMode = await admin(server, 'POST', `/tenants/${created.id}/keys`, { mode: 'prod', type: 'secret' });
        assertAdminProblem(badMode, 400, 'validation-error');
        assert.ok(params(badMode).includes('mode'), badMode.text);
        const badType = await admin(server, 'POST', `/tenants/${created.id}/keys`, { mode: 'test', type: 'root' });
        assertAdminProblem(badType, 400, 'validation-error');
        assert.ok(params(badType).includes('type'), badType.text);
      });

      test('DELETE /tenants/{id}/keys/{keyId} revokes at once: that key gets 403 forbidden, the other keys keep working', async () => {
        const issued = await admin(server, 'POST', `/tenants/${created.id}/keys`, { mode: 'test', type: 'secret' });
        assert.equal(issued.status, 201, issued.text);
        const doomed = client(server, issued.body.key);
        // Used (and so possibly cached) before it is revoked.
        assert.equal((await doomed.get('/billing/accounts')).status, 200);

        const revoked = await admin(server, 'DELETE', `/tenants/${created.id}/keys/${issued.body.id}`);
        assert.equal(revoked.status, 200, revoked.text);
        assert.equal(revoked.body.id, issued.body.id);
        assert.equal(typeof revoked.body.revoked_at, 'string');

        assertProblem(await doomed.get('/billing/accounts'), 403, 'forbidden');
        assertProblem(await doomed.post('/billing/customers', { external_reference: uniqueRef('REV') }), 403, 'forbidden');

        for (const key of [created.keys.test.secret, created.keys.live.secret]) {
          const still = await call(server, 'GET', '/billing/accounts', undefined, { key });
          assert.equal(still.status, 200, still.text);
        }
      });

      test('revoking an unknown key answers 404 not-found', async () => {
        assertAdminProblem(await admin(server, 'DELETE', `/tenants/${created.id}/keys/key_doesnotexist00000000`), 404, 'not-found');
      });

      test("a key cannot be revoked through another tenant's path", async () => {
        const other = await admin(server, 'POST', '/tenants', { name: 'other' });
        assert.equal(other.status, 201, other.text);
        const issued = await admin(server, 'POST', `/tenants/${created.id}/keys`, { mode: 'test', type: 'secret' });
        assert.equal(issued.status, 201, issued.text);
        assertAdminProblem(await admin(server, 'DELETE', `/tenants/${other.body.id}/keys/${issued.body.id}`), 404, 'not-found');
        const still = await call(server, 'GET', '/billing/accounts', undefined, { key: issued.body.key });
        assert.equal(still.status, 200, still.text);
      });

      test('keys are stored hashed: no plain key appears in any column of api_keys, nor anywhere in the database', async () => {
        const issued = await admin(server, 'POST', `/tenants/${created.id}/keys`, { mode: 'live', type: 'publishable' });
        assert.equal(issued.status, 201, issued.text);
        const plainKeys = [created.keys.test.secret, created.keys.test.publishable, created.keys.live.secret, created.keys.live.publishable, issued.body.key as string];

        const db = (server.services.store as KyselyStore).db as unknown as Kysely<any>;
        const apiKeys = await db.selectFrom('api_keys').selectAll().where('tenant_id', '=', created.id).execute();
        assert.ok(apiKeys.length >= 5, `expected at least 5 stored keys, found ${apiKeys.length}`);
        for (const row of apiKeys) {
          assert.equal(typeof row.secret_hash, 'string');
          assert.ok(row.secret_hash.length > 0);
          for (const [column, value] of Object.entries(row)) {
            for (const plain of plainKeys) {
              assert.ok(!String(value).includes(plain), `api_keys.${column} contains a plain key`);
              // Not even the random part of the key, without its prefix.
              assert.ok(!String(value).includes(plain.slice(8)), `api_keys.${column} contains a key's secret part`);
            }
          }
        }

        const tables = await db.introspection.getTables();
        assert.ok(tables.some((t) => t.name === 'api_keys'));
        for (const table of tables) {
          const rows = await db.selectFrom(table.name).selectAll().execute();
          const dump = JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
          for (const plain of plainKeys) assert.ok(!dump.includes(plain), `table ${table.name} contains a plain key`);
        }
      });

      test('GET /tenants/{id}/keys lists hints only, never a full key', async () => {
        const response = await admin(server, 'GET', `/tenants/${created.id}/keys`);
        assert.equal(response.status, 200, response.text);
        assert.ok(response.body.data.length >= 4);
        for (const plain of [created.keys.test.secret, created.keys.live.secret]) assert.ok(!response.text.includes(plain));
        for (const plain of [created.keys.test.secret, created.keys.live.secret]) assert.ok(!response.text.includes(plain.slice(8)));
      });
    });
  });
}
