import type { LedgerTransaction } from '../ledger/store.js';
import type { Repositories, StoreHandle } from './ports.js';

export type { StoreHandle };

/** A vendor module's repositories, reached from any transaction or reader of the store. */
export interface ModuleRepositories<R> {
  /** The module's repositories on `tx`'s connection (built once per transaction). */
  of(tx: LedgerTransaction): R;
}

/**
 * Declares a module's repositories. A command receives the kernel's transaction and reaches its
 * module's tables through `of(tx)`: the same transaction, nothing registered anywhere else.
 */
export function defineRepositories<R>(build: (handle: StoreHandle) => R): ModuleRepositories<R> {
  const repositories: ModuleRepositories<R> = {
    of: (tx) => (tx as Repositories).use(repositories, build),
  };
  return repositories;
}

/** The store's own handle on a transaction or reader (the outbox queue's statements run on it). */
export const storeHandles = defineRepositories<StoreHandle>((handle) => handle);
