import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';

interface QueuedWork {
  work: (connection: Kysely<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How many transactions share one commit at most. */
const MAX_BATCH = 256;

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

  run<T>(work: (connection: Kysely<Database>) => Promise<T>): Promise<T> {
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
        await this.db.connection().execute(async (connection) => {
          await sql`begin immediate`.execute(connection);
          try {
            for (const item of batch) {
              await sql`savepoint unit_of_work`.execute(connection);
              try {
                const value = await item.work(connection);
                await sql`release unit_of_work`.execute(connection);
                outcomes.push({ ok: true, value });
              } catch (error) {
                await sql`rollback to unit_of_work`.execute(connection);
                await sql`release unit_of_work`.execute(connection);
                outcomes.push({ ok: false, error });
              }
            }
            await sql`commit`.execute(connection);
          } catch (error) {
            await sql`rollback`.execute(connection).catch(() => {});
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
