import type { StoredResponse } from '../store/ports.js';
import type { Failure, FailureRequest } from '../http/failures.js';
import { problemCatalogue, renderProblem, slugsOfLedgerErrors, type ProblemAnswerer, type StandardProblemSlug } from '../http/problem.js';

// The stand-in's control plane answers in RFC 9457 problem+json, as the billing surface does
// (SPEC §7), its types documented on the same page, /docs/errors, in its own words.

export const TESTING_PROBLEMS = problemCatalogue('Testing control plane (/testing/v1)', '/docs/errors', {
  'validation-error': { explanation: 'The body, path or query breaks a rule; `errors` names each offending `param`. Malformed JSON is also a validation error.' },
  unauthorized: { explanation: "No credentials, or not a tenant's: send the tenant's test-mode secret key (Bearer, or HTTP Basic with the key as user name) or a test-mode org access token." },
  forbidden: { explanation: 'A live-mode key or token, or a publishable key: the control plane acts on test-mode data only, with a secret credential.' },
  'not-found': { explanation: "No snapshot or fault with that id in this tenant's test mode, or no such route." },
  'method-not-allowed': { explanation: 'The route exists but not with this method; the `Allow` header lists the methods it has.' },
  conflict: { explanation: 'The request conflicts with the current state.' },
  'internal-error': { explanation: 'Something unexpected failed; nothing was changed. Quote `request_id` when reporting it.' },
  'service-unavailable': { explanation: 'The database cannot be reached; nothing was changed. Retry shortly.' },
});

const TESTING: ProblemAnswerer<StandardProblemSlug> = {
  catalogue: TESTING_PROBLEMS,
  slugOfLedgerError: slugsOfLedgerErrors(),
  paramOf: (field) => field,
};

export function renderTestingFailure(failure: Failure, request: FailureRequest): StoredResponse {
  return renderProblem(TESTING, failure, request);
}
