import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * OpenAPI 3.1 generated from the route schemas (one schema: validation, types and docs),
 * served at /openapi.json, with the interactive reference at /docs.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'subledger',
        version: '0.1.0',
        description:
          'Self-hosted accounts and balances behind wire-compatible vendor APIs. Errors: see /docs/errors. ' +
          'Every mutating request accepts an Idempotency-Key; POST /billing/* requires one.',
      },
      tags: [
        { name: 'billing', description: 'Moment Billing API: customers and accounts' },
        { name: 'admin', description: 'Operator API (enabled by SUBLEDGER_ADMIN_TOKEN)' },
        { name: 'operations', description: 'Health and readiness' },
      ],
      components: {
        securitySchemes: {
          billingSecretKey: { type: 'http', scheme: 'bearer', description: 'Secret key: sk_test_… or sk_live_…' },
          adminToken: { type: 'http', scheme: 'bearer', description: 'SUBLEDGER_ADMIN_TOKEN' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
