import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { EventCatalog } from '../ledger/events.js';
import type { CommandContext } from '../ledger/model.js';
import type { CommandOutput } from '../ledger/pipeline.js';
import type { Repositories, StoredResponse, WebhookEnvelope } from '../store/ports.js';
import type { Principal } from './auth.js';
import { HttpFailure, toFailure, type Failure, type FailureRequest, type FaultAnswer } from './failures.js';
import { idempotentRequestOf, sendExecution, type CommandOutcome, type IdempotentRequest } from './idempotency.js';
import { carryOutFault } from './injected-faults.js';
import { textProblem } from './json-body.js';
import { trackMethodsPerPath } from './method-not-allowed.js';
import type { OpenApiTag, SecurityScheme } from './openapi.js';
import type { OpenApiFailures } from './openapi-operations.js';
import type { ProblemCatalogue } from './problem.js';
import { rateLimitHeaders } from './rate-limit.js';
import type { AppServices } from './services.js';
import { describeValidation } from './validation.js';

/** The fastify instance of one surface root: route schemas are TypeBox, so handlers get typed input. */
export type SurfaceApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** What a surface's routes are handed besides their app. */
export interface SurfaceKit {
  services: AppServices;
  /** Runs a command through the ledger's write pipeline and sends its answer (see runCommand). */
  run<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    command: (tx: Repositories, ctx: CommandContext) => Promise<CommandOutput<T>>,
    present: (value: T) => StoredResponse,
  ): Promise<void>;
  /** Aborted once the server starts closing: a request that waits (the testing API's wait_ms) answers then. */
  closing: AbortSignal;
}

/** Registers the routes under one root; their urls are relative to it ('' is the root path itself). */
export type RegisterRoutes = (app: SurfaceApp, kit: SurfaceKit) => void;

/** What makes a vendor surface: where it lives, how it authenticates, how it words every failure. */
export interface SurfaceDefinition {
  /** For messages about the surface itself ('billing'). */
  name: string;
  /**
   * The surface's routes by path root: a prefix ('/billing', '/v2/accounts') or one exact path
   * ('/oauth2/token', whose routes use url ''). Every request under a root, routed or not
   * (404, 405, 413, 415, malformed JSON, any failure), is answered in this surface's shape.
   */
  routes: Readonly<Record<string, RegisterRoutes>>;
  /**
   * Who the caller is, or null for one that is not a tenant's (an operator). Not called for
   * routes with `config: { auth: false }`. Runs on paths under the root that no route has
   * too (a 404 then), so it says only whether the credentials are good, not what they may do.
   * The principal must follow from the Authorization header alone: a successful one is
   * remembered by that header's text for SUBLEDGER_KEY_CACHE_SECONDS, at most until its
   * `expiresAtMs` (PrincipalCache).
   * @throws LedgerError (Unauthenticated; PermissionDenied for a credential no longer valid, such as a revoked key)
   */
  authenticate(request: FastifyRequest, services: AppServices): Promise<Principal | null>;
  /**
   * Whether the authenticated caller may use the surface's routes at all (billing refuses
   * publishable keys). Not called on a path no route has: that answers 404 to any good caller.
   * @throws PermissionDenied
   */
  authorize?(principal: Principal | null, request: FastifyRequest): void;
  /** The `WWW-Authenticate` challenge every 401 of the surface carries (RFC 9110 §11.6.1): `Bearer realm="billing"`. */
  authenticationChallenge: string;
  /** The vendor's answer for a failure: status, headers (content type) and body. */
  renderFailure(failure: Failure, request: FailureRequest): StoredResponse;
  /**
   * The vendor's error answer for a fault the testing API injects (SPEC §7 "Faults"): the
   * answer's status, `code` in the vendor's code field (its own code for the status when null),
   * the message, and the fault's headers. A surface without it is never faulted (the testing
   * API itself, the admin API, open routes).
   */
  renderFault?(answer: FaultAnswer, request: FailureRequest): StoredResponse;
  /** Request headers that carry an idempotency key, in order of preference. */
  idempotencyHeaders: readonly string[];
  /** OpenAPI security schemes by name: its routes that ask for credentials accept any one of them, unless a route names its own `schema.security`. */
  securitySchemes?: Readonly<Record<string, SecurityScheme>>;
  /** OpenAPI tags: its routes carry them unless a route names its own `schema.tags`. */
  tags?: readonly OpenApiTag[];
  /** How its failures appear in the OpenAPI document: media type, schema, meaning of each status. */
  openApiFailures: OpenApiFailures;
  /** The problem types renderFailure answers with, for their docs page (absent: not problem+json). */
  problems?: ProblemCatalogue;
  /** Claims the domain events of the objects this surface owns: their wire type and JSON. */
  publishEvents?(catalog: EventCatalog): void;
  /** How its events go to webhook endpoints (absent: it publishes none). */
  webhookEnvelope?: WebhookEnvelope;
  /** A JSON Schema of its webhook envelope around an event's `data` schema, for the OpenAPI document's `webhooks`. */
  webhookEnvelopeSchema?(type: string, data: unknown): unknown;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotent: IdempotentRequest | null;
  }
  interface FastifyContextConfig {
    /** false: an open route (a token endpoint, JWKS): no credentials asked, no rate limit by key. */
    auth?: boolean;
    /** Marks the 405 routes method-not-allowed.ts adds. */
    methodNotAllowed?: boolean;
  }
}

/** The surface's answer for a failure, with the challenge a 401 must carry (every answer of a surface goes through here). */
export function renderSurfaceFailure(surface: SurfaceDefinition, failure: Failure, request: FailureRequest): StoredResponse {
  const response = surface.renderFailure(failure, request);
  if (failure.code !== 'unauthenticated') return response;
  return { ...response, headers: { ...response.headers, 'www-authenticate': surface.authenticationChallenge } };
}

/** The roots of a surface, as declared. */
export const rootsOf = (surface: SurfaceDefinition): string[] => Object.keys(surface.routes);

/** The surface whose root `url` is under, if any (the same rule fastify's prefixes follow). */
export function surfaceAt(surfaces: readonly SurfaceDefinition[], url: string): SurfaceDefinition | undefined {
  const path = url.split('?')[0]!;
  return surfaces.find((surface) => rootsOf(surface).some((root) => path === root || path.startsWith(`${root}/`)));
}

/** @throws when a root is malformed or claimed twice (a startup error, not a request's). */
export function assertDistinctRoots(surfaces: readonly SurfaceDefinition[]): void {
  const owners = new Map<string, string>();
  for (const surface of surfaces) {
    for (const root of rootsOf(surface)) {
      if (!/^\/[^?#]*[^/]$/.test(root)) throw new Error(`surface ${surface.name}: root '${root}' must start with '/' and not end with one`);
      const owner = owners.get(root);
      if (owner) throw new Error(`surfaces ${owner} and ${surface.name} both claim the root ${root}`);
      owners.set(root, surface.name);
    }
  }
}

/**
 * Registers a surface: one encapsulated plugin per root (fastify scopes a not-found handler to
 * a prefix, so one plugin cannot own '/v2/accounts' and '/balance'), each with the behaviour
 * every surface shares: authentication, rate limit, idempotency identity, 404, 405, and the
 * surface's error shape for every failure under the root.
 */
export async function registerSurface(app: FastifyInstance, surface: SurfaceDefinition, services: AppServices, closing: AbortSignal): Promise<void> {
  const kit: SurfaceKit = {
    services,
    run: (request, reply, command, present) => runCommand(request, reply, surface, services, command, present),
    closing,
  };
  for (const [root, registerRoutes] of Object.entries(surface.routes)) {
    await app.register(
      async (plugin) => {
        installSharedBehaviour(plugin, surface, services, closing);
        const methods = trackMethodsPerPath(plugin);
        registerRoutes(plugin.withTypeProvider<TypeBoxTypeProvider>(), kit);
        methods.close();
      },
      { prefix: root },
    );
  }
}

function installSharedBehaviour(plugin: FastifyInstance, surface: SurfaceDefinition, services: AppServices, closing: AbortSignal): void {
  // A path under the root that no route has asks for credentials if any route there does: it
  // reveals no more than its neighbours. Under a root of open routes only, it answers 404 to anyone.
  let anyRouteNeedsCredentials = false;
  plugin.addHook('onRoute', (route) => {
    if (route.config?.auth !== false && !route.config?.methodNotAllowed) anyRouteNeedsCredentials = true;
  });

  const principals = services.authenticator.principalsOf(surface.name);
  const authenticated = async (request: FastifyRequest): Promise<Principal | null> => {
    const header = request.headers.authorization;
    const now = Date.now();
    const cached = typeof header === 'string' ? principals.get(header, now) : undefined;
    // A credential that expires does so at its tenant's time: a test clock may have passed it.
    if (cached && (cached.expiresAtMs === undefined || cached.scope.mode !== 'test' || Date.parse(await services.clocks.nowFor(cached.scope)) < cached.expiresAtMs)) return cached;
    const principal = await surface.authenticate(request, services);
    if (principal && typeof header === 'string') principals.set(header, principal, now);
    return principal;
  };

  plugin.addHook('onRequest', async (request, reply) => {
    const { auth, methodNotAllowed } = request.routeOptions.config;
    if (methodNotAllowed || auth === false || (request.is404 && !anyRouteNeedsCredentials)) return;
    request.principal = await authenticated(request);
    if (!request.is404) surface.authorize?.(request.principal, request);
    if (request.principal && services.rateLimiter.enabled) {
      const decision = services.rateLimiter.take(request.principal.actor);
      reply.headers(rateLimitHeaders(decision));
      if (!decision.allowed) {
        throw new HttpFailure('rate_limited', `rate limit of ${decision.limit} requests per minute exceeded`, [], {
          'retry-after': String(decision.resetSeconds),
        });
      }
    }
    // SPEC §7 "Faults": a test-mode request the caller's tenant set a fault for is answered by
    // it once the caller is known, before its body, idempotency key or handler is looked at.
    const renderFault = surface.renderFault;
    if (renderFault && request.principal?.scope.mode === 'test') {
      const fault = await services.faults.take(request.principal.scope.tenantId, request.method, request.url);
      if (fault && (await carryOutFault(fault, request, reply, (answer) => renderFault(answer, request), closing))) return reply;
    }
  });

  // A retry is recognised when its answer would be recorded (IdempotentCommands): a retry whose body
  // fails validation again finds the key's first answer there and replays it.
  plugin.addHook('preValidation', (request, _reply, done) => {
    const textual = textProblem(request.params) ?? textProblem(request.query);
    if (textual) {
      done(new HttpFailure('request_invalid', 'the request is invalid', [textual]));
      return;
    }
    request.idempotent = request.method === 'GET' ? null : idempotentRequestOf(request, surface.idempotencyHeaders);
    done();
  });

  plugin.setErrorHandler(async (error, request, reply) => {
    const failure = toFailure(error, describeValidation);
    if (failure instanceof HttpFailure && (failure.code === 'internal' || failure.code === 'unavailable')) {
      request.log.error({ err: error }, 'request failed');
    }
    const response = renderSurfaceFailure(surface, failure, request);
    // A request the schema rejected is still the key's first answer (Moment replays it).
    if (failure instanceof HttpFailure && failure.code === 'request_invalid' && request.idempotent && request.principal) {
      try {
        return sendExecution(reply, await services.commands.remember(await commandContextOf(request, services), request.idempotent, response));
      } catch (rememberError) {
        return sendExecution(reply, { response: renderSurfaceFailure(surface, toFailure(rememberError, describeValidation), request), replayed: false });
      }
    }
    return sendExecution(reply, { response, replayed: false });
  });

  plugin.setNotFoundHandler(async (request) => {
    throw new HttpFailure('route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
  });
}

/** The context of the request's command: its caller, and the time of the caller's tenant and mode (its test clock in test mode). */
export async function commandContextOf(request: FastifyRequest, services: AppServices): Promise<CommandContext> {
  const principal = request.principal;
  if (!principal) throw new Error('commandContextOf needs an authenticated request');
  return {
    scope: principal.scope,
    actor: principal.actor,
    requestId: request.id,
    idempotencyKey: request.idempotent?.key ?? null,
    now: await services.clocks.nowFor(principal.scope),
  };
}

/**
 * Runs a command through the ledger's write pipeline and sends its answer. `present` renders
 * success; failures are rendered by the surface and, for an idempotent request, stored too.
 */
async function runCommand<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  surface: SurfaceDefinition,
  services: AppServices,
  command: (tx: Repositories, ctx: CommandContext) => Promise<CommandOutput<T>>,
  present: (value: T) => StoredResponse,
): Promise<void> {
  const ctx = await commandContextOf(request, services);
  const render = (outcome: CommandOutcome<T>): StoredResponse =>
    outcome.ok ? present(outcome.value) : renderSurfaceFailure(surface, outcome.error, request);
  const execution = await services.commands.run(ctx, command, render, request.idempotent ?? undefined);
  await sendExecution(reply, execution);
}

/** A JSON answer as stored for replay. */
export function jsonResponse(status: number, body: unknown, resourceId: string | null = null): StoredResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body), resourceId };
}
