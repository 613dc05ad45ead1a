/** Domain values: camelCase, amounts as bigint, timestamps as UTC ISO 8601 strings. */

export type Mode = 'test' | 'live';
export const MODES: readonly Mode[] = ['test', 'live'];

/** Every object belongs to exactly one tenant and one mode; every query is bounded by both. */
export interface Scope {
  tenantId: string;
  mode: Mode;
}

export type Metadata = Record<string, string>;

export interface PaymentRules {
  minAmount: bigint;
  maxAmount: bigint;
  underpaymentAllowed: boolean;
  overpaymentAllowed: boolean;
}

export interface Tenant {
  id: string;
  name: string;
  country: string;
  callbackToken: string;
  createdAt: string;
}

export type ApiKeyType = 'secret' | 'publishable';

export interface ApiKey {
  id: string;
  tenantId: string;
  mode: Mode;
  type: ApiKeyType;
  /** The key's first and last characters, for display; the key itself is never stored. */
  hint: string;
  createdAt: string;
  revokedAt: string | null;
}

/** What customers and accounts share: a merchant reference, an optional balance, rules, metadata. */
export interface BalanceHolder {
  id: string;
  externalReference: string;
  name: string | null;
  currency: string | null;
  /** null = no balance tracking. */
  balance: bigint | null;
  paymentRules: PaymentRules | null;
  metadata: Metadata;
  createdAt: string;
  updatedAt: string;
}

export interface Customer extends BalanceHolder {
  email: string | null;
  phone: string | null;
}

export interface Account extends BalanceHolder {
  customerId: string;
}

export type LedgerEntryKind = 'initial' | 'adjustment';

/** An immutable record of one balance change; the holder is any object that carries a balance. */
export interface LedgerEntry {
  id: string;
  holderId: string;
  /** 1, 2, 3… per holder, in the order the changes were applied: the ledger's order. */
  sequence: number;
  kind: LedgerEntryKind;
  amount: bigint;
  balanceAfter: bigint;
  currency: string;
  reference: string | null;
  requestId: string | null;
  idempotencyKey: string | null;
  actor: string;
  createdAt: string;
}

/**
 * A position in a newest-first listing: objects sort by (createdAt, id) descending, a holder's
 * ledger entries by sequence descending.
 */
export interface ListCursor {
  createdAt: string;
  id: string;
  sequence?: number;
}

export interface PageRequest {
  limit: number;
  /** Rows strictly older than this cursor (the next page). */
  after?: ListCursor;
  /** Rows strictly newer than this cursor (the previous page). */
  before?: ListCursor;
  createdGte?: string;
  createdLte?: string;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/** Who did something and in which request: recorded on ledger entries and events. */
export interface CommandContext {
  scope: Scope;
  actor: string;
  requestId: string;
  idempotencyKey: string | null;
  now: string;
}
