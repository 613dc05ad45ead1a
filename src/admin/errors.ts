import { AlreadyExists, ValidationFailed, type LedgerErrorCode } from '../ledger/errors.js';
import type { StoredResponse } from '../store/ports.js';
import { HttpFailure, snakeCase, type Failure, type FailureRequest, type WireViolation } from '../http/failures.js';
import { detailOf, PROBLEM_SLUG_OF_HTTP_FAILURE, problemOf, problemResponse, type ProblemCatalogue } from '../http/problem.js';

// The operator API's own error vocabulary. Still RFC 9457 problem+json (operators' tooling
// reads that), but its types are its own, explained at /docs/errors/admin: a change to a
// vendor surface's errors never changes what the admin API answers.

const ADMIN_ERROR_TYPES = {
  'validation-error': { status: 400, title: 'Validation error', explanation: 'The body, path or query breaks a rule; `errors` names each offending `param`. Malformed JSON is also a validation error.' },
  unauthorized: { status: 401, title: 'Unauthorized', explanation: 'No admin token, or not the one configured. Send `Authorization: Bearer <SUBLEDGER_ADMIN_TOKEN>`.' },
  forbidden: { status: 403, title: 'Forbidden', explanation: 'The operation is not permitted on this object.' },
  'not-found': { status: 404, title: 'Not found', explanation: 'No tenant, key, webhook endpoint or delivery with that id (in that tenant), or no such admin route.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', explanation: 'The admin route exists but not with this method; the `Allow` header lists the methods it has.' },
  conflict: { status: 409, title: 'Conflict', explanation: 'The object already exists.' },
  'payload-too-large': { status: 413, title: 'Payload too large', explanation: 'Request bodies are limited to 1 MiB.' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', explanation: 'Request bodies must be `application/json`, uncompressed (no `Content-Encoding` such as gzip).' },
  'rate-limited': { status: 429, title: 'Too many requests', explanation: 'Too many requests; see Retry-After and back off.' },
  'internal-error': { status: 500, title: 'Internal error', explanation: 'Something unexpected failed; nothing was changed. Quote `request_id` when reporting it.' },
  'service-unavailable': { status: 503, title: 'Service unavailable', explanation: 'The database cannot be reached; nothing was changed. Retry shortly.' },
} as const;
type Slug = keyof typeof ADMIN_ERROR_TYPES;

export const ADMIN_PROBLEMS: ProblemCatalogue<Slug> = { name: 'Admin API (/admin/v1)', docsPath: '/docs/errors/admin', types: ADMIN_ERROR_TYPES };

// The admin API takes no idempotency keys; their codes cannot arise, but every code has an answer.
const SLUG_OF_LEDGER_ERROR: Record<LedgerErrorCode, Slug> = {
  validation_failed: 'validation-error',
  // No admin operation posts; a posting refused for the source's balance conflicts with its state.
  insufficient_funds: 'conflict',
  not_found: 'not-found',
  already_exists: 'conflict',
  idempotency_key_reused: 'conflict',
  idempotency_key_in_use: 'conflict',
  unauthenticated: 'unauthorized',
  permission_denied: 'forbidden',
};

/** Admin params are snake_case body fields and path parameters (`delivery_id`). */
function violationsOf(failure: Failure): WireViolation[] {
  if (failure instanceof HttpFailure) return failure.violations;
  if (failure instanceof ValidationFailed) return failure.violations.map((v) => ({ param: snakeCase(v.field), message: v.message }));
  if (failure instanceof AlreadyExists) return [{ param: snakeCase(failure.field), message: failure.message }];
  return [];
}

export function renderAdminFailure(failure: Failure, request: FailureRequest): StoredResponse {
  const slug = failure instanceof HttpFailure ? PROBLEM_SLUG_OF_HTTP_FAILURE[failure.code] : SLUG_OF_LEDGER_ERROR[failure.code];
  const errors = violationsOf(failure);
  const detail = slug === 'validation-error' ? detailOf(failure, errors) : failure.message;
  return problemResponse(problemOf(request, ADMIN_PROBLEMS, slug, { detail, errors }), failure);
}
