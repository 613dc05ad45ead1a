import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { ensureDefaultTenant, openStore } from '../../src/runtime.js';
import { call } from '../support/http.js';
import { ServeProcesses } from '../support/serve-process.js';
import { createTestDatabase, storeKinds } from '../support/stores.js';

// `serve` creates the tenant `default` on a fresh database (SPEC §1). Two processes starting
// at once on one fresh database must create one between them, not one each.

const WAIT_MS = 90_000;
const TIMEOUT = { timeout: 180_000 };
const ADMIN_TOKEN = 'default-tenant-test-token-7f3a9c2e1b0d4f6a8c5e';

const spawned = new ServeProcesses({}, WAIT_MS);
after(() => spawned.killAll());

for (const kind of await storeKinds()) {
  describe(`the default tenant on a fresh database (${kind})`, () => {
    test('eight starts at once from two connection pools create one default tenant between them', TIMEOUT, async () => {
      const database = await createTestDatabase(kind);
      const config = loadConfig({ DATABASE_URL: database.url });
      const first = await openStore(config);
      const second = await openStore(config, { migrate: false });
      try {
        const created = await Promise.all(Array.from({ length: 8 }, (_, i) => ensureDefaultTenant(i % 2 === 0 ? first : second)));
        assert.equal(created.filter((one) => one !== null).length, 1, 'exactly one start created it');
        assert.equal(await first.reader.tenants.count(), 1);
      } finally {
        await first.close();
        await second.close();
        await database.drop();
      }
    });
  });
}

if ((await storeKinds()).includes('postgres')) {
  describe('two `serve` processes started at once on one fresh PostgreSQL database', () => {
    test('one prints the default tenant and its keys, the other none; the admin API lists one tenant', TIMEOUT, async () => {
      const database = await createTestDatabase('postgres');
      try {
        const env = { DATABASE_URL: database.url, SUBLEDGER_ADMIN_TOKEN: ADMIN_TOKEN, SUBLEDGER_WORKERS: 'off' };
        const processes = [spawned.start('serve-a', env), spawned.start('serve-b', env)];
        const bases = await Promise.all(processes.map((one) => one.ready()));
        const printedKeys = processes.filter((one) => /Created tenant "default"/.test(one.stdout));
        assert.equal(printedKeys.length, 1, processes.map((one) => one.stdout).join('\n---\n'));
        for (const base of bases) {
          const tenants = await call(base!, 'GET', '/admin/v1/tenants', undefined, { key: ADMIN_TOKEN });
          assert.equal(tenants.status, 200, tenants.text);
          assert.deepEqual(
            tenants.body.data.map((tenant: { name: string }) => tenant.name),
            ['default'],
          );
        }
        for (const one of processes) assert.equal(await one.terminate(), 0, one.stderr);
      } finally {
        await database.drop();
      }
    });
  });
}
