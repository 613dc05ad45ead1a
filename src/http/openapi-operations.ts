import type { FastifySchema, RouteOptions } from 'fastify';
import type { TSchema } from 'typebox';
import type { SurfaceDefinition } from './surface.js';

/** How a surface's failures appear in the OpenAPI document (a field of its SurfaceDefinition). */
export interface OpenApiFailures {
  /** The media type of every failure body, as renderFailure sends it ('application/problem+json'). */
  mediaType: string;
  /** The body's schema, stored once in components.schemas under `schemaName`. */
  schemaName: string;
  schema: TSchema;
  /** What an answer with this status means on the surface (Markdown). @throws for a status it never answers */
  describe(status: number): string;
  /** What authentication and the rate limit answer, on every route that asks for credentials. */
  authentication: readonly number[];
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

type Route = Pick<RouteOptions, 'method' | 'url' | 'config'>;

/**
 * The failure statuses a route can answer, from its shape and what registerSurface does for
 * every route: 400 when it takes any input (a NUL character in a parameter, malformed JSON);
 * the surface's authentication statuses unless it is open; 404 when a path parameter names
 * an object; 409 when it may carry an idempotency key (the key's first request was another);
 * 413 and 415 when it carries a body; 500 and 503 (the store cannot be reached) always.
 */
export function failureStatusesOf(route: Route, schema: FastifySchema, surface: SurfaceDefinition): number[] {
  const methods = [route.method].flat();
  const carriesBody = methods.some((method) => BODY_METHODS.has(method));
  const statuses = new Set<number>();
  if (carriesBody || schema.params || schema.querystring || schema.headers || schema.body) statuses.add(400);
  if (route.config?.auth !== false) for (const status of surface.openApiFailures.authentication) statuses.add(status);
  if (route.url.includes(':')) statuses.add(404);
  if (surface.idempotencyHeaders.length > 0 && methods.some((method) => method !== 'GET' && method !== 'HEAD')) statuses.add(409);
  if (carriesBody) [413, 415].forEach((status) => statuses.add(status));
  [500, 503].forEach((status) => statuses.add(status));
  return [...statuses].sort((a, b) => a - b);
}

/** The security requirement of an operation: one of the surface's schemes, or none (open routes, paths outside every surface). */
function securityOf(route: Route, schema: FastifySchema, surface: SurfaceDefinition | undefined): FastifySchema['security'] {
  if (schema.security) return schema.security;
  if (!surface || route.config?.auth === false) return [];
  return Object.keys(surface.securitySchemes ?? {}).map((name) => ({ [name]: [] }));
}

/** A property with a default is optional to the client: the server fills it in (ajv's useDefaults), so the handler still sees it. */
function withDefaultsOptional(schema: unknown): unknown {
  const object = schema as { properties?: Record<string, { default?: unknown }>; required?: string[] } | undefined;
  if (!object?.properties || !Array.isArray(object.required)) return schema;
  return { ...object, required: object.required.filter((name) => object.properties![name]?.default === undefined) };
}

/**
 * The route's schema as the OpenAPI document shows it (validation and serialization keep the
 * route's own): security, tags and failure responses from the surface unless the route names
 * its own, and parameters with a default not required. Every surface inherits these.
 */
export function documentOperation(schema: FastifySchema | undefined, route: Route, surface: SurfaceDefinition | undefined): FastifySchema {
  const own = schema ?? {};
  if (own.hide) return own;
  const documented: FastifySchema = {
    ...own,
    security: securityOf(route, own, surface),
    ...(own.querystring ? { querystring: withDefaultsOptional(own.querystring) } : {}),
    ...(own.headers ? { headers: withDefaultsOptional(own.headers) } : {}),
  };
  if (!surface) return documented;
  const failures = surface.openApiFailures;
  const content = { [failures.mediaType]: { schema: { $ref: `#/components/schemas/${failures.schemaName}` } } };
  // fastify-swagger's placeholder where a route declares no answer: the document tests flag it.
  const responses: Record<string, unknown> = { ...((own.response as Record<string, unknown> | undefined) ?? { 200: { description: 'Default Response' } }) };
  for (const status of failureStatusesOf(route, own, surface)) {
    responses[status] ??= { description: failures.describe(status), content };
  }
  return { ...documented, tags: own.tags ?? surface.tags?.map((tag) => tag.name), response: responses };
}

/** A response schema with its OpenAPI description (what the client gets); validation and serialization are unchanged. */
export function Described<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, description };
}
