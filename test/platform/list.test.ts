import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { accountBody, platformClient, type PlatformClient } from './platform-api.js';

for (const kind of await storeKinds()) {
  describe(`platform account lists (${kind})`, () => {
    let server: TestApp;
    let api: PlatformClient;
    const ids: string[] = [];
    before(async () => {
      server = await build(kind);
      api = platformClient(server, server.tenant.keys.test.secret);
      for (let i = 0; i < 23; i += 1) {
        const created = await api.post('/v2/accounts', accountBody(i % 3 === 0 ? 'MANAGED' : 'OWNED', i % 2 === 0 ? 'Even shop' : 'Odd shop'));
        ids.push(created.body.id);
      }
    });
    after(() => server.close());

    test('limit defaults to 10 and accepts 1–50; outside that is API_VALIDATION_ERROR', async () => {
      assert.equal((await api.get('/v2/accounts')).body.data.length, 10);
      assert.equal((await api.get('/v2/accounts?limit=1')).body.data.length, 1);
      assert.equal((await api.get('/v2/accounts?limit=50')).body.data.length, 23);
      for (const limit of ['0', '51', 'ten']) {
        const answer = await api.get(`/v2/accounts?limit=${limit}`);
        assert.equal(answer.status, 400, limit);
        assert.equal(answer.body.error_code, 'API_VALIDATION_ERROR');
        assert.equal(answer.body.errors[0].path, 'limit');
      }
    });

    test('following links next walks every account once, newest first, and prev walks back', async () => {
      const seen: string[] = [];
      let path = '/v2/accounts?limit=4';
      const pages: string[] = [];
      for (;;) {
        const page = await api.get(path);
        assert.equal(page.status, 200, page.text);
        pages.push(path);
        seen.push(...page.body.data.map((a: { id: string }) => a.id));
        const next = page.body.links.find((l: { rel: string }) => l.rel === 'next');
        assert.equal(Boolean(next), page.body.has_more);
        if (!next) break;
        assert.equal(next.method, 'GET');
        path = next.href;
      }
      assert.deepEqual(seen, [...ids].reverse());
      // From the last page back to the first through prev links.
      const back: string[] = [];
      let current = await api.get(path);
      for (;;) {
        back.unshift(...current.body.data.map((a: { id: string }) => a.id));
        const prev = current.body.links.find((l: { rel: string }) => l.rel === 'prev');
        if (!prev) break;
        current = await api.get(prev.href);
      }
      assert.deepEqual(back, seen);
    });

    test('after_id and before_id name the neighbouring items; an unknown one is API_VALIDATION_ERROR', async () => {
      const newestFirst = [...ids].reverse();
      const after = await api.get(`/v2/accounts?limit=3&after_id=${newestFirst[4]}`);
      assert.deepEqual(after.body.data.map((a: { id: string }) => a.id), newestFirst.slice(5, 8));
      const beforeIt = await api.get(`/v2/accounts?limit=3&before_id=${newestFirst[4]}`);
      assert.deepEqual(beforeIt.body.data.map((a: { id: string }) => a.id), newestFirst.slice(1, 4));
      const unknown = await api.get('/v2/accounts?after_id=0123456789abcdef01234567');
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.errors[0].path, 'after_id');
    });

    test('filters: email, status, type, business name, created and updated bounds', async () => {
      const all = (await api.get('/v2/accounts?limit=50')).body.data as { id: string; email: string; type: string; status: string; created: string; public_profile: { business_name: string } }[];
      const two = [all[0]!.email, all[5]!.email];
      const byEmail = await api.get(`/v2/accounts?email=${encodeURIComponent(two[0]!)}&email=${encodeURIComponent(two[1]!)}`);
      assert.deepEqual(byEmail.body.data.map((a: { email: string }) => a.email).sort(), [...two].sort());
      const commaSeparated = await api.get(`/v2/accounts?email=${encodeURIComponent(two.join(','))}`);
      assert.equal(commaSeparated.body.data.length, 2);
      const invited = await api.get('/v2/accounts?status=INVITED&limit=50');
      assert.deepEqual(invited.body.data.map((a: { id: string }) => a.id), all.filter((a) => a.status === 'INVITED').map((a) => a.id));
      const both = await api.get('/v2/accounts?status=INVITED,LIVE&limit=50');
      assert.equal(both.body.data.length, 23);
      const managed = await api.get('/v2/accounts?type=MANAGED&limit=50');
      assert.equal(managed.body.data.length, all.filter((a) => a.type === 'MANAGED').length);
      const even = await api.get('/v2/accounts?public_profile.business_name=Even%20shop&limit=50');
      assert.equal(even.body.data.length, 12);
      const middle = all[10]!.created;
      const since = await api.get(`/v2/accounts?created[gte]=${middle}&limit=50`);
      assert.ok(since.body.data.every((a: { created: string }) => a.created >= middle));
      assert.ok(since.body.data.length >= 11);
      const until = await api.get(`/v2/accounts?updated[lte]=${middle}&limit=50`);
      assert.ok(until.body.data.every((a: { updated: string }) => a.updated <= middle));
      assert.equal(since.body.data.length + until.body.data.length >= 23, true);
      assert.equal((await api.get('/v2/accounts?status=ASLEEP')).status, 400);
      assert.equal((await api.get('/v2/accounts?created[gte]=yesterday')).status, 400);
      assert.equal((await api.get('/v2/accounts?colour=red')).status, 400);
    });
  });
}
