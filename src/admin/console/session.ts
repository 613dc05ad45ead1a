import { randomBytes } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyRequest } from 'fastify';
import { hashSecret, secretsEqual } from '../../tenancy/credentials.js';
import { PermissionDenied, Unauthenticated } from '../../ledger/errors.js';
import type { ConsoleSession, Store } from '../../store/ports.js';
import { servedOverTls } from '../../http/public-origin.js';

// The operator console's sign-in: the admin token is exchanged once for a session whose id
// lives only in an HttpOnly, SameSite=Strict cookie (page scripts never see it) and whose hash
// lives in the database (every API node knows it; sign-out ends it everywhere). A request
// that changes something with the cookie must also carry the session's CSRF token in a header,
// which another site can neither read nor send: SameSite already keeps the cookie off
// cross-site requests, the token covers browsers and setups where it does not.

export const SESSION_COOKIE = 'subledger_console';
export const CSRF_HEADER = 'x-csrf-token';
/** How long a sign-in lasts: a working day, then the token is asked again. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SIGN_IN_HINT = 'sign in at /console/sign-in, or send Authorization: Bearer <the value of SUBLEDGER_ADMIN_TOKEN>';

/** 256 random bits, URL-safe: unguessable, and as a cookie value needs no escaping. */
const newSecret = () => randomBytes(32).toString('base64url');

/** The session cookie's value, if the request has one (parsed here, not by a global hook: no other route pays for it). */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string' || !header.includes(SESSION_COOKIE)) return undefined;
  const value = parseCookie(header)[SESSION_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

/** What the console's scripts may know of their session: the CSRF token to send, and its end. */
export const presentSession = (session: ConsoleSession) => ({ csrf_token: session.csrfToken, expires_at: session.expiresAt });

/** Set-Cookie for a new session: Secure when the console is served over TLS (an https SUBLEDGER_PUBLIC_URL, or a trusted proxy's X-Forwarded-Proto). */
export function sessionCookie(request: FastifyRequest, value: string): string {
  return stringifySetCookie({ name: SESSION_COOKIE, value, path: '/', httpOnly: true, sameSite: 'strict', secure: servedOverTls(request), maxAge: SESSION_TTL_MS / 1000 });
}

/** Set-Cookie that removes the session cookie. */
export function clearedSessionCookie(request: FastifyRequest): string {
  return stringifySetCookie({ name: SESSION_COOKIE, value: '', path: '/', httpOnly: true, sameSite: 'strict', secure: servedOverTls(request), maxAge: 0 });
}

/**
 * A cross-origin request carrying the cookie is refused whatever it sends: a page of another
 * origin has no business signing in or changing anything here (login CSRF included). The
 * console's own origin is the service's public one, never the request's Host (public-origin.ts).
 * @throws PermissionDenied
 */
function refuseCrossOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== request.publicOrigin) {
    throw new PermissionDenied(`a request from another origin (${origin.slice(0, 100)}) is refused: the console is served at ${request.publicOrigin}/console`);
  }
}

/**
 * Exchanges the admin token for a new session (and drops expired ones).
 * @throws Unauthenticated for a wrong token, PermissionDenied for a cross-origin request
 */
export async function signIn(store: Store, request: FastifyRequest, token: string, adminToken: string, now: Date): Promise<{ session: ConsoleSession; cookieValue: string }> {
  refuseCrossOrigin(request);
  if (!secretsEqual(token, adminToken)) throw new Unauthenticated('wrong admin token: enter the value of SUBLEDGER_ADMIN_TOKEN');
  const cookieValue = newSecret();
  const session: ConsoleSession = {
    idHash: hashSecret(cookieValue),
    csrfToken: newSecret(),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
  };
  await store.reader.consoleSessions.purgeExpired(session.createdAt);
  await store.reader.consoleSessions.insert(session);
  return { session, cookieValue };
}

/** The request's live session, if its cookie names one. */
export async function sessionOf(store: Store, request: FastifyRequest, now: Date): Promise<ConsoleSession | undefined> {
  const value = sessionCookieOf(request);
  return value === undefined ? undefined : store.reader.consoleSessions.find(hashSecret(value), now.toISOString());
}

/**
 * The request's session, checked as a change needs it: a method other than GET/HEAD/OPTIONS
 * must carry the session's CSRF token and come from the console's own origin.
 * @throws Unauthenticated (no live session), PermissionDenied (CSRF token missing or wrong, another origin)
 */
export async function authorizedSessionOf(store: Store, request: FastifyRequest, now: Date): Promise<ConsoleSession> {
  const session = await sessionOf(store, request, now);
  if (!session) throw new Unauthenticated(`no console session, or it has ended: ${SIGN_IN_HINT}`);
  if (!SAFE_METHODS.has(request.method)) {
    refuseCrossOrigin(request);
    const presented = request.headers[CSRF_HEADER];
    if (typeof presented !== 'string' || !secretsEqual(presented, session.csrfToken)) {
      throw new PermissionDenied(`missing or wrong ${CSRF_HEADER} header: a console session changes something only with the csrf_token that GET /console/api/session answers`);
    }
  }
  return session;
}

/** Ends the request's session (nothing to do without one). */
export async function signOut(store: Store, request: FastifyRequest): Promise<void> {
  const value = sessionCookieOf(request);
  if (value !== undefined) await store.reader.consoleSessions.delete(hashSecret(value));
}
