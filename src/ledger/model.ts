/** Domain values of the kernel: camelCase, amounts as bigint, timestamps as UTC ISO 8601 strings. */

export type Mode = 'test' | 'live';
export const MODES: readonly Mode[] = ['test', 'live'];

/** Every object belongs to exactly one tenant and one mode; every query is bounded by both. */
export interface Scope {
  tenantId: string;
  mode: Mode;
}

/** The counterparty of money that enters or leaves the books (SPEC §2 "Ledger"): never a stored row. */
export const EXTERNAL = 'external';

/**
 * A holder's money in one currency. The holder is any object a vendor module keeps money for,
 * or a tenant itself (its own balance). Amounts are atoms (see money.ts).
 */
export interface Balance {
  holderId: string;
  currency: string;
  amount: bigint;
  /** The sequence of its last entry; 0 while it has none. */
  sequence: number;
  /** The hash of its last entry, the head of its chain (entry-hash.ts); ZERO_HASH while it has none. */
  hash: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * An immutable record of one side of a posting. Kinds are the posting's name in the calling
 * module's vocabulary (initial, adjustment, transfer, topup…).
 */
export interface LedgerEntry {
  id: string;
  holderId: string;
  currency: string;
  /** 1, 2, 3… per balance (holder, currency), in the order the postings were applied. */
  sequence: number;
  kind: string;
  /** Signed atoms: positive when money came in. */
  amount: bigint;
  balanceAfter: bigint;
  /** The holder on the other side, or EXTERNAL. */
  counterparty: string;
  /** The entry on the posting's other side (on the counterparty's balance); null when that side is EXTERNAL. */
  contraId: string | null;
  reference: string | null;
  requestId: string | null;
  idempotencyKey: string | null;
  actor: string;
  createdAt: string;
  /** SHA-256 hex of the previous entry's hash on this balance and this entry's canonical encoding (entry-hash.ts). */
  hash: string;
}

/** A position in a newest-first listing: every list runs in id order (ids carry their creation time). */
export interface ListCursor {
  id: string;
}

export interface PageRequest {
  limit: number;
  /** Rows strictly older than this cursor (the next page). */
  after?: ListCursor;
  /** Rows strictly newer than this cursor (the previous page). */
  before?: ListCursor;
  createdGte?: string;
  createdLte?: string;
  /** Lists in id order: the created bounds as id bounds, so the primary key finds the range. */
  idAtLeast?: string;
  idBelow?: string;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/**
 * Who does something, in which request, and when. `now` is the command's one clock reading:
 * every timestamp it writes derives from it (clock.ts).
 */
export interface CommandContext {
  scope: Scope;
  actor: string;
  requestId: string;
  idempotencyKey: string | null;
  now: string;
}
