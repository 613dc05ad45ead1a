import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { sqlitePragmas, type SqliteTraceLine } from '../src/store/dialects.js';
import { BACKSTOP_PAGES } from '../src/store/sqlite-checkpointer.js';
import type { BuiltRequest, RequestSpec } from './load.js';
import type { FloorRecord } from './results.js';
import { drainOutbox, reportServerErrors, type Bench } from './sections.js';
import { startSubledger, type SubledgerServer } from './servers.js';
import { scratchSqlite } from './stores.js';
import { SURFACES } from './surfaces/index.js';
import { OPERATIONS, type OperationName } from './surfaces/surface.js';

// The floor section (SQLite only): what an operation cannot cost less than, whatever our code
// does — the hello's server CPU per request, plus the operation's own SQLite statements timed
// alone, plus serializing its answer. The statements come from a server run with
// SUBLEDGER_SQLITE_TRACE (src/store/dialects.ts): every statement it ran, in order, with its
// parameters; they are replayed here with better-sqlite3 into a fresh database with the
// server's pragmas, timing only the calls inside each operation's window of the trace.

/** Requests sent per operation to the traced server. */
export const FLOOR_REQUESTS = 2000;
/**
 * The trace is replayed this many times, each into a fresh database; each window keeps its
 * fastest replay (timing is wall-clock on a shared machine: the least disturbed run is the floor).
 */
const REPLAYS = 3;
/** JSON.stringify rounds timed per answer. */
const SERIALIZATION_ROUNDS = 20_000;
/** How often the replay checkpoints the WAL, untimed (the server's checkpointer thread: every 100 ms). */
const CHECKPOINT_EVERY_MS = 100;

type TraceLine = SqliteTraceLine;

interface Window {
  operation: OperationName;
  start: number;
  end: number;
  requests: number;
  /** One answer's body (the last), for serialization. */
  body: string;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * For each surface: a fresh traced SQLite server, its setup as the http section runs it, then
 * per operation FLOOR_REQUESTS requests between two offsets of the trace; then the replay.
 */
export async function measureFloor(bench: Bench): Promise<void> {
  const { config, progress } = bench;
  const workersOn = config.serverEnv.SUBLEDGER_WORKERS !== 'off';
  for (const surface of SURFACES) {
    const operations = OPERATIONS.filter((o) => config.operations.includes(o) && surface.operations.includes(o));
    if (!operations.length) continue;
    progress.begin(`floor · ${surface.name} · sqlite · ${int(FLOOR_REQUESTS)} requests per operation to a traced server, then its statements replayed alone`);
    const scratch = scratchSqlite(`floor_${surface.name}`);
    const serverFile = scratch.url.slice('sqlite:'.length);
    const tracePath = `${serverFile}.trace.jsonl`;
    try {
      const server = await startSubledger({
        label: `subledger on sqlite (floor, traced)`,
        databaseUrl: scratch.url,
        env: { SUBLEDGER_SQLITE_SYNC: 'normal', SUBLEDGER_SQLITE_TRACE: tracePath },
      });
      const windows: Window[] = [];
      try {
        const requests = await surface.setup(server);
        for (const operation of operations) {
          // Setup's and the previous operation's events are dispatched outside the window.
          if (workersOn) await drainOutbox(bench, scratch);
          const start = statSync(tracePath).size;
          progress.live(`${operation}: ${int(FLOOR_REQUESTS)} requests`);
          const body = await sendRequests(server, requests[operation]!, FLOOR_REQUESTS, config.connections, `${surface.name} ${operation}`);
          // The dispatching of the events these writes made is part of their cost (as in the http section's CPU).
          if (workersOn) await drainOutbox(bench, scratch);
          windows.push({ operation, start, end: statSync(tracePath).size, requests: FLOOR_REQUESTS, body });
        }
        reportServerErrors(bench, server);
      } finally {
        await server.process.stop();
      }
      const stored = contentOf(serverFile);
      let timed: ReturnType<typeof replay> = [];
      for (let round = 1; round <= REPLAYS; round++) {
        progress.live(`replay ${round}/${REPLAYS} of ${int(statSync(tracePath).size / 1e6)} MB of trace`);
        const replica = scratchSqlite(`floor_${surface.name}_replay_${round}`);
        try {
          const file = replica.url.slice('sqlite:'.length);
          const run = replay(tracePath, windows, file);
          compareContent(stored, contentOf(file));
          timed = round === 1 ? run : timed.map((best, i) => (run[i].ns < best.ns ? run[i] : best));
        } finally {
          await replica.drop();
        }
      }
      for (const [i, window] of windows.entries()) {
        const { ns, lines, bySql } = timed[i];
        const serialization = serializationUs(window.body);
        const statementsUs = Number(ns) / 1000 / window.requests;
        const record: FloorRecord = {
          kind: 'floor',
          surface: surface.name,
          store: 'sqlite',
          operation: window.operation,
          requests: window.requests,
          statementsPerRequest: Math.round((lines / window.requests) * 10) / 10,
          statementsUs: Math.round(statementsUs * 10) / 10,
          serializationUs: Math.round(serialization * 100) / 100,
          answerBytes: Buffer.byteLength(window.body),
          helloUs: null,
          floorUs: Math.round((statementsUs + serialization) * 10) / 10,
        };
        bench.results.push(record);
        progress.note(
          `${window.operation}: ${record.statementsPerRequest} statements/request, ${record.statementsUs} µs of statements, ` +
            `${record.serializationUs} µs to serialize its ${int(record.answerBytes)}-byte answer`,
        );
        // BENCH_FLOOR_DETAIL=1: the statements that cost the most, per request (a diagnostic).
        if (process.env.BENCH_FLOOR_DETAIL === '1') {
          for (const [sql, cost] of [...bySql].sort((a, b) => (a[1].ns < b[1].ns ? 1 : -1)).slice(0, 12)) {
            progress.note(`  ${(Number(cost.ns) / 1000 / window.requests).toFixed(1).padStart(6)} µs/req ${(cost.calls / window.requests).toFixed(2)} calls/req  ${sql.replace(/\s+/g, ' ').slice(0, 150)}`);
          }
        }
      }
    } finally {
      rmSync(tracePath, { force: true });
      await scratch.drop();
    }
  }
}

/**
 * Sends `count` requests of `spec` over `connections` concurrent ones (the http section's: the
 * server's group commit then batches writes about as it does under that load; one at a time,
 * every write would pay a commit of its own), each checked as the http section checks them;
 * resolves with the last answer's body.
 */
async function sendRequests(server: SubledgerServer, spec: RequestSpec, count: number, connections: number, what: string): Promise<string> {
  let sent = 0;
  let body = '';
  const worker = async () => {
    while (sent < count) {
      sent++;
      const template: BuiltRequest = { method: spec.method, path: spec.path, headers: { ...spec.headers }, body: spec.body };
      const request = spec.setupRequest ? spec.setupRequest(template) : template;
      const response = await fetch(`${server.base}${request.path}`, { method: request.method, headers: request.headers, body: request.body }).catch((error: Error) => {
        throw new Error(`floor: ${what}: ${request.method} ${request.path} failed: ${String(error.cause ?? error.message)}\n${server.process.tail(10)}`);
      });
      const text = await response.text();
      if (response.status !== spec.expectStatus) throw new Error(`floor: ${what}: ${request.method} ${request.path} answered ${response.status}, not ${spec.expectStatus}: ${text.slice(0, 300)}`);
      if (spec.method !== 'GET' && response.headers.has('idempotent-replayed')) throw new Error(`floor: ${what}: a replayed answer to a fresh write (${request.method} ${request.path})`);
      body = text;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return body;
}

/** A traced parameter back to what the server bound: {"$bigint"} → BigInt, {"$hex"} → Buffer. */
function decode(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if ('$bigint' in value) return BigInt((value as { $bigint: string }).$bigint);
  if ('$hex' in value) return Buffer.from((value as { $hex: string }).$hex, 'hex');
  throw new Error(`floor: a traced parameter of unknown shape: ${JSON.stringify(value).slice(0, 100)}`);
}

/** Each line of the file with the byte offset it starts at, read in chunks (the trace can be large). */
function* traceLines(path: string): Generator<{ offset: number; text: string }> {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(8 << 20);
    let carry = Buffer.alloc(0);
    let carryOffset = 0;
    for (let position = 0; ; ) {
      const read = readSync(fd, chunk, 0, chunk.length, position);
      if (read === 0) break;
      position += read;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let from = 0;
      for (let newline = data.indexOf(10, from); newline >= 0; newline = data.indexOf(10, from)) {
        yield { offset: carryOffset + from, text: data.toString('utf8', from, newline) };
        from = newline + 1;
      }
      carryOffset += from;
      carry = Buffer.from(data.subarray(from));
    }
    if (carry.length) throw new Error(`floor: the trace ends in the middle of a line (offset ${carryOffset}): did the server stop while writing?`);
  } finally {
    closeSync(fd);
  }
}

/** What timing one call costs by itself (two hrtime reads), ns: subtracted from every timed call. */
function timerOverheadNs(): bigint {
  const samples: bigint[] = [];
  for (let i = 0; i < 100_001; i++) {
    const t0 = process.hrtime.bigint();
    samples.push(process.hrtime.bigint() - t0);
  }
  samples.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return samples[samples.length >> 1];
}

/**
 * Runs every statement of the trace, in order, into a fresh database file with the server's
 * pragmas and a statement cache by SQL text; returns per window the time of the calls (.all,
 * .run, .iterate to its end) of the lines inside it, and how many there were.
 * @throws when a statement does not do what it did in the server (the replay diverged)
 */
function replay(tracePath: string, windows: Window[], file: string): { ns: bigint; lines: number; bySql: Map<string, { ns: bigint; calls: number }> }[] {
  const db = new Database(file);
  try {
    for (const pragma of sqlitePragmas('NORMAL')) db.pragma(pragma);
    // The server's connection leaves checkpoints to its worker thread (src/store/sqlite-checkpointer.ts).
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    db.defaultSafeIntegers(true);
    const cache = new Map<string, Database.Statement>();
    const timed = windows.map(() => ({ ns: 0n, lines: 0, bySql: new Map<string, { ns: bigint; calls: number }>() }));
    const overhead = timerOverheadNs();
    let window = 0;
    let lineNumber = 0;
    let lastCheckpoint = performance.now();
    for (const { offset, text } of traceLines(tracePath)) {
      lineNumber++;
      while (window < windows.length && offset >= windows[window].end) window++;
      const inside = window < windows.length && offset >= windows[window].start;
      const line = JSON.parse(text) as TraceLine;
      const diverged = (what: string) =>
        new Error(`floor: the replay diverged at line ${lineNumber} of the trace (byte ${offset}): ${what}\n  sql: ${line.sql.slice(0, 300)}\n  params: ${JSON.stringify(line.params).slice(0, 300)}`);
      let statement = cache.get(line.sql);
      if (!statement) {
        try {
          statement = db.prepare(line.sql);
        } catch (error) {
          throw diverged(`prepare failed: ${(error as Error).message}`);
        }
        cache.set(line.sql, statement);
      }
      const params = line.params.map(decode);
      let rows = 0;
      let failure: unknown;
      const t0 = process.hrtime.bigint();
      try {
        if (line.op === 'run') rows = Number(statement.run(params).changes);
        else if (line.op === 'all') rows = statement.all(params).length;
        else for (const _ of statement.iterate(params)) rows++;
      } catch (error) {
        failure = error;
      }
      const elapsed = process.hrtime.bigint() - t0;
      if (line.error !== undefined && failure === undefined) throw diverged(`the server's call failed (${line.error}), the replay's did not`);
      if (line.error === undefined && failure !== undefined) throw diverged(`${(failure as Error).message}`);
      if (line.error === undefined && line.rows !== undefined && line.rows !== rows) throw diverged(`${line.op} gave ${rows} row(s), the server's ${line.rows}`);
      if (inside) {
        const ns = elapsed > overhead ? elapsed - overhead : 0n;
        timed[window].ns += ns;
        timed[window].lines++;
        const bySql = timed[window].bySql.get(line.sql) ?? { ns: 0n, calls: 0 };
        bySql.ns += ns;
        bySql.calls++;
        timed[window].bySql.set(line.sql, bySql);
      }
      // The server's worker thread checkpoints every 100 ms; here too, between statements, untimed.
      if (/^\s*commit\b/i.test(line.sql) && performance.now() - lastCheckpoint >= CHECKPOINT_EVERY_MS) {
        db.pragma('wal_checkpoint(PASSIVE)');
        lastCheckpoint = performance.now();
      }
    }
    if (windows.some((w, i) => timed[i].lines === 0)) throw new Error('floor: an operation window of the trace holds no statement: was the trace written?');
    return timed;
  } finally {
    db.close();
  }
}

/** Every table's rows, hashed in an order-independent way, by table name. */
function contentOf(file: string): Map<string, { rows: number; hash: string }> {
  const db = new Database(file, { readonly: true });
  try {
    db.defaultSafeIntegers(true);
    const tables = db.prepare("select name from sqlite_schema where type = 'table' and name not like 'sqlite_stat%' order by name").all() as { name: string }[];
    const content = new Map<string, { rows: number; hash: string }>();
    const json = (row: unknown) => JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
    for (const { name } of tables) {
      const rows = (db.prepare(`select * from "${name.replace(/"/g, '""')}"`).all() as unknown[]).map(json).sort();
      const hash = createHash('sha256');
      for (const row of rows) hash.update(row).update('\n');
      content.set(name, { rows: rows.length, hash: hash.digest('hex') });
    }
    const schema = createHash('sha256').update(JSON.stringify(db.prepare("select type, name, sql from sqlite_schema where name not like 'sqlite_stat%' order by type, name").all())).digest('hex');
    content.set('(schema)', { rows: 0, hash: schema });
    return content;
  } finally {
    db.close();
  }
}

/** @throws unless the replayed database holds exactly what the server's does (schema and every row) */
function compareContent(server: Map<string, { rows: number; hash: string }>, replayed: Map<string, { rows: number; hash: string }>): void {
  for (const name of new Set([...server.keys(), ...replayed.keys()])) {
    const a = server.get(name);
    const b = replayed.get(name);
    if (!a || !b || a.hash !== b.hash) {
      throw new Error(`floor: the replay diverged: ${name} differs (server: ${a ? `${a.rows} rows` : 'absent'}, replay: ${b ? `${b.rows} rows` : 'absent'}); some statement did not go through the trace`);
    }
  }
}

/** JSON.stringify of the parsed answer, µs per call (after a warm-up). */
function serializationUs(body: string): number {
  const value: unknown = JSON.parse(body);
  let bytes = 0;
  for (let i = 0; i < 2000; i++) bytes += JSON.stringify(value).length;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < SERIALIZATION_ROUNDS; i++) bytes += JSON.stringify(value).length;
  const ns = Number(process.hrtime.bigint() - t0);
  if (bytes === 0) throw new Error('floor: an empty answer');
  return ns / 1000 / SERIALIZATION_ROUNDS;
}
