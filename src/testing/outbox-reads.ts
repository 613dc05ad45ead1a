import type { EmailStatus } from '../ledger/emails.js';
import { defineRepositories } from '../store/module-repositories.js';

// What the control plane's waiting routes read of the outbox (SPEC §7 "Waiting"): a tenant's
// test-mode events (with their deliveries) and e-mails, oldest first, after a given id. Ids carry
// their creation time, so id order is creation order, and each read is one range of an index
// that exists: events by (tenant_id, id), or (tenant_id, subject_id, id, mode) with an object;
// deliveries by (tenant_id, event_id, endpoint_id); e-mails by (tenant_id, id).

export interface OutboxEventRead {
  id: string;
  type: string;
  createdAt: string;
  /** The object the event carries (its own id), else the holder it is about. */
  objectId: string | null;
  /** The object as the surface's webhook envelope carries it (its `data`). */
  data: unknown;
  deliveries: DeliveryRead[];
}

export interface DeliveryRead {
  endpointId: string;
  status: string;
  attempts: number;
  /** The HTTP status of the last attempt's answer; null before one, or when none came. */
  responseStatus: number | null;
}

export interface EmailRead {
  id: string;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
  status: EmailStatus;
}

export interface EventFilter {
  type?: string;
  objectId?: string;
  /** Only events whose id sorts after this one. */
  after?: string;
  limit: number;
}

export interface EmailFilter {
  to?: string;
  after?: string;
  limit: number;
}

export interface TestOutboxReads {
  /** The tenant's test-mode events matching `filter`, oldest first, each with its deliveries. */
  events(tenantId: string, filter: EventFilter): Promise<OutboxEventRead[]>;
  /** The tenant's test-mode e-mails matching `filter`, oldest first. */
  emails(tenantId: string, filter: EmailFilter): Promise<EmailRead[]>;
}

export const testOutboxReads = defineRepositories(({ db }): TestOutboxReads => ({
  async events(tenantId, filter) {
    let query = db
      .selectFrom('events')
      .select(['id', 'type', 'created_at', 'subject_id', 'object_id', 'data'])
      .where('tenant_id', '=', tenantId)
      .where('mode', '=', 'test');
    // The object itself (a transfer) or the holder it is about (the transfer's sub-account).
    const objectId = filter.objectId;
    if (objectId !== undefined) query = query.where((eb) => eb.or([eb('subject_id', '=', objectId), eb('object_id', '=', objectId)]));
    if (filter.after !== undefined) query = query.where('id', '>', filter.after);
    if (filter.type !== undefined) query = query.where('type', '=', filter.type);
    const rows = await query.orderBy('id').limit(filter.limit).execute();
    if (rows.length === 0) return [];
    const deliveries = await db
      .selectFrom('webhook_deliveries')
      .select(['event_id', 'endpoint_id', 'status', 'attempts', 'last_status_code'])
      .where('tenant_id', '=', tenantId)
      .where(
        'event_id',
        'in',
        rows.map((row) => row.id),
      )
      .orderBy('event_id')
      .orderBy('endpoint_id')
      .execute();
    const byEvent = new Map<string, DeliveryRead[]>();
    for (const d of deliveries) {
      const list = byEvent.get(d.event_id) ?? [];
      list.push({ endpointId: d.endpoint_id, status: d.status, attempts: Number(d.attempts), responseStatus: d.last_status_code === null ? null : Number(d.last_status_code) });
      byEvent.set(d.event_id, list);
    }
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      createdAt: row.created_at,
      objectId: row.object_id ?? row.subject_id,
      data: JSON.parse(row.data) as unknown,
      deliveries: byEvent.get(row.id) ?? [],
    }));
  },

  async emails(tenantId, filter) {
    let query = db
      .selectFrom('emails')
      .select(['id', 'to_address', 'subject', 'body', 'created_at', 'status'])
      .where('tenant_id', '=', tenantId)
      .where('mode', '=', 'test');
    if (filter.after !== undefined) query = query.where('id', '>', filter.after);
    if (filter.to !== undefined) query = query.where('to_address', '=', filter.to);
    const rows = await query.orderBy('id').limit(filter.limit).execute();
    return rows.map((row) => ({ id: row.id, to: row.to_address, subject: row.subject, text: row.body, createdAt: row.created_at, status: row.status as EmailStatus }));
  },
}));
