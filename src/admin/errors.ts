import type { StoredResponse } from '../store/ports.js';
import type { Failure, FailureRequest } from '../http/failures.js';
import { problemCatalogue, renderProblem, slugsOfLedgerErrors, type ProblemAnswerer, type StandardProblemSlug } from '../http/problem.js';

// The operator API's own error vocabulary. Still RFC 9457 problem+json (operators' tooling
// reads that), but its types are its own, explained at /docs/errors/admin: a change to a
// vendor surface's errors never changes what the admin API answers.

export const ADMIN_PROBLEMS = problemCatalogue('Admin API (/admin/v1)', '/docs/errors/admin', {
  'validation-error': { explanation: 'The body, path or query breaks a rule; `errors` names each offending `param`. Malformed JSON is also a validation error.' },
  unauthorized: { explanation: 'No admin token, or not the one configured. Send `Authorization: Bearer <SUBLEDGER_ADMIN_TOKEN>`.' },
  forbidden: { explanation: 'The operation is not permitted on this object.' },
  'not-found': { explanation: 'No tenant, key, webhook endpoint or delivery with that id (in that tenant), or no such admin route.' },
  'method-not-allowed': { explanation: 'The admin route exists but not with this method; the `Allow` header lists the methods it has.' },
  conflict: { explanation: 'The object already exists.' },
  'rate-limited': {
    explanation: 'More than 20 failed admin-token or console sign-ins came from this client address within a minute: every admin and console authentication from it (a correct token too) is refused until `Retry-After` seconds have passed.',
  },
  'internal-error': { explanation: 'Something unexpected failed; nothing was changed. Quote `request_id` when reporting it.' },
  'service-unavailable': { explanation: 'The database cannot be reached; nothing was changed. Retry shortly.' },
});

const ADMIN: ProblemAnswerer<StandardProblemSlug> = {
  catalogue: ADMIN_PROBLEMS,
  // The admin API takes no idempotency keys; their codes cannot arise, but every code has an answer.
  slugOfLedgerError: slugsOfLedgerErrors(),
  // Admin params are snake_case body fields and path parameters (`delivery_id`).
};

export function renderAdminFailure(failure: Failure, request: FailureRequest): StoredResponse {
  return renderProblem(ADMIN, failure, request);
}
