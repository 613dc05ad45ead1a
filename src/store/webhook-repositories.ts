import type { Kysely } from 'kysely';
import { nowIso } from '../ledger/clock.js';
import type { DeliveryAttempt, WebhookDelivery, WebhookEndpoint } from '../tenancy/model.js';
import type { Email } from '../ledger/emails.js';
import type { EmailRepository, WebhookRepository } from './ports.js';
import type { Database, EmailTable, WebhookAttemptTable, WebhookDeliveryTable, WebhookEndpointTable } from './database.js';

// Tenant-scoped reads and writes of the outbox's delivery side (admin API). The background
// queue that spans tenants is in outbox-queue.ts.

export function rowToEndpoint(row: WebhookEndpointTable): WebhookEndpoint {
  return {
    id: row.id,
    mode: row.mode as WebhookEndpoint['mode'],
    url: row.url,
    secret: row.secret,
    eventTypes: JSON.parse(row.event_types) as string[],
    createdAt: row.created_at,
  };
}

export function rowToDelivery(row: WebhookDeliveryTable & { event_type: string }): WebhookDelivery {
  return {
    id: row.id,
    mode: row.mode as WebhookDelivery['mode'],
    eventId: row.event_id,
    eventType: row.event_type,
    endpointId: row.endpoint_id,
    status: row.status as WebhookDelivery['status'],
    attempts: Number(row.attempts),
    // A retry parked for a frozen test clock: the time on that clock it waits for.
    nextAttemptAt: row.clock_due_at ?? row.next_attempt_at,
    lastError: row.last_error,
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  };
}

function rowToAttempt(row: WebhookAttemptTable): DeliveryAttempt {
  return {
    attempt: Number(row.attempt),
    startedAt: row.started_at,
    durationMs: Number(row.duration_ms),
    statusCode: row.status_code === null ? null : Number(row.status_code),
    error: row.error,
  };
}

export function rowToEmail(row: EmailTable): Email {
  return {
    id: row.id,
    mode: row.mode as Email['mode'],
    to: row.to_address,
    subject: row.subject,
    body: row.body,
    status: row.status as Email['status'],
    attempts: Number(row.attempts),
    lastError: row.last_error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  };
}

export function webhookRepository(db: Kysely<Database>): WebhookRepository {
  const deliveries = (tenantId: string) =>
    db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('events as e', (join) => join.onRef('e.tenant_id', '=', 'd.tenant_id').onRef('e.id', '=', 'd.event_id'))
      .selectAll('d')
      .select('e.type as event_type')
      .where('d.tenant_id', '=', tenantId);
  return {
    async insertEndpoint(tenantId, endpoint) {
      await db
        .insertInto('webhook_endpoints')
        .values({
          tenant_id: tenantId,
          mode: endpoint.mode,
          id: endpoint.id,
          url: endpoint.url,
          secret: endpoint.secret,
          event_types: JSON.stringify(endpoint.eventTypes),
          created_at: endpoint.createdAt,
          deleted_at: null,
        })
        .execute();
    },
    async listEndpoints(tenantId) {
      const rows = await db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('deleted_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(rowToEndpoint);
    },
    async deleteEndpoint(tenantId, endpointId, at) {
      const result = await db
        .updateTable('webhook_endpoints')
        .set({ deleted_at: at })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', endpointId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      // What was still on its way there has nowhere to go.
      await db
        .updateTable('webhook_deliveries')
        .set({ status: 'failed', last_error: 'endpoint deleted', lease_until: null, updated_at: at })
        .where('tenant_id', '=', tenantId)
        .where('endpoint_id', '=', endpointId)
        .where('status', '=', 'pending')
        .execute();
      return true;
    },
    async listDeliveries(tenantId, filter) {
      let q = deliveries(tenantId);
      if (filter.status) q = q.where('d.status', '=', filter.status);
      if (filter.endpointId) q = q.where('d.endpoint_id', '=', filter.endpointId);
      if (filter.eventId) q = q.where('d.event_id', '=', filter.eventId);
      const rows = await q.orderBy('d.created_at', 'desc').orderBy('d.id', 'desc').limit(filter.limit).execute();
      return rows.map(rowToDelivery);
    },
    async findDelivery(tenantId, deliveryId) {
      // Attempts first: an attempt and its delivery's new state commit together, so a delivery
      // read afterwards is never older than the attempts shown with it.
      const attempts = await db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('delivery_id', '=', deliveryId)
        .orderBy('attempt')
        .execute();
      const row = await deliveries(tenantId).where('d.id', '=', deliveryId).executeTakeFirst();
      if (!row) return undefined;
      return { delivery: rowToDelivery(row), attempts: attempts.map(rowToAttempt) };
    },
    async resend(tenantId, deliveryId, now) {
      const found = await db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_endpoints as w', (join) => join.onRef('w.tenant_id', '=', 'd.tenant_id').onRef('w.id', '=', 'd.endpoint_id'))
        .select('w.deleted_at')
        .where('d.tenant_id', '=', tenantId)
        .where('d.id', '=', deliveryId)
        .executeTakeFirst();
      if (!found) return 'not_found';
      if (found.deleted_at !== null) return 'endpoint_deleted';
      await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', next_attempt_at: now, clock_due_at: null, lease_until: null, updated_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', deliveryId)
        .execute();
      return 'resent';
    },
  };
}

export function emailRepository(db: Kysely<Database>): EmailRepository {
  return {
    async insert(tenantId, email) {
      await db
        .insertInto('emails')
        .values({
          tenant_id: tenantId,
          mode: email.mode,
          id: email.id,
          to_address: email.to,
          subject: email.subject,
          body: email.body,
          status: email.status,
          attempts: email.attempts,
          // The worker's wall time, not the e-mail's (a tenant's test clock may be ahead of it).
          next_attempt_at: nowIso(),
          lease_until: null,
          last_error: email.lastError,
          created_at: email.createdAt,
          sent_at: email.sentAt,
        })
        .execute();
    },
    async listForTenant(tenantId, limit) {
      const rows = await db
        .selectFrom('emails')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(rowToEmail);
    },
  };
}
