import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { SERVICE_VARIABLES } from '../../src/config.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.js';

// `subledger oauth-clients create|list|revoke` against the database directly (SPEC §1).

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TIMEOUT = { timeout: 120_000 };

async function subledger(args: string[], databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SERVICE_VARIABLES) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env: { ...env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

const json = (result: { code: number | null; stdout: string; stderr: string }) => {
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
};

for (const kind of (await storeKinds()).slice(0, 1)) {
  describe(`subledger oauth-clients (${kind})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(kind);
    });
    after(() => database.drop());

    test('create prints the client id and secret once; list shows no secret; revoke marks it revoked; errors are one line', TIMEOUT, async () => {
      const tenant = json(await subledger(['tenants', 'create', '--name', 'cli-org'], database.url));
      const created = json(await subledger(['oauth-clients', 'create', '--tenant', tenant.id, '--mode', 'live', '--roles', 'accounts.read,transactions.read'], database.url));
      assert.match(created.client_id, /^oac_/);
      assert.equal(created.mode, 'live');
      assert.deepEqual(created.roles, ['accounts.read', 'transactions.read']);
      assert.equal(typeof created.client_secret, 'string');
      const listed = await subledger(['oauth-clients', 'list', '--tenant', tenant.id], database.url);
      assert.deepEqual(json(listed).data.map((c: { client_id: string }) => c.client_id), [created.client_id]);
      assert.ok(!listed.stdout.includes(created.client_secret));
      const revoked = json(await subledger(['oauth-clients', 'revoke', '--tenant', tenant.id, '--client', created.client_id], database.url));
      assert.ok(revoked.revoked_at);
      const bad = await subledger(['oauth-clients', 'create', '--tenant', tenant.id, '--mode', 'test', '--roles', 'root'], database.url);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^subledger: roles has unknown roles 'root'/);
      assert.equal(bad.stderr.trim().split('\n').length, 1);
    });
  });
}
