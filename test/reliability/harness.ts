import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { ADMIN_PROBLEMS } from '../../src/admin/errors.js';
import { NEUTRAL_PROBLEMS } from '../../src/http/neutral-problems.js';
import type { ProblemType } from '../../src/http/problem.js';
import { BILLING_PROBLEMS } from '../../src/surfaces/billing/http/errors.js';
import type { ApiResponse } from '../support/http.js';
import { postgresAnswers } from '../support/stores.js';
import { waitFor } from '../support/wait.js';
import { REPO_ROOT } from '../support/repo-root.js';

// Shared by the reliability suite (test/reliability/*.reliability.ts). Not a test file itself:
// neither `npm test` (test/*/*.test.ts) nor `npm run test:reliability` picks it up.

export const ROOT = REPO_ROOT;

// ---------------------------------------------------------------------------------------------
// waitFor: poll a condition instead of sleeping
// ---------------------------------------------------------------------------------------------

export { waitFor };

/** Runs `work` over `items` with at most `limit` at a time; results in input order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

// ---------------------------------------------------------------------------------------------
// A real `subledger serve` process
// ---------------------------------------------------------------------------------------------

export { serviceEnv, ServeProcess, ServeProcesses } from '../support/serve-process.js';

// ---------------------------------------------------------------------------------------------
// Timed HTTP: an answer, a network failure, or no answer in time (a hang)
// ---------------------------------------------------------------------------------------------

export type Outcome =
  | { kind: 'answered'; response: ApiResponse; ms: number }
  | { kind: 'failed'; error: string; ms: number }
  | { kind: 'timeout'; ms: number };

/** One request with a deadline; never throws. */
export async function timedRequest(
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
  timeoutMs: number,
): Promise<Outcome> {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { kind: 'answered', response: { status: response.status, headers: response.headers, body, text }, ms: performance.now() - started };
  } catch (error) {
    const ms = performance.now() - started;
    const name = (error as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'timeout', ms };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { kind: 'failed', error: `${(error as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`, ms };
  }
}

// ---------------------------------------------------------------------------------------------
// The billing / admin error shape (RFC 9457 problem details, SPEC §3)
// ---------------------------------------------------------------------------------------------

const TYPE_URI = /^https?:\/\/[^/\s]+(\/docs\/errors(?:\/admin)?)#([a-z-]+)$/;

/** The documented types of each docs page: billing's and the root's share /docs/errors; the admin API has its own. */
const TYPES_BY_PAGE = new Map<string, Record<string, ProblemType>>();
for (const catalogue of [BILLING_PROBLEMS, NEUTRAL_PROBLEMS, ADMIN_PROBLEMS]) {
  TYPES_BY_PAGE.set(catalogue.docsPath, { ...TYPES_BY_PAGE.get(catalogue.docsPath), ...catalogue.types });
}

function typeOf(response: ApiResponse): { page: string; slug: string } | undefined {
  const type = (response.body as { type?: unknown } | undefined)?.type;
  const match = typeof type === 'string' ? TYPE_URI.exec(type) : null;
  return match ? { page: match[1]!, slug: match[2]! } : undefined;
}

/** The `type` slug of a problem answer (`validation-error`, `not-found`, …), or undefined. */
export function slugOf(response: ApiResponse): string | undefined {
  return typeOf(response)?.slug;
}

/**
 * Whether `response` is a well-formed problem answer; returns what is wrong, or [] when it is.
 * `path`: the request path as sent (its `instance`).
 */
export function problemShapeViolations(response: ApiResponse, path?: string): string[] {
  const wrong: string[] = [];
  const contentType = response.headers.get('content-type') ?? '';
  if (!/^application\/problem\+json\b/.test(contentType)) wrong.push(`content-type is '${contentType}', not application/problem+json`);
  const body = response.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [...wrong, `body is not a JSON object: ${response.text.slice(0, 300)}`];
  const type = typeOf(response);
  if (!type) wrong.push(`type ${JSON.stringify(body.type)} is not <base>/docs/errors[/admin]#<slug>`);
  else {
    const { page, slug } = type;
    const known = TYPES_BY_PAGE.get(page)?.[slug];
    if (!known) wrong.push(`type slug '${slug}' is not a documented error type`);
    else if (known.status !== response.status) wrong.push(`type slug '${slug}' is documented as ${known.status}, answered ${response.status}`);
  }
  if (typeof body.title !== 'string' || body.title.length === 0) wrong.push('title is not a non-empty string');
  if (body.status !== response.status) wrong.push(`status ${JSON.stringify(body.status)} differs from the HTTP status ${response.status}`);
  if (typeof body.detail !== 'string' || body.detail.length === 0) wrong.push('detail is not a non-empty string');
  if (typeof body.instance !== 'string' || !body.instance.startsWith('/')) wrong.push(`instance ${JSON.stringify(body.instance)} is not a path`);
  else if (path !== undefined && body.instance !== path) wrong.push(`instance '${body.instance}' is not the request path '${path}'`);
  if (typeof body.request_id !== 'string' || body.request_id.length === 0) wrong.push('request_id is not a non-empty string');
  else if (response.headers.get('request-id') !== body.request_id) wrong.push(`request_id '${body.request_id}' differs from the Request-Id header '${response.headers.get('request-id')}'`);
  if (body.errors !== undefined) {
    const errors = body.errors;
    if (!Array.isArray(errors) || errors.some((e) => !e || typeof e.param !== 'string' || typeof e.message !== 'string')) {
      wrong.push(`errors is not an array of { param, message }: ${JSON.stringify(errors).slice(0, 300)}`);
    }
  }
  if (/\n\s+at |node_modules/.test(response.text)) wrong.push('the body contains a stack trace');
  return wrong;
}

/** Asserts a problem answer with the given status and `type` slug. */
export function assertProblem(response: ApiResponse, status: number, slug: string, path?: string): void {
  assert.equal(response.status, status, `expected ${status} ${slug}, got ${response.status}: ${response.text.slice(0, 500)}`);
  assert.deepEqual(problemShapeViolations(response, path), [], response.text.slice(0, 500));
  assert.equal(slugOf(response), slug, response.text.slice(0, 500));
}

// ---------------------------------------------------------------------------------------------
// The local PostgreSQL cluster
// ---------------------------------------------------------------------------------------------

const run = promisify(execFile);

function clusterVersion(): string {
  const versions = readdirSync('/etc/postgresql');
  assert.equal(versions.length, 1, `expected one PostgreSQL version in /etc/postgresql, found ${versions.join(', ')}`);
  return versions[0]!;
}

/** `pg_ctlcluster <version> main <action>` (stop is a fast shutdown: clients are disconnected). */
export async function pgCluster(action: 'start' | 'stop'): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', clusterVersion(), 'main', action], { timeout: 60_000 });
}

export { postgresAnswers };

/** Starts the cluster if it does not answer, then waits until it accepts connections. */
export async function ensurePostgresUp(timeoutMs = 60_000): Promise<void> {
  if (await postgresAnswers()) return;
  try {
    await pgCluster('start');
  } catch (error) {
    // "already running" while it is still starting up: waiting below settles it.
    if (!/already running/i.test(String((error as { stderr?: string }).stderr ?? error))) throw error;
  }
  await waitFor(postgresAnswers, timeoutMs, 'PostgreSQL to accept connections', 100);
}
