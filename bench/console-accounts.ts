import { performance } from 'node:perf_hooks';
import { peak, type RequestSpec } from './load.js';
import { startSubledger } from './servers.js';
import { afterBulkLoad, dropAllScratch, scratchPostgres, scratchSqlite, type ScratchStore, type StoreKind } from './stores.js';
import { SURFACES } from './surfaces/index.js';
import type { Scope } from './surfaces/surface.js';

// The operator console's account directory (GET /admin/v1/tenants/:t/accounts) at 10^3 and
// 10^6 holders: every surface's scale seeder fills one database (billing customers and
// accounts, platform sub-accounts, org accounts), then the first page, a deep page, a name
// search and a status filter are measured at both sizes. Issue 14's target: flat, within 1.5×.
//
//   npm run bench:console            (BENCH_CONSOLE_ROWS: rows per surface seeder, default 250000;
//                                     BENCH_DURATION seconds per measurement, default 5;
//                                     BENCH_STORES=sqlite,postgres)

const ADMIN_TOKEN = 'bench-console-admin-token-0123456789';
const PG_ADMIN_URL = process.env.DATABASE_URL_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const rowsPerSurface = Number(process.env.BENCH_CONSOLE_ROWS ?? 250_000);
const durationS = Number(process.env.BENCH_DURATION ?? 5);
const stores = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',') as StoreKind[];
const SIZES = [Math.min(250, rowsPerSurface), rowsPerSurface];
const CHUNK = 50_000;
const DEEP_PAGES = 20;

const get = (path: string): RequestSpec => ({ method: 'GET', path, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, expectStatus: 200 });

async function json(base: string, path: string): Promise<{ data: { id: string }[]; next_cursor: string | null }> {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { data: { id: string }[]; next_cursor: string | null };
}

/** The directory's requests for this server: the first page, page DEEP_PAGES + 1 by its cursor, a name search, a status filter. */
async function requestsOf(base: string, tenantId: string): Promise<Record<string, RequestSpec>> {
  const list = `/admin/v1/tenants/${tenantId}/accounts?limit=25`;
  let cursor: string | null = null;
  for (let page = 0; page < DEEP_PAGES; page += 1) cursor = (await json(base, `${list}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).next_cursor;
  const first = await json(base, list);
  return {
    'first page': get(list),
    [`page ${DEEP_PAGES + 1}`]: get(`${list}&cursor=${encodeURIComponent(cursor!)}`),
    'name search': get(`${list}&q=Seed%20S`),
    'status filter': get(`${list}&status=LIVE`),
    'account page': get(`/admin/v1/tenants/${tenantId}/accounts/${first.data[0]!.id}`),
  };
}

async function measureStore(kind: StoreKind): Promise<Record<string, number[]>> {
  const scratch: ScratchStore = kind === 'sqlite' ? scratchSqlite('console_directory') : await scratchPostgres(PG_ADMIN_URL, 'console_directory');
  const env = { SUBLEDGER_ADMIN_TOKEN: ADMIN_TOKEN };
  const first = await startSubledger({ label: `subledger on ${kind} (console)`, databaseUrl: scratch.url, env });
  await first.process.stop();
  const scope: Scope = { tenantId: first.tenantId, mode: first.mode };
  const p50s: Record<string, number[]> = {};
  let stored = 0;
  for (const size of SIZES) {
    const started = performance.now();
    const connection = await scratch.open();
    try {
      for (const surface of SURFACES) {
        for (let from = stored + 1; from <= size; from += CHUNK) await surface.scale!.seed(connection, scope, from, Math.min(size, from + CHUNK - 1));
      }
      await afterBulkLoad(connection);
    } finally {
      await connection.close();
    }
    stored = size;
    process.stdout.write(`${kind}: ${size} rows per surface seeded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    const server = await startSubledger({ label: `subledger on ${kind} (console, ${size})`, databaseUrl: scratch.url, env, known: { key: first.key, tenantId: first.tenantId } });
    try {
      const requests = await requestsOf(server.base, first.tenantId);
      for (const [name, spec] of Object.entries(requests)) {
        const result = await peak({ base: server.base, spec, connections: 16, durationS });
        (p50s[name] ??= []).push(result.p50);
        process.stdout.write(`  ${kind} ${name.padEnd(14)} ${String(size).padStart(8)} rows/surface: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, errors ${result.errors}\n`);
      }
    } finally {
      await server.process.stop();
    }
  }
  await scratch.drop();
  return p50s;
}

try {
  let failed = false;
  for (const kind of stores) {
    const p50s = await measureStore(kind);
    for (const [name, [small, large]] of Object.entries(p50s)) {
      const ratio = large! / small!;
      failed ||= ratio > 1.5;
      process.stdout.write(`${ratio <= 1.5 ? 'PASS' : 'FAIL'} ${kind} ${name}: p50 ×${ratio.toFixed(2)} from ${SIZES[0]} to ${SIZES[1]} rows per surface (target ≤ 1.5)\n`);
    }
  }
  process.exitCode = failed ? 1 : 0;
} finally {
  await dropAllScratch();
}
