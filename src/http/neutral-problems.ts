import { ValidationFailed, type LedgerErrorCode } from '../ledger/errors.js';
import type { StoredResponse } from '../store/ports.js';
import { HttpFailure, type Failure, type FailureRequest, type WireViolation } from './failures.js';
import { detailOf, PROBLEM_SLUG_OF_HTTP_FAILURE, problemOf, problemResponse, type ProblemCatalogue } from './problem.js';

// The answer of paths outside every surface (/healthz, /docs, /metrics, unknown paths, URLs
// that cannot be decoded): plain RFC 9457 problem details that belong to no vendor. They share
// the page /docs/errors, and so its URIs, with the billing surface, which published them
// first: a slug there means one thing, whoever answers with it.

const NEUTRAL_TYPES = {
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
} as const;
type Slug = keyof typeof NEUTRAL_TYPES;

export const NEUTRAL_PROBLEMS: ProblemCatalogue<Slug> = { name: 'Outside every API (health, docs, unknown paths)', docsPath: '/docs/errors', types: NEUTRAL_TYPES };

// No root route runs a core command today; the table is total so that none is ever unanswerable.
const SLUG_OF_LEDGER_ERROR: Record<LedgerErrorCode, Slug> = {
  validation_failed: 'validation-error',
  insufficient_funds: 'conflict',
  not_found: 'not-found',
  already_exists: 'conflict',
  idempotency_key_reused: 'conflict',
  idempotency_key_in_use: 'conflict',
  unauthenticated: 'unauthorized',
  permission_denied: 'forbidden',
};

function violationsOf(failure: Failure): WireViolation[] {
  if (failure instanceof HttpFailure) return failure.violations;
  if (failure instanceof ValidationFailed) return failure.violations.map((v) => ({ param: v.field, message: v.message }));
  return [];
}

export function renderNeutralFailure(failure: Failure, request: FailureRequest): StoredResponse {
  const slug = failure instanceof HttpFailure ? PROBLEM_SLUG_OF_HTTP_FAILURE[failure.code] : SLUG_OF_LEDGER_ERROR[failure.code];
  const errors = violationsOf(failure);
  const detail = slug === 'validation-error' ? detailOf(failure, errors) : failure.message;
  return problemResponse(problemOf(request, NEUTRAL_PROBLEMS, slug, { detail, errors }), failure);
}
