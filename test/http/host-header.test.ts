import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { callExactly, type ExactAnswer } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

// SPEC §9 "The Host header steers nothing": the absolute URLs we write (problem `type`s) and
// the console's origin check come from SUBLEDGER_PUBLIC_URL, else the address the connection
// reached; Host and X-Forwarded-* count only from a proxy SUBLEDGER_TRUST_PROXY names. Behind
// a trusted TLS proxy (or an https public URL) the console's cookie is Secure. Over real
// sockets, with the Host header a client chooses.

const EVIL = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };
const setCookieOf = (answer: ExactAnswer) => String(answer.headers['set-cookie'] ?? '');

for (const kind of await storeKinds()) {
  describe(`no SUBLEDGER_PUBLIC_URL, no trusted proxy (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await build(kind, { listen: true });
    });
    after(() => server.close());

    test('Host: evil.example (and X-Forwarded-*) change no problem type: they stay on the address the connection reached', async () => {
      for (const path of ['/billing/accounts', '/admin/v1/tenants', '/nowhere']) {
        const plain = await callExactly(server.baseUrl, 'GET', path, {});
        const forged = await callExactly(server.baseUrl, 'GET', path, EVIL);
        assert.equal(forged.status, plain.status, path);
        assert.ok(String(forged.body.type).startsWith(`${server.baseUrl}/docs/errors`), `${path}: ${forged.body.type}`);
        assert.equal(forged.body.type, plain.body.type, path);
      }
    });

    test("the console's origin check is against the service's own origin, not the Host; its cookie is not Secure over plain HTTP", async () => {
      const fromEvil = await callExactly(server.baseUrl, 'POST', '/console/api/session', { host: 'evil.example', origin: 'http://evil.example' }, { token: ADMIN_TOKEN });
      assert.equal(fromEvil.status, 403, JSON.stringify(fromEvil.body));
      const forwarded = await callExactly(server.baseUrl, 'POST', '/console/api/session', { ...EVIL, origin: 'https://evil.example' }, { token: ADMIN_TOKEN });
      assert.equal(forwarded.status, 403, 'X-Forwarded-* of an untrusted peer are not believed');
      const own = await callExactly(server.baseUrl, 'POST', '/console/api/session', { host: 'evil.example', origin: server.baseUrl }, { token: ADMIN_TOKEN });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.doesNotMatch(setCookieOf(own), /Secure/i);
      const spoofedTls = await callExactly(server.baseUrl, 'POST', '/console/api/session', { 'x-forwarded-proto': 'https', origin: server.baseUrl }, { token: ADMIN_TOKEN });
      assert.equal(spoofedTls.status, 200);
      assert.doesNotMatch(setCookieOf(spoofedTls), /Secure/i, 'X-Forwarded-Proto of an untrusted peer does not make the cookie Secure');
    });
  });

  describe(`SUBLEDGER_PUBLIC_URL=https://ledger.example.com (${kind})`, () => {
    let server: TestServer;
    const PUBLIC = 'https://ledger.example.com';
    before(async () => {
      server = await build(kind, { listen: true, env: { SUBLEDGER_PUBLIC_URL: `${PUBLIC}/` } });
    });
    after(() => server.close());

    test('problem types are on the public URL whatever the Host says', async () => {
      for (const headers of [{}, EVIL]) {
        const answer = await callExactly(server.baseUrl, 'GET', '/billing/accounts', headers);
        assert.equal(answer.body.type, `${PUBLIC}/docs/errors#unauthorized`, JSON.stringify(answer.body));
      }
    });

    test('the console accepts its public origin only, and its cookie is Secure', async () => {
      const local = await callExactly(server.baseUrl, 'POST', '/console/api/session', { origin: server.baseUrl }, { token: ADMIN_TOKEN });
      assert.equal(local.status, 403, 'the listening address is not the console’s origin behind a public URL');
      const own = await callExactly(server.baseUrl, 'POST', '/console/api/session', { host: 'evil.example', origin: PUBLIC }, { token: ADMIN_TOKEN });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.match(setCookieOf(own), /;\s*Secure/i);
      assert.match(setCookieOf(own), /HttpOnly/i);
    });
  });

  describe(`SUBLEDGER_TRUST_PROXY naming the proxy (${kind})`, () => {
    let trusted: TestServer;
    let untrusted: TestServer;
    before(async () => {
      // The test connects from 127.0.0.1: the proxy, for the first; not one, for the second.
      trusted = await build(kind, { listen: true, env: { SUBLEDGER_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' } });
      untrusted = await build(kind, { listen: true, env: { SUBLEDGER_TRUST_PROXY: '10.0.0.0/8,::2' } });
    });
    after(async () => {
      await trusted.close();
      await untrusted.close();
    });

    const TLS_PROXY = { host: 'internal:4000', 'x-forwarded-host': 'ledger.example.com', 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' };

    test('a trusted TLS proxy’s X-Forwarded-Proto and -Host make the origin: problem types, console origin, Secure cookie', async () => {
      const problem = await callExactly(trusted.baseUrl, 'GET', '/billing/accounts', TLS_PROXY);
      assert.equal(problem.body.type, 'https://ledger.example.com/docs/errors#unauthorized');
      const signIn = await callExactly(trusted.baseUrl, 'POST', '/console/api/session', { ...TLS_PROXY, origin: 'https://ledger.example.com' }, { token: ADMIN_TOKEN });
      assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
      assert.match(setCookieOf(signIn), /;\s*Secure/i);
    });

    test('a peer the list does not name gets no say', async () => {
      const problem = await callExactly(untrusted.baseUrl, 'GET', '/billing/accounts', TLS_PROXY);
      assert.ok(String(problem.body.type).startsWith(`${untrusted.baseUrl}/docs/errors`), problem.body.type);
      const signIn = await callExactly(untrusted.baseUrl, 'POST', '/console/api/session', { ...TLS_PROXY, origin: 'https://ledger.example.com' }, { token: ADMIN_TOKEN });
      assert.equal(signIn.status, 403);
    });
  });
}

describe('SUBLEDGER_TRUST_PROXY and SUBLEDGER_PUBLIC_URL are checked at start', () => {
  const refused = (env: Record<string, string>, name: string) =>
    assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && error.message.includes(name));

  test('a list of addresses and CIDR ranges is read; anything else names the variable', () => {
    assert.deepEqual(loadConfig({ SUBLEDGER_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,fd00::/8' }).trustProxy, ['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    assert.deepEqual(loadConfig({}).trustProxy, []);
    for (const value of ['true', 'proxy.internal', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129']) refused({ SUBLEDGER_TRUST_PROXY: value }, 'SUBLEDGER_TRUST_PROXY');
  });

  test('the public URL is an http(s) origin: no path, query or user', () => {
    assert.equal(loadConfig({ SUBLEDGER_PUBLIC_URL: 'https://ledger.example.com/' }).publicUrl, 'https://ledger.example.com');
    assert.equal(loadConfig({ SUBLEDGER_PUBLIC_URL: 'http://10.0.0.5:4000' }).publicUrl, 'http://10.0.0.5:4000');
    for (const value of ['ledger.example.com', 'ftp://ledger.example.com', 'https://ledger.example.com/api', 'https://u:p@ledger.example.com', 'https://ledger.example.com/?x=1']) {
      refused({ SUBLEDGER_PUBLIC_URL: value }, 'SUBLEDGER_PUBLIC_URL');
    }
  });
});
