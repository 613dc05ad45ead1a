import { Type, type Static } from 'typebox';
import { AlreadyExists, ValidationFailed, type LedgerErrorCode } from '../ledger/errors.js';
import type { StoredResponse } from '../store/ports.js';
import { STATUS_CODES } from 'node:http';
import { HttpFailure, snakeCase, type Failure, type FailureRequest, type FaultAnswer, type HttpFailureCode, type WireViolation } from './failures.js';
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

/** Where the docs pages are served for this request (`type` URIs point there): never from its Host header (public-origin.ts). */
export function baseUrlOf(request: FailureRequest): string {
  return request.publicOrigin;
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

/**
 * The problem types every problem+json answerer has (billing, admin, the neutral routes), in
 * their plainest words; a catalogue takes them and words some its own way (problemCatalogue).
 */
export const STANDARD_PROBLEM_TYPES = {
  'validation-error': { status: 400, title: 'Validation error', explanation: 'The request URL cannot be decoded, or its body is not the JSON object the route expects.' },
  unauthorized: { status: 401, title: 'Unauthorized', explanation: 'The route needs credentials that were not sent or are not valid.' },
  forbidden: { status: 403, title: 'Forbidden', explanation: 'The credentials are valid but may not do this.' },
  'not-found': { status: 404, title: 'Not found', explanation: 'No route has this path.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', explanation: 'The path exists but not with this method; the `Allow` header lists the methods it has.' },
  conflict: { status: 409, title: 'Conflict', explanation: 'The request conflicts with something that already exists.' },
  'payload-too-large': { status: 413, title: 'Payload too large', explanation: 'Request bodies are limited to 1 MiB.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', explanation: 'Request bodies must be `application/json`, uncompressed (no `Content-Encoding` such as gzip).' },
  'rate-limited': { status: 429, title: 'Too many requests', explanation: 'Too many requests; see Retry-After and back off.' },
  'internal-error': { status: 500, title: 'Internal error', explanation: 'Something unexpected failed. Quote `request_id` when reporting it.' },
  'service-unavailable': { status: 503, title: 'Service unavailable', explanation: 'The database cannot be reached; retry shortly.' },
} as const satisfies Record<string, ProblemType>;
export type StandardProblemSlug = keyof typeof STANDARD_PROBLEM_TYPES;

/**
 * A catalogue: the standard types, some worded for this answerer (`words`: a title or an
 * explanation; a status never changes), plus types of its own (`extra`).
 */
export function problemCatalogue<Extra extends string = never>(
  name: string,
  docsPath: string,
  words: Partial<Record<StandardProblemSlug, Partial<Omit<ProblemType, 'status'>>>> = {},
  extra: Readonly<Record<Extra, ProblemType>> = {} as Record<Extra, ProblemType>,
): ProblemCatalogue<StandardProblemSlug | Extra> {
  // In status order, as the docs page lists them: an extra type after the standard ones of its status.
  const standard = Object.entries<ProblemType>(STANDARD_PROBLEM_TYPES).map(([slug, type]): [string, ProblemType] => [slug, { ...type, ...words[slug as StandardProblemSlug] }]);
  const extras = Object.entries<ProblemType>(extra);
  const types = standard.flatMap((entry, i) => {
    const nextStatus = standard[i + 1]?.[1].status;
    return nextStatus === entry[1].status ? [entry] : [entry, ...extras.filter(([, type]) => type.status === entry[1].status)];
  });
  for (const entry of extras) if (!types.includes(entry)) types.push(entry);
  return { name, docsPath, types: Object.fromEntries(types) as Record<StandardProblemSlug | Extra, ProblemType> };
}

/** How the kernel's error codes read in a catalogue: the standard slugs, some answered otherwise (`overrides`). */
export function slugsOfLedgerErrors<Slug extends string>(overrides: Partial<Record<LedgerErrorCode, Slug>> = {}): Record<LedgerErrorCode, StandardProblemSlug | Slug> {
  return {
    validation_failed: 'validation-error',
    // A posting refused for the source's balance conflicts with its state.
    insufficient_funds: 'conflict',
    not_found: 'not-found',
    already_exists: 'conflict',
    idempotency_key_reused: 'conflict',
    idempotency_key_in_use: 'conflict',
    unauthenticated: 'unauthorized',
    permission_denied: 'forbidden',
    ...overrides,
  };
}

/** How an answerer words its failures in problem+json: the one renderer of billing, admin and the neutral routes. */
export interface ProblemAnswerer<Slug extends string> {
  catalogue: ProblemCatalogue<Slug>;
  slugOfLedgerError: Readonly<Record<LedgerErrorCode, Slug>>;
  /** The wire name of a domain field (`externalReference` → `external_reference`; default snake_case). */
  paramOf?: (field: string) => string;
  /** Whether a conflict names its field in `errors` (AlreadyExists). */
  conflictErrors?: boolean;
  /** Members the problem adds for this failure (`resource_id`). */
  extensionsOf?: (failure: Failure) => Record<string, unknown> | undefined;
}

/** The answer for a failure: its slug, its `errors` (each offending param), its detail. */
export function renderProblem<Slug extends string>(answerer: ProblemAnswerer<Slug>, failure: Failure, request: FailureRequest): StoredResponse {
  const slug = failure instanceof HttpFailure ? (PROBLEM_SLUG_OF_HTTP_FAILURE[failure.code] as Slug) : answerer.slugOfLedgerError[failure.code];
  const paramOf = answerer.paramOf ?? snakeCase;
  let errors: WireViolation[] = [];
  if (failure instanceof HttpFailure) errors = failure.violations;
  else if (failure instanceof ValidationFailed) errors = failure.violations.map((v) => ({ param: paramOf(v.field), message: v.message }));
  else if (failure instanceof AlreadyExists && answerer.conflictErrors !== false) errors = [{ param: paramOf(failure.field), message: failure.message }];
  const detail = slug === 'validation-error' ? detailOf(failure, errors) : failure.message;
  return problemResponse(problemOf(request, answerer.catalogue, slug, { detail, errors, extensions: answerer.extensionsOf?.(failure) }), failure);
}

/**
 * A fault the testing API injects, as a problem+json surface answers it (SPEC §7 "Faults"):
 * the fault's code is the `type`'s slug (absent: the catalogue's first type with the status,
 * else `injected-fault`), its message the `detail`; the title is the catalogue's for a slug it
 * has, else the status's reason phrase.
 */
export function problemFaultResponse(catalogue: ProblemCatalogue, answer: FaultAnswer, request: FailureRequest): StoredResponse {
  const types = Object.entries<ProblemType>(catalogue.types);
  const slug = answer.code ?? types.find(([, type]) => type.status === answer.status)?.[0] ?? 'injected-fault';
  const problem: ProblemDetails = {
    type: `${baseUrlOf(request)}${catalogue.docsPath}#${slug}`,
    title: catalogue.types[slug]?.title ?? STATUS_CODES[answer.status] ?? 'Error',
    status: answer.status,
    detail: answer.message,
    instance: request.url.split('?')[0]!,
    request_id: request.id,
  };
  return { status: answer.status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...answer.headers }, body: JSON.stringify(problem), resourceId: null };
}
