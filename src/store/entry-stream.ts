import { sql, type Kysely, type SqlBool } from 'kysely';
import type { BalanceTable, Database, DialectName, LedgerEntryTable } from './database.js';

/**
 * Streaming reads of the whole ledger, in batches by keyset on the primary keys: memory stays
 * constant however many entries there are, and each batch is an index range scan. The
 * migration that gave entries their hashes and `subledger verify` read through these.
 */

/** Which part of the ledger to read: one tenant, one mode, or all. */
export interface LedgerSlice {
  tenantId?: string;
  mode?: string;
}

export const STREAM_BATCH = 1000;

/**
 * Every entry in chain order: by (tenant, holder, currency, sequence, mode), the primary key's
 * order. The two modes of one (holder, currency) interleave by sequence (a tenant's own balance
 * is held in both), each a chain of its own.
 */
export async function* entriesInChainOrder(db: Kysely<Database>, slice: LedgerSlice = {}, batch = STREAM_BATCH): AsyncGenerator<LedgerEntryTable[]> {
  let last: LedgerEntryTable | undefined;
  for (;;) {
    let query = db.selectFrom('ledger_entries').selectAll();
    if (slice.tenantId !== undefined) query = query.where('tenant_id', '=', slice.tenantId);
    if (slice.mode !== undefined) query = query.where('mode', '=', slice.mode);
    if (last) {
      const k = last;
      query = query.where(sql<SqlBool>`(tenant_id, holder_id, currency, sequence, mode) > (${k.tenant_id}, ${k.holder_id}, ${k.currency}, ${k.sequence}, ${k.mode})`);
    }
    const rows = await query.orderBy('tenant_id').orderBy('holder_id').orderBy('currency').orderBy('sequence').orderBy('mode').limit(batch).execute();
    if (rows.length > 0) yield rows;
    if (rows.length < batch) return;
    last = rows[rows.length - 1];
  }
}

/** Every balance in its primary key's order: (tenant, holder, currency, mode). */
export async function* balancesInKeyOrder(db: Kysely<Database>, slice: LedgerSlice = {}, batch = STREAM_BATCH): AsyncGenerator<BalanceTable[]> {
  let last: BalanceTable | undefined;
  for (;;) {
    let query = db.selectFrom('balances').selectAll();
    if (slice.tenantId !== undefined) query = query.where('tenant_id', '=', slice.tenantId);
    if (slice.mode !== undefined) query = query.where('mode', '=', slice.mode);
    if (last) {
      const k = last;
      query = query.where(sql<SqlBool>`(tenant_id, holder_id, currency, mode) > (${k.tenant_id}, ${k.holder_id}, ${k.currency}, ${k.mode})`);
    }
    const rows = await query.orderBy('tenant_id').orderBy('holder_id').orderBy('currency').orderBy('mode').limit(batch).execute();
    if (rows.length > 0) yield rows;
    if (rows.length < batch) return;
    last = rows[rows.length - 1];
  }
}

/** A tenant's entries in one mode, `from` (inclusive) to `to` (exclusive), ISO instants as stored. */
export interface EntryWindow {
  tenantId: string;
  mode: string;
  from?: string;
  to?: string;
}

/**
 * A tenant's entries oldest first: by (created_at, id). Entries of one instant keep their id
 * order, which within a posting is its source side first.
 *
 * On PostgreSQL through ledger_entries_by_time (tenant_id, created_at, id, mode), in keyset
 * batches. SQLite keeps no index on time (every posting would write it, issue 25): one
 * statement reads the tenant's entries and SQLite sorts them once, spilling to temporary files
 * beyond its cache, so memory stays bounded; rows stream from it in batches.
 */
export async function* entriesInTimeOrder(db: Kysely<Database>, dialect: DialectName, window: EntryWindow, batch = STREAM_BATCH): AsyncGenerator<LedgerEntryTable[]> {
  const inWindow = () => {
    let query = db.selectFrom('ledger_entries').selectAll().where('tenant_id', '=', window.tenantId).where('mode', '=', window.mode);
    if (window.from !== undefined) query = query.where('created_at', '>=', window.from);
    if (window.to !== undefined) query = query.where('created_at', '<', window.to);
    return query;
  };
  if (dialect === 'sqlite') {
    let rows: LedgerEntryTable[] = [];
    for await (const row of inWindow().orderBy('created_at').orderBy('id').stream(batch)) {
      rows.push(row);
      if (rows.length === batch) {
        yield rows;
        rows = [];
      }
    }
    if (rows.length > 0) yield rows;
    return;
  }
  let last: LedgerEntryTable | undefined;
  for (;;) {
    let query = inWindow();
    if (last) {
      const k = last;
      query = query.where(sql<SqlBool>`(created_at, id) > (${k.created_at}, ${k.id})`);
    }
    const rows = await query.orderBy('created_at').orderBy('id').limit(batch).execute();
    if (rows.length > 0) yield rows;
    if (rows.length < batch) return;
    last = rows[rows.length - 1];
  }
}

/** One row at a time from batches. */
export async function* rowsOf<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const rows of batches) yield* rows;
}
