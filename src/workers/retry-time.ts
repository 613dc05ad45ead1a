import type { Scope } from '../ledger/model.js';

/** When a delivery or e-mail that failed is tried again. */
export interface RetryTime {
  /** What the worker's claims compare with its wall time. */
  nextAttemptAt: string;
  /** Set when the retry waits for the tenant's frozen test clock instead (SPEC §7): when it comes due on that clock. */
  clockDueAt: string | null;
}

/** The `nextAttemptAt` of a retry that waits for a frozen test clock: no claim ever reaches it. */
export const PARKED_UNTIL = '9999-12-31T23:59:59.999Z';

/**
 * Places a retry due at `wallDue` (the schedule's wait after the wall time `wallNowMs`) for the
 * scope whose delivery or e-mail it is. The outbox knows no test clocks; the testing module's
 * TenantClocks does (a frozen clock parks the retry).
 */
export type RetryTimer = (scope: Scope, wallDue: string, wallNowMs: number) => Promise<RetryTime>;

export const onWallTime: RetryTimer = async (_scope, wallDue) => ({ nextAttemptAt: wallDue, clockDueAt: null });
