import { IdempotencyKeyReused } from '../../../ledger/errors.js';
import type { StoredResponse } from '../../../store/ports.js';
import { snakeCase, type Failure, type FailureRequest, type FaultAnswer } from '../../../http/failures.js';
import { problemCatalogue, problemFaultResponse, renderProblem, slugsOfLedgerErrors } from '../../../http/problem.js';

/** Moment's error types (RFC 9457 `type` slugs), each with one status. Served at /docs/errors. */
export const BILLING_PROBLEMS = problemCatalogue(
  'Billing API (/billing)',
  '/docs/errors',
  {
    'validation-error': { explanation: 'The request body, query or headers break a rule; `errors` names each offending `param`. Malformed JSON is also a validation error.' },
    unauthorized: { explanation: 'No API key, a key that does not exist, or an `Authorization` header in another scheme (Basic, a bare key). Send `Authorization: Bearer sk_test_…`; the answer carries `WWW-Authenticate`.' },
    forbidden: { explanation: 'The key is revoked, or is a publishable key (pk_…), which cannot read or write billing objects.' },
    'not-found': { title: 'The requested resource was not found', explanation: 'No object with that id or external reference in this tenant and mode (an id longer than 255 characters never has one), or no such route.' },
    'method-not-allowed': { explanation: 'The route exists but not with this method; the `Allow` header lists the methods it has.' },
    conflict: { explanation: 'An object with this external_reference already exists in this tenant and mode.' },
    'rate-limited': { explanation: 'The key exceeded its requests per minute; see the Rate-Limit-* and Retry-After headers and back off.' },
    'internal-error': { explanation: 'Something unexpected failed; nothing was changed. Quote `request_id` when reporting it.' },
    'service-unavailable': { explanation: 'The database cannot be reached; nothing was changed. Retry with the same Idempotency-Key.' },
  },
  {
    'idempotency-conflict': { status: 409, title: 'Idempotency conflict', explanation: 'The Idempotency-Key was already used for a different request (method, path or body), or that request is still in progress. `resource_id` names what the first request produced.' },
  },
);

/** Domain field path → Moment param: camelCase segments become snake_case; metadata keys stay verbatim. */
export function wireParam(field: string): string {
  const segments = field.split('.');
  return segments
    .map((segment, i) => (i > 0 && segments[i - 1] === 'metadata' ? segment : snakeCase(segment)))
    .join('.');
}

const BILLING = {
  catalogue: BILLING_PROBLEMS,
  slugOfLedgerError: slugsOfLedgerErrors({
    // Billing sets balances (no posting of its own can overdraw); listed for completeness.
    insufficient_funds: 'validation-error',
    idempotency_key_reused: 'idempotency-conflict',
    idempotency_key_in_use: 'idempotency-conflict',
  }),
  paramOf: wireParam,
  extensionsOf: (failure: Failure) => (failure instanceof IdempotencyKeyReused ? { resource_id: failure.original.resourceId } : undefined),
};

export function renderBillingFailure(failure: Failure, request: FailureRequest): StoredResponse {
  return renderProblem(BILLING, failure, request);
}

/** A fault the testing API injects: a problem whose `type` slug is the fault's code (SPEC §7 "Faults"). */
export function renderBillingFault(answer: FaultAnswer, request: FailureRequest): StoredResponse {
  return problemFaultResponse(BILLING_PROBLEMS, answer, request);
}
