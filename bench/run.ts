// `npm run bench` (after `npm run build`): SPEC §6 measured on this machine. See bench/README.md.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { machine, versions } from './environment.js';
import { readPrevious, renderComparison, renderTables, describeRun, writeReport } from './report.js';
import { measureFloor } from './floor.js';
import { evaluateTargets, helloUsOf, type BenchReport, type FloorRecord, type HttpRecord } from './results.js';
import { measureCeiling, measureHttp, measurePgbench, measureProcesses, measureScale, measureSoak, plannedSteps, type Bench, type BenchConfig, type Progress } from './sections.js';
import { killAllChildren, serverEnvironmentOf, setServerEnvironment } from './servers.js';
import { measureStartup } from './startup.js';
import { measureTestData } from './test-data.js';
import { benchPgUrl, dropAllScratch, type StoreKind } from './stores.js';
import { OPERATIONS } from './surfaces/surface.js';

const SECTIONS = ['ceiling', 'startup', 'testdata', 'http', 'sync', 'floor', 'pgbench', 'processes', 'scale'] as const;
const STORES: StoreKind[] = ['sqlite', 'postgres'];

function integer(name: string, fallback: number, minimum: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < minimum) throw new Error(`${name}=${JSON.stringify(raw)}: must be an integer ≥ ${minimum}`);
  return Number(raw);
}

function list<T extends string>(name: string, allowed: readonly T[]): T[] {
  const raw = process.env[name];
  if (!raw) return [...allowed];
  const values = raw.split(',').map((v) => v.trim()).filter(Boolean);
  const unknown = values.filter((v) => !(allowed as readonly string[]).includes(v));
  if (unknown.length || values.length === 0) throw new Error(`${name}=${JSON.stringify(raw)}: must be a comma-separated subset of ${allowed.join(',')}`);
  return values as T[];
}

function readConfig(): BenchConfig {
  const scale = integer('BENCH_SCALE', 1_000_000, 2);
  const scaleSmall = integer('BENCH_SCALE_SMALL', Math.min(1000, Math.floor(scale / 10) || 1), 1);
  if (scaleSmall >= scale) throw new Error(`BENCH_SCALE_SMALL (${scaleSmall}) must be smaller than BENCH_SCALE (${scale})`);
  return {
    durationS: integer('BENCH_DURATION', 8, 1),
    warmupS: integer('BENCH_WARMUP', 2, 0),
    connections: integer('BENCH_CONNECTIONS', 50, 1),
    starts: integer('BENCH_STARTS', 20, 1),
    scaleSmall,
    scale,
    sampleSize: 100_000,
    seedChunk: 100_000,
    pgbenchClients: 10,
    stores: list('BENCH_STORES', STORES),
    sections: new Set(list('BENCH_SECTIONS', SECTIONS)),
    pgAdminUrl: benchPgUrl(),
    pgAnalyze: integer('BENCH_PG_ANALYZE', 1, 0) !== 0,
    serverEnv: serverEnvironmentOf(process.env.BENCH_SERVER_ENV),
    soakMinutes: integer('BENCH_SOAK', 0, 0) === 0 ? 0 : integer('BENCH_SOAK_MINUTES', 10, 1),
    operations: list('BENCH_OPERATIONS', OPERATIONS),
  };
}

function createProgress(total: number): Progress {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let step = 0;
  let dirty = false;
  const clock = () => {
    const s = Math.round((performance.now() - started) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const write = (line: string) => {
    if (dirty) process.stderr.write('\r\x1b[K');
    dirty = false;
    process.stderr.write(`${line}\n`);
  };
  return {
    begin: (label) => write(`[bench ${String(++step).padStart(2)}/${total} ${clock()}] ${label}`),
    note: (message) => write(`${' '.repeat(8)}→ ${message}`),
    live: (text) => {
      if (!tty) return;
      process.stderr.write(`\r\x1b[K${' '.repeat(8)}… ${text}`);
      dirty = true;
    },
  };
}

async function main(): Promise<void> {
  const config = readConfig();
  const started = performance.now();
  const previous = readPrevious();
  const host = machine();
  const usesPostgres = config.stores.includes('postgres') && (['http', 'pgbench', 'processes', 'scale'].some((s) => config.sections.has(s)) || config.soakMinutes > 0);
  const { versions: versionTable, commit } = await versions(usesPostgres ? config.pgAdminUrl : null);
  const steps = plannedSteps(config, config.soakMinutes > 0);
  process.stderr.write(
    `bench: ${steps} steps, ${config.connections} connections, ${config.warmupS} s warm-up + ${config.durationS} s each, ` +
      `scale ${config.scaleSmall} → ${config.scale}, stores ${config.stores.join(', ')}; load average now ${host.loadavgAtStart.join(' ')}\n`,
  );
  if (host.loadavgAtStart[0] > 0.5) process.stderr.write(`bench: the machine is already busy (load ${host.loadavgAtStart[0]}): figures will be lower and noisier\n`);

  setServerEnvironment(config.serverEnv);
  const bench: Bench = { config, progress: createProgress(steps), results: [] };
  if (config.sections.has('ceiling')) await measureCeiling(bench, 'first');
  if (config.sections.has('startup')) await measureStartup(bench);
  if (config.sections.has('testdata')) await measureTestData(bench);
  for (const store of config.stores) {
    if (config.sections.has('http')) await measureHttp(bench, store, 'default');
    if (store === 'sqlite' && config.sections.has('sync')) await measureHttp(bench, 'sqlite', 'sync-full');
    if (store === 'sqlite' && config.sections.has('floor')) await measureFloor(bench);
    if (store === 'postgres' && config.sections.has('pgbench')) await measurePgbench(bench);
    if (store === 'postgres' && config.sections.has('processes')) await measureProcesses(bench);
  }
  if (config.sections.has('scale')) for (const store of config.stores) await measureScale(bench, store);
  if (config.soakMinutes > 0) for (const store of config.stores) await measureSoak(bench, store, config.soakMinutes);
  if (config.sections.has('ceiling')) await measureCeiling(bench, 'last');

  // Every throughput over the higher of the two ceilings (the conservative ratio).
  const http = bench.results.filter((r): r is HttpRecord => r.kind === 'http');
  const ceiling = Math.max(0, ...http.filter((r) => r.surface === 'fastify').map((r) => r.peak.rps));
  if (ceiling > 0) for (const r of http) r.ratioToCeiling = Math.round((r.peak.rps / ceiling) * 1000) / 1000;
  // Each floor starts at the hello's server CPU per request (the lower of the two ceilings).
  const hello = helloUsOf(bench.results);
  for (const floor of bench.results.filter((r): r is FloorRecord => r.kind === 'floor')) {
    floor.helloUs = hello;
    floor.floorUs = Math.round(((hello ?? 0) + floor.statementsUs + floor.serializationUs) * 10) / 10;
  }

  host.loadavgAtEnd = loadavg().map((n) => Math.round(n * 100) / 100);
  const report: BenchReport = {
    machine: host,
    versions: { ...versionTable, 'subledger commit': commit },
    date: new Date().toISOString(),
    commit,
    config: {
      durationS: config.durationS,
      warmupS: config.warmupS,
      connections: config.connections,
      starts: config.starts,
      scaleSmall: config.scaleSmall,
      scale: config.scale,
      sampleSize: config.sampleSize,
      pgbenchClients: config.pgbenchClients,
      pgAnalyze: config.pgAnalyze,
      serverEnv: config.serverEnv,
      soakMinutes: config.soakMinutes,
      stores: config.stores,
      sections: [...config.sections],
      quick: config.durationS < 8 || config.scale < 1_000_000 || config.sections.size < SECTIONS.length || config.stores.length < STORES.length,
      halfRate: 'paced open loop at peak/2 req/s over the same connections; latency from when each request was issued (also: service = from the socket write, fromDue, generatorLag); halfRateCpuUsPerRequest: the server CPU per request meanwhile',
      get: 'random ids: the setup pool (500 accounts) in the load section; a uniform random sample of stored ids at scale',
      server: 'node dist/cli/main.js serve, LOG_LEVEL=warn, SUBLEDGER_RATE_LIMIT=0, outbox worker on (default), fresh database per store',
      hello: 'the lower of the two ceiling runs\' server CPU per request; targets are multiples of it',
      floor: 'hello + the operation\'s SQLite statements (traced with SUBLEDGER_SQLITE_TRACE, replayed alone with better-sqlite3) + JSON.stringify of its answer',
    },
    durationS: Math.round((performance.now() - started) / 1000),
    results: bench.results,
    targets: evaluateTargets(bench.results),
  };
  process.stdout.write(`\n${describeRun(report)}\n\n${renderTables(report)}\n`);
  if (previous) process.stdout.write(`\n${renderComparison(previous, report)}\n`);
  if (process.env.BENCH_SAVE === '0') {
    process.stdout.write('\nBENCH_SAVE=0: nothing written\n');
    return;
  }
  const written = writeReport(report);
  process.stdout.write(`\nwrote ${written.map((f) => f.replace(/^.*\/bench\//, 'bench/')).join(', ')}\n`);
}

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    killAllChildren();
    await dropAllScratch();
  })();
  return cleaning;
}

function fail(error: unknown, code: number): void {
  const text = error instanceof Error ? (code === 130 ? error.message : (error.stack ?? error.message)) : String(error);
  process.stderr.write(`\nbench failed: ${text}\n`);
  cleanup().finally(() => process.exit(code));
}

process.on('exit', killAllChildren);
process.on('uncaughtException', (error) => fail(error, 1));
process.on('unhandledRejection', (error) => fail(error, 1));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => fail(new Error(`interrupted (${signal})`), 130));

main().then(
  () => cleanup().finally(() => process.exit(0)),
  (error: unknown) => fail(error, 1),
);
