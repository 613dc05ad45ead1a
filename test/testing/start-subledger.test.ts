import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startSubledger, type StartedSubledger } from '../../src/testing/start.js';
import { call, client, uniqueRef } from '../support/http.js';
import { waitFor } from '../support/wait.js';

// `startSubledger()` from the sources (SPEC §7). test/package/package.test.ts runs the same
// function as an installed package would.

/**
 * Runs `work` with os.tmpdir() pointing at a new empty directory (node reads TMPDIR on every
 * call), so the test sees exactly the databases startSubledger made and deleted there. The
 * tests of this file run one after another, so nothing else of this process reads it meanwhile.
 */
async function withPrivateTmpdir<T>(work: (directory: string) => Promise<T>): Promise<T> {
  const directory = mkdtempSync(join(tmpdir(), 'subledger-start-test-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = directory;
  try {
    return await work(directory);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(directory, { recursive: true, force: true });
  }
}

const started: StartedSubledger[] = [];
after(() => Promise.all(started.map((instance) => instance.stop())));
async function start(options?: Parameters<typeof startSubledger>[0]): Promise<StartedSubledger> {
  const instance = await startSubledger(options);
  started.push(instance);
  return instance;
}

describe('startSubledger()', () => {
  test('two instances in one process share nothing: own port, database, tenant and keys', async () => {
    await withPrivateTmpdir(async (directory) => {
      const [a, b] = await Promise.all([start(), start()]);
      assert.match(a.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.notEqual(a.url, b.url);
      assert.notEqual(a.tenant.id, b.tenant.id);
      // Each made its own database directory, with its SQLite file in it.
      const made = readdirSync(directory);
      assert.equal(made.length, 2);
      for (const name of made) assert.ok(existsSync(join(directory, name, 'subledger.db')), `${name} holds no subledger.db`);

      const ref = uniqueRef('CUS');
      const created = await client(a.url, a.tenant.keys.test.secret).post('/billing/customers', { external_reference: ref, name: 'Only in A' });
      assert.equal(created.status, 201, created.text);
      assert.equal((await client(a.url, a.tenant.keys.test.secret).get(`/billing/customers/${ref}`)).status, 200);
      assert.equal((await client(b.url, b.tenant.keys.test.secret).get(`/billing/customers/${ref}`)).status, 404);
      const listed = await client(b.url, b.tenant.keys.test.secret).get('/billing/customers');
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.body.data, []);
      // A's keys mean nothing to B.
      assert.equal((await client(b.url, a.tenant.keys.test.secret).get('/billing/customers')).status, 401);

      await Promise.all([a.stop(), b.stop()]);
      assert.deepEqual(readdirSync(directory), [], 'stop() deletes the database it made');
    });
  });

  test('the tenant has test and live keys of both kinds and a test-mode OAuth client of every org role', async () => {
    const sl = await start();
    const { test: testKeys, live } = sl.tenant.keys;
    assert.match(testKeys.secret, /^sk_test_/);
    assert.match(testKeys.publishable, /^pk_test_/);
    assert.match(live.secret, /^sk_live_/);
    assert.match(live.publishable, /^pk_live_/);
    assert.equal((await client(sl.url, live.secret).get('/billing/customers')).status, 200);
    // SPEC §1: a Xendit-format secret key of each mode, for Xendit's SDKs.
    assert.match(testKeys.xendit, /^xnd_development_/);
    assert.match(live.xendit, /^xnd_production_/);
    assert.equal((await client(sl.url, testKeys.xendit).get('/testing/v1/clock')).status, 200);

    const basic = Buffer.from(`${sl.tenant.oauthClient.client_id}:${sl.tenant.oauthClient.client_secret}`).toString('base64');
    const token = await call(sl.url, 'POST', '/oauth2/token', undefined, {
      rawBody: 'grant_type=client_credentials',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(token.status, 200, token.text);
    assert.deepEqual(token.body.scope.split(' ').sort(), ['accounts.read', 'accounts.write', 'transactions.read', 'transactions.write']);
    const accounts = await call(sl.url, 'GET', '/v1/accounts', undefined, { key: token.body.access_token });
    assert.equal(accounts.status, 200, accounts.text);
    await sl.stop();
  });

  test('the admin API is on with the given token, and the outbox worker delivers webhooks', async () => {
    const adminToken = 'given-admin-token-0123456789-abcdefgh';
    const sl = await start({ adminToken });
    assert.equal(sl.adminToken, adminToken);
    const received: { type: string }[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push(JSON.parse(body) as { type: string });
        response.end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    try {
      const address = receiver.address() as { port: number };
      const endpoint = await call(sl.url, 'POST', `/admin/v1/tenants/${sl.tenant.id}/webhook-endpoints`, { url: `http://127.0.0.1:${address.port}/hook`, mode: 'test' }, { key: adminToken });
      assert.equal(endpoint.status, 201, endpoint.text);
      assert.equal((await call(sl.url, 'GET', '/admin/v1/tenants', undefined, { key: 'not-the-admin-token-000000' })).status, 401);

      const created = await client(sl.url, sl.tenant.keys.test.secret).post('/billing/customers', { external_reference: uniqueRef('HOOK') });
      assert.equal(created.status, 201, created.text);
      await waitFor(() => received.some((event) => event.type === 'billing.customer.created'), 10_000, 'the customer.created webhook');
    } finally {
      receiver.close();
    }
    await sl.stop();
  });

  test('a random admin token when none is given: a strong one, different per instance', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    assert.ok(a.adminToken.length >= 32, a.adminToken);
    assert.notEqual(a.adminToken, b.adminToken);
    assert.equal((await call(a.url, 'GET', '/admin/v1/tenants', undefined, { key: a.adminToken })).status, 200);
    assert.equal((await call(a.url, 'GET', '/admin/v1/tenants', undefined, { key: b.adminToken })).status, 401);
    await Promise.all([a.stop(), b.stop()]);
  });

  test('a given databaseUrl is kept by stop(); a second start on it adds a tenant of its own', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'subledger-start-given-'));
    try {
      const databaseUrl = `sqlite:${join(directory, 'given.db')}`;
      const first = await start({ databaseUrl });
      const ref = uniqueRef('KEPT');
      assert.equal((await client(first.url, first.tenant.keys.test.secret).post('/billing/customers', { external_reference: ref })).status, 201);
      await first.stop();
      await first.stop(); // twice is fine
      assert.ok(existsSync(join(directory, 'given.db')), 'the given database survives stop()');

      const second = await start({ databaseUrl });
      assert.notEqual(second.tenant.id, first.tenant.id);
      const tenants = await call(second.url, 'GET', '/admin/v1/tenants', undefined, { key: second.adminToken });
      assert.deepEqual(tenants.body.data.map((tenant: { id: string }) => tenant.id).sort(), [first.tenant.id, second.tenant.id].sort());
      // The first tenant's customer is still there, and still its own.
      assert.equal((await client(second.url, first.tenant.keys.test.secret).get(`/billing/customers/${ref}`)).status, 200);
      assert.equal((await client(second.url, second.tenant.keys.test.secret).get(`/billing/customers/${ref}`)).status, 404);
      await second.stop();
      assert.ok(existsSync(join(directory, 'given.db')));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('bad options and a taken port fail without leaving a database behind', async () => {
    await withPrivateTmpdir(async (directory) => {
      await assert.rejects(startSubledger({ port: -1 }), { name: 'TypeError', message: /port must be an integer from 0 to 65535/ });
      await assert.rejects(startSubledger({ port: 1.5 }), TypeError);
      await assert.rejects(startSubledger({ adminToken: 'short' }), { name: 'TypeError', message: /adminToken must be at least 32 characters/ });
      const sl = await start();
      const port = Number(new URL(sl.url).port);
      await assert.rejects(startSubledger({ port }), /already in use/);
      assert.equal(readdirSync(directory).length, 1, 'only the running instance has a database');
      await sl.stop();
      assert.deepEqual(readdirSync(directory), []);
    });
  });
});
