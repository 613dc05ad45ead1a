import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

export type StoreKind = 'sqlite' | 'postgres';

/** Where the bench creates its scratch PostgreSQL databases (BENCH_PG_URL, else this machine's own). */
export const benchPgUrl = (): string => process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database for one server: its DATABASE_URL, and how to open it for bulk seeding. */
export interface ScratchStore {
  kind: StoreKind;
  label: string;
  url: string;
  /** Opens a direct connection (the bench's own, for seeding and sampling). */
  open(): Promise<DirectConnection>;
  drop(): Promise<void>;
}

/** A direct connection to a scratch store; `kind` says which API `sqlite`/`pg` holds. */
export type DirectConnection =
  | { kind: 'sqlite'; sqlite: Database.Database; close(): Promise<void> }
  | { kind: 'postgres'; pg: pg.Client; close(): Promise<void> };

const created = new Set<ScratchStore>();
const runTag = `${new Date().toISOString().replace(/[-:TZ.]/g, '').slice(0, 14)}_${process.pid}`;
let scratchDir: string | undefined;

function sqliteDir(): string {
  // The OS temporary directory: on this machine the same ext4 disk as the repository (not tmpfs).
  scratchDir ??= mkdtempSync(join(tmpdir(), 'subledger-bench-'));
  return scratchDir;
}

export function scratchSqlite(label: string): ScratchStore {
  const file = join(sqliteDir(), `${label}.db`);
  const store: ScratchStore = {
    kind: 'sqlite',
    label,
    url: `sqlite:${file}`,
    async open() {
      const sqlite = new Database(file);
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('busy_timeout = 5000');
      return { kind: 'sqlite', sqlite, close: async () => void sqlite.close() };
    },
    async drop() {
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      created.delete(store);
    },
  };
  created.add(store);
  return store;
}

function urlWithDatabase(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function adminQuery(adminUrl: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** Whether PostgreSQL answers at `adminUrl`, and its version. @throws with a clear message when not */
export async function postgresVersion(adminUrl: string): Promise<string> {
  try {
    const { rows } = await adminQuery(adminUrl, 'show server_version');
    return String(rows[0].server_version);
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${adminUrl} (${(error as Error).message}). ` +
        'Start it, point BENCH_PG_URL at it, or run only SQLite with BENCH_STORES=sqlite.',
    );
  }
}

export async function scratchPostgres(adminUrl: string, label: string): Promise<ScratchStore> {
  const database = `bench_${runTag}_${label}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await adminQuery(adminUrl, `create database ${database}`);
  const url = urlWithDatabase(adminUrl, database);
  const store: ScratchStore = {
    kind: 'postgres',
    label,
    url,
    async open() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return { kind: 'postgres', pg: client, close: () => client.end() };
    },
    async drop() {
      created.delete(store);
      await adminQuery(adminUrl, `drop database if exists ${database} with (force)`);
    },
  };
  created.add(store);
  return store;
}

/** Drops every scratch database and file still there (on success, failure or interruption). */
export async function dropAllScratch(): Promise<void> {
  for (const store of [...created]) {
    try {
      await store.drop();
    } catch (error) {
      process.stderr.write(`bench: could not drop ${store.kind} scratch store ${store.url}: ${(error as Error).message}\n`);
    }
  }
  if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
  scratchDir = undefined;
}

/**
 * After a bulk load, what the store would soon do by itself: SQLite checkpoints the WAL into
 * the database file; PostgreSQL vacuums and analyzes (autovacuum would, within a minute).
 */
export async function afterBulkLoad(connection: DirectConnection): Promise<void> {
  if (connection.kind === 'sqlite') connection.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  else await connection.pg.query('vacuum analyze');
}

/**
 * PostgreSQL `analyze`, what autovacuum does within about a minute of a table's first writes.
 * Before it, the planner has no statistics and reads an account by id through accounts_by_customer
 * (a scan of the tenant's accounts) and checks a new external reference through the listing index:
 * figures taken on a database seconds old would measure that transient (BENCH_PG_ANALYZE=0 does).
 */
export async function analyzePostgres(store: ScratchStore): Promise<void> {
  if (store.kind !== 'postgres') return;
  const connection = await store.open();
  try {
    if (connection.kind === 'postgres') await connection.pg.query('analyze');
  } finally {
    await connection.close();
  }
}

/** Outbox events the server has not dispatched yet (the `events` table is the core's, shared by every surface). */
export async function undispatchedEvents(connection: DirectConnection): Promise<number> {
  const text = 'select count(*) as n from events where dispatched_at is null';
  if (connection.kind === 'sqlite') return Number((connection.sqlite.prepare(text).get() as { n: number }).n);
  return Number((await connection.pg.query(text)).rows[0].n);
}
