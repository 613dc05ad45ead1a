import type { Kysely } from 'kysely';
import { newId } from '../ledger/ids.js';
import { NotFound } from '../ledger/errors.js';
import type { Repositories } from '../store/ports.js';
import { storeHandles } from '../store/module-repositories.js';
import type { VendorModule } from '../surfaces/vendor-module.js';
import type { ClockSetting } from './clock.js';

// A tenant's test-mode data as one whole (SPEC §7 "Reset", "Snapshots"): every row of the
// service's and the vendors' tables of mode data, with tenant_id = the tenant and mode 'test'.
// Its configuration is not part of it: keys, OAuth clients, webhook endpoints, snapshots.

/** The service's own tables of mode data (the vendors declare theirs: VendorModule.modeData). */
const SERVICE_MODE_DATA = ['balances', 'ledger_entries', 'unique_keys', 'events', 'webhook_deliveries', 'emails', 'idempotency_keys'];
/** Delivery attempts carry no mode: they go with the test-mode deliveries they belong to. */
const ATTEMPTS = 'webhook_attempts';
/** Rows per INSERT when a snapshot is taken or restored (well under SQLite's bound parameters). */
const CHUNK = 200;

/** Every table of a tenant's mode data, the vendors' first. */
export function modeDataTables(vendors: readonly VendorModule[]): string[] {
  return [...vendors.flatMap((vendor) => vendor.modeData ?? []), ...SERVICE_MODE_DATA];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** The transaction's database handle, its writes begun (a plain statement may otherwise run before the transaction's first write). */
async function dbOf(tx: Repositories): Promise<AnyDb> {
  const handle = storeHandles.of(tx);
  await handle.writes.beginTransaction();
  return handle.db as AnyDb;
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

/** JSON of a row: exact integers stay exact (PostgreSQL's bigint arrives as text, SQLite's as a number or bigint). */
const rowText = (row: Record<string, unknown>): string => JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));

/** Takes a snapshot of the tenant's test-mode data and its clock (null: wall time). */
export async function takeSnapshot(tx: Repositories, tenantId: string, tables: readonly string[], input: { name: string | null; clock: ClockSetting | null; now: string }): Promise<Snapshot> {
  const db = await dbOf(tx);
  const snapshot: SnapshotRow = { tenant_id: tenantId, id: newId('snap', input.now), name: input.name, clock: input.clock ? JSON.stringify(input.clock) : null, created_at: input.now };
  await db.insertInto('test_snapshots').values(snapshot).execute();
  const keep = async (table: string, rows: Record<string, unknown>[]) => {
    for (let start = 0; start < rows.length; start += CHUNK) {
      const chunk = rows.slice(start, start + CHUNK).map((row, i) => ({ snapshot_id: snapshot.id, table_name: table, position: start + i, row: rowText(row) }));
      await db.insertInto('test_snapshot_rows').values(chunk).execute();
    }
  };
  for (const table of tables) await keep(table, await db.selectFrom(table).selectAll().where('tenant_id', '=', tenantId).where('mode', '=', 'test').execute());
  await keep(ATTEMPTS, await db.selectFrom(ATTEMPTS).selectAll().where('tenant_id', '=', tenantId).where('delivery_id', 'in', testDeliveriesOf(db, tenantId)).execute());
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
  const db = await dbOf(tx);
  const snapshot = await db.selectFrom('test_snapshots').select(['clock']).where('tenant_id', '=', tenantId).where('id', '=', snapshotId).executeTakeFirst();
  if (!snapshot) throw new NotFound('snapshot', snapshotId);
  await deleteTestData(tx, tenantId, tables);
  for (const table of [...tables, ATTEMPTS]) {
    let position = 0;
    for (;;) {
      const kept = await db.selectFrom('test_snapshot_rows').select(['row']).where('snapshot_id', '=', snapshotId).where('table_name', '=', table).where('position', '>=', position).orderBy('position').limit(CHUNK).execute();
      if (kept.length === 0) break;
      await db.insertInto(table).values(kept.map((k) => JSON.parse(k.row as string) as Record<string, unknown>)).execute();
      position += kept.length;
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
 * What the tenant's test mode has pending in the outbox (webhook deliveries and their retries,
 * e-mails) comes due `ms` sooner: the clock moved forward by as much. Their times are the
 * worker's wall time, and the clock's offset is what separates the two.
 */
export async function bringForward(tx: Repositories, tenantId: string, ms: number): Promise<void> {
  const db = await dbOf(tx);
  for (const table of ['webhook_deliveries', 'emails']) {
    const pending = await db.selectFrom(table).select(['id', 'next_attempt_at']).where('tenant_id', '=', tenantId).where('mode', '=', 'test').where('status', '=', 'pending').execute();
    for (const row of pending) {
      const due = new Date(Date.parse(row.next_attempt_at as string) - ms).toISOString();
      await db.updateTable(table).set({ next_attempt_at: due }).where('tenant_id', '=', tenantId).where('id', '=', row.id as string).execute();
    }
  }
}
