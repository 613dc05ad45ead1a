import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { countJsonKeys, MAX_JSON_KEYS } from '../../src/http/json-body.js';
import { OPEN_ROUTE_BODY_LIMIT_BYTES } from '../../src/http/open-routes.js';
import { orgClient, injectedToken, newOAuthClient, type OrgApi } from '../org/org-client.js';
import { platformClient, uniqueEmail } from '../platform/platform-api.js';
import { failureShapeViolations } from '../reliability/surface-shapes.js';
import { call, type ApiResponse } from '../support/http.js';
import { ADMIN_TOKEN, build, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

// SPEC §9: bytes are checked (a JSON body that is not UTF-8 is 400 in the surface's shape and
// nothing is stored), no JSON body holds more than 10,000 keys (400), and the routes open to
// anyone read at most 16 KiB (413 at once, before parsing).

/** Latin-1 "é" (0xE9) alone: not UTF-8. */
const NOT_UTF8 = Buffer.from([0x43, 0x61, 0x66, 0xe9]);
const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** A JSON object whose `field` holds the given bytes, as raw bytes. */
function bodyWithBytes(fields: Record<string, unknown>, field: string, bytes: Buffer): Buffer {
  const marker = '@@BYTES@@';
  const [head, tail] = JSON.stringify({ ...fields, [field]: marker }).split(marker) as [string, string];
  return Buffer.concat([utf8(head), bytes, utf8(tail)]);
}

/** `keys` keys in all: `{ "a": [{ "k0": 0, … }, …] }`, 100 keys to an object. */
function manyKeys(keys: number): string {
  const objects: string[] = [];
  for (let left = keys - 1; left > 0; left -= 100) objects.push(`{${Array.from({ length: Math.min(100, left) }, (_, i) => `"k${i}":${i}`).join(',')}}`);
  return `{"a":[${objects.join(',')}]}`;
}

/** Sends raw bytes through inject (the whole fastify stack) and reads the answer as the test helpers do. */
async function sendBytes(server: TestServer, method: 'POST' | 'PUT', path: string, payload: Buffer, headers: Record<string, string>): Promise<ApiResponse> {
  const response = await server.app.inject({ method, url: path, headers: { host: new URL(server.origin).host, 'content-type': 'application/json', ...headers }, payload });
  const headerBag = new Headers();
  for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headerBag.set(name, String(value));
  let body: unknown = response.payload;
  try {
    body = JSON.parse(response.payload);
  } catch {
    // not JSON
  }
  return { status: response.statusCode, headers: headerBag, body, text: response.payload };
}

function assertShaped(response: ApiResponse, path: string, status: number): void {
  assert.equal(response.status, status, `${path}: ${response.text}`);
  assert.deepEqual(failureShapeViolations(response, path), [], `${path}: ${response.text}`);
}

/** Resolves with what the server wrote and whether it closed, once it has answered or closed. */
function rawExchange(baseUrl: string, request: string): Promise<{ answer: string; closed: boolean }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, closed: true }));
  });
}

test('countJsonKeys counts keys outside strings only, and stops past its limit', () => {
  assert.equal(countJsonKeys(utf8('{"a":1,"b":{"c":"x:y","d\\":":[{"e":2}]}}')), 5);
  assert.equal(countJsonKeys(utf8('["a:b", ":"]')), 0);
  assert.equal(countJsonKeys(utf8(manyKeys(MAX_JSON_KEYS + 1))), MAX_JSON_KEYS + 1);
  assert.equal(countJsonKeys(utf8(manyKeys(MAX_JSON_KEYS))), MAX_JSON_KEYS);
  assert.equal(countJsonKeys(utf8(manyKeys(50_000)), 10), 11);
});

for (const kind of await storeKinds()) {
  describe(`bytes, keys and open-route bodies (${kind})`, () => {
    let server: TestServer;
    let secret: string;
    let org: OrgApi;
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    before(async () => {
      server = await build(kind, { listen: true });
      secret = server.tenant.keys.test.secret;
      org = orgClient(server, await injectedToken(server));
    });
    after(() => server.close());

    describe('a JSON body that is not UTF-8 is 400 in the surface shape, and nothing is stored', () => {
      test('billing: POST /billing/accounts', async () => {
        const payload = bodyWithBytes({ external_reference: 'utf8-billing', customer: 'c' }, 'name', NOT_UTF8);
        const answer = await sendBytes(server, 'POST', '/billing/accounts', payload, { authorization: `Bearer ${secret}`, 'idempotency-key': 'utf8-billing' });
        assertShaped(answer, '/billing/accounts', 400);
        assert.match(answer.text, /UTF-8/);
        const list = await call(server, 'GET', '/billing/accounts', undefined, { key: secret });
        assert.equal(list.body.data.length, 0, list.text);
      });

      test('platform: POST /v2/accounts', async () => {
        const payload = Buffer.concat([utf8(`{"email":"${uniqueEmail()}","type":"OWNED","public_profile":{"business_name":"`), NOT_UTF8, utf8('"}}')]);
        const answer = await sendBytes(server, 'POST', '/v2/accounts', payload, {
          authorization: `Basic ${Buffer.from(`${secret}:`).toString('base64')}`,
        });
        assertShaped(answer, '/v2/accounts', 400);
        const list = await platformClient(server, secret).get('/v2/accounts');
        assert.equal(list.status, 200, list.text);
        assert.equal(list.body.data.length, 0, list.text);
      });

      test('org: POST /v1/accounts', async () => {
        const token = await injectedToken(server);
        const payload = bodyWithBytes({ currencyCode: 'USD' }, 'name', NOT_UTF8);
        const answer = await sendBytes(server, 'POST', '/v1/accounts', payload, { authorization: `Bearer ${token}` });
        assertShaped(answer, '/v1/accounts', 400);
        assert.equal(answer.body.code, 3);
        const list = await org.get('/v1/accounts');
        assert.equal(list.body.accounts?.length ?? 0, 0, list.text);
      });

      test('admin: POST /admin/v1/tenants', async () => {
        const before = await call(server, 'GET', '/admin/v1/tenants', undefined, { headers: admin });
        const answer = await sendBytes(server, 'POST', '/admin/v1/tenants', bodyWithBytes({}, 'name', NOT_UTF8), admin);
        assertShaped(answer, '/admin/v1/tenants', 400);
        const after = await call(server, 'GET', '/admin/v1/tenants', undefined, { headers: admin });
        assert.equal(after.body.data.length, before.body.data.length, after.text);
      });

      test('org token endpoint: a form body whose bytes, or percent-decoded bytes, are not UTF-8', async () => {
        const credentials = await newOAuthClient(server);
        for (const form of [
          Buffer.concat([utf8(`grant_type=client_credentials&client_id=${credentials.clientId}&client_secret=`), NOT_UTF8]),
          utf8(`grant_type=client_credentials&client_id=${credentials.clientId}&client_secret=%E9`),
        ]) {
          const answer = await sendBytes(server, 'POST', '/oauth2/token', form, { 'content-type': 'application/x-www-form-urlencoded' });
          assertShaped(answer, '/oauth2/token', 400);
          assert.equal(answer.body.error, 'invalid_request');
        }
      });

      test('valid multi-byte UTF-8 is stored as sent', async () => {
        const payload = bodyWithBytes({ external_reference: 'utf8-ok' }, 'name', utf8('Café ☕ 𝄞'));
        const answer = await sendBytes(server, 'POST', '/billing/customers', payload, { authorization: `Bearer ${secret}`, 'idempotency-key': 'utf8-ok' });
        assert.equal(answer.status, 201, answer.text);
        assert.equal(answer.body.name, 'Café ☕ 𝄞');
      });
    });

    describe(`a JSON body of more than ${MAX_JSON_KEYS} keys in all is 400 in the surface shape`, () => {
      const tooMany = manyKeys(MAX_JSON_KEYS + 1);
      const cases: [string, string, Record<string, string> | (() => Record<string, string>)][] = [
        ['billing', '/billing/accounts', () => ({ authorization: `Bearer ${secret}`, 'idempotency-key': `keys-${Math.random()}` })],
        ['platform', '/v2/accounts', () => ({ authorization: `Basic ${Buffer.from(`${secret}:`).toString('base64')}` })],
        ['admin', '/admin/v1/tenants', admin],
        ['testing', '/testing/v1/clock/advance', () => ({ authorization: `Bearer ${secret}` })],
      ];
      for (const [surface, path, headersOf] of cases) {
        test(`${surface}: POST ${path}`, async () => {
          const headers = typeof headersOf === 'function' ? headersOf() : headersOf;
          const answer = await sendBytes(server, 'POST', path, utf8(tooMany), headers);
          assertShaped(answer, path, 400);
          assert.match(answer.text, /10000 keys/);
        });
      }

      test('org: POST /v1/accounts, and the token endpoint', async () => {
        const token = await injectedToken(server);
        const answer = await sendBytes(server, 'POST', '/v1/accounts', utf8(tooMany), { authorization: `Bearer ${token}` });
        assertShaped(answer, '/v1/accounts', 400);
        assert.equal(answer.body.code, 3);
        assert.match(answer.text, /10000 keys/);
      });

      test(`exactly ${MAX_JSON_KEYS} keys are not refused for their number`, async () => {
        const answer = await sendBytes(server, 'POST', '/billing/accounts', utf8(manyKeys(MAX_JSON_KEYS)), { authorization: `Bearer ${secret}`, 'idempotency-key': 'keys-exact' });
        assertShaped(answer, '/billing/accounts', 400);
        assert.doesNotMatch(answer.text, /keys in all/);
      });
    });

    describe(`open routes read at most ${OPEN_ROUTE_BODY_LIMIT_BYTES / 1024} KiB`, () => {
      const big = (bytes: number) => `grant_type=client_credentials&scope=${'a'.repeat(bytes)}`;

      test('POST /oauth2/token and POST /console/api/session over the limit answer 413 in their shapes', async () => {
        const token = await sendBytes(server, 'POST', '/oauth2/token', utf8(big(OPEN_ROUTE_BODY_LIMIT_BYTES)), { 'content-type': 'application/x-www-form-urlencoded' });
        assertShaped(token, '/oauth2/token', 413);
        assert.equal(token.body.error, 'invalid_request');
        const signIn = await sendBytes(server, 'POST', '/console/api/session', utf8(JSON.stringify({ token: 'x'.repeat(OPEN_ROUTE_BODY_LIMIT_BYTES) })), { origin: server.origin });
        assertShaped(signIn, '/console/api/session', 413);
      });

      test('a Content-Length over the limit is answered 413 before the body is sent, and the connection closes', async () => {
        for (const path of ['/oauth2/token', '/console/api/session']) {
          const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${1024 * 1024}\r\n\r\n`;
          // No byte of the body is ever sent: the answer cannot wait for it.
          const { answer, closed } = await rawExchange(server.baseUrl, head);
          assert.match(answer, /^HTTP\/1\.1 413 /, `${path}: ${answer}`);
          assert.ok(closed);
        }
      });

      test('a chunked body over the limit answers 413 too', async () => {
        const answer = await fetch(`${server.baseUrl}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new ReadableStream<Uint8Array>({
            start(controller) {
              for (let i = 0; i < 8; i++) controller.enqueue(utf8('a'.repeat(4096)));
              controller.close();
            },
          }),
          duplex: 'half',
        } as RequestInit & { duplex: 'half' });
        assert.equal(answer.status, 413, await answer.text());
      });

      test('a body under the limit is not refused for its size', async () => {
        const answer = await call(server, 'POST', '/oauth2/token', undefined, { rawBody: big(OPEN_ROUTE_BODY_LIMIT_BYTES - 100), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assert.notEqual(answer.status, 413, answer.text);
        assert.doesNotMatch(answer.text, /KiB/);
      });

      test('authenticated routes still take bodies up to 1 MiB', async () => {
        const answer = await call(server, 'POST', '/billing/accounts', { external_reference: 'big-but-fine', customer: 'c', name: 'n', metadata: { note: 'a'.repeat(100_000) } }, { key: secret, idempotencyKey: 'big-but-fine' });
        assert.notEqual(answer.status, 413, answer.text);
      });
    });
  });
}
