import type { ApiResponse } from '../support/http.js';
import { PLATFORM_ERROR_CODES } from '../../src/surfaces/platform/http/errors.js';

/** The platform surface's path roots (its failures are Xendit's JSON, not problem+json). */
export const isPlatformPath = (path: string): boolean => ['/v2/accounts', '/balance', '/transfers', '/transactions'].some((root) => path === root || path.startsWith(`${root}/`));

/** Whether `response` is a well-formed Xendit error `{ error_code, message, errors? }`; returns what is wrong. */
export function xenditShapeViolations(response: ApiResponse): string[] {
  const wrong: string[] = [];
  const contentType = response.headers.get('content-type') ?? '';
  if (!/^application\/json\b/.test(contentType)) wrong.push(`content-type is '${contentType}', not application/json`);
  const body = response.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [...wrong, `body is not a JSON object: ${response.text.slice(0, 300)}`];
  const known = PLATFORM_ERROR_CODES[body.error_code as keyof typeof PLATFORM_ERROR_CODES] as { status: number } | undefined;
  if (!known) wrong.push(`error_code ${JSON.stringify(body.error_code)} is not a documented code`);
  else if (known.status !== response.status) wrong.push(`error_code ${String(body.error_code)} is documented as ${known.status}, answered ${response.status}`);
  if (typeof body.message !== 'string' || body.message.length === 0) wrong.push('message is not a non-empty string');
  if (body.errors !== undefined && (!Array.isArray(body.errors) || body.errors.some((e: { path?: unknown; message?: unknown }) => !e || typeof e.path !== 'string' || typeof e.message !== 'string'))) {
    wrong.push(`errors is not an array of { path, message }: ${JSON.stringify(body.errors).slice(0, 300)}`);
  }
  if (/\n\s+at |node_modules/.test(response.text)) wrong.push('the body contains a stack trace');
  return wrong;
}

/** The error_code of a Xendit error body. */
export const xenditCodeOf = (response: ApiResponse): unknown => (response.body as { error_code?: unknown } | undefined)?.error_code;
