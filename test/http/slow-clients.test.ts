import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { build, type TestServer } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

const TIMEOUT_MS = 300;
/** SPEC §9: "answered 408 and closed within a second or two of that limit". */
const CLOSE_WITHIN_MS = TIMEOUT_MS + 2000;

interface Trickled {
  /** Everything the server wrote before it closed the connection. */
  answer: string;
  /** From the first byte sent until the server closed the connection. */
  elapsedMs: number;
}

/**
 * Opens a raw connection, sends `head` at once, then one byte of `rest` every 100 ms (looping
 * over it when it runs out, so the client never finishes); resolves when the server closes
 * the connection.
 */
function trickle(baseUrl: string, head: string, rest: string): Promise<Trickled> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let started = 0;
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      started = performance.now();
      socket.write(head);
      timer = setInterval(() => {
        if (socket.writable) socket.write(rest[sent++ % rest.length]!);
      }, 100);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may reset a connection it closed while bytes were still coming: closed all the same.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      if (started === 0) return reject(new Error('never connected'));
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), elapsedMs: performance.now() - started });
    });
  });
}

test('SUBLEDGER_REQUEST_TIMEOUT_MS defaults to 30 s and is validated', () => {
  assert.equal(loadConfig({}).requestTimeoutMs, 30_000);
  assert.equal(loadConfig({ SUBLEDGER_REQUEST_TIMEOUT_MS: '1500' }).requestTimeoutMs, 1500);
  assert.throws(() => loadConfig({ SUBLEDGER_REQUEST_TIMEOUT_MS: '10' }), /SUBLEDGER_REQUEST_TIMEOUT_MS/);
});

for (const kind of await storeKinds()) {
  describe(`slow clients are cut off after SUBLEDGER_REQUEST_TIMEOUT_MS=${TIMEOUT_MS} (${kind})`, () => {
    let server: TestServer;
    before(async () => {
      server = await build(kind, { listen: true, env: { SUBLEDGER_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) } });
    });
    after(() => server.close());

    test('a body that trickles in answers 408 and the connection closes', async () => {
      const secret = server.tenant.keys.test.secret;
      const head =
        'POST /billing/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Authorization: Bearer ${secret}\r\nIdempotency-Key: trickle-1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`;
      const { answer, elapsedMs } = await trickle(server.baseUrl, head, ' ');
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.ok(elapsedMs < CLOSE_WITHIN_MS, `closed after ${Math.round(elapsedMs)} ms`);
      // Nothing was created from the half-sent body.
      const list = await fetch(`${server.baseUrl}/billing/accounts`, { headers: { authorization: `Bearer ${secret}` } });
      assert.equal(list.status, 200);
      assert.equal(((await list.json()) as { data: unknown[] }).data.length, 0);
    });

    test('headers that trickle in answer 408 and the connection closes, on an open route too', async () => {
      const { answer, elapsedMs } = await trickle(server.baseUrl, 'POST /oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: aaaaaaaaaaaaaaaa');
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.ok(elapsedMs < CLOSE_WITHIN_MS, `closed after ${Math.round(elapsedMs)} ms`);
    });

    test('a request sent in time is answered as usual on the same server', async () => {
      const response = await fetch(`${server.baseUrl}/healthz`);
      assert.equal(response.status, 200);
    });
  });
}
