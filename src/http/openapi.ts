import { createRequire } from 'node:module';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import type { EventCatalog } from '../ledger/events.js';
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
 * The document's `webhooks` (OpenAPI 3.1): every event type a webhook endpoint may subscribe
 * to, as the publishing surface's envelope around the event's `data` schema.
 */
function webhooksOf(catalog: EventCatalog | undefined, surfaces: readonly SurfaceDefinition[]): Record<string, unknown> {
  const webhooks: Record<string, unknown> = {};
  for (const { surface: name, type, schema } of catalog?.publications() ?? []) {
    const surface = surfaces.find((s) => s.name === name);
    const data = schema ?? { description: "The object as the surface's API shows it." };
    webhooks[type] = {
      post: {
        operationId: `webhook.${type}`,
        summary: `${type} (webhook)`,
        description: `Sent to the tenant's webhook endpoints subscribed to \`${type}\`, \`*\` or a prefix of it, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature).`,
        tags: surface?.tags?.slice(0, 1).map((tag) => tag.name),
        security: [],
        requestBody: { required: true, content: { 'application/json': { schema: surface?.webhookEnvelopeSchema?.(type, data) ?? { type: 'object', properties: { data } } } } },
        responses: {
          '200': { description: 'Any 2xx acknowledges the event.' },
          '4XX': { description: 'Refused: the delivery is retried on the retry schedule (SUBLEDGER_RETRY_SCHEDULE).' },
        },
      },
    };
  }
  return webhooks;
}

/**
 * OpenAPI 3.1 generated from the route schemas (one schema: validation, types and docs),
 * served at /openapi.json, with the interactive reference at /docs. Each surface brings its
 * own tags, security schemes and failure shape; only the surfaces this process serves are
 * described, with every event type it publishes (`webhooks`). The conventions every operation
 * follows are in openapi-operations.ts.
 * @throws when two surfaces declare one security scheme or failure schema name differently
 */
export async function registerOpenApi(app: FastifyInstance, surfaces: readonly SurfaceDefinition[], events?: EventCatalog): Promise<void> {
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
      // OpenAPI 3.1 webhooks (its types for path items are 3.0's).
      webhooks: webhooksOf(events, surfaces) as never,
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
