import type { EventPresentation } from './events.js';

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
  /** Absent (core tests, CLI): events carry a plain snapshot of the domain object. */
  events?: EventPresentation;
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
