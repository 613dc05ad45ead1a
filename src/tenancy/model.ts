import type { Mode } from '../ledger/model.js';

/** A customer of this service: every object belongs to one tenant, in one of its two modes. */
export interface Tenant {
  id: string;
  name: string;
  country: string;
  /** Sent with its webhooks by surfaces whose vendor does (x-callback-token). */
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
