import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { BILLING_ERROR_TYPES } from '../../src/surfaces/billing/errors.js';
import type { ApiResponse } from '../support/http.js';
import { waitFor } from '../support/wait.js';

// Shared by the reliability suite (test/reliability/*.reliability.ts). Not a test file itself:
// neither `npm test` (test/*/*.test.ts) nor `npm run test:reliability` picks it up.

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVE = ['--import', 'tsx', 'src/cli/main.ts', 'serve'];

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

/** Service variables are cleared from the inherited environment so each process gets only its own. */
export function serviceEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(SUBLEDGER_|SMTP_URL$|PORT$|HOST$|DATABASE_URL$|LOG_LEVEL$)/.test(name)) delete env[name];
  }
  return { ...env, PORT: '0', SUBLEDGER_RATE_LIMIT: '0', LOG_LEVEL: 'warn', ...overrides };
}

export class ServeProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  exited = false;
  private readonly exit: Promise<[number | null, NodeJS.Signals | null]>;

  constructor(
    readonly name: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, SERVE, { cwd: ROOT, env: serviceEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.exit = once(this.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.child.on('exit', () => (this.exited = true));
  }

  /** Resolves once stdout matches `pattern`; fails if the process exits first. */
  output(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    return waitFor(
      () => {
        const match = this.stdout.match(pattern);
        if (!match && this.exited) throw new Error(`${this.name} exited before printing ${pattern}\nstderr: ${this.stderr.slice(-2000)}`);
        return match;
      },
      timeoutMs,
      () => `${this.name} to print ${pattern}\nstdout: ${this.stdout.slice(-2000)}\nstderr: ${this.stderr.slice(-2000)}`,
    );
  }

  /** The base URL, once the docs line says the server listens. */
  async ready(): Promise<string> {
    const [, base] = await this.output(/API docs: (http:\/\/127\.0\.0\.1:\d+)\/docs\b/);
    return base!;
  }

  /** The default tenant's id and test secret key, printed on a fresh database. */
  async defaultTenant(): Promise<{ tenantId: string; secret: string }> {
    const [, tenantId] = await this.output(/Created tenant "default" \((ten_[0-9A-Za-z]+)\)/);
    const [secret] = await this.output(/\bsk_test_[0-9A-Za-z]{32}\b/);
    return { tenantId: tenantId!, secret: secret! };
  }

  /** A crash: SIGKILL, no graceful shutdown; resolves with the signal that ended the process. */
  async sigkill(): Promise<NodeJS.Signals | null> {
    if (!this.exited) this.child.kill('SIGKILL');
    const [, signal] = await this.exit;
    return signal;
  }

  /** SIGTERM (graceful), then the exit code. */
  async terminate(): Promise<number | null> {
    if (!this.exited) this.child.kill('SIGTERM');
    const [code] = await this.exit;
    return code;
  }
}

/** Every process a file spawned, so that its `after` can SIGKILL whatever a failed test left running. */
export class ServeProcesses {
  private readonly all: ServeProcess[] = [];

  start(name: string, env: Record<string, string>): ServeProcess {
    const serve = new ServeProcess(name, env);
    this.all.push(serve);
    return serve;
  }

  async killAll(): Promise<void> {
    for (const serve of this.all) await serve.sigkill();
  }
}

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

const TYPE_URI = /^https?:\/\/[^/\s]+\/docs\/errors#([a-z-]+)$/;

/** The `type` slug of a problem answer (`validation-error`, `not-found`, …), or undefined. */
export function slugOf(response: ApiResponse): string | undefined {
  const type = (response.body as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? TYPE_URI.exec(type)?.[1] : undefined;
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
  const slug = slugOf(response);
  if (!slug) wrong.push(`type ${JSON.stringify(body.type)} is not <base>/docs/errors#<slug>`);
  else {
    const known = BILLING_ERROR_TYPES[slug as keyof typeof BILLING_ERROR_TYPES];
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

const PG_ADMIN_URL = process.env.DATABASE_URL_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
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

/** Whether PostgreSQL accepts a connection and answers a query now. */
export async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

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
