import { LedgerError, StoreUnavailable } from '../core/errors.js';

/** A field problem in the wire vocabulary of the request (e.g. `payment_rules.min_amount`). */
export interface WireViolation {
  param: string;
  message: string;
}

/** 'deliveryId' → 'delivery_id': a domain field name as the snake_case JSON APIs spell it. */
export const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

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

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: unknown;
  message?: string;
}

/**
 * Classifies any thrown value. Fastify's own errors are recognised by their stable `code`
 * (never by message text); the store reports an outage as StoreUnavailable (it alone reads
 * driver codes); unknown errors become `internal`.
 */
export function toFailure(error: unknown, describeValidation: (error: unknown) => WireViolation[]): Failure {
  if (error instanceof LedgerError || error instanceof HttpFailure) return error;
  if (error instanceof StoreUnavailable) return new HttpFailure('unavailable', error.message);
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
  return new HttpFailure('internal', 'an unexpected error occurred');
}
