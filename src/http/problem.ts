import { Type, type Static } from 'typebox';
import type { StoredResponse } from '../store/ports.js';
import { HttpFailure, type Failure, type FailureRequest, type HttpFailureCode, type WireViolation } from './failures.js';
import type { OpenApiFailures } from './openapi-operations.js';

/** RFC 9457 Problem Details: the error shape of the billing surface, the admin API and the root. */
export const ProblemDetailsSchema = Type.Object(
  {
    type: Type.String({ format: 'uri', description: 'The problem type: `<origin><docs page>#<slug>`, explained on that page.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String({ description: 'The request path.' }),
    request_id: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ param: Type.String({ description: 'The offending field as sent, e.g. `metadata.order_id`.' }), message: Type.String() }), {
        description: 'Each offending parameter (validation errors and conflicts).',
      }),
    ),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details; a type may add members (`resource_id` on idempotency conflicts).' },
);
export type ProblemDetails = Static<typeof ProblemDetailsSchema> & { [extension: string]: unknown };

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One problem type: its one status, its title, and what the docs page says about it. */
export interface ProblemType {
  status: number;
  title: string;
  /** What the docs page and the OpenAPI responses say about it (Markdown). */
  explanation: string;
}

/**
 * The problem types one answerer uses. Each `type` URI is `<origin><docsPath>#<slug>`, and
 * GET <docsPath> explains every slug (error-docs.ts): catalogues that share a page share its
 * URIs, so they must agree on a shared slug's status.
 */
export interface ProblemCatalogue<Slug extends string = string> {
  /** Who answers with these types, as the docs page names it ('Billing API'). */
  name: string;
  docsPath: string;
  types: Readonly<Record<Slug, ProblemType>>;
}

/**
 * A problem+json surface's failures in the OpenAPI document: each status is described by the
 * catalogue's types with that status, linked to their docs page. `authentication`: the
 * statuses its authentication and rate limit answer.
 */
export function problemFailures(catalogue: ProblemCatalogue, authentication: readonly number[]): OpenApiFailures {
  const types = Object.entries<ProblemType>(catalogue.types);
  return {
    mediaType: PROBLEM_CONTENT_TYPE,
    schemaName: 'ProblemDetails',
    schema: ProblemDetailsSchema,
    authentication,
    describe(status) {
      const meanings = types.filter(([, type]) => type.status === status).map(([slug, type]) => `${type.title} ([${slug}](${catalogue.docsPath}#${slug})): ${type.explanation}`);
      if (meanings.length === 0) throw new Error(`${catalogue.name} has no problem type with HTTP ${status}`);
      return meanings.join('\n\n');
    },
  };
}

/** Where the docs pages are served for this request (`type` URIs point there). */
export function baseUrlOf(request: FailureRequest): string {
  return `${request.protocol}://${request.host}`;
}

export function problemOf<Slug extends string>(
  request: FailureRequest,
  catalogue: ProblemCatalogue<Slug>,
  slug: Slug,
  problem: { detail: string; errors?: WireViolation[]; extensions?: Record<string, unknown> },
): ProblemDetails {
  const { title, status } = catalogue.types[slug];
  return {
    type: `${baseUrlOf(request)}${catalogue.docsPath}#${slug}`,
    title,
    status,
    detail: problem.detail,
    instance: request.url.split('?')[0],
    request_id: request.id,
    ...(problem.errors && problem.errors.length > 0 ? { errors: problem.errors } : {}),
    ...problem.extensions,
  };
}

/** A problem as an answer (stored for replay): problem+json, plus the failure's own headers (Allow, Retry-After). */
export function problemResponse(problem: ProblemDetails, failure: Failure): StoredResponse {
  const headers = { 'content-type': PROBLEM_CONTENT_TYPE, ...(failure instanceof HttpFailure ? failure.headers : {}) };
  return { status: problem.status, headers, body: JSON.stringify(problem), resourceId: null };
}

/** `detail` of a validation problem: its violations as `param message` pairs, so it names fields as the client sent them. */
export function detailOf(failure: Failure, errors: readonly WireViolation[]): string {
  return errors.length > 0 ? errors.map((v) => `${v.param} ${v.message}`).join('; ') : failure.message;
}

/** The slugs every problem+json catalogue has for the failures of the HTTP layer. */
export type HttpFailureSlug = (typeof PROBLEM_SLUG_OF_HTTP_FAILURE)[HttpFailureCode];

/**
 * The HTTP layer's failures in problem+json slugs: the same for every catalogue that answers
 * in problem details (billing, admin, neutral); each maps the core's errors its own way.
 */
export const PROBLEM_SLUG_OF_HTTP_FAILURE = {
  request_invalid: 'validation-error',
  malformed_json: 'validation-error',
  unsupported_media_type: 'unsupported-media-type',
  payload_too_large: 'payload-too-large',
  route_not_found: 'not-found',
  method_not_allowed: 'method-not-allowed',
  rate_limited: 'rate-limited',
  unavailable: 'service-unavailable',
  internal: 'internal-error',
} as const satisfies Record<HttpFailureCode, string>;
