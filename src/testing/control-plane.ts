import { nowIso } from '../ledger/clock.js';
import type { AppServices } from '../http/services.js';
import { advanced, frozenAt, resumed, type ClockReading, type ClockSetting } from './clock.js';
import { testingRepositories } from './store.js';
import { deleteSnapshot, deleteTestData, listSnapshots, modeDataTables, restoreSnapshot, retime, takeSnapshot, type Snapshot } from './test-data.js';

/**
 * What the stand-in's control plane does to one tenant's test mode (SPEC §7), whoever asks: the
 * tenant through /testing/v1, or an operator through the admin API and its console.
 */
export class TestControlPlane {
  private readonly tables: string[];

  constructor(private readonly services: AppServices) {
    this.tables = modeDataTables(services.vendors);
  }

  clock(tenantId: string): Promise<ClockReading> {
    return this.services.clocks.read(tenantId);
  }

  /** @throws ValidationFailed when `at` is before the clock's now */
  freeze(tenantId: string, at: string): Promise<ClockReading> {
    return this.moveForward(tenantId, (setting, wallMs) => frozenAt(setting, wallMs, at));
  }

  advance(tenantId: string, seconds: number): Promise<ClockReading> {
    return this.moveForward(tenantId, (setting) => advanced(setting, seconds));
  }

  resume(tenantId: string): Promise<ClockReading> {
    return this.services.clocks.change(tenantId, resumed, (tx, change) => retime(tx, tenantId, change));
  }

  /**
   * Moves the clock forward; what the outbox holds for the tenant's test mode keeps its time on
   * the clock, so it comes due as much sooner, and the answer waits until what is due has been
   * attempted once.
   */
  private async moveForward(tenantId: string, change: (setting: ClockSetting, wallMs: number) => ClockSetting): Promise<ClockReading> {
    const after = await this.services.clocks.change(tenantId, change, (tx, moved) => retime(tx, tenantId, moved));
    await this.services.outboxWorker?.runDueNow();
    return after;
  }

  /** Every test-mode row of the tenant deleted, its faults cleared, its clock back to wall time; answers the rows deleted per kind. */
  async reset(tenantId: string): Promise<Record<string, number>> {
    const deleted = await this.services.store.transaction(async (tx) => {
      const rows = await deleteTestData(tx, tenantId, this.tables);
      rows.test_faults = await this.services.faults.clear(tx, tenantId);
      await testingRepositories.of(tx).clocks.remove(tenantId);
      return rows;
    });
    this.services.clocks.forget(tenantId);
    return deleted;
  }

  async takeSnapshot(tenantId: string, name: string | null): Promise<Snapshot> {
    const now = await this.services.clocks.nowFor({ tenantId, mode: 'test' });
    return this.services.store.transaction(async (tx) => {
      const clock = (await testingRepositories.of(tx).clocks.find(tenantId)) ?? null;
      return takeSnapshot(tx, tenantId, this.tables, { name, clock, now });
    });
  }

  listSnapshots(tenantId: string): Promise<Snapshot[]> {
    return listSnapshots(this.services.store.reader, tenantId);
  }

  /** @throws NotFound when the tenant has no such snapshot */
  async restore(tenantId: string, snapshotId: string): Promise<ClockReading> {
    await this.services.store.transaction(async (tx) => {
      await this.services.faults.clear(tx, tenantId);
      const { clock } = await restoreSnapshot(tx, tenantId, snapshotId, this.tables);
      const clocks = testingRepositories.of(tx).clocks;
      await clocks.remove(tenantId);
      if (clock) {
        await clocks.lock(tenantId, nowIso());
        await clocks.save(tenantId, clock, nowIso());
      }
    });
    this.services.clocks.forget(tenantId);
    this.services.faults.forget(tenantId);
    // The restored rows may hold events and e-mails a waiting request of the tenant expects.
    this.services.ledger.committedOutside({ tenantId, mode: 'test' });
    return this.services.clocks.read(tenantId);
  }

  /** @throws NotFound when the tenant has no such snapshot */
  deleteSnapshot(tenantId: string, snapshotId: string): Promise<void> {
    return this.services.store.transaction((tx) => deleteSnapshot(tx, tenantId, snapshotId));
  }
}

export const presentSnapshot = (snapshot: Snapshot) => ({ id: snapshot.id, name: snapshot.name, created_at: snapshot.createdAt });
