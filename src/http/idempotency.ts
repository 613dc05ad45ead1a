import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Execution, IdempotentRequest } from '../ledger/pipeline.js';
import { stableJson } from '../ledger/stable-json.js';

/** SPEC §2: 1–255 characters of `[a-zA-Z0-9-]`. */
export const IDEMPOTENCY_KEY_PATTERN = '^[a-zA-Z0-9-]{1,255}$';
const IDEMPOTENCY_KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

/**
 * The request's idempotency identity, or null when it carries no well-formed key (a malformed
 * key is the schema's business). The fingerprint covers method, path and the parsed body, so
 * a retry that only reorders JSON keys or whitespace is still the same request.
 */
export function idempotentRequestOf(request: FastifyRequest, headerNames: readonly string[] = ['idempotency-key']): IdempotentRequest | null {
  let key: string | undefined;
  for (const name of headerNames) {
    const value = request.headers[name];
    if (typeof value === 'string') {
      key = value;
      break;
    }
  }
  if (key === undefined || !IDEMPOTENCY_KEY.test(key)) return null;
  const method = request.method;
  const path = request.url;
  const fingerprint = createHash('sha256')
    .update(`${method} ${path}\n${stableJson(request.body ?? null)}`)
    .digest('base64url');
  return { key, fingerprint, method, path };
}

/** Sends a stored or fresh answer; a replay says so in `Idempotent-Replayed: true`. */
export function sendExecution(reply: FastifyReply, execution: Execution): FastifyReply {
  reply.code(execution.response.status).headers(execution.response.headers);
  if (execution.replayed) reply.header('idempotent-replayed', 'true');
  return reply.send(execution.response.body);
}
