import { nowIso, nowMs } from '../ledger/clock.js';
import { ValidationFailed } from '../ledger/errors.js';
import type { Scope } from '../ledger/model.js';
import type { Repositories, Store } from '../store/ports.js';
import { PARKED_UNTIL, type RetryTimer } from '../workers/retry-time.js';
import { testingRepositories } from './store.js';

/**
 * A tenant's test clock (SPEC §7): `now` is `frozenAt` when frozen, else wall time plus
 * `offsetMs` (0 at first). Live mode always runs on wall time.
 */
export interface ClockSetting {
  offsetMs: number;
  frozenAt: string | null;
}

export const WALL_CLOCK: ClockSetting = { offsetMs: 0, frozenAt: null };

/** What else a clock change does in its transaction, given the settings before and after and the wall time. */
export type ClockChangeWork = (tx: Repositories, change: { before: ClockSetting; after: ClockSetting; wallMs: number }) => Promise<void>;

/** The clock as the control plane answers it. */
export interface ClockReading {
  now: string;
  frozen: boolean;
}

export const MAX_ADVANCE_SECONDS = 315_360_000;

export function timeOf(setting: ClockSetting, wallMs: number): string {
  return setting.frozenAt ?? new Date(wallMs + setting.offsetMs).toISOString();
}

/**
 * How far the clock's time is from wall time at `wallMs`: its offset, or for a frozen clock
 * how far its instant is from that moment's wall time.
 */
export const aheadOfWallMs = (setting: ClockSetting, wallMs: number): number => (setting.frozenAt === null ? setting.offsetMs : Date.parse(setting.frozenAt) - wallMs);

const readingOf = (setting: ClockSetting, wallMs: number): ClockReading => ({ now: timeOf(setting, wallMs), frozen: setting.frozenAt !== null });

/** The clock frozen at `at`. @throws ValidationFailed when `at` is before the clock's now (a tenant's time never runs backwards) */
export function frozenAt(setting: ClockSetting, wallMs: number, at: string): ClockSetting {
  const now = timeOf(setting, wallMs);
  if (Date.parse(at) < Date.parse(now)) throw ValidationFailed.of('frozen_at', `must not be before the clock's now (${now}): a tenant's time never runs backwards`);
  return { offsetMs: setting.offsetMs, frozenAt: new Date(Date.parse(at)).toISOString() };
}

/** The clock `seconds` later; a frozen clock stays frozen at the later instant. */
export function advanced(setting: ClockSetting, seconds: number): ClockSetting {
  const ms = seconds * 1000;
  if (setting.frozenAt !== null) return { offsetMs: setting.offsetMs, frozenAt: new Date(Date.parse(setting.frozenAt) + ms).toISOString() };
  return { offsetMs: setting.offsetMs + ms, frozenAt: null };
}

/** The clock running again from where it stands (not back to wall time). */
export function resumed(setting: ClockSetting, wallMs: number): ClockSetting {
  if (setting.frozenAt === null) return setting;
  return { offsetMs: Date.parse(setting.frozenAt) - wallMs, frozenAt: null };
}

/**
 * Every tenant's test clock: what a command's `ctx.now` is in test mode. On SQLite (one
 * process per database) each clock is read once and then kept in memory, every change going
 * through here; on PostgreSQL any API node may have moved it, so it is read per request.
 */
export class TenantClocks {
  private readonly known = new Map<string, ClockSetting>();
  private readonly cached: boolean;

  constructor(private readonly store: Store) {
    this.cached = store.dialect === 'sqlite';
  }

  private async settingOf(tenantId: string): Promise<ClockSetting> {
    const known = this.cached ? this.known.get(tenantId) : undefined;
    if (known) return known;
    const setting = (await testingRepositories.of(this.store.reader).clocks.find(tenantId)) ?? WALL_CLOCK;
    if (this.cached) this.known.set(tenantId, setting);
    return setting;
  }

  /** The time of `scope`: its tenant's test clock in test mode, wall time in live mode. */
  async nowFor(scope: Scope): Promise<string> {
    if (scope.mode !== 'test') return nowIso();
    return timeOf(await this.settingOf(scope.tenantId), nowMs());
  }

  async read(tenantId: string): Promise<ClockReading> {
    return readingOf(await this.settingOf(tenantId), nowMs());
  }

  /**
   * Moves the tenant's clock (`change` gets its setting, locked, and the wall time); `alongside`
   * runs in the same transaction with the settings before and after.
   * @throws what `change` throws (nothing changes then)
   */
  async change(tenantId: string, change: (setting: ClockSetting, wallMs: number) => ClockSetting, alongside?: ClockChangeWork): Promise<ClockReading> {
    const { setting, wallMs } = await this.store.transaction(async (tx) => {
      const clocks = testingRepositories.of(tx).clocks;
      const current = await clocks.lock(tenantId, nowIso());
      const wallMs = nowMs();
      const next = change(current, wallMs);
      await clocks.save(tenantId, next, nowIso());
      await alongside?.(tx, { before: current, after: next, wallMs });
      return { setting: next, wallMs };
    });
    if (this.cached) this.known.set(tenantId, setting);
    return readingOf(setting, wallMs);
  }

  /**
   * The outbox's retries on the tenants' clocks (SPEC §7: the retry schedule reads the clock).
   * A running clock keeps wall time's pace, so a wait on it is the same wait in wall time; on a
   * frozen clock the retry is parked until the clock reaches its time (an advance, a later
   * freeze, or a resume: TestControlPlane re-places it then).
   */
  readonly retryTimer: RetryTimer = async (scope, wallDue, wallNowMs) => {
    const onWall = { nextAttemptAt: wallDue, clockDueAt: null };
    if (scope.mode !== 'test') return onWall;
    const setting = await this.settingOf(scope.tenantId);
    if (setting.frozenAt === null) return onWall;
    return { nextAttemptAt: PARKED_UNTIL, clockDueAt: new Date(Date.parse(setting.frozenAt) + Date.parse(wallDue) - wallNowMs).toISOString() };
  };

  /** Forgets what it knows of the tenant's clock (a transaction of the caller's changed it: reset, restore). */
  forget(tenantId: string): void {
    this.known.delete(tenantId);
  }
}
