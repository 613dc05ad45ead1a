import type { LoadResult } from './load.js';
import type { PgbenchResult } from './pgbench.js';

// The shape of bench/results/*.json, and the SPEC §6 targets computed from it.

export type StoreLabel = 'none' | 'sqlite' | 'sqlite sync=full' | 'postgres';

/** One operation under load: its closed-loop peak and its p99 at half that rate. */
export interface HttpRecord {
  kind: 'http';
  surface: string;
  store: StoreLabel;
  operation: string;
  peak: LoadResult;
  halfRate: LoadResult | null;
  /** Peak req/s over the ceiling's peak req/s. */
  ratioToCeiling: number | null;
  /** 1-minute load average just before the measurement (others' work on the machine shows here). */
  loadavg1: number;
  /** CPU the server process used during the peak, in % of one core (null: not readable). */
  serverCpu: number | null;
  /** Server CPU time per answered request during the peak, in µs (its process and any workers). */
  cpuUsPerRequest: number | null;
  /** The same during the half-rate run (null: none, or not readable; absent in runs before it was recorded). */
  halfRateCpuUsPerRequest?: number | null;
  /**
   * Outbox events left undispatched when the measurement ended, and how long the worker took to
   * dispatch them (null: not within 120 s); the next measurement starts after. null: worker off.
   */
  outbox: { pending: number; drainS: number | null } | null;
}

export interface ScaleRecord {
  kind: 'scale';
  surface: string;
  store: StoreLabel;
  operation: string;
  /** Rows of the seeded kind (accounts) stored while measuring. */
  rows: number;
  /** How get chose its ids: a uniform random sample of this many stored ids, one drawn per request. */
  sampledIds: number;
  result: LoadResult;
  loadavg1: number;
  serverCpu: number | null;
}

export interface SeedRecord {
  kind: 'seed';
  surface: string;
  store: StoreLabel;
  fromRows: number;
  toRows: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface MemoryRecord {
  kind: 'memory';
  store: StoreLabel;
  when: 'idle after start' | 'after load' | 'after scale';
  /** after scale: whose accounts were stored. */
  surface?: string;
  rows: number | null;
  rssMiB: number | null;
  peakRssMiB: number | null;
  /** Where the RSS is, as far as V8 tells (the server's /metrics): heap reserved and used, its young and old spaces, and memory outside the heap (buffers). */
  heap?: { totalMiB: number | null; usedMiB: number | null; newSpaceMiB: number | null; oldSpaceMiB: number | null; externalMiB: number | null } | null;
}

export interface PgbenchRecord extends PgbenchResult {
  kind: 'pgbench';
  surface: string;
  /** writes: the create's inserts as a plain transaction; as sent: the server's own statement; get: the keyed select of a get. */
  variant: 'writes' | 'as sent' | 'get';
  /** get: rows stored that the select draws from. */
  rows?: number;
}

/** One operation on PostgreSQL served by `serve --processes N` (the 1 against 2 comparison). */
export interface ProcessesRecord {
  kind: 'processes';
  surface: string;
  operation: string;
  processes: number;
  peak: LoadResult;
  loadavg1: number;
  serverCpu: number | null;
  cpuUsPerRequest: number | null;
}

/** BENCH_SOAK=1: the server's RSS sampled while mixed load runs for many minutes. */
export interface SoakRecord {
  kind: 'soak';
  store: StoreLabel;
  minutes: number;
  /** [minutes since the start, RSS MiB] after each load chunk. */
  samples: [number, number][];
  requests: number;
  errors: number;
}

/** `startSubledger()` (subledger/testing) started and stopped `starts` times in one fresh process; times in ms. */
export interface StartupRecord {
  kind: 'startup';
  starts: number;
  /** The first `import` of the built module (once per test process). */
  importMs: number;
  /** The first start in the process (code paths not yet compiled by V8). */
  firstMs: number;
  medianMs: number;
  maxMs: number;
  stopMedianMs: number;
}

/** The testing API's reset and restore of one tenant's test mode holding `objects` objects (`rows` rows), on SQLite; times in ms. */
export interface TestDataRecord {
  kind: 'testdata';
  objects: number;
  rows: number;
  rounds: number;
  snapshotMs: number;
  restoreMedianMs: number;
  resetMedianMs: number;
}

/**
 * The floor of one SQLite operation (bench/floor.ts): its own SQLite statements, traced in a
 * server and replayed alone (better-sqlite3 in the bench process), and serializing its answer.
 */
export interface FloorRecord {
  kind: 'floor';
  surface: string;
  store: 'sqlite';
  operation: string;
  /** Requests sent to the traced server (each checked as the http section checks them). */
  requests: number;
  /** Statements the server ran per request (traced lines in the operation's window / requests), outbox dispatching and transactions included. */
  statementsPerRequest: number;
  /** Time of their .run/.all/.iterate calls, replayed, per request, µs. */
  statementsUs: number;
  /** JSON.stringify of one answer's parsed body, µs. */
  serializationUs: number;
  /** Bytes of that answer's body. */
  answerBytes: number;
  /** The hello's server CPU per request of the same run (the lower of its two ceilings); null: no ceiling measured. */
  helloUs: number | null;
  /** helloUs + statementsUs + serializationUs (without hello when there is none). */
  floorUs: number;
}

export type ResultRecord = HttpRecord | ScaleRecord | SeedRecord | MemoryRecord | PgbenchRecord | ProcessesRecord | SoakRecord | StartupRecord | TestDataRecord | FloorRecord;

export interface Target {
  name: string;
  /** The measured value, as printed. */
  value: string;
  holds: boolean | null;
  detail?: string;
}

export interface BenchReport {
  machine: { cpus: number; model: string; memoryGiB: number; os: string; loadavgAtStart: number[]; loadavgAtEnd: number[] };
  versions: Record<string, string | null>;
  date: string;
  commit: string | null;
  config: Record<string, unknown>;
  durationS: number;
  results: ResultRecord[];
  targets: Target[];
}

/**
 * SPEC §6 / issue 25: each operation's server CPU per request at most this multiple of the
 * hello's (bare fastify, the same run): get 2.5×, first list page 5×, create and postings 6×.
 */
export const SQLITE_CPU_MULTIPLE: Readonly<Record<string, number>> = {
  get: 2.5,
  list: 5,
  transactions_list: 5,
  create: 6,
  bill_create: 6,
  balance: 6,
  transfer: 6,
  transfer_spread: 6,
};
/** PostgreSQL: get ≤ 3× the hello's CPU (its create's target is the pgbench ratio). */
export const POSTGRES_CPU_MULTIPLE: Readonly<Record<string, number>> = { get: 3 };
/** PostgreSQL create ≥ this share of pgbench's tps running the same inserts. */
export const PGBENCH_CREATE_SHARE = 0.8;
export const P99_LIMIT_MS = 20;
export const RSS_LIMIT_MB = 250;
/** SPEC §7: `startSubledger()` starts "well under a second": half a second, read strictly. */
export const STARTUP_LIMIT_MS = 500;
/** Issue 21: reset and restore of 10^4 objects, aimed at. */
export const TEST_DATA_LIMIT_MS = 100;
const MIB_PER_MB = 1e6 / 2 ** 20;
/** Soak: RSS at the end may exceed its level after the first minutes by at most this share. */
export const SOAK_GROWTH_LIMIT = 0.1;

/** The CPU-multiple target of an operation on a store, or null (none: PostgreSQL but get, sync=full). */
export function cpuMultipleTarget(store: StoreLabel, operation: string): number | null {
  if (store === 'sqlite') return SQLITE_CPU_MULTIPLE[operation] ?? null;
  if (store === 'postgres') return POSTGRES_CPU_MULTIPLE[operation] ?? null;
  return null;
}

/**
 * "hello": the bare fastify ceiling's server CPU per request, the LOWER of its two runs (first
 * and last) — the strict reading of the multiples. null: no ceiling in this run.
 */
export function helloUsOf(results: ResultRecord[]): number | null {
  const values = results.filter((r): r is HttpRecord => r.kind === 'http' && r.surface === 'fastify' && r.cpuUsPerRequest != null).map((r) => r.cpuUsPerRequest!);
  return values.length ? Math.min(...values) : null;
}

/** PostgreSQL create's peak req/s over pgbench's tps for the same inserts, or null (no pgbench run). */
export function pgbenchCreateRatio(results: ResultRecord[], surface: string): { ratio: number; rps: number; tps: number; clients: number } | null {
  const row = results.find((r): r is HttpRecord => r.kind === 'http' && r.surface === surface && r.store === 'postgres' && r.operation === 'create');
  const baseline = results.find((r): r is PgbenchRecord => r.kind === 'pgbench' && r.surface === surface && r.variant === 'writes');
  if (!row || !baseline || baseline.tps <= 0) return null;
  return { ratio: row.peak.rps / baseline.tps, rps: row.peak.rps, tps: baseline.tps, clients: baseline.clients };
}

const fixed = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** SPEC §6 / issue 25's targets (and issue 13's that stay), as far as this run measured them (holds null: not measured in this run). */
export function evaluateTargets(results: ResultRecord[]): Target[] {
  const http = results.filter((r): r is HttpRecord => r.kind === 'http' && r.surface !== 'fastify' && r.surface !== 'subledger');
  const find = (surface: string, store: StoreLabel, operation: string) => http.find((r) => r.surface === surface && r.store === store && r.operation === operation);
  const surfaces = [...new Set(http.map((r) => r.surface))];
  const stores = [...new Set(http.map((r) => r.store))].filter((s) => s !== 'sqlite sync=full');
  const targets: Target[] = [];
  const hello = helloUsOf(results);

  // Server CPU per request as a multiple of the hello's (SQLite: every operation; PostgreSQL: get).
  for (const store of ['sqlite', 'postgres'] as const) {
    for (const r of http.filter((h) => h.store === store)) {
      const limit = cpuMultipleTarget(store, r.operation);
      if (limit === null) continue;
      const multiple = hello === null || r.cpuUsPerRequest == null ? null : r.cpuUsPerRequest / hello;
      targets.push({
        name: `${store === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${r.surface} ${r.operation} ≤ ${limit}× hello's server CPU per request`,
        value: multiple === null ? (hello === null ? 'no ceiling measured' : 'CPU not measured') : `${multiple.toFixed(2)}×`,
        holds: multiple === null ? null : multiple <= limit,
        detail: r.cpuUsPerRequest == null || hello === null ? undefined : `${fixed(r.cpuUsPerRequest)} vs ${fixed(hello)} µs/request`,
      });
    }
  }
  for (const surface of surfaces) {
    if (!find(surface, 'postgres', 'create')) continue;
    const measured = pgbenchCreateRatio(results, surface);
    targets.push({
      name: `PostgreSQL ${surface} create ≥ ${PGBENCH_CREATE_SHARE}× pgbench (its inserts as one transaction${measured ? `, ${measured.clients} clients` : ''})`,
      value: measured === null ? 'no pgbench run' : `${measured.ratio.toFixed(2)}× (${Math.round(measured.rps)} req/s vs ${measured.tps} tps)`,
      holds: measured === null ? null : measured.ratio >= PGBENCH_CREATE_SHARE,
    });
  }

  // The default configuration's operations (sync=full is the measured trade-off, not the default).
  for (const store of stores) {
    const service = http.filter((r) => r.store === store && r.halfRate);
    const worst = service.reduce<HttpRecord | undefined>((a, r) => (!a || r.halfRate!.p99 > a.halfRate!.p99 ? r : a), undefined);
    const over = service.filter((r) => r.halfRate!.p99 >= P99_LIMIT_MS).map((r) => `${r.surface} ${r.operation} ${r.halfRate!.p99.toFixed(1)} ms`);
    targets.push({
      name: `p99 < ${P99_LIMIT_MS} ms at half the peak rate, ${store} (every operation)`,
      value: worst ? `worst ${worst.halfRate!.p99.toFixed(2)} ms (${worst.surface} ${worst.operation})` : 'not measured',
      holds: worst ? over.length === 0 : null,
      detail: over.length ? `over: ${over.join(', ')}` : undefined,
    });
  }

  const loads = results.flatMap((r) => {
    if (r.kind === 'http') return [r.peak, ...(r.halfRate ? [r.halfRate] : [])];
    if (r.kind === 'scale') return [r.result];
    if (r.kind === 'processes') return [r.peak];
    return [];
  });
  const soaks = results.filter((r): r is SoakRecord => r.kind === 'soak');
  const errors = loads.reduce((sum, r) => sum + r.errors, 0) + soaks.reduce((sum, r) => sum + r.errors, 0);
  const requests = loads.reduce((s, r) => s + r.requests, 0) + soaks.reduce((sum, r) => sum + r.requests, 0);
  targets.push({ name: 'no error responses', value: `${errors} in ${requests.toLocaleString('en-US')} requests`, holds: loads.length ? errors === 0 : null });

  const scale = results.filter((r): r is ScaleRecord => r.kind === 'scale');
  const pairs: string[] = [];
  let worstCost = 0;
  for (const large of scale) {
    const small = scale.find((r) => r.surface === large.surface && r.store === large.store && r.operation === large.operation && r.rows < large.rows);
    if (!small) continue;
    const cost = Math.max(small.result.rps / large.result.rps, large.result.rps / small.result.rps);
    worstCost = Math.max(worstCost, cost);
    pairs.push(`${large.surface} ${large.store} ${large.operation} ${cost.toFixed(2)}×`);
  }
  targets.push({
    name: 'flat cost from 10^3 to 10^6 stored (get, first list page within 1.5×)',
    value: pairs.length ? `worst ${worstCost.toFixed(2)}×` : 'not measured',
    holds: pairs.length ? worstCost <= 1.5 : null,
    detail: pairs.join(', ') || undefined,
  });

  for (const store of stores) {
    for (const surface of surfaces) {
      const hot = find(surface, store, 'transfer');
      const spread = find(surface, store, 'transfer_spread');
      if (!hot) continue;
      const ratio = spread ? hot.peak.rps / spread.peak.rps : null;
      targets.push({
        name: `hot balance, ${store}: ${surface} transfers all from one balance ≥ ½ of transfers spread over many`,
        value: ratio === null ? 'no spread baseline' : `${ratio.toFixed(2)}× (${Math.round(hot.peak.rps)} vs ${Math.round(spread!.peak.rps)} req/s)`,
        holds: ratio === null ? null : ratio >= 0.5,
      });
    }
  }

  const memory = results.filter((r): r is MemoryRecord => r.kind === 'memory' && r.when !== 'idle after start');
  for (const store of [...new Set(memory.map((m) => m.store))]) {
    const peaks = memory.filter((m) => m.store === store && m.peakRssMiB !== null);
    const highest = peaks.reduce<MemoryRecord | undefined>((a, m) => (!a || m.peakRssMiB! > a.peakRssMiB! ? m : a), undefined);
    targets.push({
      name: `RSS under load < ${RSS_LIMIT_MB} MB, ${store} (peak of the server process)`,
      value: highest ? `${(highest.peakRssMiB! / MIB_PER_MB).toFixed(0)} MB (${highest.when})` : 'not measured',
      holds: highest ? highest.peakRssMiB! / MIB_PER_MB < RSS_LIMIT_MB : null,
    });
  }
  for (const startup of results.filter((r): r is StartupRecord => r.kind === 'startup')) {
    targets.push({
      name: `startSubledger() starts in < ${STARTUP_LIMIT_MS} ms (median of ${startup.starts})`,
      value: `${startup.medianMs} ms`,
      holds: startup.medianMs < STARTUP_LIMIT_MS,
      detail: `first ${startup.firstMs} ms, slowest ${startup.maxMs} ms; import ${startup.importMs} ms; stop ${startup.stopMedianMs} ms`,
    });
  }
  for (const data of results.filter((r): r is TestDataRecord => r.kind === 'testdata')) {
    for (const [what, value] of [['reset', data.resetMedianMs], ['restore', data.restoreMedianMs]] as const) {
      targets.push({
        name: `${what} of ${data.objects.toLocaleString('en-US')} test-mode objects < ${TEST_DATA_LIMIT_MS} ms, sqlite (median of ${data.rounds})`,
        value: `${value} ms`,
        holds: value < TEST_DATA_LIMIT_MS,
        detail: `${data.rows.toLocaleString('en-US')} rows; snapshot ${data.snapshotMs} ms`,
      });
    }
  }
  if (soaks.length === 0) targets.push({ name: 'no RSS growth over a 10-minute soak', value: 'not run (BENCH_SOAK=1)', holds: null });
  for (const soak of soaks) {
    const growth = soakGrowth(soak);
    targets.push({
      name: `no RSS growth over a ${soak.minutes}-minute soak, ${soak.store} (≤ ${SOAK_GROWTH_LIMIT * 100}% after the first minutes, < ${RSS_LIMIT_MB} MB)`,
      value: growth ? `${growth.settled.toFixed(0)} → ${growth.end.toFixed(0)} MiB (${growth.share >= 0 ? '+' : ''}${(growth.share * 100).toFixed(1)}%), highest ${growth.highest.toFixed(0)} MiB` : 'too few samples',
      holds: growth ? growth.share <= SOAK_GROWTH_LIMIT && growth.highest / MIB_PER_MB < RSS_LIMIT_MB : null,
    });
  }
  return targets;
}

/**
 * How a soak's RSS moved: the level once settled (the highest sample of its first fifth, after
 * the heap and caches have grown to their working size) against the highest of its last fifth.
 */
export function soakGrowth(soak: SoakRecord): { settled: number; end: number; highest: number; share: number } | null {
  if (soak.samples.length < 5) return null;
  const fifth = Math.max(1, Math.floor(soak.samples.length / 5));
  const rss = soak.samples.map(([, mib]) => mib);
  const settled = Math.max(...rss.slice(0, fifth));
  const end = Math.max(...rss.slice(-fifth));
  return { settled, end, highest: Math.max(...rss), share: (end - settled) / settled };
}
