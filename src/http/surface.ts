import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { nowIso } from '../core/clock.js';
import type { EventCatalog } from '../core/events.js';
import type { CommandOutcome, IdempotentRequest } from '../core/ledger-service.js';
import type { CommandContext } from '../core/model.js';
import type { Repositories, StoredResponse } from '../core/ports.js';
import type { Principal } from './auth.js';
import { HttpFailure, toFailure, type Failure } from './failures.js';
import { idempotentRequestOf, sendExecution } from './idempotency.js';
import { textProblem } from './json-body.js';
import { trackMethodsPerPath } from './method-not-allowed.js';
import { rateLimitHeaders } from './rate-limit.js';
import type { AppServices } from './services.js';
import { describeValidation } from './validation.js';

/** What makes a vendor surface: how it authenticates, and how it words every failure. */
export interface SurfaceDefinition {
  /** The caller, or null for an operator (admin API). @throws LedgerError (Unauthenticated, PermissionDenied) */
  authenticate(request: FastifyRequest): Promise<Principal | null>;
  /** The vendor's answer for a failure: status, headers (content type) and body. */
  renderFailure(failure: Failure, request: FastifyRequest): StoredResponse;
  /** Request headers that carry an idempotency key, in order of preference. */
  idempotencyHeaders: readonly string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotent: IdempotentRequest | null;
  }
}

/**
 * Installs the cross-cutting behaviour every surface shares, inside the surface's own plugin
 * (so its error handler and 404 apply to its routes only): authentication, rate limit,
 * idempotent replay, the surface's error shape for every failure, 404 and 405.
 * Returns `close()`, to call after the surface's last route.
 */
export interface InstalledSurface {
  /** Adds the 405 routes: call after the surface's last route. */
  close(): void;
  /** Runs a command through the ledger's write pipeline and sends its answer (see runCommand). */
  run<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    command: (tx: Repositories, ctx: CommandContext) => Promise<T>,
    present: (value: T) => StoredResponse,
  ): Promise<void>;
}

export function installSurface(app: FastifyInstance, services: AppServices, surface: SurfaceDefinition): InstalledSurface {
  const methods = trackMethodsPerPath(app);

  app.addHook('onRequest', async (request, reply) => {
    if ((request.routeOptions.config as { methodNotAllowed?: boolean } | undefined)?.methodNotAllowed) return;
    request.principal = await surface.authenticate(request);
    if (request.principal && services.rateLimiter.enabled) {
      const decision = services.rateLimiter.take(request.principal.keyId);
      reply.headers(rateLimitHeaders(decision));
      if (!decision.allowed) {
        throw new HttpFailure('rate_limited', `rate limit of ${decision.limit} requests per minute exceeded`, [], {
          'retry-after': String(decision.resetSeconds),
        });
      }
    }
  });

  // A retry is recognised when its answer would be recorded (LedgerService): a retry whose body
  // fails validation again finds the key's first answer there and replays it.
  app.addHook('preValidation', async (request) => {
    const textual = textProblem(request.params) ?? textProblem(request.query);
    if (textual) throw new HttpFailure('request_invalid', 'the request is invalid', [textual]);
    request.idempotent = request.method === 'GET' ? null : idempotentRequestOf(request, surface.idempotencyHeaders);
  });

  app.setErrorHandler(async (error, request, reply) => {
    const failure = toFailure(error, describeValidation);
    if (failure instanceof HttpFailure && (failure.code === 'internal' || failure.code === 'unavailable')) {
      request.log.error({ err: error }, 'request failed');
    }
    const response = surface.renderFailure(failure, request);
    // A request the schema rejected is still the key's first answer (Moment replays it).
    if (failure instanceof HttpFailure && failure.code === 'request_invalid' && request.idempotent && request.principal) {
      try {
        return sendExecution(reply, await services.ledger.remember(commandContextOf(request, services.events), request.idempotent, response));
      } catch (rememberError) {
        return sendExecution(reply, { response: surface.renderFailure(toFailure(rememberError, describeValidation), request), replayed: false });
      }
    }
    return sendExecution(reply, { response, replayed: false });
  });

  app.setNotFoundHandler(async (request) => {
    throw new HttpFailure('route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
  });

  return {
    close: () => methods.close(),
    run: (request, reply, command, present) => runCommand(request, reply, surface, services, command, present),
  };
}

export function commandContextOf(request: FastifyRequest, events?: EventCatalog): CommandContext {
  const principal = request.principal;
  if (!principal) throw new Error('commandContextOf needs an authenticated request');
  return {
    scope: principal.scope,
    actor: principal.keyId,
    requestId: request.id,
    idempotencyKey: request.idempotent?.key ?? null,
    now: nowIso(),
    events,
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
  command: (tx: Repositories, ctx: CommandContext) => Promise<T>,
  present: (value: T) => StoredResponse,
): Promise<void> {
  const ctx = commandContextOf(request, services.events);
  const render = (outcome: CommandOutcome<T>): StoredResponse =>
    outcome.ok ? present(outcome.value) : surface.renderFailure(outcome.error, request);
  const execution = await services.ledger.execute(ctx, (tx) => command(tx, ctx), render, request.idempotent ?? undefined);
  await sendExecution(reply, execution);
}

/** A JSON answer as stored for replay. */
export function jsonResponse(status: number, body: unknown, resourceId: string | null = null): StoredResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body), resourceId };
}
