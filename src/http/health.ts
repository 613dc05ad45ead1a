import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Store } from '../core/ports.js';

const Status = Type.Object({ status: Type.String(), detail: Type.Optional(Type.String()) });

/** /healthz: the process answers. /readyz: the store answers and every migration is applied. */
export function registerHealth(app: FastifyInstance, store: Store, pendingMigrations: () => Promise<number>): void {
  app.get('/healthz', { schema: { tags: ['operations'], response: { 200: Status } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['operations'], response: { 200: Status, 503: Status } } }, async (_request, reply) => {
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
