import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { SurfaceDefinition } from './surface.js';

/** An OpenAPI 3.1 security scheme, as a surface declares it. */
export type SecurityScheme =
  | { type: 'http'; scheme: 'bearer' | 'basic'; bearerFormat?: string; description?: string }
  | { type: 'apiKey'; in: 'header' | 'query' | 'cookie'; name: string; description?: string }
  | { type: 'oauth2'; flows: { clientCredentials: { tokenUrl: string; scopes: Record<string, string> } }; description?: string };

export interface OpenApiTag {
  name: string;
  description: string;
}

const OPERATIONS_TAG: OpenApiTag = { name: 'operations', description: 'Health and readiness' };

/**
 * OpenAPI 3.1 generated from the route schemas (one schema: validation, types and docs),
 * served at /openapi.json, with the interactive reference at /docs. Each surface brings its
 * own tags and security schemes; only the surfaces this process serves are described.
 * @throws when two surfaces declare the same security scheme name
 */
export async function registerOpenApi(app: FastifyInstance, surfaces: readonly SurfaceDefinition[]): Promise<void> {
  const securitySchemes: Record<string, SecurityScheme> = {};
  for (const surface of surfaces) {
    for (const [name, scheme] of Object.entries(surface.securitySchemes ?? {})) {
      if (name in securitySchemes) throw new Error(`surface ${surface.name} declares the security scheme ${name} a second time`);
      securitySchemes[name] = scheme;
    }
  }
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'subledger',
        version: '0.1.0',
        description: 'Self-hosted accounts and balances behind wire-compatible vendor APIs. Errors: see /docs/errors.',
      },
      tags: [...surfaces.flatMap((surface) => surface.tags ?? []), OPERATIONS_TAG],
      components: { securitySchemes },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
