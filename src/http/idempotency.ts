import { hash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { plusMs } from '../ledger/clock.js';
import { IdempotencyKeyInUse, IdempotencyKeyReused, IdempotencyKeyTaken, LedgerError } from '../ledger/errors.js';
import type { CommandContext } from '../ledger/model.js';
import type { Command, LedgerPipeline } from '../ledger/pipeline.js';
import { stableJson } from '../ledger/stable-json.js';
import type { IdempotencyRecord, Repositories, Store, StoredResponse } from '../store/ports.js';

/** An idempotent request: the client's key and what identifies the request it names. */
export interface IdempotentRequest {
  key: string;
  /** Hash of method, path and body: a retry must match it exactly. */
  fingerprint: string;
  method: string;
  path: string;
}

export type CommandOutcome<T> = { ok: true; value: T } | { ok: false; error: LedgerError };

/** The answer to send, and whether it is a stored one replayed. */
export interface Execution {
  response: StoredResponse;
  replayed: boolean;
}

/**
 * Idempotency for every write of every surface (SPEC §2): look up or claim the key, run the
 * command through the ledger's pipeline, then record the rendered answer with the key in the
 * command's own transaction. A retry with the same key and request replays the stored answer
 * and does nothing; the same key with another request is refused.
 */
export class IdempotentCommands {
  constructor(
    private readonly pipeline: LedgerPipeline<Repositories>,
    private readonly store: Store,
    /** How long a key is remembered (SPEC §2: at least 24 hours). */
    private readonly ttlMs: number,
  ) {}

  /**
   * Runs `command` and renders its outcome with `render` (the surface's presenter, outside the
   * command). A LedgerError outcome is rendered and, for an idempotent request, stored as the
   * answer; any other error propagates and leaves nothing behind (5xx answers are never stored).
   *
   * An idempotent request first takes the fast path: the command runs and the key's record is
   * written with its answer in the same transaction, no claim first. If the key already has a
   * record (a retry, a concurrent twin, an expired record) the store says so at the latest at
   * commit, everything is rolled back, and the slow path decides: replay, or claim first.
   * @throws IdempotencyKeyReused, IdempotencyKeyInUse, and infrastructure errors
   */
  async run<T>(
    ctx: CommandContext,
    command: Command<Repositories, T>,
    render: (outcome: CommandOutcome<T>) => StoredResponse,
    idempotency?: IdempotentRequest,
  ): Promise<Execution> {
    try {
      let response: StoredResponse | undefined;
      await this.pipeline.execute(ctx, command, async (tx, value) => {
        response = render({ ok: true, value });
        if (idempotency) await tx.idempotency.record(ctx.scope, this.recordOf(ctx, idempotency, response));
      });
      return { response: response!, replayed: false };
    } catch (error) {
      if (idempotency && error instanceof IdempotencyKeyTaken) return this.runClaimingFirst(ctx, command, render, idempotency);
      if (!(error instanceof LedgerError) || !error.replayable) throw error;
      // The command's writes are rolled back; the failure itself becomes the key's answer.
      const response = render({ ok: false, error });
      return idempotency ? this.remember(ctx, idempotency, response) : { response, replayed: false };
    }
  }

  /** The slow path: claim the key (waiting for a concurrent holder on PostgreSQL), then run. */
  private async runClaimingFirst<T>(
    ctx: CommandContext,
    command: Command<Repositories, T>,
    render: (outcome: CommandOutcome<T>) => StoredResponse,
    idempotency: IdempotentRequest,
  ): Promise<Execution> {
    try {
      let execution: Execution | undefined;
      await this.pipeline.execute<T | undefined>(
        ctx,
        async (tx, commandCtx) => {
          execution = await this.claim(tx, ctx, idempotency);
          return execution ? { result: undefined } : command(tx, commandCtx);
        },
        async (tx, value) => {
          if (execution) return;
          const response = render({ ok: true, value: value as T });
          await tx.idempotency.complete(ctx.scope, idempotency.key, response);
          execution = { response, replayed: false };
        },
      );
      return execution!;
    } catch (error) {
      if (!(error instanceof LedgerError) || !error.replayable) throw error;
      return this.remember(ctx, idempotency, render({ ok: false, error }));
    }
  }

  /**
   * Stores an answer produced outside a command (a request the surface rejected before it
   * reached the ledger) as the key's answer, unless the key already has one (then that is replayed).
   */
  async remember(ctx: CommandContext, idempotency: IdempotentRequest, response: StoredResponse): Promise<Execution> {
    try {
      await this.store.transaction((tx) => tx.idempotency.record(ctx.scope, this.recordOf(ctx, idempotency, response)));
      return { response, replayed: false };
    } catch (error) {
      if (!(error instanceof IdempotencyKeyTaken)) throw error;
    }
    return this.store.transaction(async (tx) => {
      const replay = await this.claim(tx, ctx, idempotency);
      if (replay) return replay;
      await tx.idempotency.complete(ctx.scope, idempotency.key, response);
      return { response, replayed: false };
    });
  }

  private recordOf(ctx: CommandContext, idempotency: IdempotentRequest, response: StoredResponse | null): IdempotencyRecord {
    return {
      key: idempotency.key,
      fingerprint: idempotency.fingerprint,
      method: idempotency.method,
      path: idempotency.path,
      response,
      createdAt: ctx.now,
      expiresAt: plusMs(ctx.now, this.ttlMs),
    };
  }

  private async claim(tx: Repositories, ctx: CommandContext, idempotency: IdempotentRequest): Promise<Execution | undefined> {
    if (await tx.idempotency.claim(ctx.scope, this.recordOf(ctx, idempotency, null), ctx.now)) return undefined;
    // Someone else holds the key: on PostgreSQL the claim waited for their commit, so their answer is visible now.
    const existing = await tx.idempotency.find(ctx.scope, idempotency.key, ctx.now);
    if (!existing) throw new IdempotencyKeyInUse(idempotency.key);
    return replayOf(existing, idempotency);
  }

  /**
   * Deletes every record expired by `now`, `batch` at a time, each batch its own short
   * transaction with a turn of the event loop between: one delete of a day's expired keys
   * would hold SQLite (on the event loop) and every request behind it for seconds.
   * @returns how many were deleted
   */
  async purgeExpired(now: string, batch = 1000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const inBatch = await this.store.transaction((tx) => tx.idempotency.purgeExpiredBatch(now, batch));
      deleted += inBatch;
      if (inBatch < batch) return deleted;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

function replayOf(record: IdempotencyRecord, request: IdempotentRequest): Execution {
  if (record.fingerprint !== request.fingerprint) {
    throw new IdempotencyKeyReused(request.key, {
      method: record.method,
      path: record.path,
      resourceId: record.response?.resourceId ?? null,
    });
  }
  if (!record.response) throw new IdempotencyKeyInUse(request.key);
  return { response: record.response, replayed: true };
}

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
  const fingerprint = hash('sha256', `${method} ${path}\n${stableJson(request.body ?? null)}`, 'base64url');
  return { key, fingerprint, method, path };
}

/** Sends a stored or fresh answer; a replay says so in `Idempotent-Replayed: true`. */
export function sendExecution(reply: FastifyReply, execution: Execution): FastifyReply {
  reply.code(execution.response.status).headers(execution.response.headers);
  if (execution.replayed) reply.header('idempotent-replayed', 'true');
  return reply.send(execution.response.body);
}
