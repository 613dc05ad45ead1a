import { newId } from '../ledger/ids.js';
import { NotFound } from '../ledger/errors.js';
import type { InjectedFault } from '../http/injected-faults.js';
import type { Repositories, Store } from '../store/ports.js';
import type { TenantClocks } from './clock.js';
import { checkFault, faultTakes, injectedFaultOf, type Fault, type FaultSpec } from './fault-rules.js';
import { testingRepositories } from './store.js';

/**
 * Every tenant's faults (SPEC §7 "Faults"), stored in the database so that any number of API
 * nodes on one PostgreSQL database take them from one count: a fault's remaining requests are
 * taken one at a time under its row lock, so two concurrent requests never both take the last.
 *
 * Every test-mode request of a vendor surface asks `take`. What that costs a tenant without
 * faults: on PostgreSQL one primary-key read (another node may have set a fault a moment ago);
 * on SQLite (one process per database, every change goes through here) a map lookup, the
 * tenant's faults being read once and kept in memory until one of them changes.
 */
export class TenantFaults {
  /** SQLite only: each tenant's faults as last read. It may hold a fault that is gone (taking it then finds so), never miss one. */
  private readonly known = new Map<string, readonly Fault[]>();
  /** Bumped by every change: a read that began before one is not kept (it may miss what the change added). */
  private generation = 0;
  private readonly cached: boolean;

  constructor(
    private readonly store: Store,
    private readonly clocks: TenantClocks,
  ) {
    this.cached = store.dialect === 'sqlite';
  }

  /** @throws ValidationFailed when the fields break a rule between them (checkFault) */
  async create(tenantId: string, spec: FaultSpec): Promise<Fault> {
    checkFault(spec);
    const now = await this.clocks.nowFor({ tenantId, mode: 'test' });
    const fault: Fault = { ...spec, id: newId('flt', now), remaining: spec.times, createdAt: now };
    await this.store.transaction((tx) => testingRepositories.of(tx).faults.insert(tenantId, fault));
    this.changed(tenantId);
    return fault;
  }

  /** The tenant's pending faults, oldest first, as stored now. */
  async list(tenantId: string): Promise<Fault[]> {
    return testingRepositories.of(this.store.reader).faults.list(tenantId);
  }

  /** @throws NotFound when the tenant has no such pending fault */
  async remove(tenantId: string, id: string): Promise<void> {
    const removed = await this.store.transaction((tx) => testingRepositories.of(tx).faults.remove(tenantId, id));
    this.changed(tenantId);
    if (!removed) throw new NotFound('fault', id);
  }

  /**
   * Deletes every fault of the tenant in `tx` (a reset, SPEC §7 "Reset"); returns how many.
   * What this process remembers is dropped at once: read again before `tx` commits, it may
   * hold faults that are then gone, which taking one finds out.
   */
  async clear(tx: Repositories, tenantId: string): Promise<number> {
    this.changed(tenantId);
    return testingRepositories.of(tx).faults.removeAll(tenantId);
  }

  /** Forgets what this process read of the tenant's faults: a transaction of the caller's wrote them (a restore). */
  forget(tenantId: string): void {
    this.changed(tenantId);
  }

  /**
   * The fault that takes this test-mode request of the tenant, if any: the oldest pending one
   * whose method (if it names one) and path match (`url`'s query is ignored). One of its
   * remaining requests is taken, in its own transaction, before this returns.
   */
  async take(tenantId: string, method: string, url: string): Promise<InjectedFault | null> {
    const pending = await this.pendingOf(tenantId);
    if (pending.length === 0) return null;
    const path = url.split('?')[0]!;
    for (const candidate of pending) {
      if (!faultTakes(candidate, method, path)) continue;
      const taken = await this.store.transaction((tx) => testingRepositories.of(tx).faults.takeOne(tenantId, candidate.id));
      this.changed(tenantId);
      // Gone meanwhile (spent by a concurrent request, deleted): the next match may still take it.
      if (taken) return injectedFaultOf(taken, method, path);
    }
    return null;
  }

  private async pendingOf(tenantId: string): Promise<readonly Fault[]> {
    if (!this.cached) return testingRepositories.of(this.store.reader).faults.list(tenantId);
    const known = this.known.get(tenantId);
    if (known) return known;
    const generation = this.generation;
    const read = await testingRepositories.of(this.store.reader).faults.list(tenantId);
    if (generation === this.generation) this.known.set(tenantId, read);
    return read;
  }

  private changed(tenantId: string): void {
    this.generation += 1;
    this.known.delete(tenantId);
  }
}
