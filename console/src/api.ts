import { currentPath, navigate, SIGN_IN_PATH } from './router';
import type { Problem, Session } from './types';

// Every call the console makes: same-origin only, with the session cookie (never an
// Authorization header). A change also carries the session's CSRF token, which lives only
// in this module's memory. A 401 from any data call means the session has ended: sign in again.

let csrfToken: string | null = null;

/** A failed call, with the server's problem+json (or one made up from the status). */
export class ApiFailure extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.title ?? `request failed (${status})`);
    this.status = status;
    this.problem = problem;
  }
}

/** The text to show for a failure: the problem's detail, and each invalid parameter. */
export function failureText(error: unknown): string {
  if (!(error instanceof ApiFailure)) return error instanceof Error ? error.message : String(error);
  const params = (error.problem.errors ?? []).map((e) => `${e.param}: ${e.message}`);
  return [error.message, ...params].join('; ');
}

/** The sign-in page, coming back here after. */
export function signInPathFor(next: string): string {
  return `${SIGN_IN_PATH}?next=${encodeURIComponent(next)}`;
}

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') return parsed as Problem;
  } catch {
    // not JSON: say the status instead
  }
  return { status: response.status, title: response.statusText, detail: `${response.status} ${response.statusText}`.trim() };
}

interface SendOptions {
  /** On 401, go to the sign-in page (every data call; not the sign-in call itself). */
  signInOn401?: boolean;
}

async function send<T>(method: string, path: string, body: unknown, { signInOn401 = true }: SendOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const failure = new ApiFailure(response.status, await problemOf(response));
    if (response.status === 401 && signInOn401) {
      csrfToken = null;
      navigate(signInPathFor(currentPath()), { replace: true });
    }
    throw failure;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string) => send<T>('GET', path, undefined),
  post: <T>(path: string, body?: unknown) => send<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => send<T>('PUT', path, body),
  delete: <T>(path: string) => send<T>('DELETE', path, undefined),
};

/** The current session (and its CSRF token, kept), or null when signed out. */
export async function loadSession(): Promise<Session | null> {
  try {
    const session = await send<Session>('GET', '/console/api/session', undefined, { signInOn401: false });
    csrfToken = session.csrf_token;
    return session;
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) return null;
    throw error;
  }
}

/** Exchanges the admin token for a session. @throws ApiFailure (401 for a wrong token) */
export async function signIn(token: string): Promise<Session> {
  const session = await send<Session>('POST', '/console/api/session', { token }, { signInOn401: false });
  csrfToken = session.csrf_token;
  return session;
}

export async function signOut(): Promise<void> {
  try {
    await send<void>('DELETE', '/console/api/session', undefined, { signInOn401: false });
  } finally {
    csrfToken = null;
  }
}

/** A path with its query, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** `/admin/v1/tenants/<t>` and below, each segment escaped. */
export function adminPath(...segments: string[]): string {
  return `/admin/v1/${segments.map(encodeURIComponent).join('/')}`;
}
