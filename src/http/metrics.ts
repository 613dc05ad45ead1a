import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OutboxMetrics } from '../workers/outbox-worker.js';

/** One registry per app instance, so several apps in one process (tests) never collide. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Label sets by method, route template and status: both finite (routes are templates, never
  // raw URLs), so this map stays small. Each counts its own requests, and the counter reads
  // them when scraped: prom-client's inc() hashes the label set on every call, the largest
  // item of the metrics' cost per request (docs/decisions.md, issue 13).
  const labelled = new Map<string, { labels: { method: string; route: string; status: string }; answered: number; timed: Histogram.Internal<'method' | 'route'> }>();
  const requests = new Counter({
    name: 'subledger_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const series of labelled.values()) this.inc(series.labels, series.answered);
    },
  });
  const duration = new Histogram({
    name: 'subledger_http_request_duration_seconds',
    help: 'Time from request received to response sent',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const webhookAttempts = new Counter({
    name: 'subledger_webhook_attempts_total',
    help: 'Webhook delivery attempts, by outcome (succeeded; retrying: failed, will retry; failed: failed for good)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const webhookAttemptDuration = new Histogram({
    name: 'subledger_webhook_attempt_duration_seconds',
    help: 'Time a receiver took to answer one webhook attempt',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const webhookLatency = new Histogram({
    name: 'subledger_webhook_delivery_latency_seconds',
    help: 'Time from an event being committed to its successful delivery',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300, 3600, 86_400],
    registers: [registry],
  });
  const emails = new Counter({
    name: 'subledger_emails_total',
    help: 'E-mail send outcomes (sent over SMTP; logged: no SMTP_URL; retrying; failed)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  let queueDepth: (() => Promise<{ deliveries: number; emails: number }>) | undefined;
  new Gauge({
    name: 'subledger_outbox_queue_depth',
    help: 'Pending webhook deliveries and e-mails (all tenants)',
    labelNames: ['kind'] as const,
    registers: [registry],
    async collect() {
      if (!queueDepth) return;
      try {
        const depth = await queueDepth();
        this.set({ kind: 'webhook_delivery' }, depth.deliveries);
        this.set({ kind: 'email' }, depth.emails);
      } catch {
        // store unreachable: leave the last reading
      }
    },
  });
  const outbox: OutboxMetrics = {
    attempt(outcome, durationMs) {
      webhookAttempts.inc({ outcome });
      webhookAttemptDuration.observe(durationMs / 1000);
    },
    delivered(latencyMs) {
      webhookLatency.observe(latencyMs / 1000);
    },
    email(outcome) {
      emails.inc({ outcome });
    },
  };
  const observeRequest = (method: string, route: string, status: number, elapsedMs: number) => {
    const name = `${method} ${status} ${route}`;
    let series = labelled.get(name);
    if (!series) {
      series = { labels: { method, route, status: String(status) }, answered: 0, timed: duration.labels({ method, route }) };
      labelled.set(name, series);
    }
    series.answered++;
    series.timed.observe(elapsedMs / 1000);
  };
  return {
    registry,
    requests,
    duration,
    observeRequest,
    outbox,
    /** Where the queue-depth gauge reads from (the store, once open). */
    measureQueueDepth(source: () => Promise<{ deliveries: number; emails: number }>) {
      queueDepth = source;
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  // A callback hook, not an async one: this runs on every request, and a promise per request
  // cost more than the counting itself (docs/decisions.md, issue 13).
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime);
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
