import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call } from '../support/http.js';
import { storeKinds } from '../support/stores.js';
import { orgApiOf, orgSuite, uniqueName, usd } from './org-client.js';

// BidZenith organization accounts (SPEC §5, seed 003): create, get, list with signed page
// tokens, full-replace PUT; failures in the gRPC-transcoding shape.

const low = (units: number, email = 'alerts@example.com') => ({ hasNotification: true, notificationEmail: email, threshold: usd(units) });

for (const kind of await storeKinds()) {
  describe(`org accounts (${kind})`, () => {
    const suite = orgSuite(kind);

    test('create answers 200 { account } with a zero balance in its currency, and get reads it back', async () => {
      const name = uniqueName();
      const created = await suite.api.post('/v1/accounts', { name, description: 'Q1 spend', currencyCode: 'GBP', lowBalance: { ...low(5), threshold: { currencyCode: 'GBP', units: '5', nanos: 0 } } });
      assert.equal(created.status, 200, created.text);
      const account = created.body.account;
      assert.match(account.accountId, /^oacc_[0-9A-Za-z]{21}$/);
      assert.equal(account.name, name);
      assert.equal(account.description, 'Q1 spend');
      assert.deepEqual(account.balance, { currencyCode: 'GBP', units: '0', nanos: 0 });
      assert.deepEqual(account.lowBalance, { hasNotification: true, notificationEmail: 'alerts@example.com', threshold: { currencyCode: 'GBP', units: '5', nanos: 0 } });
      assert.match(account.createTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(account.updateTime, account.createTime);
      const read = await suite.api.get(`/v1/accounts/${account.accountId}`);
      assert.equal(read.status, 200);
      assert.deepEqual(read.body, created.body);
    });

    test('reads answer byte for byte what the writes answered (same fields, same order)', async () => {
      const created = await suite.api.post('/v1/accounts', { name: uniqueName(), description: 'd', currencyCode: 'USD', lowBalance: low(5) });
      const id = created.body.account.accountId;
      assert.equal((await suite.api.get(`/v1/accounts/${id}`)).text, created.text);
      const posted = await suite.api.post(`/v1/accounts/${id}/transactions`, { amount: usd(5), description: 'x', topup: { reference: 'r', paymentType: 'API' } });
      const listed = await suite.api.get(`/v1/accounts/${id}/transactions`);
      assert.equal(JSON.stringify(listed.body.transactions[0]), JSON.stringify(posted.body.transaction));
      assert.ok(listed.text.includes(JSON.stringify(posted.body.transaction)));
    });

    test('a duplicate name in the same tenant and mode answers 409 ALREADY_EXISTS', async () => {
      const name = uniqueName();
      assert.equal((await suite.api.post('/v1/accounts', { name, currencyCode: 'USD' })).status, 200);
      const duplicate = await suite.api.post('/v1/accounts', { name, currencyCode: 'EUR' });
      assert.equal(duplicate.status, 409, duplicate.text);
      assert.equal(duplicate.body.code, 6);
      assert.equal(duplicate.body.details[0].fieldViolations[0].field, 'name');
    });

    test('create validation: name and currencyCode required, ISO 4217, threshold in the account currency, a valid e-mail, no unknown fields', async () => {
      const cases: [unknown, string][] = [
        [{ currencyCode: 'USD' }, 'name'],
        [{ name: uniqueName() }, 'currencyCode'],
        [{ name: uniqueName(), currencyCode: 'usd' }, 'currencyCode'],
        [{ name: uniqueName(), currencyCode: 'ABC' }, 'currencyCode'],
        [{ name: '', currencyCode: 'USD' }, 'name'],
        [{ name: '   ', currencyCode: 'USD' }, 'name'],
        [{ name: uniqueName(), currencyCode: 'EUR', lowBalance: low(5) }, 'lowBalance.threshold.currencyCode'],
        [{ name: uniqueName(), currencyCode: 'USD', lowBalance: low(5, 'not-an-address') }, 'lowBalance.notificationEmail'],
        [{ name: uniqueName(), currencyCode: 'USD', lowBalance: { hasNotification: true, threshold: usd(1) } }, 'lowBalance.notificationEmail'],
        [{ name: uniqueName(), currencyCode: 'USD', lowBalance: { ...low(1), threshold: { currencyCode: 'USD', units: '1', nanos: -5 } } }, 'lowBalance.threshold.nanos'],
        [{ name: uniqueName(), currencyCode: 'USD', balance: usd(100) }, 'balance'],
      ];
      for (const [body, field] of cases) {
        const answer = await suite.api.post('/v1/accounts', body);
        assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.text}`);
        assert.equal(answer.body.code, 3);
        assert.equal(answer.body.details[0]['@type'], 'type.googleapis.com/google.rpc.BadRequest');
        assert.ok(answer.body.details[0].fieldViolations.some((v: { field: string }) => v.field === field), `${JSON.stringify(body)} names ${field}: ${answer.text}`);
      }
    });

    test('PUT replaces name, description and lowBalance; omitted optional fields are cleared; the currency stays', async () => {
      const created = (await suite.api.post('/v1/accounts', { name: uniqueName(), description: 'old', currencyCode: 'USD', lowBalance: low(5) })).body.account;
      const name = uniqueName('Renamed');
      const replaced = await suite.api.put(`/v1/accounts/${created.accountId}`, { accountId: created.accountId, name });
      assert.equal(replaced.status, 200, replaced.text);
      assert.equal(replaced.body.account.name, name);
      assert.equal(replaced.body.account.description, undefined);
      assert.equal(replaced.body.account.lowBalance, undefined);
      assert.deepEqual(replaced.body.account.balance, usd(0));
      assert.equal(replaced.body.account.createTime, created.createTime);
      assert.ok(replaced.body.account.updateTime >= created.updateTime);
      // A client may send back what it read: output-only fields are ignored, the same currency is fine.
      const roundTrip = await suite.api.put(`/v1/accounts/${created.accountId}`, { ...replaced.body.account, currencyCode: 'USD', description: 'new' });
      assert.equal(roundTrip.status, 200, roundTrip.text);
      assert.equal(roundTrip.body.account.description, 'new');
      assert.deepEqual((await suite.api.get(`/v1/accounts/${created.accountId}`)).body, roundTrip.body);
    });

    test('PUT rules: body accountId must equal the path, a different currencyCode is 400, a taken name 409, an unknown id 404', async () => {
      const a = (await suite.api.post('/v1/accounts', { name: uniqueName(), currencyCode: 'USD' })).body.account;
      const b = (await suite.api.post('/v1/accounts', { name: uniqueName(), currencyCode: 'USD' })).body.account;
      const mismatch = await suite.api.put(`/v1/accounts/${a.accountId}`, { accountId: b.accountId, name: a.name });
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.body.details[0].fieldViolations[0].field, 'accountId');
      const currency = await suite.api.put(`/v1/accounts/${a.accountId}`, { accountId: a.accountId, name: a.name, currencyCode: 'EUR' });
      assert.equal(currency.status, 400);
      assert.equal(currency.body.details[0].fieldViolations[0].field, 'currencyCode');
      const missing = await suite.api.put(`/v1/accounts/${a.accountId}`, { name: a.name });
      assert.equal(missing.status, 400);
      const taken = await suite.api.put(`/v1/accounts/${a.accountId}`, { accountId: a.accountId, name: b.name });
      assert.equal(taken.status, 409, taken.text);
      assert.equal(taken.body.code, 6);
      const unknown = await suite.api.put('/v1/accounts/oacc_0000000000000000000000', { accountId: 'oacc_0000000000000000000000', name: uniqueName() });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.code, 5);
      assert.equal((await suite.api.get(`/v1/accounts/${a.accountId}`)).body.account.name, a.name, 'nothing changed');
    });

    test('list pages newest first with pageSize and an opaque nextPageToken; a changed or foreign token answers 400', async () => {
      const fresh = await orgApiOf(suite.server, { mode: 'live' });
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push((await fresh.post('/v1/accounts', { name: uniqueName(), currencyCode: 'USD' })).body.account.accountId);
      const seen: string[] = [];
      let token = '';
      let pages = 0;
      do {
        const page = await fresh.get(`/v1/accounts?pageSize=2${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
        assert.equal(page.status, 200, page.text);
        assert.ok(page.body.accounts.length <= 2);
        seen.push(...page.body.accounts.map((a: { accountId: string }) => a.accountId));
        token = page.body.nextPageToken;
        pages += 1;
      } while (token);
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...ids].reverse());
      const first = await fresh.get('/v1/accounts?pageSize=2');
      const good = first.body.nextPageToken as string;
      const tampered = `${good.slice(0, 3)}${good[3] === 'A' ? 'B' : 'A'}${good.slice(4)}`;
      for (const bad of [tampered, 'garbage', `${good}x`, Buffer.from('oacc_0').toString('base64url')]) {
        const answer = await fresh.get(`/v1/accounts?pageToken=${encodeURIComponent(bad)}`);
        assert.equal(answer.status, 400, `${bad}: ${answer.text}`);
        assert.equal(answer.body.details[0].fieldViolations[0].field, 'pageToken');
      }
      // The token of one tenant-and-mode list does not open another's.
      assert.equal((await suite.api.get(`/v1/accounts?pageToken=${encodeURIComponent(good)}`)).status, 400);
      for (const size of ['0', '101', 'x']) assert.equal((await fresh.get(`/v1/accounts?pageSize=${size}`)).status, 400);
    });

    test('tenants and modes are isolated: another tenant or mode sees 404 for an id, and lists hold only their own', async () => {
      const mine = (await suite.api.post('/v1/accounts', { name: uniqueName(), currencyCode: 'USD' })).body.account;
      const other = await suite.server.createTenant('other');
      const otherApi = await orgApiOf(suite.server, { tenantId: other.tenant.id });
      const liveApi = await orgApiOf(suite.server, { mode: 'live' });
      for (const [who, client] of [['another tenant', otherApi], ['live mode', liveApi]] as const) {
        const read = await client.get(`/v1/accounts/${mine.accountId}`);
        assert.equal(read.status, 404, `${who}: ${read.text}`);
        assert.equal(read.body.code, 5);
        assert.equal((await client.put(`/v1/accounts/${mine.accountId}`, { accountId: mine.accountId, name: uniqueName() })).status, 404);
        assert.equal((await client.post(`/v1/accounts/${mine.accountId}/transactions`, { amount: usd(1), topup: { paymentType: 'API' } })).status, 404);
        assert.equal((await client.get(`/v1/accounts/${mine.accountId}/transactions`)).status, 404);
        const listed = await client.get('/v1/accounts?pageSize=100');
        assert.ok(!listed.body.accounts.some((a: { accountId: string }) => a.accountId === mine.accountId), who);
      }
      // The same name is free in another tenant and in the other mode.
      assert.equal((await otherApi.post('/v1/accounts', { name: mine.name, currencyCode: 'USD' })).status, 200);
      assert.equal((await liveApi.post('/v1/accounts', { name: mine.name, currencyCode: 'USD' })).status, 200);
    });

    test('unknown routes (404), wrong methods (405), oversized bodies (413), other media types (415) and malformed JSON come in the gRPC shape', async () => {
      const shapes: [Promise<{ status: number; body: any }>, number, number][] = [
        [suite.api.get('/v1/nothing-here'), 404, 5],
        [suite.api.get('/v1/accounts/oacc_0000000000000000000000'), 404, 5],
        [call(suite.server.baseUrl, 'DELETE', '/v1/accounts'), 405, 12],
        [suite.api.post('/v1/accounts', undefined, { rawBody: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10), currencyCode: 'USD' }) }), 413, 3],
        [suite.api.post('/v1/accounts', undefined, { rawBody: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 3],
        [suite.api.post('/v1/accounts', undefined, { rawBody: '{"name": ' }), 400, 3],
      ];
      for (const [pending, status, code] of shapes) {
        const answer = await pending;
        assert.equal(answer.status, status, JSON.stringify(answer.body));
        assert.equal(answer.body.code, code, JSON.stringify(answer.body));
        assert.equal(typeof answer.body.message, 'string');
        assert.ok(Array.isArray(answer.body.details));
      }
    });

    test('an Idempotency-Key replays the first answer and creates nothing twice', async () => {
      const key = `same-${Date.now()}`;
      const one = await suite.api.post('/v1/accounts', { name: uniqueName(), currencyCode: 'USD' }, { idempotencyKey: key });
      const replay = await suite.api.post('/v1/accounts', { name: one.body.account.name, currencyCode: 'USD' }, { idempotencyKey: key });
      assert.equal(replay.status, 200);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(replay.body, one.body);
      const reused = await suite.api.post('/v1/accounts', { name: uniqueName(), currencyCode: 'EUR' }, { idempotencyKey: key });
      assert.equal(reused.status, 409);
      assert.equal(reused.body.code, 10);
    });
  });
}
