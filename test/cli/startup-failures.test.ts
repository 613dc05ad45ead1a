import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ServeProcesses, type ServeProcess } from '../support/serve-process.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.js';
import { waitFor } from '../support/wait.js';

// SPEC §1: a start that cannot succeed prints one line naming the cause and the variable to
// change, and exits non-zero, with no stack trace. Each case runs the real `subledger serve`
// at the default log level, as a user starts it.

/** A stack frame ("at fn (file:1:2)" / "    at file:1:2") or a dependency path. */
const STACK_TRACE = /^\s+at |\bat (?:\S+ \()?(?:file:|node:|\/)\S*:\d+:\d+|node_modules/m;
const TIMEOUT = { timeout: 120_000 };

const processes = new ServeProcesses({ LOG_LEVEL: 'info' });
after(() => processes.killAll());

/** Starts serve with `env`, waits for it to exit, and returns its exit code and the one line it printed. */
async function failedStart(name: string, env: Record<string, string>): Promise<{ code: number | null; line: string; serve: ServeProcess }> {
  const serve = processes.start(name, env);
  await waitFor(() => serve.exited, 90_000, `${name} to exit`);
  const code = await serve.terminate();
  assert.notEqual(code, 0, `${name} exited 0\nstdout: ${serve.stdout}\nstderr: ${serve.stderr}`);
  assert.doesNotMatch(serve.stderr, STACK_TRACE, serve.stderr);
  assert.doesNotMatch(serve.stdout, /listening|sk_test_/, serve.stdout);
  const lines = serve.stderr.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${serve.stderr}`);
  assert.match(lines[0]!, /^subledger: /);
  return { code, line: lines[0]!, serve };
}

// Asked before any test starts: a test's synchronous work (building the app, generating types) would
// hold the event loop past the PostgreSQL probe's 2 s timeout and make a reachable server look down.
const kinds = await storeKinds();

describe('a start that cannot succeed', { concurrency: 1 }, () => {
  let dir: string;
  let taken: Server;
  let takenPort: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'subledger-startup-'));
    writeFileSync(join(dir, 'a-file'), '');
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    takenPort = (taken.address() as { port: number }).port;
  });
  after(() => {
    taken.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a taken port names PORT; the fresh database gets no tenant whose keys nobody saw', TIMEOUT, async () => {
    const databaseUrl = `sqlite:${join(dir, 'taken-port.db')}`;
    const { line } = await failedStart('port taken', { PORT: String(takenPort), DATABASE_URL: databaseUrl });
    assert.match(line, new RegExp(`port ${takenPort} .*already in use.*\\bPORT\\b`));
    const next = processes.start('after port taken', { DATABASE_URL: databaseUrl });
    const { secret } = await next.defaultTenant();
    assert.match(secret, /^sk_test_/, 'the next start on a free port creates the default tenant and prints its keys');
    assert.equal(await next.terminate(), 0, next.stderr);
  });

  test('an unresolvable HOST names HOST', TIMEOUT, async () => {
    const { line } = await failedStart('unresolvable host', { HOST: 'no-such-host.invalid', DATABASE_URL: 'sqlite::memory:' });
    assert.match(line, /HOST no-such-host\.invalid cannot be resolved.*\bset HOST\b/);
  });

  test('a HOST that is not an address of this machine names HOST', TIMEOUT, async () => {
    // 192.0.2.0/24 is reserved for documentation: never a local address, and nothing is sent to it.
    const { line } = await failedStart('foreign host', { HOST: '192.0.2.1', DATABASE_URL: 'sqlite::memory:' });
    assert.match(line, /HOST 192\.0\.2\.1 is not an address of this machine.*\bset HOST\b/);
  });

  test('a SQLite path whose directory cannot be created names DATABASE_URL', TIMEOUT, async () => {
    const { line } = await failedStart('sqlite under a file', { DATABASE_URL: `sqlite:${join(dir, 'a-file', 'sub', 'x.db')}` });
    assert.match(line, /cannot open the database: the directory of the SQLite database .*a-file\/sub\/x\.db cannot be created.*DATABASE_URL/);
  });

  test('a SQLite path that is a directory names DATABASE_URL', TIMEOUT, async () => {
    const { line } = await failedStart('sqlite on a directory', { DATABASE_URL: `sqlite:${dir}` });
    assert.match(line, /cannot open the database: the SQLite database .* cannot be opened.*DATABASE_URL/);
  });

  test('PostgreSQL refusing connections names DATABASE_URL, and never prints the password', TIMEOUT, async () => {
    const { line } = await failedStart('postgres down', { DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/subledger' });
    assert.match(line, /PostgreSQL at 127\.0\.0\.1:1 \(database subledger\) refused the connection.*DATABASE_URL/);
    assert.doesNotMatch(line, /hunter2/);
  });

  test('an unknown PostgreSQL host names DATABASE_URL', TIMEOUT, async () => {
    const { line } = await failedStart('postgres unknown host', { DATABASE_URL: 'postgres://postgres@no-such-host.invalid:5432/subledger' });
    assert.match(line, /the host of PostgreSQL at no-such-host\.invalid:5432 .*cannot be resolved.*DATABASE_URL/);
  });

  test('a PostgreSQL address that accepts the connection and never answers names DATABASE_URL and the timeout variable', TIMEOUT, async () => {
    // What a firewalled or hung server looks like to the client: the socket opens, nothing comes back.
    const silent = createServer((socket) => socket.on('error', () => {}));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const { line } = await failedStart('postgres silent', { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/subledger`, SUBLEDGER_PG_CONNECT_TIMEOUT_MS: '500' });
      assert.match(line, new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port} \\(database subledger\\) did not answer in time.*SUBLEDGER_PG_CONNECT_TIMEOUT_MS.*DATABASE_URL`));
    } finally {
      silent.close();
    }
  });

  test('a bad configuration value is one line naming each variable', TIMEOUT, async () => {
    const { line } = await failedStart('bad config', { PORT: 'abc', SUBLEDGER_RATE_LIMIT: '-1', DATABASE_URL: 'sqlite::memory:' });
    assert.match(line, /invalid configuration: .*PORT.*SUBLEDGER_RATE_LIMIT/);
  });
});

for (const kind of kinds) {
  // SPEC §1: the admin token is at least 32 characters and no placeholder of our docs; the start
  // refuses anything else naming the variable, and never prints the value it was given.
  describe(`a start with a weak SUBLEDGER_ADMIN_TOKEN (${kind})`, { concurrency: 1 }, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(kind);
    });
    after(() => database.drop());

    const cases = [
      { name: 'too short', token: 'short-but-secret-0123456789', problem: /at least 32 characters/ },
      { name: 'the README placeholder', token: 'replace-me-with-the-output-of-openssl-rand-hex-32', problem: /placeholder/ },
      { name: 'the placeholder of earlier READMEs', token: 'change-me-to-16-chars-or-more', problem: /at least 32 characters/ },
      { name: 'one character repeated', token: 'a'.repeat(40), problem: /placeholder/ },
    ];
    for (const { name, token, problem } of cases) {
      test(`${name}: one line naming SUBLEDGER_ADMIN_TOKEN and openssl rand, without the value`, TIMEOUT, async () => {
        const { line, serve } = await failedStart(`admin token ${name}`, { DATABASE_URL: database.url, SUBLEDGER_ADMIN_TOKEN: token });
        assert.match(line, /SUBLEDGER_ADMIN_TOKEN/);
        assert.match(line, problem);
        assert.match(line, /openssl rand -hex 32/);
        assert.ok(!serve.stderr.includes(token) && !serve.stdout.includes(token), `the token was printed:\n${serve.stderr}`);
      });
    }
  });
}

for (const kind of kinds.filter((k) => k === 'postgres')) {
  describe(`a start against a PostgreSQL server without the database (${kind})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(kind);
      await database.drop();
    });

    test('names the database and DATABASE_URL', TIMEOUT, async () => {
      const { line } = await failedStart('postgres no database', { DATABASE_URL: database.url });
      assert.match(line, /PostgreSQL at .*\(database subledger_test_\w+\): no such database.*DATABASE_URL/);
    });
  });
}
