import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext, Scope } from '../ledger/model.js';
import type { CommandOutput } from '../ledger/pipeline.js';
import type { Repositories } from '../store/ports.js';
import { sendExecution } from '../http/idempotency.js';
import type { AppServices } from '../http/services.js';
import { jsonResponse } from '../http/surface.js';
import { renderAdminFailure } from './errors.js';

/**
 * An operator's change to a tenant's object, through the ledger's write pipeline as a surface's
 * own would go: one transaction with its events (the outbox worker wakes on its commit), actor
 * `admin`, no idempotency key; the command's value is the 200 answer, a failure the admin API's.
 */
export async function runOperatorCommand<T>(
  services: AppServices,
  request: FastifyRequest,
  reply: FastifyReply,
  scope: Scope,
  resourceId: string,
  command: (tx: Repositories, ctx: CommandContext) => Promise<CommandOutput<T>>,
): Promise<FastifyReply> {
  const ctx: CommandContext = { scope, actor: 'admin', requestId: request.id, idempotencyKey: null, now: await services.clocks.nowFor(scope) };
  const execution = await services.commands.run(
    ctx,
    command,
    (outcome) => (outcome.ok ? jsonResponse(200, outcome.value, resourceId) : renderAdminFailure(outcome.error, request)),
  );
  return sendExecution(reply, execution);
}
