import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { DialectName } from '../store/database.js';
import { newId } from '../ledger/ids.js';
import { NotFound } from '../ledger/errors.js';
import type { Repositories } from '../store/ports.js';
import { storeHandles } from '../store/module-repositories.js';
import type { VendorModule } from '../surfaces/vendor-module.js';
import { PARKED_UNTIL } from '../workers/retry-time.js';
import { aheadOfWallMs, type ClockSetting } from './clock.js';

// A tenant's test-mode data as one whole (SPEC §7 "Reset", "Snapshots"): every row of the
// service's and the vendors' tables of mode data, with tenant_id = the tenant and mode 'test'.
// Its configuration is not part of it: keys, OAuth clients, webhook endpoints, snapshots.

/** The service's own tables of mode data (the vendors declare theirs: VendorModule.modeData). */
const SERVICE_MODE_DATA = ['balances', 'ledger_entries', 'unique_keys', 'events', 'webhook_deliveries', 'emails', 'idempotency_keys'];
/** Delivery attempts carry no mode: they go with the test-mode deliveries they belong to. */
const ATTEMPTS = 'webhook_attempts';
/** Faults act on test mode only and carry no mode; a reset clears them (TenantFaults.clear), a snapshot keeps them. */
const FAULTS = 'test_faults';

/** Every table of a tenant's mode data, the vendors' first. */
export function modeDataTables(vendors: readonly VendorModule[]): string[] {
  return [...vendors.flatMap((vendor) => vendor.modeData ?? []), ...SERVICE_MODE_DATA];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** The transaction's database handle, its writes begun (a plain statement may otherwise run before the transaction's first write). */
async function dbOf(tx: Repositories): Promise<AnyDb> {
  return (await sessionOf(tx)).db;
}

async function sessionOf(tx: Repositories): Promise<{ db: AnyDb; dialect: DialectName }> {
  const handle = storeHandles.of(tx);
  await handle.writes.beginTransaction();
  return { db: handle.db as AnyDb, dialect: handle.dialect };
}

const columnsOf = new Map<string, Promise<string[]>>();

/** A SQLite table's columns, in order (read once: the schema changes only with a migration, before any request). */
function sqliteColumnsOf(db: AnyDb, table: string): Promise<string[]> {
  let columns = columnsOf.get(table);
  if (!columns) {
    columns = sql<{ name: string }>`SELECT name FROM pragma_table_info(${table})`.execute(db).then((result) => result.rows.map((row) => row.name));
    columns.catch(() => columnsOf.delete(table));
    columnsOf.set(table, columns);
  }
  return columns;
}

const testDeliveriesOf = (db: AnyDb, tenantId: string) => db.selectFrom('webhook_deliveries').select('id').where('tenant_id', '=', tenantId).where('mode', '=', 'test');

/** Deletes the tenant's test-mode data; answers the rows deleted per table. */
export async function deleteTestData(tx: Repositories, tenantId: string, tables: readonly string[]): Promise<Record<string, number>> {
  const db = await dbOf(tx);
  const deleted: Record<string, number> = {};
  const attempts = await db.deleteFrom(ATTEMPTS).where('tenant_id', '=', tenantId).where('delivery_id', 'in', testDeliveriesOf(db, tenantId)).executeTakeFirst();
  deleted[ATTEMPTS] = Number(attempts.numDeletedRows);
  for (const table of tables) {
    const result = await db.deleteFrom(table).where('tenant_id', '=', tenantId).where('mode', '=', 'test').executeTakeFirst();
    deleted[table] = Number(result.numDeletedRows);
  }
  return deleted;
}

export interface Snapshot {
  id: string;
  name: string | null;
  createdAt: string;
}

interface SnapshotRow {
  tenant_id: string;
  id: string;
  name: string | null;
  clock: string | null;
  created_at: string;
}

const snapshotOf = (row: Pick<SnapshotRow, 'id' | 'name' | 'created_at'>): Snapshot => ({ id: row.id, name: row.name, createdAt: row.created_at });

/** Takes a snapshot of the tenant's test-mode data and its clock (null: wall time). */
export async function takeSnapshot(tx: Repositories, tenantId: string, tables: readonly string[], input: { name: string | null; clock: ClockSetting | null; now: string }): Promise<Snapshot> {
  const { db, dialect } = await sessionOf(tx);
  const snapshot: SnapshotRow = { tenant_id: tenantId, id: newId('snap', input.now), name: input.name, clock: input.clock ? JSON.stringify(input.clock) : null, created_at: input.now };
  await db.insertInto('test_snapshots').values(snapshot).execute();
  // Each row as JSON text of its columns, made by the database itself (no row crosses into
  // JavaScript): 10^4 objects are some 50,000 rows.
  const keep = async (table: string, rows: SelectQueryBuilder<any, any, any>) => {
    const json = dialect === 'postgres' ? sql`row_to_json(kept)::text` : sql.raw(`json_object(${(await sqliteColumnsOf(db, table)).map((c) => `'${c}', ${c}`).join(', ')})`);
    await sql`INSERT INTO test_snapshot_rows (snapshot_id, table_name, position, row)
      SELECT ${snapshot.id}, ${table}, row_number() OVER () - 1, ${json} FROM (${rows}) AS kept`.execute(db);
  };
  for (const table of tables) await keep(table, db.selectFrom(table).selectAll().where('tenant_id', '=', tenantId).where('mode', '=', 'test'));
  await keep(ATTEMPTS, db.selectFrom(ATTEMPTS).selectAll().where('tenant_id', '=', tenantId).where('delivery_id', 'in', testDeliveriesOf(db, tenantId)));
  await keep(FAULTS, db.selectFrom(FAULTS).selectAll().where('tenant_id', '=', tenantId));
  return snapshotOf(snapshot);
}

export async function listSnapshots(tx: Repositories, tenantId: string): Promise<Snapshot[]> {
  const db = await dbOf(tx);
  return (await db.selectFrom('test_snapshots').select(['id', 'name', 'created_at']).where('tenant_id', '=', tenantId).orderBy('id').execute()).map(snapshotOf);
}

/**
 * Makes the tenant's test-mode data exactly what the snapshot kept; answers the clock it kept.
 * @throws NotFound when the tenant has no such snapshot
 */
export async function restoreSnapshot(tx: Repositories, tenantId: string, snapshotId: string, tables: readonly string[]): Promise<{ clock: ClockSetting | null }> {
  const { db, dialect } = await sessionOf(tx);
  const snapshot = await db.selectFrom('test_snapshots').select(['clock']).where('tenant_id', '=', tenantId).where('id', '=', snapshotId).executeTakeFirst();
  if (!snapshot) throw new NotFound('snapshot', snapshotId);
  await deleteTestData(tx, tenantId, tables);
  for (const table of [...tables, ATTEMPTS, FAULTS]) {
    const kept = sql`FROM test_snapshot_rows WHERE snapshot_id = ${snapshotId} AND table_name = ${table}`;
    if (dialect === 'postgres') {
      await sql`INSERT INTO ${sql.table(table)} SELECT (json_populate_record(NULL::${sql.table(table)}, row::json)).* ${kept} ORDER BY position`.execute(db);
    } else {
      const columns = await sqliteColumnsOf(db, table);
      await sql`INSERT INTO ${sql.table(table)} (${sql.raw(columns.join(', '))}) SELECT ${sql.raw(columns.map((c) => `json_extract(row, '$."${c}"')`).join(', '))} ${kept} ORDER BY position`.execute(db);
    }
  }
  return { clock: snapshot.clock ? (JSON.parse(snapshot.clock as string) as ClockSetting) : null };
}

/** @throws NotFound when the tenant has no such snapshot */
export async function deleteSnapshot(tx: Repositories, tenantId: string, snapshotId: string): Promise<void> {
  const db = await dbOf(tx);
  const result = await db.deleteFrom('test_snapshots').where('tenant_id', '=', tenantId).where('id', '=', snapshotId).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new NotFound('snapshot', snapshotId);
  await db.deleteFrom('test_snapshot_rows').where('snapshot_id', '=', snapshotId).execute();
}

/**
 * Re-places what the tenant's test mode has pending in the outbox (webhook deliveries and their
 * retries, e-mails) after its clock changed from `before` to `after` at wall time `wallMs`: each
 * keeps its time on the tenant's clock. The worker claims by wall time, so on a running clock a
 * time is the wall time the clock's offset apart (a clock moved forward brings everything as
 * much sooner); on a frozen clock what the clock has reached is due now, in the same order, and
 * the rest waits for the clock, parked (PARKED_UNTIL, with `clock_due_at`).
 */
export async function retime(tx: Repositories, tenantId: string, { before, after, wallMs }: { before: ClockSetting; after: ClockSetting; wallMs: number }): Promise<void> {
  const db = await dbOf(tx);
  const aheadBefore = aheadOfWallMs(before, wallMs);
  const aheadAfter = aheadOfWallMs(after, wallMs);
  const frozenAtMs = after.frozenAt === null ? null : Date.parse(after.frozenAt);
  for (const table of ['webhook_deliveries', 'emails']) {
    const pending = await db
      .selectFrom(table)
      .select(['id', 'next_attempt_at', 'clock_due_at'])
      .where('tenant_id', '=', tenantId)
      .where('mode', '=', 'test')
      .where('status', '=', 'pending')
      .execute();
    for (const row of pending) {
      const dueMs = row.clock_due_at !== null ? Date.parse(row.clock_due_at as string) : Date.parse(row.next_attempt_at as string) + aheadBefore;
      const parked = frozenAtMs !== null && dueMs > frozenAtMs;
      const placed = parked
        ? { next_attempt_at: PARKED_UNTIL, clock_due_at: new Date(dueMs).toISOString() }
        : { next_attempt_at: new Date(dueMs - aheadAfter).toISOString(), clock_due_at: null };
      if (placed.next_attempt_at === row.next_attempt_at && placed.clock_due_at === row.clock_due_at) continue;
      await db.updateTable(table).set(placed).where('tenant_id', '=', tenantId).where('id', '=', row.id as string).execute();
    }
  }
}
