import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** How often the worker copies committed WAL frames into the database file. */
const INTERVAL_MS = 100;
/**
 * The event loop's own (automatic, passive) checkpoint stays on as a backstop, at this many WAL
 * pages (~40 MB) instead of SQLite's 1,000: under continuous writes the worker's checkpoints
 * rarely finish between two commits, and only a checkpoint that does lets the WAL start over.
 * By then the worker has copied almost every page, so the backstop has little left to do.
 * (50,000 pages was tried against the writes' half-rate p99 and not kept: docs/decisions.md.)
 */
export const BACKSTOP_PAGES = 10_000;

// Runs in the worker thread (CommonJS, eval'd): its own connection to the same file.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = ' + workerData.synchronous);
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // SQLITE_BUSY and friends: the next round tries again.
    if (error && error.code !== 'SQLITE_BUSY' && error.code !== 'SQLITE_LOCKED') parentPort.postMessage(String(error));
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Asks the worker to close its connection; call before closing the event loop's. */
  stop(): void;
  /**
   * Settles once the worker's connection is closed. Until then it may still touch the -wal and
   * -shm files (its close can checkpoint), so whoever removes the database waits for this.
   */
  exited: Promise<void>;
}

/**
 * WAL checkpoints on a worker thread instead of inside commits on the event loop.
 *
 * SQLite's automatic checkpoint runs in the commit that crosses 1,000 WAL pages: that commit
 * then copies every page into the database file and syncs it, while every request of the
 * process waits (stack-ceilings §2: the 100 ms–1 s tails of an SQLite write path). Here a
 * second connection on a worker thread copies the pages every 100 ms, on the other core, with
 * PASSIVE checkpoints that never block the writer or wait for it. Nothing here ever makes the
 * event loop's connection wait on a lock: a RESTART checkpoint would, and SQLite's busy handler
 * then sleeps in steps of up to 100 ms (measured: half-rate p99 of 200–400 ms).
 * Durability is unchanged: a commit is durable once it is in the WAL, as before.
 *
 * If the worker fails, the event loop's connection goes back to SQLite's default threshold.
 */
export function startCheckpointer(sqlite: SqliteDatabase.Database, path: string, synchronous: 'NORMAL' | 'FULL'): Checkpointer {
  sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      path,
      synchronous,
      intervalMs: INTERVAL_MS,
    },
  });
  worker.unref();
  let running = true;
  const fallBack = () => {
    if (!running) return;
    running = false;
    if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('message', (message) => process.emitWarning(`SQLite checkpointer: ${String(message)}`));
  worker.on('error', (error) => {
    process.emitWarning(`SQLite checkpointer stopped (${(error as Error).message}); checkpoints run in commits again`);
    fallBack();
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('exit', fallBack);
  return {
    stop: () => {
      running = false;
      // Unreferenced so that it never keeps a process alive; while it closes, it must.
      worker.ref();
      worker.postMessage('stop');
    },
    exited,
  };
}
