import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { HttpFailure } from '../../http/failures.js';
import { OPEN_ROUTE_BODY } from '../../http/open-routes.js';
import { Unauthenticated } from '../../ledger/errors.js';
import { clientAddressOf } from '../auth-throttle.js';
import type { SurfaceApp, SurfaceKit } from '../../http/surface.js';
import { authorizedSessionOf, clearedSessionCookie, presentSession, sessionCookie, sessionOf, signIn, signOut } from './session.js';

// The operator console (issue 14): the React app `npm run build` bundles into dist/console
// (console/vite.config.ts), served by this process, and the sign-in session it runs on. Its
// data comes from the admin API (/admin/v1), called with the session cookie.

/** dist/console, from src/admin/console (tsx) and dist/admin/console (built) alike. */
const ASSETS_DIR = fileURLToPath(new URL('../../../dist/console/', import.meta.url));
const OPEN = { auth: false } as const;
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;
/** The page may load only what this process serves; nothing from a CDN, no framing. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};
const SignInBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 4096, description: 'The value of SUBLEDGER_ADMIN_TOKEN' }) }, { additionalProperties: false });
const SessionJson = Type.Object({ csrf_token: Type.String(), expires_at: Type.String({ format: 'date-time' }) });

let indexHtml: Promise<string> | undefined;
/** The app's one HTML page (read once; a missing build is said plainly, not as a 500). */
function appPage(): Promise<string> {
  indexHtml ??= readFile(`${ASSETS_DIR}index.html`, 'utf8').catch((error: unknown) => {
    indexHtml = undefined;
    throw new HttpFailure('unavailable', `the console is not built (${ASSETS_DIR}index.html: ${(error as Error).message}): run npm run build`);
  });
  return indexHtml;
}

async function sendAppPage(reply: FastifyReply): Promise<FastifyReply> {
  return reply.headers(PAGE_HEADERS).send(await appPage());
}

/** A page for signed-in operators only: anyone else is sent to sign in, and brought back after. */
async function sendSignedInPage(services: SurfaceKit['services'], request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (!(await sessionOf(services.store, request, new Date()))) {
    return reply.header('cache-control', 'no-store').redirect(`/console/sign-in?next=${encodeURIComponent(request.url)}`, 303);
  }
  return sendAppPage(reply);
}

export function registerConsoleRoutes(app: SurfaceApp, { services }: SurfaceKit): void {
  const { store } = services;
  const adminToken = services.config.adminToken!;
  // Only reply.sendFile: the asset route below is ours, so it is open and answers errors in our shape.
  void app.register(fastifyStatic, { root: ASSETS_DIR, serve: false });

  // Guessing is throttled (SPEC §9): a throttled address gets 429 from every console route that
  // signs in or reads the session, before its body or cookie is looked at (assets hold no data).
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/console/assets/')) await services.authThrottle.check(clientAddressOf(request));
  });

  const hidden = { hide: true };
  app.post('/api/session', { ...OPEN_ROUTE_BODY, config: OPEN, schema: { ...hidden, body: SignInBody, response: { 200: SessionJson } } }, async (request, reply) => {
    const { session, cookieValue } = await signIn(store, request, request.body.token, adminToken, new Date()).catch(async (error: unknown) => {
      if (error instanceof Unauthenticated) await services.authThrottle.recordFailure(clientAddressOf(request));
      throw error;
    });
    reply.header('set-cookie', sessionCookie(request, cookieValue)).header('cache-control', 'no-store');
    return presentSession(session);
  });

  app.get('/api/session', { config: OPEN, schema: { ...hidden, response: { 200: SessionJson } } }, async (request, reply) => {
    const session = await authorizedSessionOf(store, request, new Date());
    reply.header('cache-control', 'no-store');
    return presentSession(session);
  });

  app.delete('/api/session', { ...OPEN_ROUTE_BODY, config: OPEN, schema: hidden }, async (request, reply) => {
    await authorizedSessionOf(store, request, new Date());
    await signOut(store, request);
    return reply.code(204).header('set-cookie', clearedSessionCookie(request)).send();
  });

  // Open: scripts and styles hold no data (every datum comes from the admin API, which asks
  // for the session). Their names carry a content hash, so they may be cached for good.
  app.get('/assets/*', { config: OPEN, schema: hidden }, async (request, reply) => {
    const file = (request.params as { '*': string })['*'];
    // Built file names only: nothing outside assets/ (no '..', no hidden files) is ever looked up.
    if (!ASSET_NAME.test(file)) throw new HttpFailure('route_not_found', `no console asset ${file.slice(0, 100)}`);
    return reply.sendFile(`assets/${file}`, { maxAge: '365d', immutable: true });
  });

  app.get('/sign-in', { config: OPEN, schema: hidden }, (_request, reply) => sendAppPage(reply));

  // Every other path is one of the app's pages (its router draws it), for signed-in operators.
  for (const url of ['/', '/*']) {
    app.get(url, { config: OPEN, schema: hidden }, async (request, reply) => {
      if (request.url.startsWith('/console/api/')) throw new HttpFailure('route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
      return sendSignedInPage(services, request, reply);
    });
  }
}
