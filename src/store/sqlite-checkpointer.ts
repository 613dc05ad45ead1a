import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** How often the worker copies committed WAL frames into the database file. */
const INTERVAL_MS = 100;
/**
 * WAL frames (pages) after which a passive checkpoint is not enough: under continuous writes
 * the WAL can only start over once a checkpoint has caught up with it, so the worker then
 * waits for a moment without writers (a RESTART checkpoint: writers pause for its duration).
 */
const RESTART_AFTER_FRAMES = 4_096;

// Runs in the worker thread (CommonJS, eval'd): its own connection to the same file.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = ' + workerData.synchronous);
const timer = setInterval(() => {
  try {
    const [passive] = db.pragma('wal_checkpoint(PASSIVE)');
    if (passive.log >= workerData.restartAfterFrames) db.pragma('wal_checkpoint(RESTART)');
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

/**
 * WAL checkpoints on a worker thread instead of inside commits on the event loop.
 *
 * SQLite's automatic checkpoint runs in the commit that crosses 1,000 WAL pages: that commit
 * then copies every page into the database file and syncs it, while every request of the
 * process waits (stack-ceilings §2: the 100 ms–1 s tails of an SQLite write path). Here the
 * event loop's connection never checkpoints; a second connection on a worker thread does, on
 * the other core, without blocking the writer (PASSIVE). Durability is unchanged: a commit is
 * durable once in the WAL, as before.
 *
 * If the worker fails, the event loop's connection goes back to automatic checkpoints.
 */
export function startCheckpointer(sqlite: SqliteDatabase.Database, path: string, synchronous: 'NORMAL' | 'FULL'): () => void {
  sqlite.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      path,
      synchronous,
      intervalMs: INTERVAL_MS,
      restartAfterFrames: RESTART_AFTER_FRAMES,
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
  worker.on('exit', fallBack);
  return () => {
    running = false;
    worker.postMessage('stop');
  };
}
