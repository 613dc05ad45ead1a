import { createRequire } from 'node:module';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import { documentOperation } from './openapi-operations.js';
import { surfaceAt, type SurfaceDefinition } from './surface.js';

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

// src/http or dist/http: the package's own version and license describe the API.
const PACKAGE = createRequire(import.meta.url)('../../package.json') as { version: string; license: string };

/** `license` of info, from package.json: an SPDX id as `identifier`; npm's UNLICENSED (no licence granted yet) by name only. */
function licenseOf(license: string): { name: string; identifier?: string } {
  return license === 'UNLICENSED' ? { name: 'UNLICENSED (no licence granted)' } : { name: license, identifier: license };
}

/**
 * Each surface's `name → value` entries of one kind (security schemes, failure schemas),
 * merged into one map. @throws when two surfaces give one name different values
 */
function mergeNamed<T>(surfaces: readonly SurfaceDefinition[], kind: string, entriesOf: (surface: SurfaceDefinition) => [string, T][]): Record<string, T> {
  const merged: Record<string, T> = {};
  for (const surface of surfaces) {
    for (const [name, value] of entriesOf(surface)) {
      if (name in merged && merged[name] !== value) throw new Error(`surface ${surface.name} declares the ${kind} ${name} a second time`);
      merged[name] = value;
    }
  }
  return merged;
}

/**
 * OpenAPI 3.1 generated from the route schemas (one schema: validation, types and docs),
 * served at /openapi.json, with the interactive reference at /docs. Each surface brings its
 * own tags, security schemes and failure shape; only the surfaces this process serves are
 * described. The conventions every operation follows are in openapi-operations.ts.
 * @throws when two surfaces declare one security scheme or failure schema name differently
 */
export async function registerOpenApi(app: FastifyInstance, surfaces: readonly SurfaceDefinition[]): Promise<void> {
  const securitySchemes = mergeNamed(surfaces, 'security scheme', (surface) => Object.entries(surface.securitySchemes ?? {}));
  const schemas = mergeNamed<TSchema>(surfaces, 'failure schema', ({ openApiFailures: f }) => [[f.schemaName, f.schema]]);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'subledger',
        version: PACKAGE.version,
        description: 'Self-hosted accounts and balances behind wire-compatible vendor APIs. Error types: [/docs/errors](/docs/errors).',
        license: licenseOf(PACKAGE.license),
      },
      // Relative: the document describes whichever origin serves it (a proxy's, a test's port).
      servers: [{ url: '/', description: 'The server that serves this document' }],
      tags: [...surfaces.flatMap((surface) => surface.tags ?? []), OPERATIONS_TAG],
      components: { securitySchemes, schemas },
    },
    transform: ({ schema, url, route }) => ({ url, schema: documentOperation(schema, route, surfaceAt(surfaces, url)) }),
  });
  // Built once every route is registered, so a surface whose document cannot be built stops the start.
  app.addHook('onReady', async () => {
    app.swagger();
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
