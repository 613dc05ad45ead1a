import { defineRepositories } from '../store/module-repositories.js';
import { lockRows } from '../store/row-locks.js';
import type { ClockSetting } from './clock.js';

// The control plane's tables (migration 2026-12-07-test-clocks), added to the store's Database type.

declare module '../store/database.js' {
  interface Database {
    test_clocks: TestClockTable;
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
  return { clocks };
});
