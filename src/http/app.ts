import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import { consoleSurface } from '../admin/console/surface.js';
import { adminSurface } from '../admin/surface.js';
import { testingSurface } from '../testing/surface.js';
import { surfacesOfVendors } from '../surfaces/vendor-module.js';
import type { Socket } from 'node:net';
import { answerClientError } from './client-errors.js';
import { registerPublicOrigin } from './public-origin.js';
import { TrustedProxies } from './trusted-proxies.js';
import { registerErrorDocs } from './error-docs.js';
import { HttpFailure, toFailure } from './failures.js';
import { sendExecution } from './idempotency.js';
import { registerHealth } from './health.js';
import { registerJsonBodyParser } from './json-body.js';
import { registerMetrics } from './metrics.js';
import { NEUTRAL_PROBLEMS, renderNeutralFailure } from './neutral-problems.js';
import { registerOpenApi } from './openapi.js';
import { requestIdOf } from './request-id.js';
import type { AppServices } from './services.js';
import { assertDistinctRoots, registerSurface, renderSurfaceFailure, surfaceAt, type SurfaceDefinition } from './surface.js';
import { describeValidation, validatorCompiler } from './validation.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;
/** node's default limit on a request's head (--max-http-header-size), and so on its request line. */
const MAX_REQUEST_LINE_BYTES = 16 * 1024;

export interface AppOptions {
  /** pino level; tests pass 'silent'. */
  logLevel?: string;
  /** Served after the built-in surfaces (a test's own surface, next to the real ones). */
  extraSurfaces?: readonly SurfaceDefinition[];
}

/** Every surface this process serves: the vendors' (services.vendors), then the operator's. */
function surfacesOf(services: AppServices): SurfaceDefinition[] {
  return [
    ...surfacesOfVendors(services.vendors),
    // The stand-in's control plane: test-mode data only, so on wherever the surfaces are.
    testingSurface,
    // Without SUBLEDGER_ADMIN_TOKEN the admin API and its console do not exist: every /admin
    // and /console path is a plain 404.
    ...(services.config.adminToken ? [adminSurface, consoleSurface] : []),
  ];
}

/** The whole HTTP service: cross-cutting plumbing, then each surface, one plugin per path root. */
export async function buildApp(services: AppServices, options: AppOptions = {}): Promise<FastifyInstance> {
  const surfaces = [...surfacesOf(services), ...(options.extraSurfaces ?? [])];
  assertDistinctRoots(surfaces);
  const requestTimeout = services.config.requestTimeoutMs;
  const proxies = new TrustedProxies(services.config.trustProxy);
  let publicOriginOfSocket: (socket: Socket | undefined) => string = () => 'http://127.0.0.1';
  const app = Fastify({
    // SPEC §9 "slow clients are cut off": headers and body must have arrived within the
    // request timeout, else node answers 408 (clientErrorHandler below) and closes. node
    // checks its connections every connectionsCheckingInterval (30 s by default): checking at
    // a quarter of the limit (at most each second) closes a slow client within a second of it.
    requestTimeout,
    http: { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(requestTimeout / 4))) },
    // X-Forwarded-For, -Proto and -Host count only when the socket's peer is a proxy that
    // SUBLEDGER_TRUST_PROXY names: request.ip is then the client's address, else the peer's.
    trustProxy: proxies.any ? (address: string) => proxies.trusts(address) : false,
    logger: { level: options.logLevel ?? services.config.logLevel },
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    // One line per request, written when it is answered (below), instead of fastify's two.
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
    genReqId: requestIdOf,
    return503OnClosing: true,
    // Path parameters as long as a request line can be reach their route, whose schema bounds
    // them (fastify's default of 100 would call a valid 255-character external reference malformed).
    routerOptions: { maxParamLength: MAX_REQUEST_LINE_BYTES },
    // A URL fastify cannot decode never reaches a route: answer it in the shape of the surface
    // whose root it is under, or the neutral one, in our words (never fastify's FST_ERR_ code).
    frameworkErrors: (error, request, reply) => {
      const failure =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new HttpFailure('route_not_found', 'nothing is at this path: a segment of it is longer than any id or reference')
          : new HttpFailure('request_invalid', 'the request URL is malformed: it is not valid percent-encoded UTF-8');
      const surface = surfaceAt(surfaces, request.url);
      // The request fastify hands here is not decorated (no publicOrigin): its socket says where it came in.
      const failing = { id: request.id, url: request.url, publicOrigin: (request as { publicOrigin?: string }).publicOrigin ?? publicOriginOfSocket(request.raw.socket) };
      const response = surface ? renderSurfaceFailure(surface, failure, failing) : renderNeutralFailure(failure, failing);
      void sendExecution((reply as FastifyReply).header('request-id', request.id), { response, replayed: false });
    },
    // What node cannot parse as a request at all (a body longer than its Content-Length).
    clientErrorHandler: (error, socket) => answerClientError(surfaces, error, socket, publicOriginOfSocket),
  });
  // A webhook may not be pointed at this process's own address and port (SPEC §9): known once it listens.
  services.webhookUrlPolicy.listeningOn(() => {
    const address = app.server.address();
    return address && typeof address === 'object' ? { address: address.address, port: address.port } : null;
  });
  publicOriginOfSocket = registerPublicOrigin(app, services.config, proxies);
  app.setValidatorCompiler(validatorCompiler);
  app.decorateRequest('principal', null);
  app.decorateRequest('idempotent', null);
  // Bodies are JSON only: anything else is 415, not a string the schema then rejects.
  app.removeContentTypeParser('text/plain');
  registerJsonBodyParser(app);
  // Callback hooks, not async ones, on every request's path: a promise per hook per request adds up.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request answered');
    done();
  });

  await registerOpenApi(app, surfaces, services.events);
  registerHealth(app, services.store, services.pendingMigrations);
  registerMetrics(app, services.metrics);
  registerErrorDocs(app, [...surfaces.flatMap((surface) => (surface.problems ? [surface.problems] : [])), NEUTRAL_PROBLEMS]);

  // Requests that wait (the testing API's wait_ms, a fault's delay) end as soon as the server
  // starts closing: preClose runs before the server stops accepting and waits for what is in flight.
  const closing = new AbortController();
  app.addHook('preClose', (done) => {
    closing.abort();
    done();
  });
  for (const surface of surfaces) await registerSurface(app, surface, services, closing.signal);

  // Outside every surface (health, metrics, docs, unknown paths): neutral problem details, so
  // that a bad body is a 4xx here too, in no vendor's dialect.
  app.setNotFoundHandler(async (request) => {
    throw new HttpFailure('route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const failure = toFailure(error, describeValidation);
    if (failure instanceof HttpFailure && failure.code === 'internal') request.log.error({ err: error }, 'request failed');
    return sendExecution(reply, { response: renderNeutralFailure(failure, request), replayed: false });
  });
  return app;
}
