import { AlreadyExists, ValidationFailed, type LedgerErrorCode } from '../../../ledger/errors.js';
import type { StoredResponse } from '../../../store/ports.js';
import { HttpFailure, type Failure, type FailureRequest, type FaultAnswer, type HttpFailureCode } from '../../../http/failures.js';
import type { OpenApiFailures } from '../../../http/openapi-operations.js';
import { RpcStatus } from './schemas.js';

/**
 * BidZenith's REST API is gRPC JSON transcoding (reference part B.0): failures are
 * google.rpc.Status `{ code, message, details }`, HTTP statuses per the gRPC mapping (SPEC §5),
 * field problems in a google.rpc.BadRequest detail.
 */
const GRPC = {
  INVALID_ARGUMENT: { code: 3, status: 400 },
  NOT_FOUND: { code: 5, status: 404 },
  ALREADY_EXISTS: { code: 6, status: 409 },
  PERMISSION_DENIED: { code: 7, status: 403 },
  RESOURCE_EXHAUSTED: { code: 8, status: 429 },
  FAILED_PRECONDITION: { code: 9, status: 400 },
  ABORTED: { code: 10, status: 409 },
  UNIMPLEMENTED: { code: 12, status: 501 },
  INTERNAL: { code: 13, status: 500 },
  UNAVAILABLE: { code: 14, status: 503 },
  UNAUTHENTICATED: { code: 16, status: 401 },
} as const;
type GrpcName = keyof typeof GRPC;

const OF_LEDGER_ERROR: Record<LedgerErrorCode, GrpcName> = {
  validation_failed: 'INVALID_ARGUMENT',
  insufficient_funds: 'FAILED_PRECONDITION',
  not_found: 'NOT_FOUND',
  already_exists: 'ALREADY_EXISTS',
  // The key's first request was another one, or is still running: retrying later may succeed.
  idempotency_key_reused: 'ABORTED',
  idempotency_key_in_use: 'ABORTED',
  unauthenticated: 'UNAUTHENTICATED',
  permission_denied: 'PERMISSION_DENIED',
};

/** HTTP-layer failures: a gRPC code, and the HTTP status where HTTP has a more exact one (413, 415, 405). */
const OF_HTTP_FAILURE: Record<HttpFailureCode, { name: GrpcName; status?: number }> = {
  request_invalid: { name: 'INVALID_ARGUMENT' },
  malformed_json: { name: 'INVALID_ARGUMENT' },
  unsupported_media_type: { name: 'INVALID_ARGUMENT', status: 415 },
  payload_too_large: { name: 'INVALID_ARGUMENT', status: 413 },
  route_not_found: { name: 'NOT_FOUND' },
  method_not_allowed: { name: 'UNIMPLEMENTED', status: 405 },
  rate_limited: { name: 'RESOURCE_EXHAUSTED' },
  unavailable: { name: 'UNAVAILABLE' },
  internal: { name: 'INTERNAL' },
};

const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';

function fieldViolationsOf(failure: Failure): { field: string; description: string }[] {
  if (failure instanceof HttpFailure) return failure.violations.map((v) => ({ field: v.param, description: v.message }));
  if (failure instanceof ValidationFailed) return failure.violations.map((v) => ({ field: v.field, description: v.message }));
  if (failure instanceof AlreadyExists) return [{ field: failure.field, description: failure.message }];
  return [];
}

export function renderOrgFailure(failure: Failure, request: FailureRequest): StoredResponse {
  const mapped = failure instanceof HttpFailure ? OF_HTTP_FAILURE[failure.code] : { name: OF_LEDGER_ERROR[failure.code] };
  const { code, status } = GRPC[mapped.name];
  const violations = fieldViolationsOf(failure);
  const message =
    failure instanceof HttpFailure && failure.code === 'internal'
      ? `${failure.message}; nothing was changed (request id ${request.id})`
      : violations.length > 0 && failure instanceof HttpFailure
        ? `${failure.message}: ${violations.map((v) => `${v.field} ${v.description}`).join('; ')}`
        : failure.message;
  const body = { code, message, details: violations.length > 0 ? [{ '@type': BAD_REQUEST, fieldViolations: violations }] : [] };
  const headers = { 'content-type': 'application/json; charset=utf-8', ...(failure instanceof HttpFailure ? failure.headers : {}) };
  return { status: mapped.status ?? status, headers, body: JSON.stringify(body), resourceId: null };
}

/** Every canonical gRPC status by name (google.rpc.Code): a fault may answer any of them. */
const GRPC_CODES: Readonly<Record<string, number>> = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

/** The gRPC status an HTTP status stands for where the mapping has one (google.rpc.Code's HTTP mapping). */
const GRPC_NAME_OF_HTTP: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/**
 * A fault the testing API injects, as org errors read (SPEC §7 "Faults"): the fault's code is a
 * gRPC status name and the body carries its number (absent: the status's own gRPC code; a name
 * that is no gRPC status: UNKNOWN, 2), with the fault's HTTP status.
 */
export function renderOrgFault(answer: FaultAnswer): StoredResponse {
  const name = answer.code?.toUpperCase() ?? GRPC_NAME_OF_HTTP[answer.status] ?? 'UNKNOWN';
  const body = { code: GRPC_CODES[name] ?? GRPC_CODES.UNKNOWN, message: answer.message, details: [] };
  const headers = { 'content-type': 'application/json; charset=utf-8', ...answer.headers };
  return { status: answer.status, headers, body: JSON.stringify(body), resourceId: null };
}

const MEANINGS: Record<number, string> = {
  400: 'INVALID_ARGUMENT (code 3): a field breaks a rule, named in the google.rpc.BadRequest detail; or FAILED_PRECONDITION (code 9): a debit that is not an adjustment would take the balance below zero.',
  401: 'UNAUTHENTICATED (code 16): no access token, or one that is expired, malformed or not signed by this service. Get one from POST /oauth2/token.',
  403: 'PERMISSION_DENIED (code 7): the token lacks the role this route needs (accounts.read, accounts.write, transactions.read, transactions.write).',
  404: 'NOT_FOUND (code 5): no account with this id in the token\u2019s tenant and mode, or no such route.',
  405: 'UNIMPLEMENTED (code 12): the path exists, but not with this method; see the Allow header.',
  409: 'ALREADY_EXISTS (code 6): an account with this name exists; or ABORTED (code 10): the Idempotency-Key was used for another request, or that request is still running.',
  413: 'INVALID_ARGUMENT (code 3): the body is larger than 1 MiB.',
  415: 'INVALID_ARGUMENT (code 3): the body is not application/json.',
  429: 'RESOURCE_EXHAUSTED (code 8): the client exceeded its requests per minute; see Retry-After.',
  500: 'INTERNAL (code 13): something unexpected failed; nothing was changed. The message names the request id.',
  503: 'UNAVAILABLE (code 14): the database cannot be reached; nothing was changed. Retry.',
};

export const ORG_OPENAPI_FAILURES: OpenApiFailures = {
  mediaType: 'application/json',
  schemaName: 'GoogleRpcStatus',
  schema: RpcStatus,
  authentication: [401, 403, 429],
  describe(status) {
    const meaning = MEANINGS[status];
    if (!meaning) throw new Error(`the org surface never answers HTTP ${status}`);
    return meaning;
  },
};
