import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Store } from '../store/ports.js';
import { Described } from './openapi-operations.js';

const Status = Type.Object({ status: Type.String(), detail: Type.Optional(Type.String()) });

/** /healthz: the process answers. /readyz: the store answers and every migration is applied. */
export function registerHealth(app: FastifyInstance, store: Store, pendingMigrations: () => Promise<number>): void {
  const tags = ['operations'];
  app.get('/healthz', {
    schema: { tags, operationId: 'checkHealth', summary: 'The process is up', response: { 200: Described(Status, 'Up: `{"status":"ok"}`') } },
  }, async () => ({ status: 'ok' }));
  app.get('/readyz', {
    schema: {
      tags,
      operationId: 'checkReadiness',
      summary: 'The store answers and every migration is applied',
      response: { 200: Described(Status, 'Ready to serve'), 503: Described(Status, 'Not ready: the store is unreachable or migrations are pending (`detail` says which)') },
    },
  }, async (_request, reply) => {
    try {
      await store.ping();
      const pending = await pendingMigrations();
      if (pending > 0) return reply.code(503).send({ status: 'not_ready', detail: `${pending} migration(s) pending` });
      return { status: 'ready' };
    } catch {
      return reply.code(503).send({ status: 'not_ready', detail: 'store unreachable' });
    }
  });
}
