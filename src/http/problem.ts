import type { StoredResponse } from '../core/ports.js';
import { HttpFailure, type Failure, type FailureRequest, type HttpFailureCode, type WireViolation } from './failures.js';

/** RFC 9457 Problem Details: the error shape of the billing surface, the admin API and the root. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  request_id: string;
  errors?: WireViolation[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One problem type: its one status, its title, and what the docs page says about it. */
export interface ProblemType {
  status: number;
  title: string;
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
