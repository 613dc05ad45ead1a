import type { ApiResponse } from '../support/http.js';
import { problemShapeViolations, slugOf } from './harness.js';
import { isPlatformPath, xenditCodeOf, xenditShapeViolations } from './xendit-shape.js';

// The failure shapes of every surface: billing's and admin's problem+json, the platform's Xendit
// JSON, the org surface's gRPC JSON transcoding under /v1 and OAuth 2.0 error JSON on the token
// endpoint and JWKS. The suites check a failure in the shape of the surface whose path it answers.

/** HTTP statuses each gRPC code may answer with (SPEC §5; 405, 413 and 415 where HTTP is more exact). */
const STATUSES_OF_CODE: Record<number, number[]> = { 3: [400, 413, 415], 5: [404], 6: [409], 7: [403], 8: [429], 9: [400], 10: [409], 12: [405], 13: [500], 14: [503], 16: [401] };
const OAUTH_ERRORS = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'server_error', 'temporarily_unavailable'];

export type FailureShape = 'problem' | 'xendit' | 'rpc' | 'oauth';

/** The shape failures at `path` come in. */
export function failureShapeAt(path: string): FailureShape {
  if (isPlatformPath(path)) return 'xendit';
  if (path === '/v1' || path.startsWith('/v1/')) return 'rpc';
  if (path === '/oauth2/token' || path.startsWith('/oauth2/token/') || path === '/.well-known/jwks.json' || path.startsWith('/.well-known/jwks.json/')) return 'oauth';
  return 'problem';
}

function jsonObjectOf(response: ApiResponse, wrong: string[]): Record<string, unknown> | undefined {
  const contentType = response.headers.get('content-type') ?? '';
  if (!/^application\/json\b/.test(contentType)) wrong.push(`content-type is '${contentType}', not application/json`);
  if (/\n\s+at |node_modules/.test(response.text)) wrong.push('the body contains a stack trace');
  const body = response.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    wrong.push(`body is not a JSON object: ${response.text.slice(0, 300)}`);
    return undefined;
  }
  return body;
}

/** google.rpc.Status `{ code, message, details }`, BadRequest details well-formed. */
export function rpcStatusViolations(response: ApiResponse): string[] {
  const wrong: string[] = [];
  const body = jsonObjectOf(response, wrong);
  if (!body) return wrong;
  const statuses = STATUSES_OF_CODE[body.code as number];
  if (!statuses) wrong.push(`code ${JSON.stringify(body.code)} is not a gRPC code the surface answers`);
  else if (!statuses.includes(response.status)) wrong.push(`code ${String(body.code)} answered with HTTP ${response.status}`);
  if (typeof body.message !== 'string' || body.message.length === 0) wrong.push('message is not a non-empty string');
  const details = body.details;
  if (!Array.isArray(details)) wrong.push('details is not an array');
  else {
    for (const detail of details as Record<string, unknown>[]) {
      if (typeof detail?.['@type'] !== 'string') wrong.push(`a detail without @type: ${JSON.stringify(detail).slice(0, 200)}`);
      const violations = detail?.fieldViolations;
      if (violations !== undefined && (!Array.isArray(violations) || violations.some((v: Record<string, unknown>) => typeof v?.field !== 'string' || typeof v?.description !== 'string'))) {
        wrong.push(`fieldViolations is not an array of { field, description }: ${JSON.stringify(violations).slice(0, 300)}`);
      }
    }
  }
  return wrong;
}

/** OAuth 2.0 error JSON (RFC 6749 §5.2). */
export function oauthErrorViolations(response: ApiResponse): string[] {
  const wrong: string[] = [];
  const body = jsonObjectOf(response, wrong);
  if (!body) return wrong;
  if (!OAUTH_ERRORS.includes(body.error as string)) wrong.push(`error ${JSON.stringify(body.error)} is not an OAuth 2.0 error code`);
  if (typeof body.error_description !== 'string' || !/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/.test(body.error_description)) wrong.push('error_description is not printable ASCII without " and \\');
  if (response.status === 401 && !response.headers.get('www-authenticate')) wrong.push('a 401 without WWW-Authenticate');
  return wrong;
}

/** What is wrong with a failure answered at `path`, in the shape of its surface. */
export function failureShapeViolations(response: ApiResponse, path: string): string[] {
  const shape = failureShapeAt(path);
  if (shape === 'xendit') return xenditShapeViolations(response);
  if (shape === 'rpc') return rpcStatusViolations(response);
  if (shape === 'oauth') return oauthErrorViolations(response);
  return problemShapeViolations(response, path);
}

/** Whether the answer is the surface's 405 (with Allow). */
export function isMethodNotAllowed(response: ApiResponse, path: string): boolean {
  if (response.status !== 405 || !response.headers.get('allow')) return false;
  const shape = failureShapeAt(path);
  const body = response.body as Record<string, unknown> | undefined;
  if (shape === 'xendit') return xenditCodeOf(response) === 'METHOD_NOT_ALLOWED';
  if (shape === 'rpc') return body?.code === 12;
  if (shape === 'oauth') return body?.error === 'invalid_request';
  return slugOf(response) === 'method-not-allowed';
}

/** Whether the answer is the surface's 404. */
export function isNotFound(response: ApiResponse, path: string): boolean {
  if (response.status !== 404) return false;
  const shape = failureShapeAt(path);
  const body = response.body as Record<string, unknown> | undefined;
  if (shape === 'xendit') return xenditCodeOf(response) === 'DATA_NOT_FOUND';
  if (shape === 'rpc') return body?.code === 5;
  if (shape === 'oauth') return body?.error === 'invalid_request';
  return slugOf(response) === 'not-found';
}
