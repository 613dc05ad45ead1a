import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoredResponse } from '../store/ports.js';
import type { FaultAnswer } from './failures.js';
import { sendExecution } from './idempotency.js';

/** What one of the testing API's faults does to the request it takes (SPEC §7 "Faults"). */
export interface InjectedFault {
  id: string;
  /** Wait this long first (0: not at all). */
  delayMs: number;
  /** Then close the connection without an answer. */
  drop: boolean;
  /** Or answer this instead of running the request. Null (and no drop): a delay alone, then the request runs. */
  answer: FaultAnswer | null;
}

/**
 * Carries out `fault` on a request that has not run yet (an onRequest hook: its body is not
 * even read, no idempotency key is looked at, nothing is written). Returns whether the request
 * was answered or dropped, so must not run. A delay ends early once the server starts closing
 * (`closing`): shutdown never waits for one.
 */
export async function carryOutFault(
  fault: InjectedFault,
  request: FastifyRequest,
  reply: FastifyReply,
  render: (answer: FaultAnswer) => StoredResponse,
  closing: AbortSignal,
): Promise<boolean> {
  if (fault.delayMs > 0) await sleep(fault.delayMs, undefined, { signal: closing }).catch(() => undefined);
  // Cut short by the server closing: the connection closes after this answer, so a kept-alive
  // socket does not hold the server's close until its keep-alive timeout.
  if (closing.aborted) reply.header('connection', 'close');
  if (fault.drop) {
    // No answer at all: the client sees the connection close (a reset, a "socket hang up").
    reply.hijack();
    request.raw.destroy();
    request.raw.socket?.destroy();
    return true;
  }
  if (!fault.answer) return false;
  await sendExecution(reply, { response: render(fault.answer), replayed: false });
  return true;
}
