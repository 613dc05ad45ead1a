import { ValidationFailed } from '../../../ledger/errors.js';
import type { StoredResponse } from '../../../store/ports.js';
import { HttpFailure, type Failure, type FailureRequest, type HttpFailureCode } from '../../../http/failures.js';
import type { OpenApiFailures } from '../../../http/openapi-operations.js';
import { OAuthError } from './schemas.js';

// The token endpoint answers failures as OAuth 2.0 does (RFC 6749 §5.2): { error, error_description }.

const OF_HTTP_FAILURE: Record<HttpFailureCode, { error: string; status: number }> = {
  request_invalid: { error: 'invalid_request', status: 400 },
  malformed_json: { error: 'invalid_request', status: 400 },
  unsupported_media_type: { error: 'invalid_request', status: 415 },
  payload_too_large: { error: 'invalid_request', status: 413 },
  route_not_found: { error: 'invalid_request', status: 404 },
  method_not_allowed: { error: 'invalid_request', status: 405 },
  rate_limited: { error: 'temporarily_unavailable', status: 429 },
  unavailable: { error: 'temporarily_unavailable', status: 503 },
  internal: { error: 'server_error', status: 500 },
};

/** The field a validation failure names decides the OAuth error: grant_type and scope have their own. */
const ERROR_OF_FIELD: Record<string, string> = { grant_type: 'unsupported_grant_type', scope: 'invalid_scope' };

export const OAUTH_CHALLENGE = 'Basic realm="oauth2"';

/** RFC 6749 §5.2: error_description is printable ASCII without `"` and `\`. */
const describe = (text: string) => text.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, (c) => (c === '"' ? "'" : c === '−' ? '-' : '?'));

function oauthErrorOf(failure: Failure): { error: string; status: number } {
  if (failure instanceof HttpFailure) return OF_HTTP_FAILURE[failure.code];
  switch (failure.code) {
    case 'unauthenticated':
    case 'permission_denied':
      return { error: 'invalid_client', status: 401 };
    case 'validation_failed':
      return { error: ERROR_OF_FIELD[(failure as ValidationFailed).violations[0]?.field ?? ''] ?? 'invalid_request', status: 400 };
    default:
      return { error: 'invalid_request', status: 400 };
  }
}

export function renderOAuthFailure(failure: Failure, request: FailureRequest): StoredResponse {
  const { error, status } = oauthErrorOf(failure);
  const violations = failure instanceof HttpFailure ? failure.violations.map((v) => `${v.param} ${v.message}`) : [];
  const text = failure instanceof HttpFailure && failure.code === 'internal' ? `${failure.message} (request id ${request.id})` : [failure.message, ...violations].join(': ');
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...(failure instanceof HttpFailure ? failure.headers : {}),
    // RFC 6749 §5.2: a 401 invalid_client carries the challenge of the scheme clients may use.
    ...(status === 401 ? { 'www-authenticate': OAUTH_CHALLENGE } : {}),
  };
  return { status, headers, body: JSON.stringify({ error, error_description: describe(text) }), resourceId: null };
}

const MEANINGS: Record<number, string> = {
  400: '`invalid_request` (a parameter is missing, repeated or malformed, or credentials came both ways), `unsupported_grant_type` (only client_credentials) or `invalid_scope` (a role the client does not have).',
  401: '`invalid_client`: unknown client_id, wrong client_secret, or a revoked client.',
  404: '`invalid_request`: no such path.',
  405: '`invalid_request`: the token endpoint takes POST only; see the Allow header.',
  413: '`invalid_request`: the body is larger than 16 KiB (a route that needs no credentials reads no more).',
  415: '`invalid_request`: send application/x-www-form-urlencoded (or JSON).',
  500: '`server_error`: something unexpected failed.',
  503: '`temporarily_unavailable`: the database cannot be reached; retry.',
};

export const OAUTH_OPENAPI_FAILURES: OpenApiFailures = {
  mediaType: 'application/json',
  schemaName: 'OAuthError',
  schema: OAuthError,
  authentication: [],
  describe(status) {
    const meaning = MEANINGS[status];
    if (!meaning) throw new Error(`the token endpoint never answers HTTP ${status}`);
    return meaning;
  },
};
