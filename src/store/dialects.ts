import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  SqliteDialect,
  type DatabaseConnection,
  type Dialect,
  type MigrationProvider,
  type SqliteDatabase as SqliteDialectDatabase,
  type SqliteStatement,
} from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import { postgresAnswersFreshConnection, storeFailureOf } from './driver-failures.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import { postgresDialect } from './postgres-driver.js';
import { listenForNotices, type NoticeListener } from './change-notices.js';

import type { DialectName } from './database.js';
export type { DialectName };

export interface DatabaseOptions {
  /** `sqlite:<path>` (or `sqlite::memory:`) or `postgres://…` */
  url: string;
  /** SQLite synchronous mode: `normal` survives a process crash, `full` also power loss. */
  sqliteSync?: 'normal' | 'full';
  /** PostgreSQL pool size per process. */
  poolSize?: number;
  /** How long opening a PostgreSQL connection may take (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * Bench only (SUBLEDGER_SQLITE_TRACE): SQLite appends every statement it runs to this file, one
   * JSON line each (see tracingTo). Slows every statement.
   */
  sqliteTrace?: string;
}

export interface OpenDatabase {
  dialect: DialectName;
  db: Kysely<Database>;
  /** A Kysely that runs every query on `connection` (one transaction's, see write-behind.ts). */
  bind: (connection: DatabaseConnection) => Kysely<Database>;
  /** Closes every connection, background ones included, and settles once none is open. */
  close: () => Promise<void>;
  /** PostgreSQL: notices other processes send on a channel (change-notices.ts); absent on SQLite (one process). */
  listen?: (channel: string, onNotice: () => void) => NoticeListener;
}

const INT8_OID = 20;

/**
 * How the event loop's SQLite connection is set up (bench/floor.ts replays statements with the
 * same settings).
 */
export function sqlitePragmas(synchronous: 'NORMAL' | 'FULL'): string[] {
  return [
    'journal_mode = WAL',
    `synchronous = ${synchronous}`,
    'busy_timeout = 5000',
    // Each unit of a group commit is a savepoint (sqlite-group-commit.ts): SQLite copies every
    // page a unit changes into the savepoint's sub-journal, which past 64 KiB went to a
    // temporary file, one pwrite per page (22 µs of system time per billing create, issue 25).
    // In memory it holds a batch's changed pages at most, freed at its commit. Sorts (the
    // export) still spill to files: SQLite's sorter ignores this setting.
    'temp_store = MEMORY',
  ];
}

export function dialectOf(url: string): DialectName {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got '${url.split(':')[0]}:')`);
}

export function openDatabase(options: DatabaseOptions): OpenDatabase {
  const dialect = dialectOf(options.url);
  if (dialect === 'sqlite') {
    const path = options.url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
    const sqlite = new SqliteDatabase(path);
    const synchronous = options.sqliteSync === 'full' ? 'FULL' : 'NORMAL';
    for (const pragma of sqlitePragmas(synchronous)) sqlite.pragma(pragma);
    // Integers come back as BigInt: money never passes through a float.
    sqlite.defaultSafeIntegers(true);
    const checkpointer = path === ':memory:' ? undefined : startCheckpointer(sqlite, path, synchronous);
    const database = withBinder(dialect, new SqliteDialect({ database: withStatementCache(sqlite, () => checkpointer?.stop(), options.sqliteTrace) }));
    return {
      ...database,
      close: async () => {
        await database.db.destroy();
        await checkpointer?.exited;
      },
    };
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    // Without it a server that drops packets (a firewalled host) holds start-up and every
    // request forever; with it they fail as an outage (StoreUnavailable: 503, or one line at start).
    // pg-pool applies it to a wait for a free pooled connection too: a request queued that long
    // behind a saturated pool is also a 503, not an unbounded wait.
    connectionTimeoutMillis: connectTimeoutMs,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => BigInt(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A client that loses its server (PostgreSQL restart) must not crash the process: idle
  // clients report on the pool, but a checked-out client (mid-transaction) reports on itself
  // and pg-pool listens there only while the client is idle. Its pending query still rejects
  // (answered 503), and the pool discards the broken client when it is released.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return {
    ...withBinder(dialect, postgresDialect(pool, connectTimeoutMs, () => postgresAnswersFreshConnection(options.url))),
    listen: (channel, onNotice) => listenForNotices(options.url, connectTimeoutMs, channel, onNotice),
  };
}

function withBinder(name: DialectName, dialect: Dialect): OpenDatabase {
  const db = new Kysely<Database>({ dialect });
  const config = { dialect };
  // Bound instances only build and run queries: their transactions and connections are the
  // store's own, so this driver is never initialised or used.
  const driver = dialect.createDriver();
  const bind = (connection: DatabaseConnection) =>
    new Kysely<Database>({
      config,
      dialect,
      driver,
      executor: db.getExecutor().withConnectionProvider({ provideConnection: (consume) => consume(connection) }),
    });
  return { dialect: name, db, bind, close: () => db.destroy() };
}

const STATEMENT_CACHE_SIZE = 1000;

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs more than running
 * most of ours. Statements are reusable, so keep the most recent ones by SQL text.
 * With `tracePath`, every statement goes through `tracingTo` (chosen here, once: without a
 * trace the statements are exactly the untraced ones).
 */
function withStatementCache(sqlite: SqliteDatabase.Database, beforeClose: () => void, tracePath?: string): SqliteDialectDatabase {
  const cache = new Map<string, SqliteStatement>();
  const trace = tracePath === undefined ? undefined : openSync(tracePath, 'a');
  const wrap: (statement: SqliteDatabase.Statement, sql: string) => SqliteStatement = trace === undefined ? reportingUnavailable : tracingTo(trace);
  return {
    close: () => {
      beforeClose();
      sqlite.close();
      if (trace !== undefined) closeSync(trace);
    },
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement) return statement;
      statement = wrap(translatingFailures(() => sqlite.prepare(sql)), sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
      return statement;
    },
  };
}

/** Runs a synchronous SQLite call, reporting "busy" as StoreUnavailable (driver-failures.ts). */
function translatingFailures<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw storeFailureOf(error);
  }
}

/** A prepared statement whose runs report "busy" as StoreUnavailable. */
function reportingUnavailable(statement: SqliteDatabase.Statement): SqliteStatement {
  const run = statement as unknown as SqliteStatement;
  return {
    reader: statement.reader,
    all: (parameters) => translatingFailures(() => run.all(parameters)),
    run: (parameters) => translatingFailures(() => run.run(parameters)),
    *iterate(parameters) {
      try {
        yield* run.iterate(parameters);
      } catch (error) {
        throw storeFailureOf(error);
      }
    },
  };
}

/** One line of a SQLITE trace file (tracingTo writes them; bench/floor.ts replays them). */
export interface SqliteTraceLine {
  sql: string;
  /** Each as traceValue wrote it. */
  params: unknown[];
  op: 'all' | 'run' | 'iterate';
  /** all: rows returned; run: rows changed (the server's, to check a replay against). */
  rows?: number;
  /** The server's call threw this. */
  error?: string;
}

/** A statement parameter as JSON: BigInt as {"$bigint":"123"}, bytes as {"$hex":"…"}, the rest as is. */
function traceValue(value: unknown): unknown {
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value instanceof Uint8Array) return { $hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') };
  return value;
}

/**
 * SUBLEDGER_SQLITE_TRACE (bench/floor.ts replays it): each run of a statement appends one line
 * `{"sql":…,"params":[…],"op":"all"|"run"|"iterate"}` to the trace file (fd), written with
 * writeSync once the call returns, so the file holds the statements in the order SQLite ran them.
 * `rows` (all: rows returned; run: rows changed) lets the replay check it did the same; a call
 * that threw has `error` instead. `iterate` is written when the iteration starts.
 */
function tracingTo(fd: number): (statement: SqliteDatabase.Statement, sql: string) => SqliteStatement {
  const write = (sql: string, parameters: ReadonlyArray<unknown>, op: 'all' | 'run' | 'iterate', outcome: { rows?: number | bigint; error?: unknown }) => {
    const line: SqliteTraceLine = { sql, params: parameters.map(traceValue), op };
    if (outcome.error !== undefined) line.error = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    else if (outcome.rows !== undefined) line.rows = Number(outcome.rows);
    writeSync(fd, `${JSON.stringify(line)}\n`);
  };
  const traced = <T>(sql: string, parameters: ReadonlyArray<unknown>, op: 'all' | 'run', call: () => T, rows: (result: T) => number | bigint): T => {
    let result: T;
    try {
      result = call();
    } catch (error) {
      write(sql, parameters, op, { error });
      throw error;
    }
    write(sql, parameters, op, { rows: rows(result) });
    return result;
  };
  return (statement, sql) => {
    const inner = reportingUnavailable(statement);
    return {
      reader: inner.reader,
      all: (parameters) => traced(sql, parameters, 'all', () => inner.all(parameters), (rows) => rows.length),
      run: (parameters) => traced(sql, parameters, 'run', () => inner.run(parameters), (result) => result.changes),
      *iterate(parameters) {
        write(sql, parameters, 'iterate', {});
        yield* inner.iterate(parameters);
      },
    };
  };
}

/** Applies every pending migration. @throws when a migration fails */
export async function migrateToLatest(db: Kysely<Database>, provider: MigrationProvider): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Whether every known migration has been applied (readiness). */
export async function pendingMigrations(db: Kysely<Database>, provider: MigrationProvider): Promise<number> {
  const migrator = new Migrator({ db, provider });
  const migrations = await migrator.getMigrations();
  return migrations.filter((m) => m.executedAt === undefined).length;
}
