import type { StoredResponse } from '../store/ports.js';
import type { Failure, FailureRequest } from './failures.js';
import { problemCatalogue, renderProblem, slugsOfLedgerErrors, type ProblemAnswerer, type StandardProblemSlug } from './problem.js';

// The answer of paths outside every surface (/healthz, /docs, /metrics, unknown paths, URLs
// that cannot be decoded): plain RFC 9457 problem details that belong to no vendor. They share
// the page /docs/errors, and so its URIs, with the billing surface, which published them
// first: a slug there means one thing, whoever answers with it.

export const NEUTRAL_PROBLEMS = problemCatalogue('Outside every API (health, docs, unknown paths)', '/docs/errors');

const NEUTRAL: ProblemAnswerer<StandardProblemSlug> = {
  catalogue: NEUTRAL_PROBLEMS,
  // No root route runs a ledger command today; the table is total so that none is ever unanswerable.
  slugOfLedgerError: slugsOfLedgerErrors(),
  // Violations keep the field names the kernel gives; a conflict names no field.
  paramOf: (field) => field,
  conflictErrors: false,
};

export function renderNeutralFailure(failure: Failure, request: FailureRequest): StoredResponse {
  return renderProblem(NEUTRAL, failure, request);
}
