import type { FastifyRequest } from 'fastify';

/** The caller's tenant: the testing surface's principal is always a tenant's, in test mode (surface.ts). */
export function tenantOf(request: FastifyRequest): string {
  const principal = request.principal;
  if (!principal) throw new Error('a testing route without a principal');
  return principal.scope.tenantId;
}
