import assert from 'node:assert/strict';
import { waitFor } from '../support/wait.js';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, client, uniqueRef } from '../support/http.js';
import { ROOT } from '../support/built-cli.js';
import { runCli, type ProcessResult } from '../support/run-cli.js';
import { ServeProcesses } from '../support/serve-process.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.js';

// Generous: each step spawns a process that loads the whole service, and a busy machine is slow at that.
const TIMEOUT = { timeout: 120_000 };

/** A stack frame or a dependency path: never part of what the CLI tells a user. */
const STACK_TRACE = /^\s+at |\bat \S+ \(|node_modules/m;
const KEY = /\b[sp]k_(?:test|live)_[0-9A-Za-z]{32}\b/;



/** JSON printed by a CLI command (the whole of stdout). */
function printed(result: ProcessResult): any {
  assert.equal(result.code, 0, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

// Output waits as long as a step may take.
const processes = new ServeProcesses({}, TIMEOUT.timeout);
const startServe = (env: Record<string, string>) => processes.start('serve', env);
after(() => processes.killAll());

// Each group below spawns its own processes on its own database: the groups run side by side,
// the tests inside a group in order.
const kinds = await storeKinds();

describe('subledger CLI', { concurrency: true }, () => {
  // README: the command that works from the repository right after `npm ci` (it builds first).
  test('`npm run -s subledger -- migrate` works from the repository and prints JSON only', TIMEOUT, async () => {
    // The script builds first. In a copy of what the build reads (its node_modules linked), so
    // that rewriting dist/ cannot disturb the processes other tests start from the real one.
    const repository = mkdtempSync(join(tmpdir(), 'subledger-cli-repo-'));
    const database = await createTestDatabase('sqlite');
    try {
      for (const name of ['package.json', 'tsconfig.json', 'scripts', 'src', 'console']) cpSync(join(ROOT, name), join(repository, name), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(repository, 'node_modules'));
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const output = printed(await runCli(['migrate'], { DATABASE_URL: database.url }, [npm, 'run', '-s', 'subledger', '--'], repository));
      assert.equal(output.migrated, true);
    } finally {
      await database.drop();
      rmSync(repository, { recursive: true, force: true });
    }
  });

  describe('subledger with a bad configuration', { concurrency: true }, () => {
    test('PORT=abc: serve exits non-zero, naming PORT, without a stack trace', TIMEOUT, async () => {
      const result = await runCli(['serve'], { PORT: 'abc', DATABASE_URL: 'sqlite::memory:' });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /\bPORT\b/);
      assert.doesNotMatch(result.stderr, STACK_TRACE);
      assert.doesNotMatch(result.stdout, /listening/);
    });

    test('DATABASE_URL=mysql://x: migrate exits non-zero, naming DATABASE_URL, without a stack trace', TIMEOUT, async () => {
      const result = await runCli(['migrate'], { DATABASE_URL: 'mysql://x' });
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /\bDATABASE_URL\b/);
      assert.doesNotMatch(result.stderr, STACK_TRACE);
    });
  });

  for (const kind of kinds) {
    describe(`subledger tenants and keys against the database (${kind})`, { concurrency: 1 }, () => {
      let database: TestDatabase;
      let env: Record<string, string>;
      type Issued = { secret: string; secret_id: string; publishable: string; publishable_id: string; xendit: string; xendit_id: string };
      let tenant: { id: string; name: string; keys: { test: Issued; live: Issued } };
      let issued: { id: string; key: string };
      before(async () => {
        database = await createTestDatabase(kind);
        env = { DATABASE_URL: database.url };
      });
      after(() => database.drop());

      test('`subledger migrate` exits 0', TIMEOUT, async () => {
        const output = printed(await runCli(['migrate'], env));
        assert.equal(output.migrated, true);
      });

      test('`tenants create --name acme` prints the tenant as JSON with its test and live keys', TIMEOUT, async () => {
        tenant = printed(await runCli(['tenants', 'create', '--name', 'acme'], env));
        assert.equal(typeof tenant.id, 'string');
        assert.equal(tenant.name, 'acme');
        assert.match(tenant.keys.test.secret, /^sk_test_[0-9A-Za-z]+$/);
        assert.match(tenant.keys.test.publishable, /^pk_test_[0-9A-Za-z]+$/);
        assert.match(tenant.keys.live.secret, /^sk_live_[0-9A-Za-z]+$/);
        assert.match(tenant.keys.live.publishable, /^pk_live_[0-9A-Za-z]+$/);
        assert.match(tenant.keys.test.xendit, /^xnd_development_[0-9A-Za-z]+$/);
        assert.match(tenant.keys.live.xendit, /^xnd_production_[0-9A-Za-z]+$/);
        for (const mode of ['test', 'live'] as const) {
          assert.match(tenant.keys[mode].secret_id, /^key_/);
          assert.match(tenant.keys[mode].publishable_id, /^key_/);
        }
      });

      test('`tenants list` prints the tenants newest first without keys; `--limit 1` pages with has_more', TIMEOUT, async () => {
        const other = printed(await runCli(['tenants', 'create', '--name', 'second'], env));
        const page = printed(await runCli(['tenants', 'list', '--limit', '1'], env));
        assert.deepEqual([page.data.map((t: { id: string }) => t.id), page.has_more], [[other.id], true]);
        assert.deepEqual(Object.keys(page.data[0]).sort(), ['callback_token', 'country', 'created_at', 'id', 'name']);
        const rest = printed(await runCli(['tenants', 'list', '--limit', '1', '--starting-after', other.id], env));
        assert.deepEqual([rest.data.map((t: { id: string }) => t.id), rest.has_more], [[tenant.id], false]);
        assert.doesNotMatch(JSON.stringify([page, rest]), KEY);
      });

      test('`keys list --tenant <id>` prints every key with its id, mode, type and hint, never the key itself', TIMEOUT, async () => {
        const listed = printed(await runCli(['keys', 'list', '--tenant', tenant.id], env));
        const ids = listed.data.map((k: { id: string }) => k.id).sort();
        assert.deepEqual(ids, (['test', 'live'] as const).flatMap((mode) => [tenant.keys[mode].secret_id, tenant.keys[mode].publishable_id, tenant.keys[mode].xendit_id]).sort());
        assert.doesNotMatch(JSON.stringify(listed), KEY);
        for (const key of listed.data) assert.equal(key.revoked_at, null);
      });

      test('`keys create --tenant <id> --mode test` prints a new test secret key with its id', TIMEOUT, async () => {
        const output = printed(await runCli(['keys', 'create', '--tenant', tenant.id, '--mode', 'test'], env));
        assert.match(output.key, /^sk_test_[0-9A-Za-z]+$/);
        assert.equal(typeof output.id, 'string');
        assert.equal(output.tenant_id, tenant.id);
        assert.notEqual(output.key, tenant.keys.test.secret);
        issued = output;
      });

      test('`keys create --format xendit` prints a Xendit-format key (xnd_development_… in test, xnd_production_… in live)', TIMEOUT, async () => {
        const test = printed(await runCli(['keys', 'create', '--tenant', tenant.id, '--mode', 'test', '--format', 'xendit'], env));
        assert.match(test.key, /^xnd_development_[0-9A-Za-z]{48}$/);
        assert.equal(test.format, 'xendit');
        const live = printed(await runCli(['keys', 'create', '--tenant', tenant.id, '--mode', 'live', '--format', 'xendit'], env));
        assert.match(live.key, /^xnd_production_[0-9A-Za-z]{48}$/);
        const listed = printed(await runCli(['keys', 'list', '--tenant', tenant.id], env));
        assert.equal(listed.data.find((k: { id: string }) => k.id === test.id).format, 'xendit');
      });

      test('`keys revoke --tenant <id> --key <keyId>` exits 0 and reports when the key was revoked', TIMEOUT, async () => {
        const output = printed(await runCli(['keys', 'revoke', '--tenant', tenant.id, '--key', issued.id], env));
        assert.equal(output.id, issued.id);
        assert.equal(typeof output.revoked_at, 'string');
      });

      test('`keys list` shows the revoked key with its revocation time', TIMEOUT, async () => {
        const listed = printed(await runCli(['keys', 'list', '--tenant', tenant.id], env));
        assert.equal(typeof listed.data.find((k: { id: string }) => k.id === issued.id).revoked_at, 'string');
      });

      test('`keys create` for an unknown tenant exits non-zero with a clear message and no stack trace', TIMEOUT, async () => {
        const result = await runCli(['keys', 'create', '--tenant', 'ten_doesnotexist0000000', '--mode', 'test'], env);
        assert.notEqual(result.code, 0);
        assert.match(result.stderr, /ten_doesnotexist0000000|tenant/);
        assert.doesNotMatch(result.stderr, STACK_TRACE);
        assert.doesNotMatch(result.stdout, KEY);
      });

      test('serve on this database prints no key; the CLI-made tenant keys work over HTTP and the CLI-revoked key gets 403', TIMEOUT, async () => {
        const serve = startServe(env);
        const base = await serve.ready();
        for (const key of [tenant.keys.test.secret, tenant.keys.live.secret]) {
          const response = await call(base, 'GET', '/billing/accounts', undefined, { key });
          assert.equal(response.status, 200, response.text);
        }
        // 403 (a known key, revoked), not 401 (an unknown key): the key `keys create` printed was stored.
        const revoked = await call(base, 'GET', '/billing/accounts', undefined, { key: issued.key });
        assert.equal(revoked.status, 403, revoked.text);
        assert.match(revoked.headers.get('content-type') ?? '', /problem\+json/);
        assert.equal(await serve.terminate(), 0, serve.stderr);
        assert.doesNotMatch(serve.stdout, KEY, 'a database that has tenants gets no default tenant and no printed key');
      });
    });

    describe(`keys revoked with the CLI while serve runs (${kind})`, { concurrency: 1 }, () => {
      let database: TestDatabase;
      let env: Record<string, string>;
      let tenantId: string;
      before(async () => {
        database = await createTestDatabase(kind);
        env = { DATABASE_URL: database.url };
        tenantId = printed(await runCli(['tenants', 'create', '--name', 'revocations'], env)).id;
      });
      after(() => database.drop());

      const adminToken = 'cli-test-admin-token-0123456789-abcdef';

      /** A new test secret key (from the admin API: one process less), used once through `base` so that the server has it cached. */
      async function keyInUse(base: string): Promise<{ id: string; key: string }> {
        const created = await call(base, 'POST', `/admin/v1/tenants/${tenantId}/keys`, { mode: 'test', type: 'secret' }, { key: adminToken });
        assert.equal(created.status, 201, created.text);
        const issued = created.body as { id: string; key: string };
        // Remembered per surface by the header's text (PrincipalCache): billing and platform now
        // both hold it, while org, whose credentials are access tokens, still refuses it.
        for (const path of ['/billing/accounts', '/v2/accounts']) {
          const used = await call(base, 'GET', path, undefined, { key: issued.key });
          assert.equal(used.status, 200, `${path}: ${used.text}`);
        }
        const org = await call(base, 'GET', '/v1/accounts', undefined, { key: issued.key });
        assert.equal(org.status, 401, org.text);
        return issued;
      }

      test('SUBLEDGER_KEY_CACHE_SECONDS=0: the next request after `keys revoke` is refused with 403', TIMEOUT, async () => {
        const serve = startServe({ ...env, SUBLEDGER_KEY_CACHE_SECONDS: '0', SUBLEDGER_ADMIN_TOKEN: adminToken });
        const base = await serve.ready();
        const issued = await keyInUse(base);
        printed(await runCli(['keys', 'revoke', '--tenant', tenantId, '--key', issued.id], env));
        const refused = await call(base, 'GET', '/billing/accounts', undefined, { key: issued.key });
        assert.equal(refused.status, 403, refused.text);
        assert.equal(await serve.terminate(), 0, serve.stderr);
      });

      const cliRevocation = kind === 'postgres'
        ? 'a key revoked by the CLI is refused at once (a PostgreSQL notice drops the cache)'
        : 'a key revoked by the CLI still works from the cache (SQLite: no notices)';
      test(`SUBLEDGER_KEY_CACHE_SECONDS=60: ${cliRevocation}; a revocation through the admin API clears it at once`, TIMEOUT, async () => {
        const serve = startServe({ ...env, SUBLEDGER_KEY_CACHE_SECONDS: '60', SUBLEDGER_ADMIN_TOKEN: adminToken });
        const base = await serve.ready();
        const [cliRevoked, adminRevoked] = [await keyInUse(base), await keyInUse(base)];
        printed(await runCli(['keys', 'revoke', '--tenant', tenantId, '--key', cliRevoked.id], env));
        if (kind === 'postgres') {
          // The notice arrives on the server's listening connection a moment after the CLI commits.
          await waitFor(async () => (await call(base, 'GET', '/billing/accounts', undefined, { key: cliRevoked.key })).status === 403, 20_000, 'the CLI revocation to be seen through its notice');
        } else {
          const cached = await call(base, 'GET', '/billing/accounts', undefined, { key: cliRevoked.key });
          assert.equal(cached.status, 200, 'within the configured bound the cached lookup still answers (README: key revocation)');
        }
        const revoked = await call(base, 'DELETE', `/admin/v1/tenants/${tenantId}/keys/${adminRevoked.id}`, undefined, { key: adminToken });
        assert.equal(revoked.status, 200, revoked.text);
        for (const key of [adminRevoked.key, cliRevoked.key]) {
          for (const path of ['/billing/accounts', '/v2/accounts']) {
            const refused = await call(base, 'GET', path, undefined, { key });
            assert.equal(refused.status, 403, `${path}: ${refused.text}`);
          }
        }
        assert.equal(await serve.terminate(), 0, serve.stderr);
      });
    });

    describe(`subledger serve on a fresh database (${kind})`, { concurrency: 1 }, () => {
      let database: TestDatabase;
      let secret: string;
      let accountId: string;
      before(async () => {
        database = await createTestDatabase(kind);
      });
      after(() => database.drop());

      test('the first start prints a test secret key, a test publishable key and the docs URL; the key works; SIGTERM exits 0', TIMEOUT, async () => {
        const serve = startServe({ DATABASE_URL: database.url });
        const base = await serve.ready();
        const [secretKey] = await serve.output(/\bsk_test_[0-9A-Za-z]{32}\b/);
        const [publishableKey] = await serve.output(/\bpk_test_[0-9A-Za-z]{32}\b/);
        // Each printed key names its id, which `keys revoke` takes.
        assert.match(serve.stdout, /sk_test_[0-9A-Za-z]{32}\s+\(id key_[0-9A-Za-z]+\)/);
        assert.match(serve.stdout, /pk_test_[0-9A-Za-z]{32}\s+\(id key_[0-9A-Za-z]+\)/);
        // SPEC §1: the default tenant's Xendit-format test key too.
        assert.match(serve.stdout, /xnd_development_[0-9A-Za-z]{48}\s+\(id key_[0-9A-Za-z]+;/);
        assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.notEqual(new URL(base).port, '0', 'the docs URL names the port actually bound');
        secret = secretKey;

        const docs = await fetch(`${base}/docs`);
        assert.equal(docs.status, 200);

        const created = await client(base, secret).post(
          '/billing/accounts',
          { customer: { external_reference: uniqueRef('CUS') }, external_reference: uniqueRef('ACC'), currency: 'ZAR', balance: 500 },
          { idempotencyKey: uniqueRef('idem') },
        );
        assert.equal(created.status, 201, created.text);
        assert.match(created.body.id, /^bacc_/);
        accountId = created.body.id;

        const publishable = await call(base, 'GET', '/billing/accounts', undefined, { key: publishableKey });
        assert.equal(publishable.status, 403, publishable.text);

        assert.equal(await serve.terminate(), 0, serve.stderr);
      });

      test('a second start on the same database prints no key and still serves the first start\'s data; SIGTERM exits 0', TIMEOUT, async () => {
        assert.ok(secret, 'the first start printed a key');
        const serve = startServe({ DATABASE_URL: database.url });
        const base = await serve.ready();
        const account = await call(base, 'GET', `/billing/accounts/${accountId}`, undefined, { key: secret });
        assert.equal(account.status, 200, account.text);
        assert.equal(account.body.balance, 500);
        assert.equal(await serve.terminate(), 0, serve.stderr);
        assert.doesNotMatch(serve.stdout, KEY);
      });
    });
  }

  describe('subledger oauth-clients against the database (sqlite)', () => {
    test('create prints the client id and secret once; list shows no secret; revoke marks it revoked; a bad role is one line', TIMEOUT, async () => {
      const database = await createTestDatabase('sqlite');
      try {
        const env = { DATABASE_URL: database.url };
        const tenant = printed(await runCli(['tenants', 'create', '--name', 'cli-org'], env));
        const created = printed(await runCli(['oauth-clients', 'create', '--tenant', tenant.id, '--mode', 'live', '--roles', 'accounts.read,transactions.read'], env));
        assert.match(created.client_id, /^oac_/);
        assert.equal(created.mode, 'live');
        assert.deepEqual(created.roles, ['accounts.read', 'transactions.read']);
        assert.equal(typeof created.client_secret, 'string');
        const listed = await runCli(['oauth-clients', 'list', '--tenant', tenant.id], env);
        assert.deepEqual(printed(listed).data.map((c: { client_id: string }) => c.client_id), [created.client_id]);
        assert.ok(!listed.stdout.includes(created.client_secret), 'secrets are never listed');
        assert.ok(printed(await runCli(['oauth-clients', 'revoke', '--tenant', tenant.id, '--client', created.client_id], env)).revoked_at);
        const bad = await runCli(['oauth-clients', 'create', '--tenant', tenant.id, '--mode', 'test', '--roles', 'root'], env);
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /^subledger: roles has unknown roles 'root'/);
        assert.doesNotMatch(bad.stderr, STACK_TRACE);
        assert.equal(bad.stderr.trim().split('\n').length, 1);
      } finally {
        await database.drop();
      }
    });
  });
});
