import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { paced, peak, type LoadResult, type RequestSpec } from './load.js';
import { pgbench } from './pgbench.js';
import type { MemoryRecord, PgbenchRecord, ResultRecord, StoreLabel } from './results.js';
import { cpuSecondsOf, cpuUsPerRequestOf, processTree, startCeiling, startSubledger, type ServerProcess, type SubledgerServer } from './servers.js';
import { afterBulkLoad, analyzePostgres, undispatchedEvents, scratchPostgres, scratchSqlite, type ScratchStore, type StoreKind } from './stores.js';
import { SURFACES } from './surfaces/index.js';
import { OPERATIONS, type OperationName, type Scope } from './surfaces/surface.js';

// The measuring sections of `npm run bench`, in the order bench/run.ts calls them.

export interface BenchConfig {
  durationS: number;
  warmupS: number;
  connections: number;
  /** startSubledger() starts measured by the startup section (BENCH_STARTS). */
  starts: number;
  scaleSmall: number;
  scale: number;
  /** Get at scale draws from a uniform random sample of at most this many stored ids. */
  sampleSize: number;
  /** Rows per seeding transaction. */
  seedChunk: number;
  pgbenchClients: number;
  stores: StoreKind[];
  sections: Set<string>;
  pgAdminUrl: string;
  /** Analyze PostgreSQL scratch databases after setup (as autovacuum soon would). */
  pgAnalyze: boolean;
  /** Extra variables of every subledger server (BENCH_SERVER_ENV). */
  serverEnv: Record<string, string>;
  /** BENCH_SOAK=1: minutes of the soak per store (BENCH_SOAK_MINUTES, 10); 0: no soak. */
  soakMinutes: number;
  /** The http section's operations (BENCH_OPERATIONS; default every one). */
  operations: readonly OperationName[];
}

export interface Progress {
  begin(label: string): void;
  note(message: string): void;
  live(text: string): void;
}

export interface Bench {
  config: BenchConfig;
  progress: Progress;
  results: ResultRecord[];
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** @throws when the server under test has exited: its figures would be socket errors only */
function assertRunning(server: ServerProcess, during: string): void {
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    throw new Error(`${server.label} exited (${server.child.exitCode ?? server.child.signalCode}) during ${during}; its last output:\n${server.tail(20)}`);
  }
}

/**
 * Warm-up (discarded), closed-loop peak (with the server's CPU use), then optionally the paced
 * run at half the peak's rate. @throws when the server exited meanwhile
 */
async function measure(bench: Bench, label: string, base: string, spec: RequestSpec, halfRate: boolean, server: ServerProcess) {
  const { config, progress } = bench;
  const serverPid = server.pid;
  bench.progress.begin(label);
  assertRunning(server, `the start of ${label}`);
  const loadavg1 = Math.round(loadavg()[0] * 100) / 100;
  if (config.warmupS > 0) {
    progress.live(`warm-up ${config.warmupS} s`);
    await peak({ base, spec, connections: config.connections, durationS: config.warmupS });
  }
  const cpuBefore = cpuSecondsOf(serverPid);
  const started = performance.now();
  const result = await peak({
    base,
    spec,
    connections: config.connections,
    durationS: config.durationS,
    onTick: (n) => progress.live(`peak: ${int(n)} answers so far (${config.durationS} s, ${config.connections} connections)`),
  });
  const cpuAfter = cpuSecondsOf(serverPid);
  // Share of one core the server process used during the peak (100% = one core busy all along).
  const serverCpu = cpuBefore === null || cpuAfter === null ? null : Math.round(((cpuAfter - cpuBefore) / ((performance.now() - started) / 1000)) * 100);
  // What one answer cost the server (all its processes), whatever else had the cores meanwhile.
  const cpuUsPerRequest = cpuUsPerRequestOf(cpuBefore, cpuAfter, result.requests);
  let half: LoadResult | null = null;
  // The same at half rate: a request costs more there than at the peak (fewer share each group
  // commit and each wakeup), so "half the peak" keeps the server more than half busy.
  let halfRateCpuUsPerRequest: number | null = null;
  if (halfRate && result.rps >= 2) {
    await sleep(300);
    progress.live(`½ rate: ${int(result.rps / 2)}/s for ${config.durationS} s (paced)`);
    const halfCpuBefore = cpuSecondsOf(serverPid);
    half = await paced({ base, spec, connections: config.connections, durationS: config.durationS, rate: result.rps / 2 });
    halfRateCpuUsPerRequest = cpuUsPerRequestOf(halfCpuBefore, cpuSecondsOf(serverPid), half.requests);
  }
  assertRunning(server, label);
  const errors = result.errors + (half?.errors ?? 0);
  progress.note(
    `${int(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, server CPU ${serverCpu}% (${cpuUsPerRequest} µs/request)` +
      (half
        ? `; at ${int(half.targetRate ?? 0)}/s p99 ${half.p99} ms (from the socket write ${half.service?.p99} ms, from due time ${half.fromDue?.p99} ms, generator lag ${half.generatorLag?.p99} ms), ${halfRateCpuUsPerRequest} µs/request`
        : '') +
      `; errors ${errors}${errors ? ` ${JSON.stringify(result.statusCounts)}` : ''}; load average ${loadavg1}`,
  );
  await sleep(300);
  return { peak: result, halfRate: half, loadavg1, serverCpu, cpuUsPerRequest, halfRateCpuUsPerRequest };
}

/** The V8 heap figures of the server's own /metrics (prom-client default metrics), in MiB. */
async function heapOf(server: SubledgerServer): Promise<MemoryRecord['heap']> {
  try {
    const text = await (await fetch(`${server.base}/metrics`)).text();
    const mib = (name: string) => {
      const match = new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
      return match ? Math.round(Number(match[1]) / 104_857.6) / 10 : null;
    };
    return {
      totalMiB: mib('nodejs_heap_size_total_bytes'),
      usedMiB: mib('nodejs_heap_size_used_bytes'),
      newSpaceMiB: mib('nodejs_heap_space_size_total_bytes{space="new"}'),
      oldSpaceMiB: mib('nodejs_heap_space_size_total_bytes{space="old"}'),
      externalMiB: mib('nodejs_external_memory_bytes'),
    };
  } catch {
    return null;
  }
}

async function memoryRecord(store: StoreLabel, when: MemoryRecord['when'], server: SubledgerServer, rows: number | null): Promise<MemoryRecord> {
  const memory = server.process.memory();
  return { kind: 'memory', store, when, rows, rssMiB: memory?.rssMiB ?? null, peakRssMiB: memory?.peakRssMiB ?? null, heap: await heapOf(server) };
}

async function scratchStore(bench: Bench, kind: StoreKind, label: string): Promise<ScratchStore> {
  return kind === 'sqlite' ? scratchSqlite(label) : scratchPostgres(bench.config.pgAdminUrl, label);
}

export function reportServerErrors(bench: Bench, server: SubledgerServer): void {
  if (server.process.errors > 0) {
    bench.progress.note(`the server logged ${server.process.errors} error line(s); last output:\n${server.process.tail(10)}`);
  }
}

const OUTBOX_DRAIN_TIMEOUT_S = 120;

/**
 * Waits until the server's outbox worker has dispatched every event the writes just made, so the
 * next operation is not measured beside that backlog. Returns what was pending and how long it
 * took to drain (null: still not drained after OUTBOX_DRAIN_TIMEOUT_S).
 */
export async function drainOutbox(bench: Bench, scratch: ScratchStore): Promise<{ pending: number; drainS: number | null }> {
  const connection = await scratch.open();
  try {
    const started = performance.now();
    const pending = await undispatchedEvents(connection);
    for (let left = pending; left > 0; left = await undispatchedEvents(connection)) {
      const waited = (performance.now() - started) / 1000;
      if (waited > OUTBOX_DRAIN_TIMEOUT_S) return { pending, drainS: null };
      bench.progress.live(`outbox: ${int(left)} events still to dispatch (${waited.toFixed(0)} s)`);
      await sleep(250);
    }
    return { pending, drainS: Math.round((performance.now() - started) / 100) / 10 };
  } finally {
    await connection.close();
  }
}

/** Measured first and again last: the machine's background load drifts (ratios use the higher). */
export async function measureCeiling(bench: Bench, when: 'first' | 'last'): Promise<void> {
  const ceiling = await startCeiling();
  try {
    const spec: RequestSpec = { method: 'GET', path: '/', headers: {}, expectStatus: 200 };
    const run = await measure(bench, `ceiling (${when}): bare fastify GET → {"hello":"world"}`, ceiling.base, spec, true, ceiling.process);
    bench.results.push({ kind: 'http', surface: 'fastify', store: 'none', operation: `hello, ${when}`, ...run, ratioToCeiling: null, outbox: null });
  } finally {
    await ceiling.process.stop();
  }
}

/** Every operation of every surface on a fresh store, one server; `sync=full` runs create only. */
export async function measureHttp(bench: Bench, kind: StoreKind, variant: 'default' | 'sync-full'): Promise<void> {
  const store: StoreLabel = variant === 'sync-full' ? 'sqlite sync=full' : kind;
  const operations: readonly OperationName[] = variant === 'sync-full' ? ['create'] : OPERATIONS.filter((o) => bench.config.operations.includes(o));
  const scratch = await scratchStore(bench, kind, variant === 'sync-full' ? 'http_sync_full' : 'http');
  const server = await startSubledger({
    label: `subledger on ${store}`,
    databaseUrl: scratch.url,
    env: variant === 'sync-full' ? { SUBLEDGER_SQLITE_SYNC: 'full' } : { SUBLEDGER_SQLITE_SYNC: 'normal' },
  });
  // With the outbox worker on (the default), each write's events are dispatched before the next measurement.
  const workersOn = bench.config.serverEnv.SUBLEDGER_WORKERS !== 'off';
  try {
    if (variant === 'default') {
      bench.results.push(await memoryRecord(store, 'idle after start', server, 0));
      // Our app's own floor (request id, metrics, logging, error handling; no auth, no store):
      // between the ceiling and every operation, it splits each operation's CPU per request.
      const healthz: RequestSpec = { method: 'GET', path: '/healthz', headers: {}, expectStatus: 200 };
      const run = await measure(bench, `subledger · ${store} · GET /healthz`, server.base, healthz, false, server.process);
      bench.results.push({ kind: 'http', surface: 'subledger', store, operation: 'healthz', ...run, ratioToCeiling: null, outbox: null });
    }
    for (const surface of SURFACES) {
      if (!operations.some((o) => surface.operations.includes(o))) continue;
      const requests = await surface.setup(server);
      if (bench.config.pgAnalyze) await analyzePostgres(scratch);
      for (const operation of operations.filter((o) => surface.operations.includes(o))) {
        const run = await measure(bench, `${surface.name} · ${store} · ${operation}`, server.base, requests[operation]!, true, server.process);
        const outbox = workersOn ? await drainOutbox(bench, scratch) : null;
        if (outbox && outbox.pending > 0) {
          bench.progress.note(`outbox: ${int(outbox.pending)} events were pending, ${outbox.drainS === null ? `not drained after ${OUTBOX_DRAIN_TIMEOUT_S} s` : `drained in ${outbox.drainS} s`}`);
        }
        bench.results.push({ kind: 'http', surface: surface.name, store, operation, ...run, ratioToCeiling: null, outbox });
      }
    }
    if (variant === 'default') bench.results.push(await memoryRecord(store, 'after load', server, null));
    reportServerErrors(bench, server);
  } finally {
    await server.process.stop();
    await scratch.drop();
  }
}

/** Rows the get baseline draws from: as many as a large pool, and seeded in a few seconds. */
const PGBENCH_GET_ROWS = 100_000;

/**
 * pgbench with each surface's create transaction, and with its get's keyed select over rows
 * seeded in bulk, on a scratch database our migrations made; as many clients as the server's
 * PostgreSQL pool (the connections its HTTP requests share).
 */
export async function measurePgbench(bench: Bench): Promise<void> {
  const { config, progress } = bench;
  for (const surface of SURFACES) {
    if (!surface.pgbench) continue;
    const scripts = [
      { variant: 'writes' as const, script: surface.pgbench.script },
      ...(surface.pgbench.asSentScript ? [{ variant: 'as sent' as const, script: surface.pgbench.asSentScript }] : []),
    ];
    progress.begin(`pgbench · ${surface.name} create transaction${surface.pgbench.getScript ? ' and get select' : ''} (${config.pgbenchClients} clients, -j 2, -M prepared)`);
    const scratch = await scratchPostgres(config.pgAdminUrl, `pgbench_${surface.name}`);
    try {
      // The server applies the migrations and creates the tenant and its keys, then stops.
      const server = await startSubledger({ label: 'subledger (migrations for pgbench)', databaseUrl: scratch.url });
      await server.process.stop();
      const scope: Scope = { tenantId: server.tenantId, mode: server.mode };
      const connection = await scratch.open();
      const variables = await surface.pgbench.variables(connection, scope).finally(() => connection.close());
      const run = async (variant: PgbenchRecord['variant'], script: string, extra: Record<string, string> = {}, rows?: number) => {
        const common = { databaseUrl: scratch.url, script, variables: { ...variables, ...extra }, clients: config.pgbenchClients };
        if (config.warmupS > 0) await pgbench({ ...common, durationS: config.warmupS });
        if (config.pgAnalyze) await analyzePostgres(scratch);
        progress.live(`pgbench ${variant}: ${config.durationS} s`);
        const result = await pgbench({ ...common, durationS: config.durationS });
        bench.results.push({ kind: 'pgbench', surface: surface.name, variant, ...result, ...(rows === undefined ? {} : { rows }) });
        progress.note(`${variant}: ${int(result.tps)} tps (avg latency ${result.latencyAvgMs} ms)`);
      };
      for (const { variant, script } of scripts) await run(variant, script);
      if (surface.pgbench.getScript && surface.scale) {
        const rows = Math.min(config.scale, PGBENCH_GET_ROWS);
        progress.live(`seeding ${int(rows)} rows for the get select`);
        const seeding = await scratch.open();
        try {
          for (let from = 1; from <= rows; from += config.seedChunk) await surface.scale.seed(seeding, scope, from, Math.min(rows, from + config.seedChunk - 1));
          await afterBulkLoad(seeding);
        } finally {
          await seeding.close();
        }
        await run('get', surface.pgbench.getScript, { rows: String(rows) }, rows);
      }
    } finally {
      await scratch.drop();
    }
  }
}

/**
 * The same get and list with scaleSmall and then scale rows stored, seeded in bulk with the
 * server stopped (a fresh server process measures each size).
 */
export async function measureScale(bench: Bench, kind: StoreKind): Promise<void> {
  const { config, progress } = bench;
  for (const surface of SURFACES) {
    const { scale } = surface;
    if (!scale) continue;
    const scratch = await scratchStore(bench, kind, `scale_${surface.name}`);
    try {
      const first = await startSubledger({ label: `subledger on ${kind} (scale)`, databaseUrl: scratch.url });
      await first.process.stop();
      const known = { key: first.key, tenantId: first.tenantId };
      const scope: Scope = { tenantId: first.tenantId, mode: first.mode };
      let stored = 0;
      for (const size of [config.scaleSmall, config.scale]) {
        progress.begin(`${surface.name} · ${kind} · seed ${int(stored)} → ${int(size)} accounts (and customers), in bulk`);
        const started = performance.now();
        const connection = await scratch.open();
        let ids: string[];
        try {
          for (let from = stored + 1; from <= size; from += config.seedChunk) {
            const to = Math.min(size, from + config.seedChunk - 1);
            await scale.seed(connection, scope, from, to);
            progress.live(`seeded ${int(to)} / ${int(size)}`);
          }
          await afterBulkLoad(connection);
          const seconds = (performance.now() - started) / 1000;
          const count = await scale.count(connection, scope);
          if (count !== size) throw new Error(`seeding ${kind}: expected ${size} rows in scope, found ${count}`);
          bench.results.push({ kind: 'seed', surface: surface.name, store: kind, fromRows: stored, toRows: size, seconds: Math.round(seconds * 10) / 10, rowsPerSecond: Math.round((size - stored) / seconds) });
          progress.note(`${int(size - stored)} accounts in ${seconds.toFixed(1)} s`);
          ids = await scale.sampleIds(connection, scope, Math.min(size, config.sampleSize));
        } finally {
          await connection.close();
        }
        stored = size;
        const server = await startSubledger({ label: `subledger on ${kind} (${int(size)} accounts)`, databaseUrl: scratch.url, known });
        try {
          const requests = scale.requests(server, ids);
          for (const operation of scale.operations) {
            const run = await measure(bench, `${surface.name} · ${kind} · ${operation} with ${int(size)} accounts`, server.base, requests[operation]!, false, server.process);
            bench.results.push({ kind: 'scale', surface: surface.name, store: kind, operation, rows: size, sampledIds: ids.length, result: run.peak, loadavg1: run.loadavg1, serverCpu: run.serverCpu });
          }
          if (size === config.scale) bench.results.push({ ...(await memoryRecord(kind, 'after scale', server, size)), surface: surface.name });
          reportServerErrors(bench, server);
        } finally {
          await server.process.stop();
        }
      }
    } finally {
      await scratch.drop();
    }
  }
}

/** How many progress steps a run with this config has (for the [n/N] of each progress line). */
export function plannedSteps(config: BenchConfig, soak: boolean): number {
  const has = (s: string) => config.sections.has(s);
  let steps = (has('ceiling') ? 2 : 0) + (has('startup') ? 1 : 0) + (has('testdata') ? 1 : 0);
  for (const store of config.stores) {
    if (has('http')) steps += 1 + SURFACES.reduce((n, s) => n + s.operations.filter((o) => config.operations.includes(o)).length, 0);
    if (store === 'sqlite' && has('sync')) steps += SURFACES.length;
    if (store === 'sqlite' && has('floor')) steps += SURFACES.filter((s) => s.operations.some((o) => config.operations.includes(o))).length;
    if (store === 'postgres' && has('pgbench')) steps += SURFACES.filter((s) => s.pgbench).length;
    if (store === 'postgres' && has('processes')) steps += 2 * PROCESSES_OPERATIONS.length;
    if (has('scale')) steps += SURFACES.reduce((n, s) => n + (s.scale ? 2 * (1 + s.scale.operations.length) : 0), 0);
    if (soak) steps += 1;
  }
  return steps;
}

/** The operations `serve --processes N` is compared on: a write and a read. */
const PROCESSES_OPERATIONS = [
  { surface: 'billing', operation: 'create' },
  { surface: 'billing', operation: 'get' },
] as const;

/**
 * PostgreSQL served by `subledger serve --processes 1` and then `--processes 2` (node:cluster
 * workers sharing the port), peak only; the server's CPU is summed over the primary and its workers.
 */
export async function measureProcesses(bench: Bench): Promise<void> {
  for (const processes of [1, 2]) {
    const scratch = await scratchPostgres(bench.config.pgAdminUrl, `processes_${processes}`);
    const server = await startSubledger({ label: `subledger on postgres, ${processes} process(es)`, databaseUrl: scratch.url, env: { SUBLEDGER_PROCESSES: String(processes) } });
    try {
      const serving = processTree(server.process.pid).length;
      if (processes > 1 && serving < processes + 1) throw new Error(`serve --processes ${processes} started ${serving - 1} worker(s): is the cluster mode built?\n${server.process.tail(10)}`);
      const contexts = new Map<string, Awaited<ReturnType<(typeof SURFACES)[number]['setup']>>>();
      for (const { surface: name, operation } of PROCESSES_OPERATIONS) {
        const surface = SURFACES.find((s) => s.name === name)!;
        if (!contexts.has(name)) contexts.set(name, await surface.setup(server));
        if (bench.config.pgAnalyze) await analyzePostgres(scratch);
        const run = await measure(bench, `${name} · postgres · ${operation} · ${processes} process${processes > 1 ? 'es' : ''}`, server.base, contexts.get(name)![operation]!, false, server.process);
        bench.results.push({ kind: 'processes', surface: name, operation, processes, peak: run.peak, loadavg1: run.loadavg1, serverCpu: run.serverCpu, cpuUsPerRequest: run.cpuUsPerRequest });
        await drainOutbox(bench, scratch);
      }
      reportServerErrors(bench, server);
    } finally {
      await server.process.stop();
      await scratch.drop();
    }
  }
}

/** How long each load chunk of a soak runs before the server's RSS is sampled. */
const SOAK_CHUNK_S = 15;

/**
 * BENCH_SOAK=1: every surface's operations in turn, closed loop, for `minutes`, on one server
 * and a fresh store, sampling the server's RSS after each chunk (does memory grow under
 * sustained load?).
 */
export async function measureSoak(bench: Bench, kind: StoreKind, minutes: number): Promise<void> {
  const { config, progress } = bench;
  progress.begin(`soak · ${kind} · ${minutes} min of every operation in turn, RSS sampled every ${SOAK_CHUNK_S} s`);
  const scratch = await scratchStore(bench, kind, 'soak');
  const server = await startSubledger({ label: `subledger on ${kind} (soak)`, databaseUrl: scratch.url });
  try {
    const runs: RequestSpec[] = [];
    for (const surface of SURFACES) {
      const requests = await surface.setup(server);
      for (const operation of surface.operations) runs.push(requests[operation]!);
    }
    const samples: [number, number][] = [];
    let requests = 0;
    let errors = 0;
    const started = performance.now();
    const elapsedMin = () => (performance.now() - started) / 60_000;
    for (let i = 0; elapsedMin() < minutes; i++) {
      assertRunning(server.process, 'the soak');
      const result = await peak({ base: server.base, spec: runs[i % runs.length]!, connections: config.connections, durationS: SOAK_CHUNK_S });
      requests += result.requests;
      errors += result.errors;
      const rss = server.process.memory()?.rssMiB;
      if (rss !== undefined) samples.push([Math.round(elapsedMin() * 100) / 100, rss]);
      progress.live(`soak ${elapsedMin().toFixed(1)} / ${minutes} min: RSS ${rss} MiB, ${int(requests)} requests, ${errors} errors`);
    }
    bench.results.push({ kind: 'soak', store: kind, minutes, samples, requests, errors });
    progress.note(`RSS ${samples.map(([, mib]) => mib.toFixed(0)).join(' → ')} MiB; ${int(requests)} requests, ${errors} errors`);
    reportServerErrors(bench, server);
  } finally {
    await server.process.stop();
    await scratch.drop();
  }
}
