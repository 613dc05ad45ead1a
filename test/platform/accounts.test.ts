import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call } from '../support/http.js';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { accountBody, platformClient, uniqueEmail, type PlatformClient } from './platform-api.js';

const ISO_24 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

for (const kind of await storeKinds()) {
  describe(`platform sub-accounts (${kind})`, () => {
    let server: TestApp;
    let api: PlatformClient;
    before(async () => {
      server = await build(kind);
      api = platformClient(server, server.tenant.keys.test.secret);
    });
    after(() => server.close());

    test('an OWNED account is created LIVE with a 24-hex id, 24-character timestamps and the tenant country', async () => {
      const body = accountBody('OWNED', "Angie's lemonade stand");
      const created = await api.post('/v2/accounts', body);
      assert.equal(created.status, 200, created.text);
      assert.match(created.body.id, /^[0-9a-f]{24}$/);
      assert.match(created.body.created, ISO_24);
      assert.match(created.body.updated, ISO_24);
      assert.deepEqual(
        { type: created.body.type, email: created.body.email, public_profile: created.body.public_profile, country: created.body.country, status: created.body.status },
        { type: 'OWNED', email: body.email, public_profile: body.public_profile, country: 'ID', status: 'LIVE' },
      );
      const read = await api.get(`/v2/accounts/${created.body.id}`);
      assert.equal(read.text, created.text);
    });

    test('a MANAGED account starts INVITED; configurations make a CUSTOM account that starts LIVE', async () => {
      const managed = await api.post('/v2/accounts', accountBody('MANAGED'));
      assert.equal(managed.body.status, 'INVITED');
      const custom = await api.post('/v2/accounts', { email: uniqueEmail(), public_profile: { business_name: 'Custom' }, configurations: { has_dashboard: false, has_withdrawal: true } });
      assert.equal(custom.status, 200, custom.text);
      assert.equal(custom.body.type, 'CUSTOM');
      assert.equal(custom.body.status, 'LIVE');
      assert.deepEqual(custom.body.configurations, { has_dashboard: false, has_withdrawal: true });
    });

    test('both type and configurations answer TYPE_AND_CONFIGURATION_CONFLICT; neither answers API_VALIDATION_ERROR on type', async () => {
      const both = await api.post('/v2/accounts', { ...accountBody(), configurations: { has_dashboard: true } });
      assert.equal(both.status, 400);
      assert.equal(both.body.error_code, 'TYPE_AND_CONFIGURATION_CONFLICT');
      const neither = await api.post('/v2/accounts', { email: uniqueEmail(), public_profile: { business_name: 'x' } });
      assert.equal(neither.status, 400);
      assert.equal(neither.body.error_code, 'API_VALIDATION_ERROR');
      assert.deepEqual(neither.body.errors.map((e: { path: string }) => e.path), ['type']);
    });

    test('unknown configuration keys and non-boolean values answer INVALID_CONFIGURATION', async () => {
      for (const configurations of [{ has_everything: true }, { has_dashboard: 'yes' }, 'all', null]) {
        const answer = await api.post('/v2/accounts', { email: uniqueEmail(), public_profile: { business_name: 'x' }, configurations });
        assert.equal(answer.status, 400, JSON.stringify(configurations));
        assert.equal(answer.body.error_code, 'INVALID_CONFIGURATION', answer.text);
      }
    });

    test('each field rule answers API_VALIDATION_ERROR with errors[] naming its path', async () => {
      const cases: [unknown, string][] = [
        [{ ...accountBody(), email: 'a@b' }, 'email'],
        [{ ...accountBody(), email: `${'a'.repeat(545)}@example.com` }, 'email'],
        [{ ...accountBody(), email: 'not an address' }, 'email'],
        [{ type: 'OWNED', public_profile: { business_name: 'x' } }, 'email'],
        [{ ...accountBody(), type: 'PARTNER' }, 'type'],
        [{ ...accountBody(), public_profile: { business_name: '' } }, 'public_profile.business_name'],
        [{ ...accountBody(), public_profile: { business_name: 'x'.repeat(513) } }, 'public_profile.business_name'],
        [{ email: uniqueEmail(), type: 'OWNED' }, 'public_profile'],
        [{ ...accountBody(), nickname: 'x' }, 'nickname'],
      ];
      for (const [body, path] of cases) {
        const answer = await api.post('/v2/accounts', body);
        assert.equal(answer.status, 400, `${path}: ${answer.text}`);
        assert.equal(answer.body.error_code, 'API_VALIDATION_ERROR');
        assert.ok(answer.body.errors.some((e: { path: string }) => e.path === path), `${path}: ${answer.text}`);
      }
      const longest = await api.post('/v2/accounts', { ...accountBody(), email: `${'a'.repeat(540)}@example.com`, public_profile: { business_name: 'x'.repeat(512) } });
      assert.equal(longest.status, 200, longest.text);
    });

    test('malformed JSON answers INVALID_JSON_FORMAT; 404, 405, 413 and 415 come in the Xendit shape', async () => {
      const malformed = await api.postRaw('/v2/accounts', '{"email":');
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.error_code, 'INVALID_JSON_FORMAT');
      const missing = await api.get('/v2/accounts/0123456789abcdef01234567');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error_code, 'DATA_NOT_FOUND');
      const noRoute = await api.get('/balance/nowhere');
      assert.equal(noRoute.status, 404);
      assert.equal(noRoute.body.error_code, 'DATA_NOT_FOUND');
      const wrongMethod = await api.send('DELETE', '/v2/accounts');
      assert.equal(wrongMethod.status, 405);
      assert.equal(wrongMethod.body.error_code, 'METHOD_NOT_ALLOWED');
      const tooLarge = await api.postRaw('/transfers', JSON.stringify({ reference: 'x'.repeat(1_100_000) }));
      assert.equal(tooLarge.status, 413);
      assert.equal(tooLarge.body.error_code, 'PAYLOAD_TOO_LARGE');
      const wrongType = await api.send('POST', '/v2/accounts', undefined, { 'content-type': 'text/plain' }, 'hello');
      assert.equal(wrongType.status, 415);
      assert.equal(wrongType.body.error_code, 'UNSUPPORTED_MEDIA_TYPE');
    });

    test('Basic and Bearer secret keys work; none or a wrong one is 401 INVALID_API_KEY; a publishable key is 403 REQUEST_FORBIDDEN_ERROR', async () => {
      const bearer = await call(server, 'GET', '/v2/accounts', undefined, { key: server.tenant.keys.test.secret });
      assert.equal(bearer.status, 200);
      const none = await call(server, 'GET', '/v2/accounts');
      assert.equal(none.status, 401);
      assert.equal(none.body.error_code, 'INVALID_API_KEY');
      assert.match(none.headers.get('www-authenticate') ?? '', /^Basic/);
      const wrong = await platformClient(server, 'sk_test_nothing').get('/balance');
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error_code, 'INVALID_API_KEY');
      const publishable = await platformClient(server, server.tenant.keys.test.publishable).get('/v2/accounts');
      assert.equal(publishable.status, 403);
      assert.equal(publishable.body.error_code, 'REQUEST_FORBIDDEN_ERROR');
    });

    test('PATCH changes only the email and public profile it is given', async () => {
      const created = await api.post('/v2/accounts', accountBody());
      const email = uniqueEmail();
      const patched = await api.patch(`/v2/accounts/${created.body.id}`, { email, public_profile: { description: 'Fresh daily' } });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.email, email);
      assert.deepEqual(patched.body.public_profile, { business_name: 'Lemonade stand', description: 'Fresh daily' });
      assert.equal(patched.body.type, 'OWNED');
      assert.equal(patched.body.created, created.body.created);
      const invalid = await api.patch(`/v2/accounts/${created.body.id}`, { type: 'MANAGED' });
      assert.equal(invalid.status, 400);
      const unknown = await api.patch('/v2/accounts/0123456789abcdef01234567', { email });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error_code, 'DATA_NOT_FOUND');
    });

    test('x-idempotency-key and Idempotency-Key replay the first answer and create one account', async () => {
      for (const header of ['x-idempotency-key', 'idempotency-key']) {
        const key = randomUUID();
        const body = accountBody();
        const first = await api.post('/v2/accounts', body, { [header]: key });
        const retry = await api.post('/v2/accounts', body, { [header]: key });
        assert.equal(retry.status, 200);
        assert.equal(retry.headers.get('idempotent-replayed'), 'true');
        assert.equal(retry.text, first.text);
        const list = await api.get(`/v2/accounts?email=${encodeURIComponent(body.email)}`);
        assert.equal(list.body.data.length, 1);
        const other = await api.post('/v2/accounts', accountBody(), { [header]: key });
        assert.equal(other.status, 409);
        assert.equal(other.body.error_code, 'IDEMPOTENCY_ERROR');
      }
    });

    test('another tenant and the other mode see none of these accounts', async () => {
      const id = (await api.post('/v2/accounts', accountBody())).body.id;
      const other = await server.createTenant('other');
      for (const key of [other.keys.test.secret, server.tenant.keys.live.secret]) {
        const outsider = platformClient(server, key);
        assert.equal((await outsider.get(`/v2/accounts/${id}`)).status, 404);
        assert.equal((await outsider.patch(`/v2/accounts/${id}`, { email: uniqueEmail() })).status, 404);
        assert.ok(!(await outsider.get('/v2/accounts?limit=50')).body.data.some((a: { id: string }) => a.id === id));
        assert.equal((await outsider.get('/balance', { 'for-user-id': id })).status, 404);
      }
    });
  });
}
