import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from './database.js';
import type { DialectName } from './database.js';

// The one way to lock rows for update. On PostgreSQL a locking read is `SELECT … FOR UPDATE`
// (`SKIP LOCKED` for the outbox's claims, so workers pass each other's rows); SQLite has one
// writer, and its transaction already excludes every other writer, so the same read takes no
// clause there. A locked read also begins the write-behind transaction first (write-behind.ts):
// a plain read before the first write may run outside it, a lock may not. A keyed row is
// locked with lockRow (statements.ts), any other query with lockRows.

/** What a locking read runs on: the transaction's (or the reader's) Kysely and its write sink (StoreHandle). */
export interface Session {
  db: Kysely<Database>;
  dialect: DialectName;
  writes: { beginTransaction(): Promise<void> };
}

/** `query` with the row lock of `dialect`. */
export function forUpdate<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, dialect: DialectName, options: { skipLocked?: boolean } = {}): SelectQueryBuilder<DB, TB, O> {
  if (dialect !== 'postgres') return query;
  const locked = query.forUpdate();
  return options.skipLocked ? locked.skipLocked() : locked;
}

/** Every row `query` reads, locked until the transaction ends (`skipLocked`: rows another transaction holds are passed over). */
export async function lockRows<TB extends keyof Database, O>(handle: Session, query: SelectQueryBuilder<Database, TB, O>, options: { skipLocked?: boolean } = {}): Promise<O[]> {
  await handle.writes.beginTransaction();
  return forUpdate(query, handle.dialect, options).execute();
}
