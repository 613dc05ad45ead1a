import type { Kysely } from 'kysely';
import type { LedgerTransaction } from '../ledger/store.js';
import type { Database } from './database.js';
import type { DialectName } from './dialects.js';
import type { BalanceRepository, Repositories } from './ports.js';
import type { WriteSink } from './write-behind.js';

/**
 * What a vendor module's repositories are built from: the transaction's (or the reader's)
 * database handle, its dialect, where its writes go (held back until the next read or the
 * commit: write-behind.ts), and the kernel's balances (for rows that carry a copy of one).
 * `db` knows the service's own tables; a module adds its own with `db.withTables<…>()`.
 */
export interface StoreHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  writes: WriteSink;
  balances: BalanceRepository;
}

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
