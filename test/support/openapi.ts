import { join } from 'node:path';
import { openApiTypes } from '../../tools/openapi-client/generate-types.js';
import { call, type HttpTarget } from './http.js';
import { REPO_ROOT } from './repo-root.js';

/** The types of the document a test server serves (every surface, the admin API included), committed for the generated-client test. */
export const GENERATED_TYPES_FILE = join(REPO_ROOT, 'test/generated/openapi.ts');
export const REGENERATE_TYPES_COMMAND = 'npm run generate:openapi-types';

/** The parts of an OpenAPI document the docs tests read. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { securitySchemes?: Record<string, unknown>; schemas?: Record<string, unknown> };
  [field: string]: unknown;
}

export interface OpenApiParameter {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  required?: boolean;
  example?: unknown;
  examples?: unknown;
  schema?: { default?: unknown; examples?: unknown };
}

export interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: OpenApiParameter[];
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: Record<string, { schema?: { properties?: Record<string, { type?: string }> } }> }>;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every operation of a document with its method and path. */
export function operationsOf(document: OpenApiDocument): { method: string; path: string; operation: OpenApiOperation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, operation]) => ({ method, path, operation })),
  );
}

/** GET /openapi.json of a built app (or of a listening server's base URL). */
export async function servedDocument(target: HttpTarget): Promise<OpenApiDocument> {
  const response = await call<OpenApiDocument>(target, 'GET', '/openapi.json');
  if (response.status !== 200) throw new Error(`GET /openapi.json answered ${response.status}`);
  return response.body;
}

/** openapi-typescript's types of the document a built app serves. */
export async function servedOpenApiTypes(target: HttpTarget): Promise<string> {
  return openApiTypes(await servedDocument(target), REGENERATE_TYPES_COMMAND);
}
