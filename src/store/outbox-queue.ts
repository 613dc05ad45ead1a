import { sql, type Kysely } from 'kysely';
import type { ClaimedDelivery, ClaimedEmail, DeliveryBounds, OutboxQueue, Repositories } from './ports.js';
import type { Database, WebhookDeliveryTable } from './database.js';
import { storeHandles } from './module-repositories.js';
import { forUpdate, lockRows } from './row-locks.js';
import { rowToEndpoint, rowToEmail } from './webhook-repositories.js';
import { rowToEvent } from './rows.js';

/**
 * The outbox's work queue. Claims are leases: a claimed row gets `lease_until`, and a worker
 * that dies leaves it to be claimed again once the lease runs out (at-least-once). On
 * PostgreSQL, `FOR UPDATE SKIP LOCKED` lets any number of processes claim side by side
 * without taking the same row; SQLite has one writer and needs no such clause (row-locks.ts).
 * Its transactions are the store's own, as a request's are.
 */
export class KyselyOutboxQueue implements OutboxQueue {
  constructor(
    private readonly store: {
      /** Non-transactional reads and single statements. */
      db: Kysely<Database>;
      transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
    },
  ) {}

  private get db(): Kysely<Database> {
    return this.store.db;
  }

  fanOut(
    limit: number,
    now: string,
    accepts: (eventTypes: string[], type: string) => boolean,
    newDeliveryId: () => string,
  ): Promise<{ events: number; deliveries: number }> {
    return this.store.transaction(async (tx) => {
      const handle = storeHandles.of(tx);
      const trx = handle.db;
      const undispatched = trx.selectFrom('events').select(['tenant_id', 'mode', 'id', 'type']).where('dispatched_at', 'is', null).orderBy('created_at').limit(limit);
      const events = await lockRows(handle, undispatched, { skipLocked: true });
      if (events.length === 0) return { events: 0, deliveries: 0 };
      const tenantIds = [...new Set(events.map((e) => e.tenant_id))];
      const endpoints = await trx
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('tenant_id', 'in', tenantIds)
        .where('deleted_at', 'is', null)
        .execute();
      const deliveries = events.flatMap((event) =>
        endpoints
          .filter((row) => row.tenant_id === event.tenant_id && row.mode === event.mode && accepts(rowToEndpoint(row).eventTypes, event.type))
          .map((row) => ({
            tenant_id: event.tenant_id,
            mode: event.mode,
            id: newDeliveryId(),
            event_id: event.id,
            endpoint_id: row.id,
            status: 'pending',
            attempts: 0,
            next_attempt_at: now,
            lease_until: null,
            last_error: null,
            last_status_code: null,
            created_at: now,
            updated_at: now,
            delivered_at: null,
          })),
      );
      for (let i = 0; i < deliveries.length; i += 200) {
        await trx
          .insertInto('webhook_deliveries')
          .values(deliveries.slice(i, i + 200))
          .onConflict((oc) => oc.columns(['tenant_id', 'event_id', 'endpoint_id']).doNothing())
          .execute();
      }
      for (const tenantId of tenantIds) {
        const ids = events.filter((e) => e.tenant_id === tenantId).map((e) => e.id);
        await trx.updateTable('events').set({ dispatched_at: now }).where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
      }
      return { events: events.length, deliveries: deliveries.length };
    });
  }

  /** Leases up to `limit` due, pending e-mails; returns them as they are now. */
  private leaseEmails(limit: number, now: string, leaseUntil: string): Promise<Database['emails'][]> {
    return this.store.transaction(async (tx) => {
      const { db, dialect } = storeHandles.of(tx);
      const due = db
        .selectFrom('emails')
        .select(['tenant_id', 'id'])
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .orderBy('next_attempt_at')
        .limit(limit);
      return db
        .updateTable('emails')
        .set({ lease_until: leaseUntil })
        .where((eb) => eb(eb.refTuple('tenant_id', 'id'), 'in', forUpdate(due, dialect, { skipLocked: true }).$asTuple('tenant_id', 'id')))
        .returningAll()
        .execute();
    });
  }

  /**
   * Leases due deliveries within the bounds: the due rows (the pending range of the
   * `webhook_deliveries_due` index up to `now`, in flight or not) are ranked per endpoint, in
   * flight first, and only the first `perEndpoint` of each may run; of those, ranked per tenant
   * the same way, the first `perTenant`. So an endpoint with a backlog of thousands, hanging,
   * holds at most its own bound, and another endpoint's delivery (the same tenant's too) is
   * claimed at the next pass. The ranking cannot lock rows (no FOR UPDATE with window
   * functions), so the lease itself re-checks that each row is still free: a row another worker
   * leased meanwhile is skipped, never leased twice.
   */
  private leaseDeliveries(limit: number, now: string, leaseUntil: string, bounds: DeliveryBounds): Promise<WebhookDeliveryTable[]> {
    return this.store.transaction(async (tx) => {
      const { db } = storeHandles.of(tx);
      const inFlight = sql<boolean>`(lease_until IS NOT NULL AND lease_until > ${now})`;
      const chosen = await sql<{ tenant_id: string; id: string }>`
        WITH due AS (
          SELECT tenant_id, id, endpoint_id, next_attempt_at, CASE WHEN ${inFlight} THEN 1 ELSE 0 END AS in_flight
          FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ${now}
        ), within_endpoint AS (
          SELECT *, row_number() OVER (PARTITION BY tenant_id, endpoint_id ORDER BY in_flight DESC, next_attempt_at, id) AS endpoint_rank FROM due
        ), within_tenant AS (
          SELECT *, row_number() OVER (PARTITION BY tenant_id ORDER BY in_flight DESC, next_attempt_at, id) AS tenant_rank
          FROM within_endpoint WHERE endpoint_rank <= ${bounds.perEndpoint}
        )
        SELECT tenant_id, id FROM within_tenant WHERE in_flight = 0 AND tenant_rank <= ${bounds.perTenant}
        ORDER BY next_attempt_at, id LIMIT ${limit}`.execute(db);
      if (chosen.rows.length === 0) return [];
      return db
        .updateTable('webhook_deliveries')
        .set({ lease_until: leaseUntil })
        .where(sql<boolean>`(tenant_id, id) in (${sql.join(chosen.rows.map((c) => sql`(${c.tenant_id}, ${c.id})`))})`)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .returningAll()
        .execute();
    });
  }

  async claimDeliveries(limit: number, now: string, leaseUntil: string, bounds: DeliveryBounds): Promise<ClaimedDelivery[]> {
    const claimed = await this.leaseDeliveries(limit, now, leaseUntil, bounds);
    if (claimed.length === 0) return [];
    const rows = await this.db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('events as e', (join) => join.onRef('e.tenant_id', '=', 'd.tenant_id').onRef('e.id', '=', 'd.event_id'))
      .innerJoin('webhook_endpoints as w', (join) => join.onRef('w.tenant_id', '=', 'd.tenant_id').onRef('w.id', '=', 'd.endpoint_id'))
      .innerJoin('tenants as t', 't.id', 'd.tenant_id')
      .select([
        'd.tenant_id',
        'd.mode',
        'd.id',
        'd.attempts',
        'd.created_at',
        'e.id as event_id',
        'e.type as event_type',
        'e.source as event_source',
        'e.data as event_data',
        'e.created_at as event_created_at',
        'e.dispatched_at as event_dispatched_at',
        'w.id as endpoint_id',
        'w.url',
        'w.secret',
        'w.deleted_at as endpoint_deleted_at',
        'd.lease_until',
        't.callback_token',
      ])
      .where(sql<boolean>`(d.tenant_id, d.id) in (${sql.join(claimed.map((c) => sql`(${c.tenant_id}, ${c.id})`))})`)
      .execute();
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      mode: row.mode as ClaimedDelivery['mode'],
      deliveryId: row.id,
      attempts: Number(row.attempts),
      createdAt: row.created_at,
      event: rowToEvent({
        tenant_id: row.tenant_id,
        mode: row.mode,
        id: row.event_id,
        type: row.event_type,
        source: row.event_source,
        data: row.event_data,
        created_at: row.event_created_at,
        dispatched_at: row.event_dispatched_at,
      }),
      endpoint: { id: row.endpoint_id, url: row.url, secret: row.secret, deleted: row.endpoint_deleted_at !== null },
      callbackToken: row.callback_token,
      leaseUntil: row.lease_until ?? leaseUntil,
    }));
  }

  async recordAttempt(
    claimed: ClaimedDelivery,
    attempt: Parameters<OutboxQueue['recordAttempt']>[1],
    outcome: Parameters<OutboxQueue['recordAttempt']>[2],
  ): Promise<void> {
    await this.store.transaction(async (tx) => {
      const trx = storeHandles.of(tx).db;
      await trx
        .insertInto('webhook_attempts')
        .values({
          tenant_id: claimed.tenantId,
          delivery_id: claimed.deliveryId,
          attempt: attempt.attempt,
          started_at: attempt.startedAt,
          duration_ms: attempt.durationMs,
          status_code: attempt.statusCode,
          error: attempt.error,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'delivery_id', 'attempt']).doNothing())
        .execute();
      await trx
        .updateTable('webhook_deliveries')
        .set({
          status: outcome.status,
          attempts: attempt.attempt,
          next_attempt_at: outcome.nextAttemptAt,
          clock_due_at: outcome.clockDueAt,
          lease_until: null,
          last_error: attempt.error,
          last_status_code: attempt.statusCode,
          updated_at: attempt.startedAt,
          delivered_at: outcome.deliveredAt,
        })
        .where('tenant_id', '=', claimed.tenantId)
        .where('id', '=', claimed.deliveryId)
        .where('status', '=', 'pending')
        .where('lease_until', '=', claimed.leaseUntil)
        .execute();
    });
  }

  async abandon(claimed: ClaimedDelivery, reason: string, at: string): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', last_error: reason, lease_until: null, updated_at: at })
      .where('tenant_id', '=', claimed.tenantId)
      .where('id', '=', claimed.deliveryId)
      .where('lease_until', '=', claimed.leaseUntil)
      .execute();
  }

  async claimEmails(limit: number, now: string, leaseUntil: string): Promise<ClaimedEmail[]> {
    const rows = await this.leaseEmails(limit, now, leaseUntil);
    return rows.map((row) => ({ tenantId: row.tenant_id, mode: row.mode as ClaimedEmail['mode'], email: rowToEmail(row) }));
  }

  async recordEmail(claimed: ClaimedEmail, outcome: Parameters<OutboxQueue['recordEmail']>[1]): Promise<void> {
    await this.db
      .updateTable('emails')
      .set({
        status: outcome.status,
        attempts: outcome.attempts,
        next_attempt_at: outcome.nextAttemptAt,
        clock_due_at: outcome.clockDueAt,
        lease_until: null,
        last_error: outcome.lastError,
        sent_at: outcome.sentAt,
      })
      .where('tenant_id', '=', claimed.tenantId)
      .where('id', '=', claimed.email.id)
      .execute();
  }

  async depth(): Promise<{ deliveries: number; emails: number }> {
    const count = async (table: 'webhook_deliveries' | 'emails') =>
      Number(
        (
          await this.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .where('status', '=', 'pending')
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { deliveries: await count('webhook_deliveries'), emails: await count('emails') };
  }
}
