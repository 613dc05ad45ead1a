import { Type } from 'typebox';
import { Described } from '../http/openapi-operations.js';
import type { SurfaceApp, SurfaceKit } from '../http/surface.js';
import type { Fault } from './fault-rules.js';
import { tenantOf } from './principal.js';
import * as S from './schemas.js';

const presentFault = (fault: Fault) => ({
  id: fault.id,
  method: fault.method,
  path: fault.path,
  status: fault.status,
  code: fault.code,
  message: fault.message,
  retry_after: fault.retryAfter,
  delay_ms: fault.delayMs,
  drop: fault.drop,
  times: fault.times,
  remaining: fault.remaining,
  created_at: fault.createdAt,
});

/** SPEC §7 "Faults": what the tenant's next matching test-mode requests get instead of their own answer. */
export function registerFaultRoutes(app: SurfaceApp, { services }: SurfaceKit): void {
  const { faults } = services;

  app.post('/faults', {
    schema: {
      operationId: 'createTestFault',
      summary: 'Make the next matching test-mode requests fail, wait or drop',
      body: S.FaultCreate,
      response: { 201: Described(S.Fault, 'The fault, pending') },
    },
  }, async (request, reply) => {
    const body = request.body;
    const fault = await faults.create(tenantOf(request), {
      method: body.method ?? null,
      path: body.path,
      status: body.status ?? null,
      code: body.code ?? null,
      message: body.message ?? null,
      retryAfter: body.retry_after ?? null,
      delayMs: body.delay_ms ?? 0,
      drop: body.drop ?? false,
      times: body.times,
    });
    reply.code(201);
    return presentFault(fault);
  });

  app.get('/faults', {
    schema: { operationId: 'listTestFaults', summary: "The tenant's pending faults, oldest first", response: { 200: Described(S.FaultList, 'The pending faults') } },
  }, async (request) => ({ data: (await faults.list(tenantOf(request))).map(presentFault) }));

  app.delete('/faults/:id', {
    schema: { operationId: 'deleteTestFault', summary: 'Delete a pending fault', params: S.FaultPath, response: { 204: Described(Type.Null(), 'The fault is gone') } },
  }, async (request, reply) => {
    await faults.remove(tenantOf(request), request.params.id);
    // A 204 carries no body (fastify sends none whatever is passed).
    return reply.code(204).send(null);
  });
}
