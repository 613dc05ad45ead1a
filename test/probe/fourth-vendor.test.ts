import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { nowIso } from '../../src/ledger/clock.js';
import { buildApp } from '../../src/http/app.js';
import type { AppServices } from '../../src/http/services.js';
import { openServices } from '../../src/runtime.js';
import { VENDORS } from '../../src/surfaces/index.js';
import { createTenant, type CreatedTenant } from '../../src/tenancy/tenants.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.js';
import { probeVendor } from './vendor/vendor.js';
import { PROBE_WALLET_ERROR } from './vendor/http/surface.js';
import { REPO_ROOT } from '../support/repo-root.js';

// "A fourth vendor is one new folder plus one line in the registry" (issue 20), proved: the
// probe vendor in ./vendor has its own table and migration, a command that posts through the
// kernel, events and routes, and is served next to the three real vendors by adding it to the
// vendor list. Nothing in src/ knows it.

const ROOT = REPO_ROOT;
const PROBE_DIR = join(ROOT, 'test/probe/vendor');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

test("the probe vendor imports only the kernel and the service's seams, never another vendor", () => {
  const allowed = /^src\/(ledger\/[\w-]+|http\/(surface|auth|failures)|store\/(module-repositories|database|ports)|surfaces\/vendor-module)\.ts$/;
  const files = filesUnder(PROBE_DIR);
  assert.ok(files.length >= 5, 'the probe vendor has its domain, store, migration, http and vendor files');
  for (const file of files) {
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const target = relative(ROOT, resolve(dirname(file), spec!.replace(/\.js$/, '.ts')));
      if (target.startsWith('test/probe/vendor/')) continue;
      assert.match(target, allowed, `${relative(ROOT, file)} imports ${target}`);
    }
  }
});

test('nothing in src/ names the probe vendor: adding it touched no file outside its folder and the registry', () => {
  const mentions = filesUnder(join(ROOT, 'src')).filter((file) => /probe.?wallet/i.test(readFileSync(file, 'utf8')));
  assert.deepEqual(mentions, []);
});

for (const kind of await storeKinds()) {
  describe(`a fourth vendor served beside the three (${kind})`, () => {
    let database: TestDatabase;
    let services: AppServices;
    let app: FastifyInstance;
    let tenant: CreatedTenant;

    const inject = async (method: 'GET' | 'POST', url: string, body?: unknown, idempotencyKey: string | null = randomUUID()) => {
      const headers: Record<string, string> = { authorization: `Bearer ${tenant.keys.test.secret}` };
      if (method === 'POST' && idempotencyKey) headers['idempotency-key'] = idempotencyKey;
      const response = await app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
      return { status: response.statusCode, headers: response.headers, body: response.json() as Record<string, unknown> };
    };

    before(async () => {
      database = await createTestDatabase(kind);
      const config = loadConfig({ DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'silent', SUBLEDGER_WORKERS: 'off', SUBLEDGER_RATE_LIMIT: '0' });
      services = await openServices(config, { vendors: [...VENDORS, probeVendor] });
      app = await buildApp(services, { logLevel: 'silent' });
      tenant = await services.store.transaction((tx) => createTenant(tx, { name: 'probe' }, nowIso()));
    });
    after(async () => {
      await app?.close();
      await services?.store.close();
      await database?.drop();
    });

    test('its routes create a holder in its own table, post through the kernel, and answer in its own shape', async () => {
      const created = await inject('POST', '/probe-wallets', { name: 'Petty cash', currency: 'EUR' });
      assert.equal(created.status, 201);
      const walletId = created.body.id as string;
      assert.match(walletId, /^pwal_/);

      const key = randomUUID();
      const first = await inject('POST', `/probe-wallets/${walletId}/credits`, { currency: 'EUR', amount: '12.5' }, key);
      assert.deepEqual([first.status, first.body], [200, { currency: 'EUR', amount: '12.5' }]);
      const replay = await inject('POST', `/probe-wallets/${walletId}/credits`, { currency: 'EUR', amount: '12.5' }, key);
      assert.deepEqual([replay.status, replay.body, replay.headers['idempotent-replayed']], [200, first.body, 'true'], 'the idempotency wrapper serves it too');
      const second = await inject('POST', `/probe-wallets/${walletId}/credits`, { currency: 'EUR', amount: '0.25' });
      assert.deepEqual(second.body, { currency: 'EUR', amount: '12.75' });
      assert.deepEqual((await inject('GET', `/probe-wallets/${walletId}/balance`)).body, { currency: 'EUR', amount: '12.75' });

      const scope = { tenantId: tenant.tenant.id, mode: 'test' as const };
      const entries = (await services.store.reader.ledger.list(scope, walletId, { limit: 10 })).items;
      assert.deepEqual(entries.map((e) => [e.kind, e.amount, e.balanceAfter, e.counterparty]).reverse(), [
        ['credit', 12_500_000_000n, 12_500_000_000n, 'external'],
        ['credit', 250_000_000n, 12_750_000_000n, 'external'],
      ]);
      const events = await services.store.reader.events.listRecent(scope, 10);
      assert.deepEqual(events.map((e) => [e.type, e.source]).reverse(), [
        ['wallet.opened', 'probe-wallets'],
        ['wallet.credited', 'probe-wallets'],
        ['wallet.credited', 'probe-wallets'],
      ]);
      assert.deepEqual(events[0]!.data, { wallet: walletId, amount: { currency: 'EUR', amount: '0.25' }, balance: { currency: 'EUR', amount: '12.75' } });

      const directory = await services.store.reader.accountDirectory.list(tenant.tenant.id, { limit: 10, surface: 'probe-wallets' });
      assert.deepEqual(directory.entries.map((e) => [e.id, e.kind, e.name]), [[walletId, 'wallet', 'Petty cash']], "the operator console's directory lists its holders");
    });

    test('its failures come in its own error shape, through the kernel\'s closed catalogue', async () => {
      const missing = await inject('POST', '/probe-wallets/pwal_nothing/credits', { currency: 'EUR', amount: '1' });
      assert.equal(missing.status, 404);
      assert.match(String(missing.headers['content-type']), new RegExp(`^${PROBE_WALLET_ERROR.replace(/[.+]/g, '\\$&')}`));
      assert.equal(missing.body.wallet_error, 'not_found');
      const invalid = await inject('POST', '/probe-wallets', { name: 'x', currency: 'EURO' });
      assert.deepEqual([invalid.status, invalid.body.wallet_error], [400, 'validation_failed']);
    });

    test('the three vendors are served as before beside it', async () => {
      const customer = await inject('POST', '/billing/customers', { external_reference: `probe-${randomUUID()}` });
      assert.equal(customer.status, 201);
      assert.match(customer.body.id as string, /^bcus_/);
    });
  });
}
