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
  rows: number | null;
  rssMiB: number | null;
  peakRssMiB: number | null;
}

export interface PgbenchRecord extends PgbenchResult {
  kind: 'pgbench';
  surface: string;
  variant: 'writes' | 'as sent';
}

export type ResultRecord = HttpRecord | ScaleRecord | SeedRecord | MemoryRecord | PgbenchRecord;

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

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

/** SPEC §6, as far as this run measured it (null: not measured in this run). */
export function evaluateTargets(results: ResultRecord[]): Target[] {
  const http = results.filter((r): r is HttpRecord => r.kind === 'http');
  const find = (store: StoreLabel, operation: string) => http.find((r) => r.store === store && r.operation === operation && r.surface !== 'fastify');
  const targets: Target[] = [];

  const ratioTarget = (name: string, row: HttpRecord | undefined, minimum: number) => {
    const ratio = row?.ratioToCeiling ?? null;
    targets.push({ name, value: ratio === null ? 'not measured' : pct(ratio), holds: ratio === null ? null : ratio >= minimum });
  };
  ratioTarget('SQLite create ≥ 20% of the ceiling', find('sqlite', 'create'), 0.2);
  ratioTarget('SQLite get ≥ 60% of the ceiling', find('sqlite', 'get'), 0.6);

  // The default configuration's operations (sync=full is the measured trade-off, not the default).
  const service = http.filter((r) => r.surface !== 'fastify' && r.store !== 'sqlite sync=full' && r.halfRate);
  const worst = service.reduce<HttpRecord | undefined>((a, r) => (!a || r.halfRate!.p99 > a.halfRate!.p99 ? r : a), undefined);
  const over = service.filter((r) => r.halfRate!.p99 >= 20).map((r) => `${r.store} ${r.operation} ${r.halfRate!.p99.toFixed(1)} ms`);
  targets.push({
    name: 'p99 < 20 ms at half the peak rate (every operation)',
    value: worst ? `worst ${worst.halfRate!.p99.toFixed(2)} ms (${worst.store} ${worst.operation})` : 'not measured',
    holds: worst ? over.length === 0 : null,
    detail: over.length ? `over: ${over.join(', ')}` : undefined,
  });

  const loads = [...http.flatMap((r) => [r.peak, ...(r.halfRate ? [r.halfRate] : [])]), ...results.flatMap((r) => (r.kind === 'scale' ? [r.result] : []))];
  const errors = loads.reduce((sum, r) => sum + r.errors, 0);
  targets.push({ name: 'no error responses', value: `${errors} in ${loads.reduce((s, r) => s + r.requests, 0).toLocaleString('en-US')} requests`, holds: loads.length ? errors === 0 : null });

  const scale = results.filter((r): r is ScaleRecord => r.kind === 'scale');
  const pairs: string[] = [];
  let worstCost = 0;
  for (const large of scale) {
    const small = scale.find((r) => r.surface === large.surface && r.store === large.store && r.operation === large.operation && r.rows < large.rows);
    if (!small) continue;
    const cost = Math.max(small.result.rps / large.result.rps, large.result.rps / small.result.rps);
    worstCost = Math.max(worstCost, cost);
    pairs.push(`${large.store} ${large.operation} ${cost.toFixed(2)}×`);
  }
  targets.push({
    name: 'flat cost from 10^3 to 10^6 stored (get, first list page within 1.5×)',
    value: pairs.length ? `worst ${worstCost.toFixed(2)}×` : 'not measured',
    holds: pairs.length ? worstCost <= 1.5 : null,
    detail: pairs.join(', ') || undefined,
  });

  const pgCreate = find('postgres', 'create');
  const baseline = results.find((r): r is PgbenchRecord => r.kind === 'pgbench' && r.variant === 'writes');
  const pgRatio = pgCreate && baseline ? pgCreate.peak.rps / baseline.tps : null;
  targets.push({
    name: 'PostgreSQL create ≥ 0.8× pgbench (same writes, 10 clients)',
    value: pgRatio === null ? 'not measured' : `${pgRatio.toFixed(2)}× (${Math.round(pgCreate!.peak.rps)} req/s vs ${baseline!.tps} tps)`,
    holds: pgRatio === null ? null : pgRatio >= 0.8,
  });
  return targets;
}
