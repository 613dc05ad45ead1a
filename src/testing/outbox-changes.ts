import type { Scope } from '../ledger/model.js';

/** On PostgreSQL, how often a waiting request reads again unwoken: another API node's commits are not heard here. */
export const SHARED_DATABASE_RECHECK_MS = 1000;

interface Subscription {
  woken: Promise<void>;
  cancel(): void;
}

/**
 * The testing API's waiting requests (SPEC §7 "Waiting for what a test expects") and what wakes
 * them: every commit of this process that may have written a tenant's test-mode events or
 * e-mails (the ledger pipeline's commit signal, the one the outbox worker wakes on; an
 * operator's e-mail). A waiting request reads again only when woken, so a quiet tenant costs no
 * query; on PostgreSQL it also reads again every `recheckMs`, for commits of other processes.
 */
export class OutboxChanges {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** `recheckMs`: null where this process makes every commit there is (SQLite: one process per database). */
  constructor(private readonly recheckMs: number | null) {}

  /** Something committed that may have written events or e-mails of `scope`: its waiting requests read again. */
  notify(scope: Scope): void {
    if (scope.mode !== 'test') return;
    const wakers = this.waiting.get(scope.tenantId);
    if (!wakers) return;
    this.waiting.delete(scope.tenantId);
    for (const wake of wakers) wake();
  }

  /**
   * What `read` finds once it finds anything, or (`[]` at worst) once `waitMs` is up or the
   * server starts closing (`closing`: then `[]` at once). It listens before each read, so a commit that lands
   * while a read runs still wakes it.
   */
  async waitFor<T>(tenantId: string, waitMs: number, closing: AbortSignal, read: () => Promise<T[]>): Promise<T[]> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const change = this.subscribe(tenantId);
      try {
        const found = await read();
        const left = deadline - Date.now();
        if (found.length > 0 || left <= 0 || closing.aborted) return found;
        await firstOf(change.woken, Math.min(left, this.recheckMs ?? left), closing);
        // Closing: answer now, without another read (the store closes right after the server).
        if (closing.aborted) return [];
      } finally {
        change.cancel();
      }
    }
  }

  /** How many requests wait on the tenant now (for tests that must start one before they write). */
  waitingOn(tenantId: string): number {
    return this.waiting.get(tenantId)?.size ?? 0;
  }

  private subscribe(tenantId: string): Subscription {
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const wakers = this.waiting.get(tenantId) ?? new Set();
    wakers.add(wake);
    this.waiting.set(tenantId, wakers);
    return {
      woken,
      cancel: () => {
        const current = this.waiting.get(tenantId);
        current?.delete(wake);
        if (current?.size === 0) this.waiting.delete(tenantId);
      },
    };
  }
}

/** Resolves when `woken` does, after `ms`, or when `closing` aborts, whichever comes first; leaves no timer or listener behind. */
function firstOf(woken: Promise<void>, ms: number, closing: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      closing.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    closing.addEventListener('abort', done, { once: true });
    if (closing.aborted) done();
    void woken.then(done);
  });
}
