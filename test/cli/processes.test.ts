import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { ServeProcesses, type ServeProcess } from '../support/serve-process.js';
import { createTestDatabase, storeKinds } from '../support/stores.js';
import { waitFor } from '../support/wait.js';

// `subledger serve --processes N` (node:cluster): one primary, N API workers on one HOST:PORT
// and one PostgreSQL database. The real CLI, real processes; workers are found in /proc as the
// primary's children, and told apart by the per-process rate-limit counters they answer with.

// Generous bounds: each start loads the whole service, and a busy machine is slow at that.
const WAIT_MS = 90_000;
const TIMEOUT = { timeout: 180_000 };
/** A stack frame or a dependency path: never part of what the CLI tells a user. */
const STACK_TRACE = /^\s+at |\bat \S+ \(|node_modules/m;

const spawned = new ServeProcesses({}, WAIT_MS);
after(() => spawned.killAll());

/** The pids whose parent is `pid` (Linux /proc). */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(join('/proc', entry, 'stat'), 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === pid && state !== 'Z') children.push(Number(entry));
  }
  return children.sort((a, b) => a - b);
}

interface Answer {
  status: number;
  remaining: string | undefined;
  body: any;
}

/** One request on a connection of its own, so that the primary hands each to the next worker. */
function freshRequest(base: string, method: string, path: string, key: string, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const sent = request(
      `${base}${path}`,
      {
        method,
        agent: false,
        headers: { authorization: `Bearer ${key}`, ...(payload ? { 'content-type': 'application/json', 'idempotency-key': randomUUID() } : {}) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          const remaining = response.headers['rate-limit-remaining'];
          resolve({ status: response.statusCode!, remaining: Array.isArray(remaining) ? remaining[0] : remaining, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    sent.on('error', reject);
    sent.end(payload);
  });
}

/** Creates and reads back `count` billing accounts, one fresh connection per request; returns each answer's rate-limit remainder. */
async function createAndRead(base: string, key: string, count: number): Promise<string[]> {
  const remaining: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const reference = `ACC-${process.pid}-${Date.now().toString(36)}-${i}`;
    const created = await freshRequest(base, 'POST', '/billing/accounts', key, { customer: { external_reference: `CUS-${reference}` }, external_reference: reference });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const read = await freshRequest(base, 'GET', `/billing/accounts/${created.body.id}`, key);
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.equal(read.body.external_reference, reference);
    remaining.push(created.remaining!, read.remaining!);
  }
  return remaining;
}

/**
 * A POST that a worker has begun (it answered `Expect: 100-continue`, so it has read the
 * headers) and that waits for its body until `finish()`, which resolves with the status.
 */
async function postInFlight(base: string, path: string, key: string, body: unknown): Promise<{ finish(): Promise<number> }> {
  const url = new URL(base);
  const socket = connect(Number(url.port), url.hostname);
  let answer = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  const payload = JSON.stringify(body);
  socket.write(
    [`POST ${path} HTTP/1.1`, `Host: ${url.host}`, `Authorization: Bearer ${key}`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(payload)}`, `Idempotency-Key: ${randomUUID()}`, 'Expect: 100-continue', 'Connection: close', '', ''].join('\r\n'),
  );
  await waitFor(() => answer.startsWith('HTTP/1.1 100 Continue'), WAIT_MS, `100 Continue (got ${JSON.stringify(answer)})`);
  return {
    finish: async () => {
      // write, not end: node's server takes a half-closed connection for an aborted request.
      socket.write(payload);
      await closed; // Connection: close
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, ''))?.[1];
      assert.ok(status, `an answer, got ${JSON.stringify(answer)}`);
      return Number(status);
    },
  };
}

const occurrences = (text: string, pattern: RegExp) => text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;

/** Waits for `serve` to exit on its own; its exit code and the lines of its stderr. */
async function failedStart(serve: ServeProcess): Promise<{ code: number | null; lines: string[] }> {
  await waitFor(() => serve.exited, WAIT_MS, `${serve.name} to exit`);
  const code = await serve.terminate();
  assert.notEqual(code, 0, `${serve.name} exited 0\nstdout: ${serve.stdout}\nstderr: ${serve.stderr}`);
  assert.doesNotMatch(serve.stderr, STACK_TRACE, serve.stderr);
  assert.doesNotMatch(serve.stdout, /listening|sk_test_/, serve.stdout);
  return { code, lines: serve.stderr.split('\n').filter((line) => line.trim() !== '') };
}

const kinds = await storeKinds();

describe('serve --processes', { concurrency: true }, () => {
  test('SQLite with --processes 2 (or SUBLEDGER_PROCESSES=2) is refused in one line naming PostgreSQL, and opens no database', TIMEOUT, async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const path = database.url.slice('sqlite:'.length);
      for (const [name, env, args] of [
        ['flag', {}, ['--processes', '2']],
        ['variable', { SUBLEDGER_PROCESSES: '2' }, []],
      ] as const) {
        const { lines } = await failedStart(spawned.start(`sqlite ${name}`, { DATABASE_URL: database.url, ...env }, [...args]));
        assert.equal(lines.length, 1, lines.join('\n'));
        assert.match(lines[0]!, /^subledger: 2 processes need PostgreSQL: SQLite has one writer.*DATABASE_URL.*postgres:\/\/.*--processes 1/);
        assert.equal(existsSync(path), false, 'refused before the database is opened');
      }
    } finally {
      await database.drop();
    }
  });

  test('a bad process count is one line naming --processes or SUBLEDGER_PROCESSES and the range', TIMEOUT, async () => {
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{}, ['--processes', '0'], /^subledger: invalid --processes "0": must be a whole number from 1 to 64$/],
      [{}, ['--processes', 'two'], /^subledger: invalid --processes "two": must be a whole number from 1 to 64$/],
      [{ SUBLEDGER_PROCESSES: '65' }, [], /^subledger: invalid configuration: SUBLEDGER_PROCESSES="65": must be <= 64$/],
      [{ SUBLEDGER_PROCESSES: 'many' }, [], /^subledger: invalid configuration: SUBLEDGER_PROCESSES="many": must be an integer$/],
    ];
    await Promise.all(
      cases.map(async ([env, args, expected]) => {
        const { lines } = await failedStart(spawned.start(`bad count ${JSON.stringify({ env, args })}`, { DATABASE_URL: 'sqlite::memory:', ...env }, args));
        assert.deepEqual(lines.length, 1, lines.join('\n'));
        assert.match(lines[0]!, expected);
      }),
    );
  });

  test('--processes 1 wins over SUBLEDGER_PROCESSES=2: one process, as without either', TIMEOUT, async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const serve = spawned.start('sqlite --processes 1', { DATABASE_URL: database.url, SUBLEDGER_PROCESSES: '2' }, ['--processes', '1']);
      const { secret } = await serve.defaultTenant();
      assert.match(secret, /^sk_test_/);
      await serve.ready();
      assert.deepEqual(childPids(serve.child.pid!), [], 'no cluster workers');
      const code = await serve.terminate();
      assert.equal(code, 0, `signal ${serve.child.signalCode}\nstdout: ${serve.stdout}\nstderr: ${serve.stderr}`);
    } finally {
      await database.drop();
    }
  });

  if (kinds.includes('postgres')) {
    test('PostgreSQL, --processes 2: keys printed once, both workers answer, a killed worker is replaced, SIGTERM lets a request in flight finish, stops them all and exits 0', TIMEOUT, async () => {
      const database = await createTestDatabase('postgres');
      try {
        // info: the primary says when a replacement listens. A rate limit whose counters show which process answered.
        const serve = spawned.start('postgres --processes 2', { DATABASE_URL: database.url, LOG_LEVEL: 'info', SUBLEDGER_RATE_LIMIT: '100000' }, ['--processes', '2']);
        const base = await serve.ready();
        const { secret } = await serve.defaultTenant();
        for (const line of [/subledger listening on /, /Created tenant "default"/, /test secret key: /, /test OAuth client: /, /API docs: /]) {
          assert.equal(occurrences(serve.stdout, line), 1, `${line} printed once:\n${serve.stdout}`);
        }
        const primary = serve.child.pid!;
        const workers = childPids(primary);
        assert.equal(workers.length, 2, `two workers under the primary ${primary}: ${workers}`);

        // Each worker counts the key in its own window: with two answering, every remainder comes twice.
        const remaining = await createAndRead(base, secret, 10);
        const tally = new Map<string, number>();
        for (const value of remaining) tally.set(value, (tally.get(value) ?? 0) + 1);
        const counts = [...tally.values()];
        assert.ok(counts.some((n) => n === 2), `two processes answered (remainders ${remaining})`);
        assert.ok(counts.every((n) => n <= 2), `no more than two processes answered (remainders ${remaining})`);

        // SIGKILL one worker: the primary starts another, and the service keeps answering.
        const [killed, survivor] = workers as [number, number];
        process.kill(killed, 'SIGKILL');
        const [, replacement] = await serve.output(/"worker_pid":(\d+),[^\n]*"msg":"restarted worker process listening"/);
        assert.notEqual(Number(replacement), killed);
        assert.deepEqual(childPids(primary), [survivor, Number(replacement)].sort((a, b) => a - b));
        assert.match(serve.stdout, new RegExp(`"worker_pid":${killed},[^\\n]*"msg":"worker process died; starting another"`));
        await createAndRead(base, secret, 4);
        // The survivor too: what answers now is the replacement (or the survivor's own replacement).
        process.kill(survivor, 'SIGKILL');
        await serve.output(new RegExp(`"worker_pid":${survivor},[^\\n]*"msg":"worker process died; starting another"`));
        await createAndRead(base, secret, 4);
        await waitFor(() => occurrences(serve.stdout, /"msg":"restarted worker process listening"/) === 2, WAIT_MS, 'a second replacement listening');
        const running = childPids(primary);

        // SIGTERM with a request in flight: every worker stops accepting, the one holding the
        // request answers it, and only then do the workers and the primary exit (0).
        const inFlight = await postInFlight(base, '/billing/accounts', secret, { customer: { external_reference: `CUS-late-${process.pid}` }, external_reference: `ACC-late-${process.pid}` });
        serve.child.kill('SIGTERM');
        await waitFor(() => occurrences(serve.stdout, /"msg":"shutting down"/) === 3, WAIT_MS, 'the primary and both workers shutting down');
        assert.equal(serve.exited, false, 'the primary waits for the worker that holds a request');
        assert.equal(await inFlight.finish(), 201, 'the request in flight is answered');
        await waitFor(() => serve.exited, WAIT_MS, 'the primary to exit');
        assert.equal(await serve.terminate(), 0, serve.stderr);
        assert.deepEqual(
          running.filter((pid) => existsSync(`/proc/${pid}`)),
          [],
          'the primary exits only after every worker has',
        );
        assert.equal(occurrences(serve.stdout, /"msg":"shutting down"/), 3, 'the primary and both workers shut down gracefully');
        assert.equal(occurrences(serve.stdout, /sk_test_/), 2, 'the key line and the curl example, once each');
      } finally {
        await database.drop();
      }
    });

    test('PostgreSQL, --processes 3 on a taken port: the workers\' failure is one line naming PORT, and no tenant is created', TIMEOUT, async () => {
      const database = await createTestDatabase('postgres');
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = taken.address() as AddressInfo;
        const { lines } = await failedStart(spawned.start('postgres --processes 3 (port taken)', { DATABASE_URL: database.url, PORT: String(port) }, ['--processes', '3']));
        assert.deepEqual(lines.length, 1, lines.join('\n'));
        assert.match(lines[0]!, new RegExp(`^subledger: port ${port} on 127\\.0\\.0\\.1 is already in use.*\\bPORT\\b`));
        const admin = new pg.Client({ connectionString: database.url });
        await admin.connect();
        try {
          assert.equal((await admin.query('select count(*)::int as n from tenants')).rows[0].n, 0, 'migrated, but no tenant whose keys nobody saw');
        } finally {
          await admin.end();
        }
      } finally {
        taken.close();
        await database.drop();
      }
    });

    test('PostgreSQL, --processes 2: workers that keep dying (a sixth death within a minute) stop the primary with exit 1 and one line', TIMEOUT, async () => {
      const database = await createTestDatabase('postgres');
      try {
        const serve = spawned.start('postgres --processes 2 (dying)', { DATABASE_URL: database.url, SUBLEDGER_WORKERS: 'off' }, ['--processes', '2']);
        await serve.ready();
        const primary = serve.child.pid!;
        const killed = new Set<number>();
        // Each replacement is killed as soon as it exists (before it listens): a death all the same.
        while (!serve.exited) {
          const next = await waitFor(() => serve.exited || childPids(primary).find((pid) => !killed.has(pid)), WAIT_MS, 'a worker to kill, or the primary to exit');
          if (next === true) break;
          killed.add(next);
          process.kill(next, 'SIGKILL');
          if (killed.size === 6) break;
        }
        const left = childPids(primary);
        await waitFor(() => serve.exited, WAIT_MS, 'the primary to give up and exit');
        const code = await serve.terminate();
        assert.equal(code, 1, `stdout: ${serve.stdout}\nstderr: ${serve.stderr}`);
        assert.equal(killed.size, 6, 'five restarts, then no sixth');
        assert.deepEqual(left.filter((pid) => !killed.has(pid) && existsSync(`/proc/${pid}`)), [], 'no worker outlives the primary');
        const lines = serve.stderr.split('\n').filter((line) => line.trim() !== '');
        assert.equal(lines.length, 1, serve.stderr);
        assert.match(lines[0]!, /^subledger: worker processes keep dying \(5 restarts within 60 s, then signal SIGKILL\); stopping$/);
      } finally {
        await database.drop();
      }
    });
  }
});
