import type { Email } from './emails.js';
import type { OutboxEvent } from './events.js';
import type { Balance, LedgerEntry, Scope } from './model.js';
import type { ResourceKind } from './errors.js';

/**
 * What the kernel needs from persistence, and nothing more (src/store implements it). Inside a
 * transaction a write whose result is not read may be sent later (with the next read or at
 * commit), so an error it raises (AlreadyExists) may come from `transaction` itself; a command
 * must not depend on catching it at the call. Any other failure is infrastructure:
 * StoreUnavailable when the database cannot be reached, or the driver's own error.
 */
export interface LedgerStore<Tx extends LedgerTransaction = LedgerTransaction> {
  /**
   * Runs `work` in one database transaction: all of its writes commit together or none do.
   * @throws whatever `work` throws (after rolling back), AlreadyExists / IdempotencyKeyTaken of a
   *   write sent at commit, StoreUnavailable
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

/** One transaction's view of the kernel's tables. */
export interface LedgerTransaction {
  balances: BalanceStore;
  ledger: EntryStore;
  uniqueKeys: UniqueKeyStore;
  events: EventStore;
  emails: EmailStore;
}

/** Balances per (scope, holder, currency). Changes happen only through postings, under the balance's lock. */
export interface BalanceStore {
  /** A committed (or this transaction's) balance; throws nothing but StoreUnavailable. */
  find(scope: Scope, holderId: string, currency: string): Promise<Balance | undefined>;
  /** Reads the balance and holds its write lock until the transaction ends. @throws StoreUnavailable */
  lock(scope: Scope, holderId: string, currency: string): Promise<Balance | undefined>;
  /**
   * The holder's balance in `currency`, created at zero if it has none yet, locked. A
   * concurrent transaction opening the same balance makes this wait, then find its row.
   * @throws StoreUnavailable
   */
  open(scope: Scope, holderId: string, currency: string, now: string): Promise<Balance>;
  /**
   * Stores a balance nobody else can see yet (its holder is created in this transaction).
   * @throws the driver's unique violation (possibly at commit) if the holder already has one: a bug, never a request's answer
   */
  insert(scope: Scope, balance: Balance): Promise<void>;
  /** Writes a locked balance's new amount and sequence (possibly at commit). @throws StoreUnavailable */
  update(scope: Scope, balance: Balance): Promise<void>;
  /** The holder's balances, one per currency, by currency (a keyed range read). @throws StoreUnavailable */
  listForHolder(scope: Scope, holderId: string): Promise<Balance[]>;
}

export interface EntryStore {
  /** @throws the driver's unique violation on a duplicate (holder, currency, sequence): a bug, since callers hold the balance's lock */
  append(scope: Scope, entry: LedgerEntry): Promise<void>;
  /**
   * The balance's entry number `sequence` (1: its first), or undefined when it has none of that
   * number: one keyed read of the chain's primary key.
   * @throws StoreUnavailable
   */
  atSequence(scope: Scope, holderId: string, currency: string, sequence: number): Promise<LedgerEntry | undefined>;
}

/**
 * A value that must be unique within a namespace, per tenant and mode, or per tenant across
 * both modes (`acrossModes`): what a vendor module needs beyond its own unique columns (a name
 * per tenant and mode, a reference per tenant). Namespaces are the caller's (`probe.name`).
 */
export interface UniqueKey {
  namespace: string;
  value: string;
  acrossModes?: boolean;
}

export interface UniqueKeyStore {
  /**
   * Claims the key for `ownerId`, in the caller's transaction.
   * @throws AlreadyExists(conflict.resource, conflict.field, value) when the key has an owner (possibly at commit)
   */
  claim(scope: Scope, key: UniqueKey, ownerId: string, conflict: { resource: ResourceKind; field: string }, at: string): Promise<void>;
  /** The key's owner (a lookup by reference), or undefined. @throws StoreUnavailable */
  ownerOf(scope: Scope, key: UniqueKey): Promise<string | undefined>;
  /** Frees the key if `ownerId` holds it (a renamed object). @throws StoreUnavailable */
  release(scope: Scope, key: UniqueKey, ownerId: string): Promise<void>;
}

/** The outbox's events: written beside the change they report, delivered later. */
export interface EventStore {
  /** Held back until the next read or the commit. @throws StoreUnavailable */
  append(scope: Scope, event: OutboxEvent): Promise<void>;
}

/** The outbox's e-mails. */
export interface EmailStore {
  /** @throws StoreUnavailable */
  insert(tenantId: string, email: Email): Promise<void>;
}
