// The audit's bench (issue 24, SPEC §8), apart from `npm run bench`:
//  1. `subledger verify` at 10^6 entries (and at 10^5, to show memory does not grow with them):
//     wall time and peak RSS of the CLI process, on SQLite seeded fast by direct inserts of the
//     entries the kernel's applyPosting computes (hashes and all).
//  2. The write path's server CPU per billing create (one entry) and per platform transfer (two
//     entries), before the chain (BENCH_BEFORE_DIST: a build of the commit before it) and after
//     (this tree's dist/), both servers measured side by side in each round, from /proc/<pid>/stat of the server process.
// Run: npm run -s build && BENCH_BEFORE_DIST=/tmp/subledger-before/dist npx tsx bench/ledger-audit.ts
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { median } from './probe.js';
import { nowIso } from '../src/ledger/clock.js';
import { EXTERNAL, type Balance, type CommandContext } from '../src/ledger/model.js';
import { applyPosting, newBalance, type Posting } from '../src/ledger/postings.js';
import { openStore } from '../src/runtime.js';
import { balanceToRow, ledgerEntryToRow } from '../src/store/rows.js';
import type { LedgerEntryTable } from '../src/store/database.js';
import { createTenant } from '../src/tenancy/tenants.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);

// ---- 1. verify at scale ------------------------------------------------------------------

async function seed(url: string, entries: number, holders: number): Promise<void> {
  const store = await openStore({ databaseUrl: url, sqliteSync: 'normal', pgPoolSize: 2 });
  try {
    const { tenant } = await store.transaction((tx) => createTenant(tx, { name: 'bench' }, nowIso()));
    const scope = { tenantId: tenant.id, mode: 'test' as const };
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    const balances = new Map<string, Balance>();
    const balanceOf = (holderId: string): Balance => balances.get(holderId) ?? newBalance(holderId, 'IDR', new Date(start).toISOString());
    let written = 0;
    let rows: LedgerEntryTable[] = [];
    const flush = async () => {
      const batch = rows;
      rows = [];
      await store.db.transaction().execute(async (trx) => {
        for (let i = 0; i < batch.length; i += 500) await trx.insertInto('ledger_entries').values(batch.slice(i, i + 500)).execute();
      });
    };
    for (let i = 0; written < entries; i++) {
      const at = new Date(start + i).toISOString();
      const ctx: CommandContext = { scope, actor: 'key_bench', requestId: `req_${i}`, idempotencyKey: null, now: at };
      const a = `acc_${i % holders}`;
      const b = `acc_${(i * 7 + 3) % holders}`;
      // Every third posting a transfer (two entries), the others top-ups (one entry).
      const transfer = i % 3 === 2 && a !== b && entries - written >= 2;
      const posting: Posting = transfer ? { kind: 'transfer', amount: { currency: 'IDR', amount: 1_000_000_000n }, from: b, to: a } : { kind: 'topup', amount: { currency: 'IDR', amount: 5_000_000_000n }, from: EXTERNAL, to: a };
      const sides = [posting.from, posting.to].filter((h) => h !== EXTERNAL).map(balanceOf);
      const result = applyPosting(ctx, posting, sides, at);
      for (const balance of result.balances) balances.set(balance.holderId, balance);
      for (const entry of result.entries) rows.push(ledgerEntryToRow(scope.tenantId, scope.mode, entry));
      written += result.entries.length;
      if (rows.length >= 20_000) await flush();
    }
    await flush();
    const balanceRows = [...balances.values()].map((b) => balanceToRow(scope.tenantId, scope.mode, b));
    for (let i = 0; i < balanceRows.length; i += 500) await store.db.insertInto('balances').values(balanceRows.slice(i, i + 500)).execute();
  } finally {
    await store.close();
  }
}

async function measureVerify(entries: number, holders: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'subledger-audit-bench-'));
  const url = `sqlite:${join(dir, 'bench.db')}`;
  try {
    const seededAt = Date.now();
    await seed(url, entries, holders);
    log(`seeded ${entries} entries on ${holders} balances in ${((Date.now() - seededAt) / 1000).toFixed(1)} s`);
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, join(ROOT, 'dist/cli/main.js'), 'verify'], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const [code] = (await once(child, 'close')) as [number];
    const [, seconds, kib] = /TIME ([\d.]+) (\d+)/.exec(stderr) ?? [];
    const result = { entries, balances: holders, exit: code, summary: stdout.trim(), seconds: Number(seconds), peak_rss_mib: Math.round(Number(kib) / 1024) };
    log(JSON.stringify(result));
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- 2. the write path's server CPU ------------------------------------------------------

const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

/** utime + stime of a process, in milliseconds (Linux: clock ticks of 10 ms... read as USER_HZ). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const hz = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / hz;
}

async function measureWrites(label: string, dist: string, requests: number): Promise<{ label: string; create_cpu_us: number; transfer_cpu_us: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'subledger-write-bench-'));
  const port = 41000 + Math.floor(Math.random() * 2000);
  const server = spawn(process.execPath, [join(dist, 'cli/main.js'), 'serve'], {
    env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'w.db')}`, PORT: String(port), HOST: '127.0.0.1', SUBLEDGER_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn', SUBLEDGER_RATE_LIMIT: '0', SUBLEDGER_WORKERS: 'off' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (i > 1200 || server.exitCode !== null) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const created = (await (await fetch(`${base}/admin/v1/tenants`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench' }) })).json()) as { id: string; keys: { test: { secret: string } } };
    const bearer = { authorization: `Bearer ${created.keys.test.secret}`, 'content-type': 'application/json' };
    const basic = { authorization: `Basic ${Buffer.from(`${created.keys.test.secret}:`).toString('base64')}`, 'content-type': 'application/json' };
    const send = async (path: string, headers: Record<string, string>, body: string) => {
      const answer = await fetch(`${base}${path}`, { method: 'POST', headers: { ...headers, 'idempotency-key': randomUUID() }, body });
      if (answer.status >= 300) throw new Error(`${path}: ${answer.status} ${await answer.text()}`);
      await answer.arrayBuffer();
    };
    await send('/balance/test/topup', basic, '{"amount":1000000000,"currency":"IDR"}');
    const sub = (await (await fetch(`${base}/v2/accounts`, { method: 'POST', headers: basic, body: JSON.stringify({ email: `b-${randomUUID()}@example.com`, type: 'OWNED', public_profile: { business_name: 'b' } }) })).json()) as { id: string };
    const run = async (one: (i: number) => Promise<void>): Promise<number> => {
      for (let i = 0; i < 200; i++) await one(i); // warm-up
      const before = cpuMs(server.pid!);
      let next = 0;
      await Promise.all(Array.from({ length: 4 }, async () => {
        while (next < requests) await one(next++);
      }));
      return ((cpuMs(server.pid!) - before) * 1000) / requests;
    };
    const create = await run(() => send('/billing/accounts', bearer, JSON.stringify({ customer: { external_reference: randomUUID() }, external_reference: randomUUID(), currency: 'ZAR', balance: 1000 })));
    const transfer = await run(() => send('/transfers', basic, JSON.stringify({ reference: randomUUID(), amount: 1, source_user_id: created.id, destination_user_id: sub.id })));
    const result = { label, create_cpu_us: Math.round(create), transfer_cpu_us: Math.round(transfer) };
    log(JSON.stringify(result));
    return result;
  } finally {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}


const sections = (process.env.BENCH_AUDIT_SECTIONS ?? 'verify,writes').split(',');
const output: Record<string, unknown> = {};
if (sections.includes('verify')) {
  const holders = Number(process.env.BENCH_AUDIT_BALANCES ?? 1000);
  output.verify = [await measureVerify(100_000, holders), await measureVerify(Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000), holders)];
}
if (sections.includes('writes')) {
  const before = process.env.BENCH_BEFORE_DIST;
  if (!before) throw new Error('BENCH_BEFORE_DIST: the dist/ of a build without the chain');
  const requests = Number(process.env.BENCH_AUDIT_REQUESTS ?? 3000);
  const runs: Awaited<ReturnType<typeof measureWrites>>[] = [];
  for (let round = 0; round < Number(process.env.BENCH_AUDIT_ROUNDS ?? 3); round++) {
    // Both servers at once, each with its own clients: whatever else loads the machine loads both alike.
    runs.push(...(await Promise.all([measureWrites('before', before, requests), measureWrites('after', join(ROOT, 'dist'), requests)])));
  }
  const of = (label: string, key: 'create_cpu_us' | 'transfer_cpu_us') => median(runs.filter((r) => r.label === label).map((r) => r[key]));
  output.writes = {
    runs,
    median: {
      create: { before: of('before', 'create_cpu_us'), after: of('after', 'create_cpu_us') },
      transfer: { before: of('before', 'transfer_cpu_us'), after: of('after', 'transfer_cpu_us') },
    },
  };
}
process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
