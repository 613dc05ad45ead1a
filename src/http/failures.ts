import type { FastifyRequest } from 'fastify';
import { LedgerError, StoreUnavailable } from '../ledger/errors.js';

/**
 * What a surface's error renderer may read of the request: enough for a problem's `type` base,
 * `instance` and `request_id`. A connection that never became a request (client-errors.ts)
 * is answered with only this much.
 */
/** What a failure's answer may say of its request: its id, path, and this service's public origin (problem `type` URLs). */
export type FailureRequest = Pick<FastifyRequest, 'id' | 'url' | 'publicOrigin'>;

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

/**
 * An answer the testing API's faults inject in place of a request's own (SPEC §7 "Faults"):
 * the status to answer, the vendor code to carry (null: the surface's own code for that
 * status), the message, and headers such as Retry-After. It is not a Failure: nothing failed,
 * and each vendor surface words it in its own error shape (SurfaceDefinition.renderFault).
 */
export interface FaultAnswer {
  status: number;
  code: string | null;
  message: string;
  headers: Record<string, string>;
}

/** Whatever was thrown, as something every surface knows how to answer. */
export type Failure = LedgerError | HttpFailure;

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  validation?: { keyword: string; instancePath: string; params: Record<string, unknown> }[];
  validationContext?: string;
  message?: string;
}

/**
 * A path parameter longer than its route allows names nothing that can exist: the answer is
 * the one for an unknown id (404), not a validation error (docs/decisions.md, "Errors").
 */
function tooLongPathParameter(e: FastifyLikeError): HttpFailure | undefined {
  if (e.validationContext !== 'params' || !e.validation?.length || !e.validation.every((v) => v.keyword === 'maxLength')) return undefined;
  const { instancePath, params } = e.validation[0]!;
  return new HttpFailure('route_not_found', `nothing is at this path: its ${instancePath.slice(1)} is longer than ${String(params.limit)} characters, and no id or reference is that long`);
}

/**
 * Classifies any thrown value. Fastify's own errors are recognised by their stable `code`
 * (never by message text) and answered in our words, never with that code; the store reports
 * an outage as StoreUnavailable (it alone reads driver codes); unknown errors become `internal`.
 */
export function toFailure(error: unknown, describeValidation: (error: unknown) => WireViolation[]): Failure {
  if (error instanceof LedgerError || error instanceof HttpFailure) return error;
  if (error instanceof StoreUnavailable) return new HttpFailure('unavailable', error.message);
  const e = (error ?? {}) as FastifyLikeError;
  if (e.validation) return tooLongPathParameter(e) ?? new HttpFailure('request_invalid', 'the request is invalid', describeValidation(error));
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpFailure('payload_too_large', 'the request body is larger than this route reads (1 MiB; 16 KiB on routes that need no credentials)');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpFailure('unsupported_media_type', 'the request body must be application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpFailure('request_invalid', 'the request body is not as long as its Content-Length header says');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpFailure('malformed_json', 'the request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpFailure('malformed_json', 'the request body is not valid JSON');
  }
  // Any other error fastify raises about the request itself (a 4xx of its own): the request is at fault, not us.
  if (e.code?.startsWith('FST_ERR_') && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new HttpFailure('request_invalid', 'the request is invalid');
  }
  return new HttpFailure('internal', 'an unexpected error occurred');
}
