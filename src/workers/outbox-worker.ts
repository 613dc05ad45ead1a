import type { Logger } from 'pino';
import { nowIso } from '../ledger/clock.js';
import { newId } from '../ledger/ids.js';
import type { ClaimedDelivery, ClaimedEmail, DeliveryBounds, Store, WebhookEnvelope } from '../store/ports.js';
import { endpointAccepts } from '../tenancy/webhook-endpoints.js';
import type { Mailer } from './mailer.js';
import { nextAttemptAt } from './retry-schedule.js';
import { onWallTime, type RetryTime, type RetryTimer } from './retry-time.js';
import { signWebhook } from './signing.js';
import { postWebhook } from './webhook-sender.js';
import type { WebhookUrlPolicy } from '../tenancy/webhook-url-policy.js';

/** A surface's webhook envelope (core/ports.ts). */
export type EnvelopeBuilder = WebhookEnvelope;

/** SPEC §2's envelope `{ id, type, created_at, data }`, for events no surface publishes. */
export const plainEnvelope: EnvelopeBuilder = (event) => ({
  body: JSON.stringify({ id: event.id, type: event.type, created_at: event.createdAt, data: event.data }),
  headers: {},
});

export interface OutboxMetrics {
  attempt(outcome: 'succeeded' | 'retrying' | 'failed', durationMs: number): void;
  delivered(latencyMs: number): void;
  email(outcome: 'sent' | 'logged' | 'retrying' | 'failed'): void;
}

export interface OutboxWorkerOptions {
  store: Store;
  envelopes: Record<string, EnvelopeBuilder>;
  /** For events whose source has no envelope of its own. */
  defaultEnvelope: EnvelopeBuilder;
  mailer: Mailer;
  log: Pick<Logger, 'warn' | 'error'>;
  metrics: OutboxMetrics;
  pollMs: number;
  leaseMs: number;
  webhookTimeoutMs: number;
  /** Where webhooks may go (SPEC §9), checked again before every attempt. */
  webhookUrlPolicy: WebhookUrlPolicy;
  retryScheduleMs: readonly number[];
  /** Deliveries and e-mails in flight at once; one slow receiver holds one slot, never the queue. */
  concurrency?: number;
  /** Where a retry goes in time (default: wall time; a tenant's frozen test clock parks it). */
  retryTimer?: RetryTimer;
}

const BATCH = 500;
const COMMIT_COALESCE_MS = 50;

/**
 * Delivers the outbox: turns events into deliveries (one per subscribed endpoint), sends them
 * signed per Standard Webhooks, retries failures on the schedule, and sends e-mails. Every
 * step is claimed through the store with a lease, so any number of workers (processes) can
 * run against one PostgreSQL database, and a crash only delays what it had claimed.
 */
export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** The pass in progress, if any. */
  private draining: Promise<void> | undefined;
  private again = false;
  /** Whether the next pass also claims due deliveries and e-mails (not only fans out). */
  private claimWanted = false;
  private commitPassScheduled = false;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly concurrency: number;

  /**
   * Fair delivery (SPEC §9): an endpoint that hangs holds at most a quarter of the slots, and a
   * tenant's backlog at most half, so other endpoints and tenants always find one free.
   */
  private readonly bounds: DeliveryBounds;

  constructor(private readonly options: OutboxWorkerOptions) {
    this.concurrency = options.concurrency ?? 16;
    this.bounds = { perEndpoint: Math.max(1, Math.floor(this.concurrency / 4)), perTenant: Math.max(1, Math.floor(this.concurrency / 2)) };
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /**
   * A write committed and may have written events: fan out soon. Commits are coalesced into
   * one pass per COMMIT_COALESCE_MS, so a busy API does not run a worker transaction per request.
   */
  notifyCommit(): void {
    if (this.commitPassScheduled || this.stopped) return;
    this.commitPassScheduled = true;
    setTimeout(() => {
      this.commitPassScheduled = false;
      this.run(false);
    }, COMMIT_COALESCE_MS).unref();
  }

  /** A full pass now: fan out, then claim and send what is due. */
  wake(): void {
    this.run(true);
  }

  private run(claim: boolean): void {
    if (this.stopped) return;
    this.claimWanted ||= claim;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.draining = this.drain().finally(() => {
      this.running = false;
      this.draining = undefined;
    });
  }

  /**
   * A pass now, answered once what was due has been attempted once (the testing API's clock
   * advance, SPEC §7): fan out, then claim and send until nothing due is left unclaimed, and
   * wait for those sends.
   */
  async runDueNow(): Promise<void> {
    while (this.draining) await this.draining;
    if (this.stopped) return;
    this.running = true;
    const started: Promise<void>[] = [];
    try {
      await this.fanOut();
      for (;;) {
        const before = new Set(this.inFlight);
        await this.claimAndStart();
        const fresh = [...this.inFlight].filter((work) => !before.has(work));
        started.push(...fresh);
        // Nothing more claimed and nothing in flight: what was due has been attempted. Else
        // slots (and an endpoint's or tenant's bound) free up as sends end: claim again then.
        if (fresh.length === 0 && this.inFlight.size === 0) break;
        await Promise.race(this.inFlight);
      }
    } finally {
      this.running = false;
      if (this.again) this.wake();
    }
    await Promise.all(started);
  }

  /** Stops claiming new work and waits for what is in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    while (this.running || this.inFlight.size > 0) {
      await Promise.race([...this.inFlight, new Promise((resolve) => setTimeout(resolve, 10))]);
    }
    this.options.mailer.close();
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      const claim = this.claimWanted;
      this.claimWanted = false;
      try {
        const deliveries = await this.fanOut();
        if (claim || deliveries > 0) await this.claimAndStart();
      } catch (error) {
        // The store is down or busy: the next poll tries again; nothing claimed is lost.
        this.options.log.warn({ err: error }, 'outbox worker pass failed');
      }
    } while (this.again && !this.stopped);
  }

  /** Dispatches every waiting event; returns how many deliveries that made. */
  private async fanOut(): Promise<number> {
    let deliveries = 0;
    let batch: { events: number; deliveries: number };
    do {
      batch = await this.options.store.outbox.fanOut(BATCH, nowIso(), endpointAccepts, () => newId('whd'));
      deliveries += batch.deliveries;
    } while (batch.events === BATCH && !this.stopped);
    return deliveries;
  }

  private async claimAndStart(): Promise<void> {
    const free = () => this.concurrency - this.inFlight.size;
    if (free() <= 0 || this.stopped) return;
    const now = Date.now();
    const leaseUntil = new Date(now + this.options.leaseMs).toISOString();
    const deliveries = await this.options.store.outbox.claimDeliveries(free(), new Date(now).toISOString(), leaseUntil, this.bounds);
    for (const delivery of deliveries) this.track(this.deliver(delivery));
    if (free() <= 0) return;
    const emails = await this.options.store.outbox.claimEmails(free(), new Date(now).toISOString(), leaseUntil);
    for (const email of emails) this.track(this.sendEmail(email));
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => this.options.log.error({ err: error }, 'outbox work failed'))
      .finally(() => {
        this.inFlight.delete(tracked);
        this.wake();
      });
    this.inFlight.add(tracked);
  }

  private async deliver(claimed: ClaimedDelivery): Promise<void> {
    const { event, endpoint } = claimed;
    if (endpoint.deleted) return this.options.store.outbox.abandon(claimed, 'endpoint deleted', nowIso());
    const envelope = (this.options.envelopes[event.source] ?? this.options.defaultEnvelope)(event, claimed);
    const startedAt = new Date();
    const timestamp = Math.floor(startedAt.getTime() / 1000);
    // webhook-id is the event id: the same on every retry and every endpoint, so receivers can dedupe.
    const headers = {
      ...envelope.headers,
      'webhook-id': event.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(endpoint.secret, event.id, timestamp, envelope.body),
    };
    const result = await postWebhook(endpoint.url, envelope.body, headers, this.options.webhookTimeoutMs, this.options.webhookUrlPolicy);
    const attempt = claimed.attempts + 1;
    const finishedMs = Date.now();
    const retryAt = result.ok ? null : await this.retryTime(claimed, nextAttemptAt(attempt, this.options.retryScheduleMs, finishedMs), finishedMs);
    const status = result.ok ? 'succeeded' : retryAt ? 'pending' : 'failed';
    await this.options.store.outbox.recordAttempt(
      claimed,
      { attempt, startedAt: startedAt.toISOString(), durationMs: result.durationMs, statusCode: result.statusCode, error: result.error },
      { status, ...(retryAt ?? { nextAttemptAt: new Date(finishedMs).toISOString(), clockDueAt: null }), deliveredAt: result.ok ? new Date(finishedMs).toISOString() : null },
    );
    this.options.metrics.attempt(result.ok ? 'succeeded' : status === 'pending' ? 'retrying' : 'failed', result.durationMs);
    if (result.ok) this.options.metrics.delivered(finishedMs - Date.parse(event.createdAt));
  }

  /** The retry of a failed attempt placed in time for its tenant and mode; null when the schedule is exhausted. */
  private async retryTime(claimed: { tenantId: string; mode: ClaimedEmail['mode'] }, wallDue: string | null, wallNowMs: number): Promise<RetryTime | null> {
    if (wallDue === null) return null;
    return (this.options.retryTimer ?? onWallTime)({ tenantId: claimed.tenantId, mode: claimed.mode }, wallDue, wallNowMs);
  }

  private async sendEmail(claimed: ClaimedEmail): Promise<void> {
    const attempts = claimed.email.attempts + 1;
    try {
      const outcome = await this.options.mailer.send(claimed.email);
      const now = nowIso();
      await this.options.store.outbox.recordEmail(claimed, { status: outcome, attempts, nextAttemptAt: now, clockDueAt: null, lastError: null, sentAt: outcome === 'sent' ? now : null });
      this.options.metrics.email(outcome);
    } catch (error) {
      const failedMs = Date.now();
      const retryAt = await this.retryTime(claimed, nextAttemptAt(attempts, this.options.retryScheduleMs, failedMs), failedMs);
      const message = error instanceof Error ? error.message : String(error);
      await this.options.store.outbox.recordEmail(claimed, {
        status: retryAt ? 'pending' : 'failed',
        attempts,
        ...(retryAt ?? { nextAttemptAt: nowIso(), clockDueAt: null }),
        lastError: message,
        sentAt: null,
      });
      this.options.metrics.email(retryAt ? 'retrying' : 'failed');
    }
  }
}
