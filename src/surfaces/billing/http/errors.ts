import { AlreadyExists, IdempotencyKeyReused, ValidationFailed, type LedgerErrorCode } from '../../../ledger/errors.js';
import type { StoredResponse } from '../../../store/ports.js';
import { HttpFailure, snakeCase, type Failure, type FailureRequest, type WireViolation } from '../../../http/failures.js';
import { detailOf, PROBLEM_SLUG_OF_HTTP_FAILURE, problemOf, problemResponse, type ProblemCatalogue } from '../../../http/problem.js';

/** Moment's error types (RFC 9457 `type` slugs), each with one status. Served at /docs/errors. */
export const BILLING_ERROR_TYPES = {
  'validation-error': { status: 400, title: 'Validation error', explanation: 'The request body, query or headers break a rule; `errors` names each offending `param`. Malformed JSON is also a validation error.' },
  unauthorized: { status: 401, title: 'Unauthorized', explanation: 'No API key, a key that does not exist, or an `Authorization` header in another scheme (Basic, a bare key). Send `Authorization: Bearer sk_test_…`; the answer carries `WWW-Authenticate`.' },
  forbidden: { status: 403, title: 'Forbidden', explanation: 'The key is revoked, or is a publishable key (pk_…), which cannot read or write billing objects.' },
  'not-found': { status: 404, title: 'The requested resource was not found', explanation: 'No object with that id or external reference in this tenant and mode (an id longer than 255 characters never has one), or no such route.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', explanation: 'The route exists but not with this method; the `Allow` header lists the methods it has.' },
  conflict: { status: 409, title: 'Conflict', explanation: 'An object with this external_reference already exists in this tenant and mode.' },
  'idempotency-conflict': { status: 409, title: 'Idempotency conflict', explanation: 'The Idempotency-Key was already used for a different request (method, path or body), or that request is still in progress. `resource_id` names what the first request produced.' },
  'payload-too-large': { status: 413, title: 'Payload too large', explanation: 'Request bodies are limited to 1 MiB.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', explanation: 'Request bodies must be `application/json`, uncompressed (no `Content-Encoding` such as gzip).' },
  'rate-limited': { status: 429, title: 'Too many requests', explanation: 'The key exceeded its requests per minute; see the Rate-Limit-* and Retry-After headers and back off.' },
  'internal-error': { status: 500, title: 'Internal error', explanation: 'Something unexpected failed; nothing was changed. Quote `request_id` when reporting it.' },
  'service-unavailable': { status: 503, title: 'Service unavailable', explanation: 'The database cannot be reached; nothing was changed. Retry with the same Idempotency-Key.' },
} as const;
type Slug = keyof typeof BILLING_ERROR_TYPES;

export const BILLING_PROBLEMS: ProblemCatalogue<Slug> = { name: 'Billing API (/billing)', docsPath: '/docs/errors', types: BILLING_ERROR_TYPES };

const SLUG_OF_LEDGER_ERROR: Record<LedgerErrorCode, Slug> = {
  validation_failed: 'validation-error',
  // Billing sets balances (no posting of its own can overdraw); listed for completeness.
  insufficient_funds: 'validation-error',
  not_found: 'not-found',
  already_exists: 'conflict',
  idempotency_key_reused: 'idempotency-conflict',
  idempotency_key_in_use: 'idempotency-conflict',
  unauthenticated: 'unauthorized',
  permission_denied: 'forbidden',
};

/** Domain field path → Moment param: camelCase segments become snake_case; metadata keys stay verbatim. */
export function wireParam(field: string): string {
  const segments = field.split('.');
  return segments
    .map((segment, i) => (i > 0 && segments[i - 1] === 'metadata' ? segment : snakeCase(segment)))
    .join('.');
}

function violationsOf(failure: Failure): WireViolation[] {
  if (failure instanceof HttpFailure) return failure.violations;
  if (failure instanceof ValidationFailed) return failure.violations.map((v) => ({ param: wireParam(v.field), message: v.message }));
  if (failure instanceof AlreadyExists) return [{ param: wireParam(failure.field), message: failure.message }];
  return [];
}

export function renderBillingFailure(failure: Failure, request: FailureRequest): StoredResponse {
  const slug = failure instanceof HttpFailure ? PROBLEM_SLUG_OF_HTTP_FAILURE[failure.code] : SLUG_OF_LEDGER_ERROR[failure.code];
  const extensions = failure instanceof IdempotencyKeyReused ? { resource_id: failure.original.resourceId } : undefined;
  const errors = violationsOf(failure);
  const detail = slug === 'validation-error' ? detailOf(failure, errors) : failure.message;
  return problemResponse(problemOf(request, BILLING_PROBLEMS, slug, { detail, errors, extensions }), failure);
}
