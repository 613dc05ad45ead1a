import { IdempotencyKeyInUse, IdempotencyKeyReused, IdempotencyKeyTaken, LedgerError } from './errors.js';
import type { CommandContext } from './model.js';
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

/** A command runs inside one transaction with everything it writes. */
export type Command<T> = (tx: Repositories) => Promise<T>;

export interface Execution {
  response: StoredResponse;
  replayed: boolean;
}

export interface LedgerServiceOptions {
  /** How long an idempotency key is remembered (SPEC §2: at least 24 hours). */
  idempotencyTtlMs: number;
}

/**
 * The one write pipeline: transaction → run the command (rows, ledger entries, outbox events)
 * → store the rendered answer with the idempotency key → commit. A retry with the same key
 * and request replays the stored answer and does nothing.
 */
export class LedgerService {
  private readonly commitListeners: (() => void)[] = [];

  constructor(
    readonly store: Store,
    private readonly options: LedgerServiceOptions,
  ) {}

  /** Called after every committed write (the outbox worker wakes up: there may be events). */
  onCommit(listener: () => void): void {
    this.commitListeners.push(listener);
  }

  private committed<T>(value: T): T {
    for (const listener of this.commitListeners) listener();
    return value;
  }

  /**
   * Runs `command` and renders its outcome with `render` (the surface's presenter).
   * A LedgerError outcome is rendered and, for an idempotent request, stored as the answer;
   * any other error propagates and leaves nothing behind (5xx answers are never stored).
   *
   * An idempotent request first takes the fast path: the command runs and the key's record is
   * written with its answer in the same transaction, no claim first. If the key already has a
   * record (a retry, a concurrent twin, an expired record) the store says so at the latest at
   * commit, everything is rolled back, and the slow path decides: replay, or claim first.
   * @throws IdempotencyKeyReused, IdempotencyKeyInUse, and infrastructure errors
   */
  async execute<T>(
    ctx: CommandContext,
    command: Command<T>,
    render: (outcome: CommandOutcome<T>) => StoredResponse,
    idempotency?: IdempotentRequest,
  ): Promise<Execution> {
    try {
      const execution = await this.store.transaction(async (tx): Promise<Execution> => {
        const response = render({ ok: true, value: await command(tx) });
        if (idempotency) await tx.idempotency.record(ctx.scope, this.recordOf(ctx, idempotency, response));
        return { response, replayed: false };
      });
      return this.committed(execution);
    } catch (error) {
      if (idempotency && error instanceof IdempotencyKeyTaken) return this.executeClaimingFirst(ctx, command, render, idempotency);
      if (!(error instanceof LedgerError) || !error.replayable) throw error;
      // The command's writes are rolled back; the failure itself becomes the key's answer.
      const response = render({ ok: false, error });
      return idempotency ? this.remember(ctx, idempotency, response) : { response, replayed: false };
    }
  }

  /** The slow path: claim the key (waiting for a concurrent holder on PostgreSQL), then run. */
  private async executeClaimingFirst<T>(
    ctx: CommandContext,
    command: Command<T>,
    render: (outcome: CommandOutcome<T>) => StoredResponse,
    idempotency: IdempotentRequest,
  ): Promise<Execution> {
    try {
      const execution = await this.store.transaction(async (tx): Promise<Execution> => {
        const replay = await this.claim(tx, ctx, idempotency);
        if (replay) return replay;
        const response = render({ ok: true, value: await command(tx) });
        await tx.idempotency.complete(ctx.scope, idempotency.key, response);
        return { response, replayed: false };
      });
      return execution.replayed ? execution : this.committed(execution);
    } catch (error) {
      if (!(error instanceof LedgerError) || !error.replayable) throw error;
      return this.remember(ctx, idempotency, render({ ok: false, error }));
    }
  }

  /**
   * Stores an answer produced outside a command (a request the surface rejected before it
   * reached the core) as the key's answer, unless the key already has one (then that is replayed).
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
      expiresAt: new Date(Date.parse(ctx.now) + this.options.idempotencyTtlMs).toISOString(),
    };
  }

  private async claim(tx: Repositories, ctx: CommandContext, idempotency: IdempotentRequest): Promise<Execution | undefined> {
    if (await tx.idempotency.claim(ctx.scope, this.recordOf(ctx, idempotency, null), ctx.now)) return undefined;
    // Someone else holds the key: on PostgreSQL the claim waited for their commit, so their answer is visible now.
    const existing = await tx.idempotency.find(ctx.scope, idempotency.key, ctx.now);
    if (!existing) throw new IdempotencyKeyInUse(idempotency.key);
    return replayOf(existing, idempotency);
  }

  async purgeExpiredIdempotencyKeys(now: string): Promise<number> {
    return this.store.transaction((tx) => tx.idempotency.purgeExpired(now));
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
