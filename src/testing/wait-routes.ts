import type { FastifyReply } from 'fastify';
import { Described } from '../http/openapi-operations.js';
import type { SurfaceApp, SurfaceKit } from '../http/surface.js';
import { testOutboxReads, type EmailRead, type OutboxEventRead } from './outbox-reads.js';
import { tenantOf } from './principal.js';
import * as S from './schemas.js';

const presentEvent = (event: OutboxEventRead) => ({
  id: event.id,
  type: event.type,
  created_at: event.createdAt,
  object_id: event.objectId,
  data: event.data,
  deliveries: event.deliveries.map((d) => ({ endpoint_id: d.endpointId, status: d.status, attempts: d.attempts, response_status: d.responseStatus })),
});

const presentEmail = (email: EmailRead) => ({ id: email.id, to: email.to, subject: email.subject, text: email.text, created_at: email.createdAt, status: email.status });

/** A wait cut short by the server closing also closes its connection: a kept-alive socket would hold the server's close. */
function closeIfClosing(reply: FastifyReply, closing: AbortSignal): void {
  if (closing.aborted) reply.header('connection', 'close');
}

/**
 * SPEC §7 "Waiting for what a test expects": the tenant's test-mode events and e-mails, oldest
 * first, after a given id; with `wait_ms`, an empty answer waits until something matches (woken
 * by commits, never polling in a loop) or the time is up.
 */
export function registerWaitRoutes(app: SurfaceApp, { services, closing }: SurfaceKit): void {
  const { store, outboxChanges } = services;
  const reads = testOutboxReads.of(store.reader);

  app.get('/events', {
    schema: {
      operationId: 'listTestEvents',
      summary: "The tenant's test-mode events, oldest first; waits for one with wait_ms",
      querystring: S.EventWaitQuery,
      response: { 200: Described(S.TestEventList, 'The matching events, oldest first (none when wait_ms ran out)') },
    },
  }, async (request, reply) => {
    const { type, object_id, after, limit, wait_ms } = request.query;
    const tenantId = tenantOf(request);
    const events = await outboxChanges.waitFor(tenantId, wait_ms, closing, () => reads.events(tenantId, { type, objectId: object_id, after, limit }));
    closeIfClosing(reply, closing);
    return { data: events.map(presentEvent) };
  });

  app.get('/emails', {
    schema: {
      operationId: 'listTestEmails',
      summary: "The tenant's test-mode e-mails, oldest first; waits for one with wait_ms",
      querystring: S.EmailWaitQuery,
      response: { 200: Described(S.TestEmailList, 'The matching e-mails, oldest first (none when wait_ms ran out)') },
    },
  }, async (request, reply) => {
    const { to, after, limit, wait_ms } = request.query;
    const tenantId = tenantOf(request);
    const emails = await outboxChanges.waitFor(tenantId, wait_ms, closing, () => reads.emails(tenantId, { to, after, limit }));
    closeIfClosing(reply, closing);
    return { data: emails.map(presentEmail) };
  });
}
