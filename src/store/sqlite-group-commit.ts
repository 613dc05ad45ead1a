import { CompiledQuery, type DatabaseConnection, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { SQLITE_UNIT, WriteBehindConnection } from './write-behind.js';

interface QueuedWork {
  work: (unit: WriteBehindConnection) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How many transactions share one commit at most. */
const MAX_BATCH = 256;

const BEGIN = CompiledQuery.raw('begin immediate');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');

/**
 * Group commit for SQLite: transactions that arrive while one is being written are queued and
 * then run together in one BEGIN … COMMIT, each inside its own savepoint, so that a failing
 * one rolls back alone. Nobody hears back before the shared COMMIT has succeeded (a 2xx still
 * means committed); if the COMMIT fails, every transaction of the batch fails.
 *
 * A commit, and the pages every transaction touches anyway (index leaves, the WAL frame of the
 * table's last page), are then paid once per batch instead of once per request: the batching
 * SPEC §6 and stack-ceilings §4 call for.
 */
export class SqliteGroupCommit {
  private readonly queue: QueuedWork[] = [];
  private flushing = false;

  constructor(private readonly db: Kysely<Database>) {}

  /** Runs `work` as one unit of the next batch; its savepoint is taken at its first statement. */
  run<T>(work: (unit: WriteBehindConnection) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let the requests that arrived in this turn of the event loop join the batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      try {
        await this.db.getExecutor().provideConnection(async (connection) => {
          await connection.executeQuery(BEGIN);
          try {
            for (const item of batch) outcomes.push(await runUnit(connection, item.work));
            await connection.executeQuery(COMMIT);
          } catch (error) {
            await connection.executeQuery(ROLLBACK).catch(() => {});
            throw error;
          }
        });
      } catch (error) {
        for (const item of batch) item.reject(error);
        continue;
      }
      batch.forEach((item, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.error);
      });
    }
    this.flushing = false;
  }
}

/** One unit: its failure is its own; a savepoint that cannot be rolled back fails the batch. */
async function runUnit(
  connection: DatabaseConnection,
  work: (unit: WriteBehindConnection) => Promise<unknown>,
): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  const unit = new WriteBehindConnection(connection, SQLITE_UNIT);
  try {
    const value = await work(unit);
    await unit.commit();
    return { ok: true, value };
  } catch (error) {
    await unit.rollback();
    return { ok: false, error };
  }
}
