import { resolve } from 'node:path';
import pg from 'pg';
import { StoreUnavailable } from '../ledger/errors.js';

// How the drivers say "the store cannot be reached right now", as opposed to "this statement
// failed". Their codes are read here and nowhere else: above the store, such a failure is a
// StoreUnavailable (src/ledger/errors.ts), and every other error passes through unchanged (a
// unique violation stays the driver's error for unique-violation.ts and write-behind.ts).

/**
 * node's socket errors; PostgreSQL's admin_shutdown, crash_shutdown and cannot_connect_now
 * (57P01–57P03) and connection exceptions (class 08); SQLite busy (another writer held the
 * lock past busy_timeout).
 */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  'SQLITE_BUSY',
]);

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** StoreUnavailable when the driver's code says the store cannot be reached; otherwise `error` itself. */
export function storeFailureOf(error: unknown): unknown {
  const code = codeOf(error);
  return typeof code === 'string' && UNAVAILABLE_CODES.has(code) ? new StoreUnavailable({ cause: error }) : error;
}

/**
 * As storeFailureOf, for a failed pg call. pg reports a dropped connection without a stable
 * code ("Connection terminated unexpectedly" is a plain Error), so a failure that carries no
 * code at all (neither a SQLSTATE from the server nor a socket error) is an outage when the
 * server does not answer a fresh connection now, and a bug (passed through) when it does.
 */
export async function postgresFailureOf(error: unknown, serverAnswers: () => Promise<boolean>): Promise<unknown> {
  const translated = storeFailureOf(error);
  if (translated !== error || codeOf(error) !== undefined) return translated;
  return (await serverAnswers()) ? error : new StoreUnavailable({ cause: error });
}

/**
 * A failed pool connect, as what it was: pg reports its own connect timeout
 * (`connectionTimeoutMillis`) as a plain Error with no code, so a codeless failure that took the
 * whole timeout gets node's socket timeout code, ETIMEDOUT (an outage, and "did not answer in
 * time" at start). Anything else is returned unchanged.
 */
export function connectFailureOf(error: unknown, elapsedMs: number, timeoutMs: number): unknown {
  if (codeOf(error) !== undefined || elapsedMs < timeoutMs) return error;
  return Object.assign(new Error(`no connection within ${timeoutMs} ms`, { cause: error }), { code: 'ETIMEDOUT' });
}

const PROBE_TIMEOUT_MS = 2_000;

/**
 * Whether PostgreSQL accepts a fresh connection and answers `select 1` within two seconds.
 * The probe does not use the pool: the client that just failed is still checked out, and a
 * full pool would make the probe wait for it.
 */
export async function postgresAnswersFreshConnection(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: PROBE_TIMEOUT_MS, query_timeout: PROBE_TIMEOUT_MS });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Where the database of `url` is, for a message: never its password. */
function locationOf(url: string): string {
  if (url.startsWith('sqlite:')) return `the SQLite database ${resolve(url.slice('sqlite:'.length))}`;
  try {
    const { hostname, port, pathname } = new URL(url);
    return `PostgreSQL at ${hostname}:${port || '5432'} (database ${decodeURIComponent(pathname.slice(1)) || 'postgres'})`;
  } catch {
    return 'the PostgreSQL server';
  }
}

/** The driver's (or file system's) error under any StoreUnavailable wrapping. */
function rootCauseOf(error: unknown): unknown {
  let current = error;
  while (current instanceof StoreUnavailable && current.cause !== undefined) current = current.cause;
  return current;
}

/**
 * Why the database of `url` could not be opened or migrated at start, in a few words for the
 * operator, or undefined when no code says (a bug, shown in full by the caller).
 */
export function openFailureCause(error: unknown, url: string): string | undefined {
  const code = codeOf(rootCauseOf(error));
  const where = locationOf(url);
  switch (code) {
    case 'ECONNREFUSED':
      return `${where} refused the connection (is the server running, on that port?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `the host of ${where} cannot be resolved`;
    case 'ETIMEDOUT':
      return `${where} did not answer in time (is it reachable from here? SUBLEDGER_PG_CONNECT_TIMEOUT_MS sets how long to wait)`;
    case 'ECONNRESET':
    case 'EPIPE':
    case '57P01':
    case '57P02':
    case '57P03':
      return `${where} closed the connection (is it starting up or shutting down?)`;
    case '28P01':
    case '28000':
      return `${where} refused the user name or password`;
    case '3D000':
      return `${where}: no such database (create it first)`;
    case 'SQLITE_CANTOPEN':
      return `${where} cannot be opened: the path must be a file (or not exist yet) in a writable directory`;
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
      return `${where} is not writable`;
    case 'SQLITE_NOTADB':
      return `${where} is not a SQLite database file`;
    case 'SQLITE_BUSY':
      return `${where} is locked by another process`;
    // mkdir of the SQLite file's directory
    case 'ENOTDIR':
    case 'ENOENT':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
    case 'EEXIST':
      return `the directory of ${where} cannot be created (${code})`;
  }
  if (typeof code === 'string' && code.startsWith('08')) return `${where} cannot be reached (connection exception ${code})`;
  return undefined;
}
