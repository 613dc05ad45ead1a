import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { RETIRED_KEY_GRACE_MS, rotateSigningKey } from '../../src/surfaces/org/store/signing-keys.js';
import { call } from '../support/http.js';
import { build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';
import { injectedToken, orgClient } from './org-client.js';

// SPEC §9: after a rotation the previous key is published and accepted until its last token
// has expired, and no longer. The rotation is dated in the past here instead of waiting an hour.

for (const kind of await storeKinds()) {
  describe(`a rotated signing key (${kind})`, () => {
    let server: TestApp;
    before(async () => {
      server = await build(kind);
    });
    after(() => server.close());

    const jwksKids = async () => ((await call(server, 'GET', '/.well-known/jwks.json')).body.keys as { kid: string }[]).map((key) => key.kid);

    test('rotated within the hour: both keys published, both tokens work; page tokens survive the rotation', async () => {
      const old = await injectedToken(server);
      const api = orgClient(server, old);
      for (const name of ['rot-a', 'rot-b']) assert.equal((await api.post('/v1/accounts', { name, currencyCode: 'USD' })).status, 200);
      const page = await api.get('/v1/accounts?pageSize=1');
      assert.ok(page.body.nextPageToken, page.text);

      const rotated = await rotateSigningKey(server.services.store);
      server.services.authenticator.forgetAll();
      assert.deepEqual(await jwksKids(), [rotated.kid, rotated.previousKid]);
      const fresh = await injectedToken(server);
      assert.equal(decodeProtectedHeader(fresh).kid, rotated.kid);
      assert.equal((await orgClient(server, fresh).get('/v1/accounts')).status, 200);
      assert.equal((await api.get('/v1/accounts')).status, 200, 'the previous key’s token still works');
      const next = await orgClient(server, fresh).get(`/v1/accounts?pageSize=1&pageToken=${encodeURIComponent(page.body.nextPageToken)}`);
      assert.equal(next.status, 200, `a page token from before the rotation: ${next.text}`);
    });

    test('once the previous key’s last token has expired, it leaves the JWKS and its tokens are refused (unknown kid)', async () => {
      const old = await injectedToken(server);
      const oldKid = decodeProtectedHeader(old).kid!;
      // Rotated longer ago than a token lives (plus the grace): every token of the old key has expired.
      const rotated = await rotateSigningKey(server.services.store, new Date(Date.now() - RETIRED_KEY_GRACE_MS - 1000).toISOString());
      server.services.authenticator.forgetAll();
      assert.equal(rotated.previousKid, oldKid);
      const kids = await jwksKids();
      assert.equal(kids[0], rotated.kid, 'the new key signs');
      assert.ok(!kids.includes(oldKid), `the expired key is no longer published: ${kids.join(', ')}`);
      const refused = await orgClient(server, old).get('/v1/accounts');
      assert.equal(refused.status, 401, refused.text);
      assert.match(refused.body.message, /kid/);
    });
  });
}
