import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import { adminApi } from '../admin/routes.js';
import { billingSurface } from '../surfaces/billing/routes.js';
import { registerErrorDocs } from './error-docs.js';
import { renderBillingFailure } from '../surfaces/billing/errors.js';
import { HttpFailure, toFailure } from './failures.js';
import { sendExecution } from './idempotency.js';
import { registerHealth } from './health.js';
import { registerJsonBodyParser } from './json-body.js';
import { registerMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { PROBLEM_CONTENT_TYPE, problemOf } from './problem.js';
import { requestIdOf } from './request-id.js';
import type { AppServices } from './services.js';
import { describeValidation, validatorCompiler } from './validation.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppOptions {
  /** pino level; tests pass 'silent'. */
  logLevel?: string;
}

/** The whole HTTP service: cross-cutting plumbing, then each surface as its own plugin. */
export async function buildApp(services: AppServices, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: options.logLevel ?? services.config.logLevel },
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    genReqId: requestIdOf,
    return503OnClosing: true,
    // A URL fastify cannot decode never reaches a route; answer it in problem details too.
    frameworkErrors: (error, request, reply) => {
      const body = problemOf(request, { slug: 'validation-error', title: 'Validation error', status: 400, detail: `the request URL is malformed (${error.code})` });
      void (reply as FastifyReply).code(400).header('request-id', request.id).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.decorateRequest('principal', null);
  app.decorateRequest('idempotent', null);
  // Bodies are JSON only: anything else is 415, not a string the schema then rejects.
  app.removeContentTypeParser('text/plain');
  registerJsonBodyParser(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('request-id', request.id);
  });

  await registerOpenApi(app);
  registerHealth(app, services.store, services.pendingMigrations);
  registerMetrics(app, services.metrics);
  registerErrorDocs(app);

  await app.register(billingSurface, { prefix: '/billing', services });
  // Without SUBLEDGER_ADMIN_TOKEN the admin API does not exist: every /admin path is a plain 404.
  if (services.config.adminToken) await app.register(adminApi, { prefix: '/admin/v1', services, adminToken: services.config.adminToken });

  // Outside every surface (health, metrics, docs, unknown paths): the same problem-details
  // table as the billing surface and the admin API, so a bad body is a 4xx here too.
  app.setNotFoundHandler(async (request) => {
    throw new HttpFailure('route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
  });
  app.setErrorHandler(async (error, request, reply) => {
    const failure = toFailure(error, describeValidation);
    if (failure instanceof HttpFailure && failure.code === 'internal') request.log.error({ err: error }, 'request failed');
    return sendExecution(reply, { response: renderBillingFailure(failure, request), replayed: false });
  });
  return app;
}
