import { defineRepositories } from '../store/module-repositories.js';
import { lockRows } from '../store/row-locks.js';
import type { ClockSetting } from './clock.js';
import type { Fault } from './fault-rules.js';

// The control plane's tables (migrations 2026-12-07-test-clocks, 2026-12-08-test-faults), added to the store's Database type.

declare module '../store/database.js' {
  interface Database {
    test_clocks: TestClockTable;
    test_faults: TestFaultTable;
  }
}

export interface TestClockTable {
  tenant_id: string;
  /** PostgreSQL's bigint arrives as text. */
  offset_ms: number | bigint | string;
  frozen_at: string | null;
  updated_at: string;
}

export interface TestClockRepository {
  /** The tenant's clock, if it was ever set. */
  find(tenantId: string): Promise<ClockSetting | undefined>;
  /** The tenant's clock, locked until the transaction ends (created on wall time when absent). */
  lock(tenantId: string, now: string): Promise<ClockSetting>;
  save(tenantId: string, setting: ClockSetting, now: string): Promise<void>;
  /** Back to wall time. */
  remove(tenantId: string): Promise<void>;
}

export interface TestFaultTable {
  tenant_id: string;
  id: string;
  method: string | null;
  path: string;
  status: number | null;
  code: string | null;
  message: string | null;
  retry_after: number | null;
  delay_ms: number;
  /** 0 or 1. */
  drop_connection: number;
  times: number;
  remaining: number;
  created_at: string;
}

export interface TestFaultRepository {
  /** The tenant's faults, oldest first (every stored fault is pending). */
  list(tenantId: string): Promise<Fault[]>;
  insert(tenantId: string, fault: Fault): Promise<void>;
  /** Returns false when the tenant has no such fault. */
  remove(tenantId: string, id: string): Promise<boolean>;
  /** Every fault of the tenant (a reset); returns how many there were. */
  removeAll(tenantId: string): Promise<number>;
  /**
   * Takes one of the fault's remaining requests under its row lock (two transactions never
   * take the last one both); the last one deletes it. Returns the fault as it was, or
   * undefined when it is gone (spent or deleted meanwhile).
   */
  takeOne(tenantId: string, id: string): Promise<Fault | undefined>;
}

const FAULT_COLUMNS = ['id', 'method', 'path', 'status', 'code', 'message', 'retry_after', 'delay_ms', 'drop_connection', 'times', 'remaining', 'created_at'] as const;

function rowToFault(row: Omit<TestFaultTable, 'tenant_id'>): Fault {
  return {
    id: row.id,
    method: row.method,
    path: row.path,
    status: row.status === null ? null : Number(row.status),
    code: row.code,
    message: row.message,
    retryAfter: row.retry_after === null ? null : Number(row.retry_after),
    delayMs: Number(row.delay_ms),
    drop: Number(row.drop_connection) === 1,
    times: Number(row.times),
    remaining: Number(row.remaining),
    createdAt: row.created_at,
  };
}

const settingOf = (row: Pick<TestClockTable, 'offset_ms' | 'frozen_at'>): ClockSetting => ({ offsetMs: Number(row.offset_ms), frozenAt: row.frozen_at });

export const testingRepositories = defineRepositories((handle) => {
  const { db } = handle;
  const clocks: TestClockRepository = {
    async find(tenantId) {
      const row = await db.selectFrom('test_clocks').select(['offset_ms', 'frozen_at']).where('tenant_id', '=', tenantId).executeTakeFirst();
      return row && settingOf(row);
    },
    async lock(tenantId, now) {
      await handle.writes.beginTransaction();
      await db.insertInto('test_clocks').values({ tenant_id: tenantId, offset_ms: 0, frozen_at: null, updated_at: now }).onConflict((oc) => oc.column('tenant_id').doNothing()).execute();
      const [row] = await lockRows(handle, db.selectFrom('test_clocks').select(['offset_ms', 'frozen_at']).where('tenant_id', '=', tenantId));
      if (!row) throw new Error(`the test clock of ${tenantId} vanished inside its transaction`);
      return settingOf(row);
    },
    async save(tenantId, setting, now) {
      await db.updateTable('test_clocks').set({ offset_ms: setting.offsetMs, frozen_at: setting.frozenAt, updated_at: now }).where('tenant_id', '=', tenantId).execute();
    },
    async remove(tenantId) {
      await db.deleteFrom('test_clocks').where('tenant_id', '=', tenantId).execute();
    },
  };
  const faults: TestFaultRepository = {
    async list(tenantId) {
      const rows = await db.selectFrom('test_faults').select(FAULT_COLUMNS).where('tenant_id', '=', tenantId).orderBy('id').execute();
      return rows.map(rowToFault);
    },
    async insert(tenantId, fault) {
      await db
        .insertInto('test_faults')
        .values({
          tenant_id: tenantId,
          id: fault.id,
          method: fault.method,
          path: fault.path,
          status: fault.status,
          code: fault.code,
          message: fault.message,
          retry_after: fault.retryAfter,
          delay_ms: fault.delayMs,
          drop_connection: fault.drop ? 1 : 0,
          times: fault.times,
          remaining: fault.remaining,
          created_at: fault.createdAt,
        })
        .execute();
    },
    async remove(tenantId, id) {
      const result = await db.deleteFrom('test_faults').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async removeAll(tenantId) {
      const result = await db.deleteFrom('test_faults').where('tenant_id', '=', tenantId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async takeOne(tenantId, id) {
      const [row] = await lockRows(handle, db.selectFrom('test_faults').select(FAULT_COLUMNS).where('tenant_id', '=', tenantId).where('id', '=', id));
      if (!row) return undefined;
      const fault = rowToFault(row);
      if (fault.remaining <= 1) await db.deleteFrom('test_faults').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
      else await db.updateTable('test_faults').set({ remaining: fault.remaining - 1 }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
      return fault;
    },
  };
  return { clocks, faults };
});
