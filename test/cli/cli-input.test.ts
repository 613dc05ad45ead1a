import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli } from '../support/run-cli.js';
import { createTestDatabase } from '../support/stores.js';

// What the CLI makes of a mistyped command, and the webhook URL policy (SPEC §9) at
// `webhook-endpoints create`. Each step spawns the built CLI, so each test spawns few.

const TIMEOUT = { timeout: 120_000 };
const STACK_TRACE = /^\s+at |\bat \S+ \(|node_modules/m;


describe('subledger CLI input', { concurrency: true }, () => {
  test('a mistyped command is named with the nearest command, not passed to serve as an argument', TIMEOUT, async () => {
    const [near, far] = await Promise.all([runCli(['srve'], {}), runCli(['frobnicate'], {})]);
    assert.equal(near.code, 1);
    assert.match(near.stderr, /^subledger: unknown command 'srve' \(did you mean 'serve'\?\): the commands are serve, migrate, tenants/);
    assert.doesNotMatch(near.stderr, /too many arguments/);
    assert.equal(near.stderr.trim().split('\n').length, 1);
    assert.equal(far.code, 1);
    assert.match(far.stderr, /^subledger: unknown command 'frobnicate': the commands are/);
  });

  test('webhook-endpoints create applies the webhook URL policy (one line, exit 1) and prints an accepted endpoint with its secret', TIMEOUT, async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const env = { DATABASE_URL: database.url };
      const created = await runCli(['tenants', 'create', '--name', 'cli-hooks'], env);
      assert.equal(created.code, 0, created.stderr);
      const tenant = JSON.parse(created.stdout) as { id: string };
      const create = (url: string, extra: Record<string, string> = {}) => runCli(['webhook-endpoints', 'create', '--tenant', tenant.id, '--mode', 'test', '--url', url, '--events', 'billing.*'], { ...env, ...extra });
      const [own, denied, accepted] = await Promise.all([
        // "Own address" for the CLI is HOST:PORT, where `serve` listens.
        create('http://localhost:4000/billing', { PORT: '4000' }),
        create('http://10.0.0.8/hook', { SUBLEDGER_WEBHOOK_PRIVATE: 'deny' }),
        create('http://127.0.0.1:9000/hook'),
      ]);
      assert.equal(own.code, 1);
      assert.match(own.stderr, /^subledger: url must not point at this service's own listening address and port\n$/);
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /^subledger: url must not point at a loopback or private network address \(SUBLEDGER_WEBHOOK_PRIVATE=deny\)\n$/);
      for (const refused of [own, denied]) assert.doesNotMatch(refused.stderr, STACK_TRACE);
      assert.equal(accepted.code, 0, accepted.stderr);
      const endpoint = JSON.parse(accepted.stdout) as { id: string; events: string[]; secret: string };
      assert.match(endpoint.id, /^we_/);
      assert.deepEqual(endpoint.events, ['billing.*']);
      assert.match(endpoint.secret, /^whsec_/);
    } finally {
      await database.drop();
    }
  });
});
