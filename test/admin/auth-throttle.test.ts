import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_FAILURES, WINDOW_MS } from '../../src/admin/auth-throttle.js';
import { call, type ApiResponse } from '../support/http.js';
import { assertProblemAt } from '../support/problems.js';
import { ADMIN_TOKEN, build, type TestApp } from '../support/server.js';
import { storeKinds } from '../support/stores.js';

// SPEC §9 "Guessing is throttled": more than 20 failed admin-token or console sign-ins from one
// client address within a minute, and every further admin or console authentication from that
// address answers 429 with Retry-After until the minute is over, a correct token too. The client
// address is the socket's, or X-Forwarded-For's only behind a proxy SUBLEDGER_TRUST_PROXY names.
// The window's clock is the throttle's own (`authThrottle.now`): moved here, never waited for.

const WRONG = 'wrong-admin-token-0123456789-abcdefghij';

/** The admin API (or the console's sign-in) as seen from `address`, through a proxy the server trusts. */
function from(server: TestApp, address: string | undefined) {
  const headers: Record<string, string> = address ? { 'x-forwarded-for': address } : {};
  return {
    admin: (token: string | null) => call(server, 'GET', '/admin/v1/tenants', undefined, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } }),
    signIn: (token: string) => call(server, 'POST', '/console/api/session', { token }, { headers: { ...headers, origin: server.origin } }),
    session: () => call(server, 'GET', '/console/api/session', undefined, { headers }),
  };
}

function assertThrottled(answer: ApiResponse, maxSeconds = WINDOW_MS / 1000): number {
  assertProblemAt('/docs/errors/admin', answer, 429, 'rate-limited');
  const retryAfter = Number(answer.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= maxSeconds, `Retry-After ${answer.headers.get('retry-after')}`);
  return retryAfter;
}

for (const kind of await storeKinds()) {
  describe(`guessing the admin token is throttled per client address (${kind})`, () => {
    let server: TestApp;
    let now: number;
    before(async () => {
      server = await build(kind, { env: { SUBLEDGER_TRUST_PROXY: '127.0.0.1' } });
      now = Date.now();
      server.services.authThrottle.now = () => now;
    });
    after(() => server.close());

    test('21 wrong tokens answer 401; then the correct token, the console sign-in and its session all answer 429 with Retry-After', async () => {
      const attacker = from(server, '198.51.100.1');
      for (let i = 0; i <= MAX_FAILURES; i++) {
        const answer = await attacker.admin(WRONG);
        assert.equal(answer.status, 401, `guess ${i + 1}: ${answer.text}`);
      }
      assertThrottled(await attacker.admin(ADMIN_TOKEN));
      assertThrottled(await attacker.signIn(ADMIN_TOKEN));
      assertThrottled(await attacker.session());
      assertThrottled(await attacker.admin(null));
      assertThrottled(await call(server, 'GET', '/console/tenants', undefined, { headers: { 'x-forwarded-for': '198.51.100.1' } }));
    });

    test('another address is not affected', async () => {
      assert.equal((await from(server, '198.51.100.2').admin(ADMIN_TOKEN)).status, 200);
      assert.equal((await from(server, '2001:db8::1').signIn(ADMIN_TOKEN)).status, 200);
    });

    test('Retry-After counts down to the end of the minute; then the address may authenticate again', async () => {
      const attacker = from(server, '198.51.100.1');
      const first = assertThrottled(await attacker.admin(ADMIN_TOKEN));
      now += 30_000;
      const later = assertThrottled(await attacker.admin(ADMIN_TOKEN));
      assert.ok(later <= first - 29, `Retry-After went from ${first} to ${later} after 30 s`);
      now += later * 1000;
      const again = await attacker.admin(ADMIN_TOKEN);
      assert.equal(again.status, 200, again.text);
    });

    test('failed console sign-ins count too, and a missing token is no guess', async () => {
      const guesser = from(server, '198.51.100.3');
      for (let i = 0; i < 30; i++) assert.equal((await guesser.admin(null)).status, 401);
      assert.equal((await guesser.admin(ADMIN_TOKEN)).status, 200, 'requests without a token are not counted');
      for (let i = 0; i <= MAX_FAILURES; i++) assert.equal((await guesser.signIn(WRONG)).status, 401, `sign-in ${i + 1}`);
      assertThrottled(await guesser.admin(ADMIN_TOKEN));
      assertThrottled(await guesser.signIn(ADMIN_TOKEN));
    });

    test('a wrong credential in another scheme is a guess too', async () => {
      const headers = { 'x-forwarded-for': '198.51.100.5' };
      for (let i = 0; i <= MAX_FAILURES; i++) {
        const scheme = i % 2 === 0 ? `Basic ${Buffer.from(`${WRONG}:`).toString('base64')}` : WRONG;
        assert.equal((await call(server, 'GET', '/admin/v1/tenants', undefined, { headers: { ...headers, authorization: scheme } })).status, 401);
      }
      assertThrottled(await from(server, '198.51.100.5').admin(ADMIN_TOKEN));
    });

    test('20 failures are not yet throttled: the 21st failure is what locks the address', async () => {
      const guesser = from(server, '198.51.100.4');
      for (let i = 0; i < MAX_FAILURES; i++) assert.equal((await guesser.admin(WRONG)).status, 401);
      assert.equal((await guesser.admin(ADMIN_TOKEN)).status, 200, 'after 20 failures the correct token still works');
      assert.equal((await guesser.admin(WRONG)).status, 401);
      assertThrottled(await guesser.admin(ADMIN_TOKEN));
    });
  });

  describe(`without a trusted proxy, X-Forwarded-For is no way around the throttle (${kind})`, () => {
    let server: TestApp;
    let other: TestApp;
    before(async () => {
      server = await build(kind);
      // Another process on the same database: it counts the same failures.
      other = await build(kind, { database: server.database });
    });
    after(async () => {
      await other.close();
      await server.close();
    });

    test('guesses with a new X-Forwarded-For each time still count against the socket address, in every process', async () => {
      for (let i = 0; i <= MAX_FAILURES; i++) {
        const answer = await from(server, `203.0.113.${i + 1}`).admin(WRONG);
        assert.equal(answer.status, 401, answer.text);
      }
      assertThrottled(await from(server, '203.0.113.200').admin(ADMIN_TOKEN));
      assertThrottled(await from(other, undefined).admin(ADMIN_TOKEN));
      assertThrottled(await from(other, undefined).signIn(ADMIN_TOKEN));
    });
  });
}
