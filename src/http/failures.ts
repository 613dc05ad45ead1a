import { LedgerError } from '../core/errors.js';

/** A field problem in the wire vocabulary of the request (e.g. `payment_rules.min_amount`). */
export interface WireViolation {
  param: string;
  message: string;
}

/** Failures that happen in the HTTP layer, before or around the core. Closed list. */
export type HttpFailureCode =
  | 'request_invalid'
  | 'malformed_json'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export class HttpFailure extends Error {
  constructor(
    readonly code: HttpFailureCode,
    message: string,
    readonly violations: WireViolation[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Whatever was thrown, as something every surface knows how to answer. */
export type Failure = LedgerError | HttpFailure;

// Connection-level errors of pg / node and PostgreSQL's "cannot connect now" / "admin shutdown" states.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006', 'SQLITE_BUSY']);

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: unknown;
  message?: string;
}

/**
 * Classifies any thrown value. Fastify's own errors are recognised by their stable `code`
 * (never by message text); unknown errors become `internal`.
 */
export function toFailure(error: unknown, describeValidation: (error: unknown) => WireViolation[]): Failure {
  if (error instanceof LedgerError || error instanceof HttpFailure) return error;
  const e = (error ?? {}) as FastifyLikeError;
  if (e.validation) return new HttpFailure('request_invalid', 'the request is invalid', describeValidation(error));
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpFailure('payload_too_large', 'the request body is larger than 1 MiB');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpFailure('unsupported_media_type', 'the request body must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpFailure('malformed_json', 'the request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpFailure('malformed_json', 'the request body is not valid JSON');
  }
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return new HttpFailure('unavailable', 'the store is unavailable; retry shortly');
  return new HttpFailure('internal', 'an unexpected error occurred');
}

/**
 * An unexpected error while the store cannot be reached is an outage, not a bug: answer 503 so
 * clients retry. (pg reports a dropped connection without a stable code, so ask the store.)
 */
export async function refineInternalFailure(failure: Failure, storeReachable: () => Promise<boolean>): Promise<Failure> {
  if (!(failure instanceof HttpFailure) || failure.code !== 'internal') return failure;
  return (await storeReachable()) ? failure : new HttpFailure('unavailable', 'the store is unavailable; retry shortly');
}
