import { randomBytes } from 'node:crypto';
import { NotFound, ValidationFailed, type FieldViolation } from '../ledger/errors.js';
import { newId } from '../ledger/ids.js';
import type { Mode } from '../ledger/model.js';
import type { WebhookEndpoint } from './model.js';
import type { Repositories } from '../store/ports.js';
import { parseWebhookUrl, WebhookUrlRefused, type WebhookUrlPolicy } from './webhook-url-policy.js';

const EVENT_PATTERN = /^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/;

/** Standard Webhooks: a symmetric secret of ≥ 24 random bytes, serialised `whsec_<base64>`. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** `*` takes every event, `billing.*` every event under `billing.`, anything else one exact type. */
export function endpointAccepts(eventTypes: string[], type: string): boolean {
  return eventTypes.some((pattern) =>
    pattern === '*' ? true : pattern.endsWith('.*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type,
  );
}

/**
 * Why an endpoint subscribed to `pattern` could never receive anything, or null: `*` takes
 * everything; an exact type must be one that is published, a prefix (`billing.*`) must cover one.
 */
function eventPatternProblem(pattern: string, publishedTypes: readonly string[]): string | null {
  if (pattern === '*') return null;
  if (!EVENT_PATTERN.test(pattern)) return 'must be "*", an event type like billing.account.created, or a prefix like billing.*';
  if (publishedTypes.some((type) => endpointAccepts([pattern], type))) return null;
  const known = publishedTypes.join(', ');
  return pattern.endsWith('.*') ? `matches no event type (there are: ${known})` : `is not an event type (there are: ${known}, or prefixes like billing.*)`;
}

/**
 * @param publishedTypes every event type some surface publishes (EventCatalog.wireTypes())
 * The URL's addresses are checked before, outside the transaction (checkWebhookRegistration).
 * @throws NotFound (tenant), ValidationFailed (url not http(s) or with user info, event patterns malformed or matching no published type)
 */
export async function createWebhookEndpoint(
  tx: Repositories,
  tenantId: string,
  input: { url: string; mode: Mode; events: string[] },
  publishedTypes: readonly string[],
  now: string,
): Promise<WebhookEndpoint> {
  if (!(await tx.tenants.findById(tenantId))) throw new NotFound('tenant', tenantId);
  const violations: FieldViolation[] = [];
  try {
    parseWebhookUrl(input.url);
  } catch (error) {
    if (!(error instanceof WebhookUrlRefused)) throw error;
    violations.push({ field: 'url', message: error.message });
  }
  if (input.events.length === 0) violations.push({ field: 'events', message: 'must name at least one event type, or "*"' });
  input.events.forEach((pattern, i) => {
    const problem = eventPatternProblem(pattern, publishedTypes);
    if (problem) violations.push({ field: `events.${i}`, message: problem });
  });
  if (violations.length > 0) throw new ValidationFailed(violations);
  const endpoint: WebhookEndpoint = {
    id: newId('we'),
    mode: input.mode,
    url: input.url,
    secret: newWebhookSecret(),
    eventTypes: [...new Set(input.events)],
    createdAt: now,
  };
  await tx.webhooks.insertEndpoint(tenantId, endpoint);
  return endpoint;
}

/**
 * SPEC §9: where the URL points (its address, or what its host resolves to now) is a place
 * webhooks may go. A lookup, so called before the registering transaction.
 * @throws ValidationFailed (url)
 */
export async function checkWebhookRegistration(policy: WebhookUrlPolicy, url: string): Promise<void> {
  try {
    await policy.checkRegistration(url);
  } catch (error) {
    if (error instanceof WebhookUrlRefused) throw ValidationFailed.of('url', error.message);
    throw error;
  }
}

/** Pending deliveries to the endpoint fail with "endpoint deleted". @throws NotFound */
export async function deleteWebhookEndpoint(tx: Repositories, tenantId: string, endpointId: string, now: string): Promise<void> {
  if (!(await tx.webhooks.deleteEndpoint(tenantId, endpointId, now))) throw new NotFound('webhook_endpoint', endpointId);
}

/** One more attempt, due now, whatever the delivery's state. @throws NotFound, ValidationFailed (endpoint deleted) */
export async function resendDelivery(tx: Repositories, tenantId: string, deliveryId: string, now: string): Promise<void> {
  const outcome = await tx.webhooks.resend(tenantId, deliveryId, now);
  if (outcome === 'not_found') throw new NotFound('webhook_delivery', deliveryId);
  if (outcome === 'endpoint_deleted') throw ValidationFailed.of('deliveryId', 'cannot be re-sent: its webhook endpoint was deleted');
}
