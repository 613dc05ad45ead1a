import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult } from './load.js';
import {
  cpuMultipleTarget,
  helloUsOf,
  pgbenchCreateRatio,
  PGBENCH_CREATE_SHARE,
  soakGrowth,
  type BenchReport,
  type FloorRecord,
  type HttpRecord,
  type MemoryRecord,
  type PgbenchRecord,
  type ProcessesRecord,
  type ScaleRecord,
  type SeedRecord,
  type SoakRecord,
  type StartupRecord,
  type TestDataRecord,
} from './results.js';
import { ROOT } from './servers.js';

// Tables (markdown, readable in a terminal), bench/results/*.json and the README's results section.

export const RESULTS_DIR = join(ROOT, 'bench', 'results');
const README = join(ROOT, 'bench', 'README.md');
const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const times = (n: number | null) => (n === null ? '–' : `${(n * 100).toFixed(1)}%`);
const sizeLabel = (n: number) => (Number.isInteger(Math.log10(n)) ? `10^${Math.log10(n)}` : int(n));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|')}|`, ...rows.map(line)].join('\n');
}

const errorsOf = (...loads: (LoadResult | null)[]) => {
  const present = loads.filter((l): l is LoadResult => l !== null);
  const total = present.reduce((s, l) => s + l.errors, 0);
  if (total === 0) return '0';
  const parts = new Map<string, number>();
  for (const l of present) {
    for (const [code, count] of Object.entries(l.statusCounts)) if (!code.startsWith('2')) parts.set(code, (parts.get(code) ?? 0) + count);
    if (l.socketErrors) parts.set('socket', (parts.get('socket') ?? 0) + l.socketErrors);
    if (l.timeouts) parts.set('timeout', (parts.get('timeout') ?? 0) + l.timeouts);
    if (l.replays) parts.set('replayed', (parts.get('replayed') ?? 0) + l.replays);
  }
  return `${total} (${[...parts].map(([k, v]) => `${k}×${v}`).join(' ')})`;
};

/** Every table of one run, as markdown. */
export function renderTables(report: BenchReport): string {
  const out: string[] = [];
  const http = report.results.filter((r): r is HttpRecord => r.kind === 'http');
  if (http.length) {
    out.push(
      table(
        ['surface', 'store', 'operation', 'req/s', 'p50 ms', 'p99 ms', 'p99 ms @ ½ rate', 'errors', '× ceiling', 'server CPU', 'CPU µs/req', 'CPU µs/req @ ½ rate'],
        http.map((r) => [
          r.surface,
          r.store,
          r.operation,
          int(r.peak.rps),
          ms(r.peak.p50),
          ms(r.peak.p99),
          r.halfRate ? `${ms(r.halfRate.p99)} @ ${int(r.halfRate.targetRate ?? 0)}/s` : '–',
          errorsOf(r.peak, r.halfRate),
          times(r.ratioToCeiling),
          r.serverCpu === null ? '–' : `${r.serverCpu}%`,
          r.cpuUsPerRequest === null || r.cpuUsPerRequest === undefined ? '–' : int(r.cpuUsPerRequest),
          r.halfRateCpuUsPerRequest === null || r.halfRateCpuUsPerRequest === undefined ? '–' : int(r.halfRateCpuUsPerRequest),
        ]),
      ),
    );
    const breakdown = cpuBreakdown(http);
    if (breakdown) out.push(breakdown);
  }
  const multiples = multiplesTable(report);
  if (multiples) out.push(multiples);
  const floors = floorTable(report);
  if (floors) out.push(floors);
  const scale = report.results.filter((r): r is ScaleRecord => r.kind === 'scale');
  const sizes = [...new Set(scale.map((r) => r.rows))].sort((a, b) => a - b);
  if (sizes.length) {
    const keys = [...new Set(scale.map((r) => `${r.surface}\u0000${r.store}\u0000${r.operation}`))];
    out.push(
      table(
        ['surface', 'store', 'operation', ...sizes.flatMap((n) => [`req/s ${sizeLabel(n)}`, `p50 ${sizeLabel(n)}`, `p99 ${sizeLabel(n)}`]), 'cost ratio', 'errors'],
        keys.map((key) => {
          const [surface, store, operation] = key.split('\u0000');
          const at = sizes.map((n) => scale.find((r) => r.surface === surface && r.store === store && r.operation === operation && r.rows === n));
          const rps = at.filter((r): r is ScaleRecord => !!r).map((r) => r.result.rps);
          const ratio = rps.length > 1 ? Math.max(...rps) / Math.min(...rps) : null;
          return [
            surface,
            store,
            operation,
            ...at.flatMap((r) => (r ? [int(r.result.rps), ms(r.result.p50), ms(r.result.p99)] : ['–', '–', '–'])),
            ratio === null ? '–' : `${ratio.toFixed(2)}×`,
            errorsOf(...at.map((r) => r?.result ?? null)),
          ];
        }),
      ),
    );
    const seeds = report.results.filter((r): r is SeedRecord => r.kind === 'seed');
    if (seeds.length) {
      out.push(
        `Seeding accounts (billing: each with its customer; org: with its balance row) in bulk, server stopped; get reads a uniform random sample of the stored ids, list reads the first page: ` +
          seeds.map((s) => `${s.surface} ${s.store} ${int(s.fromRows)}→${int(s.toRows)} in ${s.seconds.toFixed(1)} s (${int(s.rowsPerSecond)}/s)`).join('; ') +
          '.',
      );
    }
  }
  const memory = report.results.filter((r): r is MemoryRecord => r.kind === 'memory');
  if (memory.length) {
    out.push(
      table(
        ['server', 'when', 'accounts stored', 'RSS MiB', 'peak RSS MiB', 'V8 heap MiB (used)', 'young', 'old', 'external'],
        memory.map((m) => {
          const mib = (n: number | null | undefined) => (n === null || n === undefined ? '–' : n.toFixed(0));
          return [
            m.store,
            m.surface ? `${m.when} (${m.surface})` : m.when,
            m.rows === null ? '–' : int(m.rows),
            m.rssMiB?.toFixed(1) ?? '–',
            m.peakRssMiB?.toFixed(1) ?? '–',
            m.heap ? `${mib(m.heap.totalMiB)} (${mib(m.heap.usedMiB)})` : '–',
            mib(m.heap?.newSpaceMiB),
            mib(m.heap?.oldSpaceMiB),
            mib(m.heap?.externalMiB),
          ];
        }),
      ),
    );
  }
  const pgbench = report.results.filter((r): r is PgbenchRecord => r.kind === 'pgbench');
  if (pgbench.length) {
    out.push(
      table(
        ['pgbench (same statements)', 'clients', 'tps', 'avg latency ms', 'HTTP req/s', 'HTTP / pgbench'],
        pgbench.map((p) => {
          const operation = p.variant === 'get' ? 'get' : 'create';
          const measured = http.find((r) => r.surface === p.surface && r.store === 'postgres' && r.operation === operation);
          return [
            `${p.surface}: ${p.variant === 'get' ? `get select, ${int(p.rows ?? 0)} rows` : `create ${p.variant}`}`,
            String(p.clients),
            int(p.tps),
            p.latencyAvgMs === null ? '–' : ms(p.latencyAvgMs),
            measured ? `${int(measured.peak.rps)} (${operation})` : '–',
            measured ? `${(measured.peak.rps / p.tps).toFixed(2)}×` : '–',
          ];
        }),
      ),
    );
  }
  const processes = report.results.filter((r): r is ProcessesRecord => r.kind === 'processes');
  if (processes.length) {
    const keys = [...new Set(processes.map((r) => `${r.surface} ${r.operation}`))];
    const counts = [...new Set(processes.map((r) => r.processes))].sort((a, b) => a - b);
    out.push(
      table(
        ['PostgreSQL, serve --processes N', ...counts.flatMap((n) => [`req/s N=${n}`, `CPU µs/req N=${n}`, `server CPU N=${n}`]), `N=${counts.at(-1)} / N=${counts[0]}`],
        keys.map((key) => {
          const at = counts.map((n) => processes.find((r) => `${r.surface} ${r.operation}` === key && r.processes === n));
          const first = at[0];
          const last = at.at(-1);
          return [
            key,
            ...at.flatMap((r) => (r ? [int(r.peak.rps), r.cpuUsPerRequest === null ? '–' : int(r.cpuUsPerRequest), r.serverCpu === null ? '–' : `${r.serverCpu}%`] : ['–', '–', '–'])),
            first && last ? `${(last.peak.rps / first.peak.rps).toFixed(2)}×` : '–',
          ];
        }),
      ),
    );
  }
  const soaks = report.results.filter((r): r is SoakRecord => r.kind === 'soak');
  for (const soak of soaks) {
    const growth = soakGrowth(soak);
    out.push(
      `Soak (${soak.store}, ${soak.minutes} min, ${int(soak.requests)} requests, ${soak.errors} errors): RSS MiB by minute ` +
        soak.samples.map(([minute, mib]) => `${minute.toFixed(1)}: ${mib.toFixed(0)}`).join(', ') +
        (growth ? `; settled ${growth.settled.toFixed(0)}, end ${growth.end.toFixed(0)} (${(growth.share * 100).toFixed(1)}%)` : '') +
        '.',
    );
  }
  for (const startup of report.results.filter((r): r is StartupRecord => r.kind === 'startup')) {
    out.push(
      `startSubledger() (subledger/testing, built), ${startup.starts} starts one after another, each on a fresh SQLite database: ` +
        `median ${ms(startup.medianMs)} ms, first ${ms(startup.firstMs)} ms, slowest ${ms(startup.maxMs)} ms; ` +
        `the module's first import ${ms(startup.importMs)} ms; stop (and delete its database) median ${ms(startup.stopMedianMs)} ms.`,
    );
  }
  for (const data of report.results.filter((r): r is TestDataRecord => r.kind === 'testdata')) {
    out.push(
      `Testing API on SQLite, one tenant's test mode with ${data.objects.toLocaleString('en-US')} customers (${data.rows.toLocaleString('en-US')} rows): ` +
        `snapshot ${ms(data.snapshotMs)} ms; restore median ${ms(data.restoreMedianMs)} ms; reset median ${ms(data.resetMedianMs)} ms (${data.rounds} rounds).`,
    );
  }
  if (report.targets.length) {
    out.push(
      table(
        ['target (SPEC §6, issue 25)', 'measured', 'holds'],
        report.targets.map((t) => [t.name, t.value + (t.detail ? ` — ${t.detail}` : ''), t.holds === null ? 'n/a' : t.holds ? 'yes' : 'NO']),
      ),
    );
  }
  return out.join('\n\n');
}

/** µs with one decimal below 100. */
const us = (n: number) => (n >= 100 ? int(n) : n.toFixed(1));
const multiple = (n: number) => `${n.toFixed(2)}×`;

/**
 * SPEC §6 / issue 25: every operation's server CPU per request as a multiple of the hello's (bare
 * fastify, the lower of the run's two ceilings), its target and PASS/FAIL, and its floor (SQLite).
 */
function multiplesTable(report: BenchReport): string | null {
  const results = report.results;
  const hello = helloUsOf(results);
  const http = results.filter((r): r is HttpRecord => r.kind === 'http' && r.surface !== 'fastify' && r.surface !== 'subledger' && (r.store === 'sqlite' || r.store === 'postgres'));
  const floors = results.filter((r): r is FloorRecord => r.kind === 'floor');
  const keys: { surface: string; store: 'sqlite' | 'postgres'; operation: string }[] = [];
  const add = (surface: string, store: 'sqlite' | 'postgres', operation: string) => {
    if (!keys.some((k) => k.surface === surface && k.store === store && k.operation === operation)) keys.push({ surface, store, operation });
  };
  for (const r of http) add(r.surface, r.store as 'sqlite' | 'postgres', r.operation);
  for (const f of floors) add(f.surface, 'sqlite', f.operation);
  if (!keys.length) return null;
  const rows = keys.map(({ surface, store, operation }) => {
    const r = http.find((h) => h.surface === surface && h.store === store && h.operation === operation);
    const floor = store === 'sqlite' ? floors.find((f) => f.surface === surface && f.operation === operation) : undefined;
    const cpu = r?.cpuUsPerRequest ?? null;
    const times = cpu === null || hello === null ? null : cpu / hello;
    const limit = cpuMultipleTarget(store, operation);
    let target = '–';
    let mark = '–';
    if (limit !== null) {
      target = `≤ ${limit}×`;
      mark = times === null ? 'n/a' : times <= limit ? 'PASS' : 'FAIL';
    } else if (store === 'postgres' && operation === 'create') {
      const pgbench = pgbenchCreateRatio(results, surface);
      target = `≥ ${PGBENCH_CREATE_SHARE}× pgbench: ${pgbench ? multiple(pgbench.ratio) : 'not run'}`;
      mark = pgbench ? (pgbench.ratio >= PGBENCH_CREATE_SHARE ? 'PASS' : 'FAIL') : 'n/a';
    }
    return [
      surface,
      store,
      operation,
      cpu === null ? '–' : us(cpu),
      times === null ? '–' : multiple(times),
      target,
      mark,
      floor ? us(floor.floorUs) : '–',
      floor && hello !== null ? multiple(floor.floorUs / hello) : '–',
    ];
  });
  const ceilings = results.filter((r): r is HttpRecord => r.kind === 'http' && r.surface === 'fastify' && r.cpuUsPerRequest != null);
  const caption =
    hello === null
      ? 'Server CPU per request against the targets (SPEC §6, issue 25): no ceiling in this run, so no "hello" — × hello and PASS/FAIL are n/a, and floor µs is the statements and the serialization only, without hello.'
      : `Server CPU per request as a multiple of hello (SPEC §6, issue 25): hello = ${us(hello)} µs, bare fastify's server CPU per request, the lower of its runs (${ceilings.map((c) => `${c.operation.replace('hello, ', '')} ${us(c.cpuUsPerRequest!)}`).join(', ')}). ` +
        'floor (SQLite) = hello + the operation\'s own SQLite statements replayed alone + JSON.stringify of its answer: how far each operation is from the physical limit.';
  return `${caption}\n\n${table(['surface', 'store', 'operation', 'CPU µs/req', '× hello', 'target', 'PASS/FAIL', 'floor µs', 'floor × hello'], rows)}`;
}

/** The floor of each SQLite operation, split: hello, its statements (how many, how long), its answer's serialization. */
function floorTable(report: BenchReport): string | null {
  const floors = report.results.filter((r): r is FloorRecord => r.kind === 'floor');
  if (!floors.length) return null;
  const http = report.results.filter((r): r is HttpRecord => r.kind === 'http' && r.store === 'sqlite');
  const rows = floors.map((f) => {
    const cpu = http.find((r) => r.surface === f.surface && r.operation === f.operation)?.cpuUsPerRequest ?? null;
    return [
      f.surface,
      f.operation,
      int(f.requests),
      f.statementsPerRequest.toFixed(1),
      us(f.statementsUs),
      f.serializationUs.toFixed(2),
      int(f.answerBytes),
      f.helloUs === null ? '–' : us(f.helloUs),
      us(f.floorUs),
      cpu === null ? '–' : us(cpu),
      cpu === null ? '–' : `${((f.floorUs / cpu) * 100).toFixed(0)}%`,
    ];
  });
  return `Floor (SQLite): requests sent to a server with SUBLEDGER_SQLITE_TRACE, its statements replayed alone (transactions and outbox dispatching included; per request), JSON.stringify of one answer; not included: Node's HTTP parsing, socket writes, our code.\n\n${table(
    ['surface', 'operation', 'requests', 'statements/req', 'statements µs', 'serialize µs', 'answer bytes', 'hello µs', 'floor µs', 'CPU µs/req', 'floor / CPU'],
    rows,
  )}`;
}

/**
 * Where each operation's server CPU per request goes: what bare fastify costs for an answer (the
 * ceiling), what our app adds before any surface work (/healthz: request id, metrics, log line,
 * error handling), and the rest (authentication, validation, the store, presenting the answer).
 */
function cpuBreakdown(http: HttpRecord[]): string | null {
  const ceilings = http.filter((r) => r.surface === 'fastify' && r.cpuUsPerRequest != null).map((r) => r.cpuUsPerRequest!);
  if (!ceilings.length) return null;
  const ceiling = Math.min(...ceilings);
  const rows: string[][] = [];
  for (const r of http) {
    if (r.surface === 'fastify' || r.surface === 'subledger' || r.cpuUsPerRequest == null) continue;
    const healthz = http.find((h) => h.surface === 'subledger' && h.store === (r.store === 'sqlite sync=full' ? 'sqlite' : r.store))?.cpuUsPerRequest;
    if (healthz == null) continue;
    rows.push([r.surface, r.store, r.operation, int(r.cpuUsPerRequest), int(ceiling), int(healthz - ceiling), int(r.cpuUsPerRequest - healthz), `${((ceiling / r.cpuUsPerRequest) * 100).toFixed(0)}%`]);
  }
  if (!rows.length) return null;
  return `Server CPU per request, split (µs): the ceiling's answer; what /healthz adds (request id, metrics, log line, hooks); the operation's own work beyond /healthz (authentication, validation, the store, the answer).\n\n${table(
    ['surface', 'store', 'operation', 'CPU µs/req', 'ceiling', '+ app floor', '+ operation', 'ceiling / total'],
    rows,
  )}`;
}

export function describeRun(report: BenchReport): string {
  const m = report.machine;
  const c = report.config;
  return (
    `Run ${report.date} on commit ${report.commit ?? 'unknown'}: ${m.cpus} × ${m.model}, ${m.memoryGiB} GiB, ${m.os}; ` +
    `Node ${report.versions.node}, PostgreSQL ${report.versions.postgres ?? '–'}, SQLite ${report.versions.sqlite ?? '–'}. ` +
    `Load average at start ${m.loadavgAtStart.map((n) => n.toFixed(2)).join(' ')}, at end ${m.loadavgAtEnd.map((n) => n.toFixed(2)).join(' ')} ` +
    `(the load generator, the server and PostgreSQL share these cores with whatever else runs). ` +
    `${c.connections} connections, ${c.warmupS} s warm-up + ${c.durationS} s per measurement, scale ${int(Number(c.scaleSmall))} → ${int(Number(c.scale))} accounts; run took ${Math.round(report.durationS)} s.`
  );
}

function comparable(report: BenchReport): Map<string, number> {
  const values = new Map<string, number>();
  for (const r of report.results) {
    if (r.kind === 'http') {
      values.set(`${r.surface} ${r.store} ${r.operation}: req/s`, r.peak.rps);
      values.set(`${r.surface} ${r.store} ${r.operation}: p99 ms`, r.peak.p99);
      if (r.halfRate) values.set(`${r.surface} ${r.store} ${r.operation}: p99 ms @ ½ rate`, r.halfRate.p99);
    } else if (r.kind === 'scale') values.set(`${r.surface} ${r.store} ${r.operation} @ ${sizeLabel(r.rows)} rows: req/s`, r.result.rps);
    else if (r.kind === 'pgbench') values.set(`pgbench ${r.surface} ${r.variant}: tps`, r.tps);
    else if (r.kind === 'memory' && r.rssMiB !== null) values.set(`${r.store} RSS ${r.when}: MiB`, r.rssMiB);
    else if (r.kind === 'floor') values.set(`floor ${r.surface} ${r.operation}: statements µs`, r.statementsUs);
    else if (r.kind === 'startup') values.set('startSubledger() start: median ms', r.medianMs);
    else if (r.kind === 'testdata') {
      values.set(`testing reset of ${r.objects} objects: median ms`, r.resetMedianMs);
      values.set(`testing restore of ${r.objects} objects: median ms`, r.restoreMedianMs);
    }
  }
  return values;
}

/** The previous latest.json, if any (to compare with). */
export function readPrevious(): BenchReport | null {
  const file = join(RESULTS_DIR, 'latest.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  } catch {
    return null;
  }
}

export function renderComparison(previous: BenchReport, current: BenchReport): string {
  const before = comparable(previous);
  const rows: string[][] = [];
  for (const [key, now] of comparable(current)) {
    const then = before.get(key);
    if (then === undefined) continue;
    const change = then === 0 ? '–' : `${now >= then ? '+' : ''}${(((now - then) / then) * 100).toFixed(1)}%`;
    rows.push([key, key.endsWith('MiB') || key.includes('ms') ? ms(then) : int(then), key.endsWith('MiB') || key.includes('ms') ? ms(now) : int(now), change]);
  }
  const differs = ['durationS', 'warmupS', 'connections', 'scale'].filter((k) => JSON.stringify(previous.config[k]) !== JSON.stringify(current.config[k]));
  const note = differs.length ? ` (config differs: ${differs.map((k) => `${k} ${String(previous.config[k])} → ${String(current.config[k])}`).join(', ')})` : '';
  return `Compared with the previous latest.json (${previous.date}, ${previous.commit ?? '?'})${note}:\n\n${table(['figure', 'before', 'now', 'change'], rows)}`;
}

/** Writes latest.json and <date>-<commit>.json (earlier files stay), and the README's results section. */
export function writeReport(report: BenchReport): string[] {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = report.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const dated = join(RESULTS_DIR, `${stamp}-${(report.commit ?? 'unknown').slice(0, 12)}.json`);
  const text = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(dated, text);
  writeFileSync(join(RESULTS_DIR, 'latest.json'), text);
  const written = [dated, join(RESULTS_DIR, 'latest.json')];
  if (existsSync(README)) {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    if (start >= 0 && end > start) {
      const section = `${START}\n${describeRun(report)}\n\n${renderTables(report)}\n${END}`;
      writeFileSync(README, readme.slice(0, start) + section + readme.slice(end + END.length));
      written.push(README);
    }
  }
  return written;
}
