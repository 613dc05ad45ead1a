import { nowIso } from '../ledger/clock.js';
import { newEmail } from '../ledger/emails.js';
import { NotFound } from '../ledger/errors.js';
import type { DeliveryAttempt, WebhookDelivery, WebhookEndpoint } from '../tenancy/model.js';
import type { Email } from '../ledger/emails.js';
import { getTenant } from '../tenancy/tenants.js';
import { checkWebhookRegistration, createWebhookEndpoint, deleteWebhookEndpoint, resendDelivery } from '../tenancy/webhook-endpoints.js';
import type { AppServices } from '../http/services.js';
import { Described } from '../http/openapi-operations.js';
import type { SurfaceApp } from '../http/surface.js';
import * as S from './schemas.js';

export const presentEndpoint = (e: WebhookEndpoint) => ({ id: e.id, url: e.url, mode: e.mode, events: e.eventTypes, created_at: e.createdAt });
export const presentDelivery = (d: WebhookDelivery) => ({
  id: d.id,
  mode: d.mode,
  event_id: d.eventId,
  event_type: d.eventType,
  endpoint_id: d.endpointId,
  status: d.status,
  attempts: d.attempts,
  next_attempt_at: d.status === 'pending' ? d.nextAttemptAt : null,
  last_error: d.lastError,
  last_status_code: d.lastStatusCode,
  created_at: d.createdAt,
  delivered_at: d.deliveredAt,
});
const presentAttempt = (a: DeliveryAttempt) => ({ attempt: a.attempt, started_at: a.startedAt, duration_ms: a.durationMs, status_code: a.statusCode, error: a.error });
const presentEmail = (e: Email) => ({
  id: e.id,
  mode: e.mode,
  to: e.to,
  subject: e.subject,
  status: e.status,
  attempts: e.attempts,
  last_error: e.lastError,
  created_at: e.createdAt,
  sent_at: e.sentAt,
});

/** Webhook endpoints, deliveries and e-mails of a tenant (SPEC §1, §2 "Events"), under the admin root. */
export function registerOutboxRoutes(app: SurfaceApp, services: AppServices): void {
  const { store } = services;

  app.post('/tenants/:tenantId/webhook-endpoints', {
    schema: {
      operationId: 'createWebhookEndpoint',
      summary: 'Create a webhook endpoint (its signing secret is shown here only)',
      params: S.TenantPath,
      body: S.WebhookEndpointCreate,
      response: { 201: Described(S.CreatedWebhookEndpoint, 'The endpoint, with its signing secret (shown once)') },
    },
  }, async (request, reply) => {
    const { url, mode, events = ['*'] } = request.body;
    await checkWebhookRegistration(services.webhookUrlPolicy, url);
    const endpoint = await store.transaction((tx) => createWebhookEndpoint(tx, request.params.tenantId, { url, mode, events }, services.events.wireTypes(), nowIso()));
    reply.code(201);
    return { ...presentEndpoint(endpoint), secret: endpoint.secret };
  });

  app.get('/tenants/:tenantId/webhook-endpoints', {
    schema: { operationId: 'listWebhookEndpoints', summary: "List a tenant's webhook endpoints", params: S.TenantPath, response: { 200: Described(S.DataOf(S.WebhookEndpoint), "The tenant's endpoints") } },
  }, async (request) => {
    await getTenant(store.reader, request.params.tenantId);
    return { data: (await store.reader.webhooks.listEndpoints(request.params.tenantId)).map(presentEndpoint) };
  });

  app.delete('/tenants/:tenantId/webhook-endpoints/:endpointId', {
    schema: { operationId: 'deleteWebhookEndpoint', summary: 'Delete a webhook endpoint (its pending deliveries fail)', params: S.EndpointPath, response: { 200: Described(S.DeletedWebhookEndpoint, 'The endpoint is deleted') } },
  }, async (request) => {
    await store.transaction((tx) => deleteWebhookEndpoint(tx, request.params.tenantId, request.params.endpointId, nowIso()));
    return { id: request.params.endpointId, deleted: true };
  });

  app.get('/tenants/:tenantId/webhook-deliveries', {
    schema: {
      operationId: 'listWebhookDeliveries',
      summary: 'List webhook deliveries, newest first',
      params: S.TenantPath,
      querystring: S.DeliveryListQuery,
      response: { 200: Described(S.DataOf(S.WebhookDelivery), 'The deliveries, newest first') },
    },
  }, async (request) => {
    await getTenant(store.reader, request.params.tenantId);
    const { status, endpoint_id, event_id, limit } = request.query;
    const deliveries = await store.reader.webhooks.listDeliveries(request.params.tenantId, { status, endpointId: endpoint_id, eventId: event_id, limit });
    return { data: deliveries.map(presentDelivery) };
  });

  app.get('/tenants/:tenantId/webhook-deliveries/:deliveryId', {
    schema: { operationId: 'retrieveWebhookDelivery', summary: 'Retrieve a webhook delivery with every attempt', params: S.DeliveryPath, response: { 200: Described(S.WebhookDeliveryWithAttempts, 'The delivery and its attempts') } },
  }, async (request) => {
    const found = await store.reader.webhooks.findDelivery(request.params.tenantId, request.params.deliveryId);
    if (!found) throw new NotFound('webhook_delivery', request.params.deliveryId);
    return { ...presentDelivery(found.delivery), attempts: found.attempts.map(presentAttempt) };
  });

  app.post('/tenants/:tenantId/webhook-deliveries/:deliveryId/resend', {
    schema: { operationId: 'resendWebhookDelivery', summary: 'Send a delivery again now (one more attempt)', params: S.DeliveryPath, response: { 202: Described(S.WebhookDelivery, 'The delivery, due now') } },
  }, async (request, reply) => {
    const { tenantId, deliveryId } = request.params;
    await store.transaction((tx) => resendDelivery(tx, tenantId, deliveryId, nowIso()));
    const found = await store.reader.webhooks.findDelivery(tenantId, deliveryId);
    reply.code(202);
    return presentDelivery(found!.delivery);
  });

  app.get('/tenants/:tenantId/emails', {
    schema: { operationId: 'listEmails', summary: "List a tenant's e-mails, newest first", params: S.TenantPath, querystring: S.EmailListQuery, response: { 200: Described(S.DataOf(S.Email), 'The e-mails, newest first') } },
  }, async (request) => {
    await getTenant(store.reader, request.params.tenantId);
    return { data: (await store.reader.emails.listForTenant(request.params.tenantId, request.query.limit)).map(presentEmail) };
  });

  app.post('/tenants/:tenantId/emails', {
    schema: { operationId: 'queueEmail', summary: 'Queue an e-mail through the outbox (e.g. to check SMTP_URL)', params: S.TenantPath, body: S.EmailCreate, response: { 201: Described(S.Email, 'The e-mail, queued') } },
  }, async (request, reply) => {
    const { to, subject, text, mode = 'test' } = request.body;
    const { tenantId } = request.params;
    const now = await services.clocks.nowFor({ tenantId, mode });
    const email = await store.transaction(async (tx) => {
      await getTenant(tx, tenantId);
      const email = newEmail({ tenantId, mode }, { to, subject, body: text }, now);
      await tx.emails.insert(tenantId, email);
      return email;
    });
    services.ledger.committedOutside({ tenantId, mode });
    reply.code(201);
    return presentEmail(email);
  });
}
