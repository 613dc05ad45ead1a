import { Type } from 'typebox';
import { AlreadyExists, NotFound, ValidationFailed, type LedgerErrorCode } from '../../../ledger/errors.js';
import type { StoredResponse } from '../../../store/ports.js';
import { HolderNotLive } from '../domain/transfers.js';
import { HttpFailure, snakeCase, type Failure, type FaultAnswer, type HttpFailureCode } from '../../../http/failures.js';
import type { OpenApiFailures } from '../../../http/openapi-operations.js';

// Xendit's error shape (SPEC §4, reference A.1): { error_code, message, errors: [{ path, message }] }.

/** Every error_code this surface answers, with its one status and what it means. */
export const PLATFORM_ERROR_CODES = {
  API_VALIDATION_ERROR: { status: 400, meaning: 'Inputs are failing validation; `errors` names each offending `path`.' },
  INVALID_JSON_FORMAT: { status: 400, meaning: 'The request body is not valid JSON.' },
  INVALID_CONFIGURATION: { status: 400, meaning: 'The `configurations` object has an unknown key or a value that is not a boolean.' },
  TYPE_AND_CONFIGURATION_CONFLICT: { status: 400, meaning: 'Both `type` and `configurations` were sent: send one of them.' },
  DUPLICATE_ERROR: { status: 400, meaning: 'A transfer with this `reference` already exists.' },
  INSUFFICIENT_BALANCE: { status: 400, meaning: 'The source balance is lower than the transfer amount; nothing was moved.' },
  INVALID_AMOUNT: { status: 400, meaning: 'The amount is not positive, or has more decimals than the currency has (IDR 0, PHP 2).' },
  INVALID_API_KEY: { status: 401, meaning: 'No API key, or one that does not exist. Send HTTP Basic auth with the secret key as username and an empty password.' },
  REQUEST_FORBIDDEN_ERROR: { status: 403, meaning: 'The key is publishable or revoked, or the operation is for test mode only.' },
  XEN_PLATFORM_SUB_ACCOUNT_NOT_LIVE: { status: 403, meaning: 'The source or destination sub-account is not LIVE (invited, in verification or suspended).' },
  DATA_NOT_FOUND: { status: 404, meaning: 'No object with this id in this tenant and mode, or no such route.' },
  DESTINATION_ACCOUNT_NOT_FOUND: { status: 404, meaning: 'The source or destination user id names no sub-account of this platform.' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'The route exists, but not with this method; `Allow` lists its methods.' },
  IDEMPOTENCY_ERROR: { status: 409, meaning: 'The idempotency key was used for another request, or that request is still in progress.' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'Request bodies are limited to 1 MiB.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'Request bodies must be uncompressed application/json.' },
  RATE_LIMIT_EXCEEDED: { status: 429, meaning: 'The key exceeded its requests per minute; see Rate-Limit-* and Retry-After.' },
  SERVER_ERROR: { status: 500, meaning: 'Something unexpected failed; nothing was changed.' },
  SERVICE_UNAVAILABLE: { status: 503, meaning: 'The database cannot be reached; nothing was changed. Retry with the same idempotency key.' },
} as const;
export type PlatformErrorCode = keyof typeof PLATFORM_ERROR_CODES;

/** A rule of Xendit's request validation with its own error_code (configurations, amounts). */
export class PlatformValidationFailure extends HttpFailure {
  constructor(
    readonly errorCode: 'INVALID_CONFIGURATION' | 'TYPE_AND_CONFIGURATION_CONFLICT' | 'INVALID_AMOUNT' | 'API_VALIDATION_ERROR',
    message: string,
    violations: { param: string; message: string }[] = [],
  ) {
    super('request_invalid', message, violations);
  }
}

const CODE_OF_HTTP_FAILURE: Record<HttpFailureCode, PlatformErrorCode> = {
  request_invalid: 'API_VALIDATION_ERROR',
  malformed_json: 'INVALID_JSON_FORMAT',
  unsupported_media_type: 'UNSUPPORTED_MEDIA_TYPE',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  route_not_found: 'DATA_NOT_FOUND',
  method_not_allowed: 'METHOD_NOT_ALLOWED',
  rate_limited: 'RATE_LIMIT_EXCEEDED',
  unavailable: 'SERVICE_UNAVAILABLE',
  internal: 'SERVER_ERROR',
};

const CODE_OF_LEDGER_ERROR: Record<LedgerErrorCode, PlatformErrorCode> = {
  validation_failed: 'API_VALIDATION_ERROR',
  insufficient_funds: 'INSUFFICIENT_BALANCE',
  not_found: 'DATA_NOT_FOUND',
  already_exists: 'DUPLICATE_ERROR',
  idempotency_key_reused: 'IDEMPOTENCY_ERROR',
  idempotency_key_in_use: 'IDEMPOTENCY_ERROR',
  unauthenticated: 'INVALID_API_KEY',
  permission_denied: 'REQUEST_FORBIDDEN_ERROR',
};

/** Domain fields as this surface's wire names them (camelCase → snake_case; cursors by Xendit's names). */
const WIRE_FIELD: Record<string, string> = { startingAfter: 'after_id', endingBefore: 'before_id' };
const wirePath = (field: string) => field.split('.').map((segment) => WIRE_FIELD[segment] ?? snakeCase(segment)).join('.');

function codeOf(failure: Failure): PlatformErrorCode {
  if (failure instanceof PlatformValidationFailure) return failure.errorCode;
  if (failure instanceof HttpFailure) return CODE_OF_HTTP_FAILURE[failure.code];
  if (failure instanceof HolderNotLive) return 'XEN_PLATFORM_SUB_ACCOUNT_NOT_LIVE';
  if (failure instanceof NotFound && failure.resource === 'transfer_party') return 'DESTINATION_ACCOUNT_NOT_FOUND';
  // A posting refused for its amount (not positive) is Xendit's INVALID_AMOUNT.
  if (failure instanceof ValidationFailed && failure.violations.every((v) => v.field === 'amount')) return 'INVALID_AMOUNT';
  return CODE_OF_LEDGER_ERROR[failure.code];
}

function errorsOf(failure: Failure): { path: string; message: string }[] {
  if (failure instanceof HttpFailure) return failure.violations.map((v) => ({ path: v.param, message: v.message }));
  if (failure instanceof ValidationFailed) return failure.violations.map((v) => ({ path: wirePath(v.field), message: v.message }));
  if (failure instanceof AlreadyExists) return [{ path: wirePath(failure.field), message: failure.message }];
  return [];
}

function messageOf(failure: Failure, code: PlatformErrorCode, errors: { path: string; message: string }[]): string {
  if (code === 'API_VALIDATION_ERROR' && errors.length > 0) return `Inputs are failing validation: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`;
  return failure.message;
}

export function renderPlatformFailure(failure: Failure): StoredResponse {
  const code = codeOf(failure);
  const errors = errorsOf(failure);
  const body = { error_code: code, message: messageOf(failure, code, errors), ...(errors.length > 0 ? { errors } : {}) };
  const headers = { 'content-type': 'application/json; charset=utf-8', ...(failure instanceof HttpFailure ? failure.headers : {}) };
  return { status: PLATFORM_ERROR_CODES[code].status, headers, body: JSON.stringify(body), resourceId: null };
}

/**
 * A fault the testing API injects, in Xendit's shape (SPEC §7 "Faults"): the fault's code as
 * `error_code` (absent: this surface's code for the status, else SERVER_ERROR or API_VALIDATION_ERROR).
 */
export function renderPlatformFault(answer: FaultAnswer): StoredResponse {
  const own = Object.entries(PLATFORM_ERROR_CODES).find(([, c]) => c.status === answer.status)?.[0];
  const code = answer.code ?? own ?? (answer.status >= 500 ? 'SERVER_ERROR' : 'API_VALIDATION_ERROR');
  const headers = { 'content-type': 'application/json; charset=utf-8', ...answer.headers };
  return { status: answer.status, headers, body: JSON.stringify({ error_code: code, message: answer.message }), resourceId: null };
}

export const PlatformError = Type.Object(
  {
    error_code: Type.String({ description: 'One of the codes listed for this status.', examples: ['API_VALIDATION_ERROR'] }),
    message: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), { description: 'On validation failures: each offending field.' })),
  },
  { description: "Xendit's error body." },
);

export const PLATFORM_OPENAPI_FAILURES: OpenApiFailures = {
  mediaType: 'application/json',
  schemaName: 'XenditError',
  schema: PlatformError,
  // 401 missing or unknown key, 403 publishable or revoked key, 429 the key's rate limit.
  authentication: [401, 403, 429],
  describe(status) {
    const codes = Object.entries(PLATFORM_ERROR_CODES).filter(([, c]) => c.status === status);
    if (codes.length === 0) throw new Error(`the platform surface has no error code with HTTP ${status}`);
    return codes.map(([code, c]) => `\`${code}\`: ${c.meaning}`).join('\n\n');
  },
};
