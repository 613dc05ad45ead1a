import { newEmail, type EmailMessage } from './emails.js';
import { outboxEventOf, type DomainEvent, type EventCatalog } from './events.js';
import type { CommandContext, Scope } from './model.js';
import type { LedgerStore, LedgerTransaction } from './store.js';

/**
 * What a command returns: its result, and the effects the pipeline writes to the outbox in the
 * command's transaction (domain events, e-mails). A command locks what it needs, checks the
 * state of every party under that lock (SPEC §9), writes its rows and postings, and returns;
 * it never presents anything.
 */
export interface CommandOutput<T> {
  result: T;
  events?: readonly DomainEvent[];
  emails?: readonly EmailMessage[];
}

/** A command runs inside one transaction with everything it writes. */
export type Command<Tx extends LedgerTransaction, T> = (tx: Tx, ctx: CommandContext) => Promise<CommandOutput<T>>;

/** What the pipeline did: the command's result and the events it wrote. */
export interface Executed<T> {
  result: T;
  events: readonly DomainEvent[];
}

/**
 * The one write pipeline: transaction → command (rows, postings) → its events and e-mails to
 * the outbox → `finish` (the caller's own record of the outcome, such as an idempotency key's
 * answer) → commit. Everything commits together or nothing does.
 */
export class LedgerPipeline<Tx extends LedgerTransaction = LedgerTransaction> {
  private readonly commitListeners: ((scope: Scope) => void)[] = [];

  constructor(
    readonly store: LedgerStore<Tx>,
    /** How events go out (absent in kernel tests: events keep their domain kind and a snapshot). */
    private readonly catalog?: EventCatalog,
  ) {}

  /** Called after every committed command, with its scope (the outbox worker wakes up: there may be events). */
  onCommit(listener: (scope: Scope) => void): void {
    this.commitListeners.push(listener);
  }

  /**
   * A write made outside the pipeline committed outbox rows of `scope` (an operator's e-mail):
   * the commit listeners hear of it as of a command's.
   */
  committedOutside(scope: Scope): void {
    for (const listener of this.commitListeners) listener(scope);
  }

  /**
   * Runs `command` in one transaction with its outbox effects and `finish`.
   * @throws whatever the command or `finish` throws (nothing is written), and the store's errors
   */
  async execute<T>(ctx: CommandContext, command: Command<Tx, T>, finish?: (tx: Tx, result: T) => Promise<void>): Promise<Executed<T>> {
    const executed = await this.store.transaction(async (tx) => {
      const output = await command(tx, ctx);
      const events = output.events ?? [];
      for (const event of events) await tx.events.append(ctx.scope, outboxEventOf(this.catalog, ctx, event));
      for (const message of output.emails ?? []) await tx.emails.insert(ctx.scope.tenantId, newEmail(ctx.scope, message, ctx.now));
      if (finish) await finish(tx, output.result);
      return { result: output.result, events };
    });
    for (const listener of this.commitListeners) listener(ctx.scope);
    return executed;
  }
}
