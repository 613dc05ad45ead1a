import type { EventCatalog } from './events.js';

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
  /** In minor units of `currency`, as the ledger holds it; null = no balance tracking. */
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

/** The counterparty of money that enters or leaves the books (SPEC §2 "Ledger"): never a stored row. */
export const EXTERNAL = 'external';

/**
 * A holder's money in one currency. The holder is any object that carries money (a billing
 * customer or account, a platform sub-account, an org account) or a tenant itself (a
 * platform's own balance). Amounts are atoms (see money.ts).
 */
export interface Balance {
  holderId: string;
  currency: string;
  amount: bigint;
  /** The sequence of its last entry; 0 while it has none. */
  sequence: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * An immutable record of one side of a posting. Kinds are the posting's name in the calling
 * surface's vocabulary (billing: initial, adjustment; platform: transfer, topup; …).
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
  reference: string | null;
  requestId: string | null;
  idempotencyKey: string | null;
  actor: string;
  createdAt: string;
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

/** Who did something and in which request: recorded on ledger entries and events. */
export interface CommandContext {
  scope: Scope;
  actor: string;
  requestId: string;
  idempotencyKey: string | null;
  now: string;
  /** Absent (core tests, CLI): events carry a plain snapshot of the domain object. */
  events?: EventCatalog;
}

/** Where a tenant receives the events of one mode, signed with its secret (Standard Webhooks). */
export interface WebhookEndpoint {
  id: string;
  mode: Mode;
  url: string;
  /** `whsec_<base64>`. */
  secret: string;
  /** Exact event types, `*`, or prefix patterns like `billing.*`. */
  eventTypes: string[];
  createdAt: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One event on its way to one endpoint. */
export interface WebhookDelivery {
  id: string;
  mode: Mode;
  eventId: string;
  eventType: string;
  endpointId: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  lastStatusCode: number | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export interface DeliveryAttempt {
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

/** `logged`: no SMTP_URL is configured, so the mail was written to the log (and kept here). */
export type EmailStatus = 'pending' | 'sent' | 'logged' | 'failed';

export interface Email {
  id: string;
  mode: Mode;
  to: string;
  subject: string;
  body: string;
  status: EmailStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}
