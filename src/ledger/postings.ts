import { laterOf } from './clock.js';
import { entryHash, ZERO_HASH } from './entry-hash.js';
import { InsufficientFunds, ValidationFailed } from './errors.js';
import { newId } from './ids.js';
import type { Money } from './money.js';
import { EXTERNAL, type Balance, type CommandContext, type LedgerEntry, type Scope } from './model.js';
import type { LedgerTransaction } from './store.js';

/**
 * The postings ledger (SPEC §2 "Ledger"): every change of a balance, from any vendor module, is a
 * posting that moves a positive amount from one side to the other and writes one immutable
 * entry per holder side, in the change's own transaction. Money entering or leaving the books
 * is posted against EXTERNAL, which is no stored row: locking one would serialize every write
 * of a tenant. So, per scope and currency, the holders' balances sum to the net of the
 * entries against EXTERNAL, and every balance equals the sum of its entries.
 */
export interface Posting {
  /** The posting's name in the calling module's vocabulary (initial, adjustment, transfer, topup…). */
  kind: string;
  /** What moves from `from` to `to`: positive. */
  amount: Money;
  /** A holder id, or EXTERNAL. */
  from: string;
  to: string;
  reference?: string | null;
  /** The source may not go below zero: the posting is refused (InsufficientFunds) instead. */
  noOverdraft?: boolean;
}

/** What a posting did: its entries and the balances after it, one per holder side (source first). */
export interface PostingResult {
  entries: LedgerEntry[];
  balances: Balance[];
}

/** A zero balance for a holder that has none in `currency` yet. */
export function newBalance(holderId: string, currency: string, now: string): Balance {
  return { holderId, currency, amount: 0n, sequence: 0, hash: ZERO_HASH, createdAt: now, updatedAt: now };
}

/** The posting that changes one holder's balance by `change` (signed) against EXTERNAL. */
export function externalPosting(kind: string, holderId: string, change: Money, reference: string | null = null): Posting {
  const amount = { currency: change.currency, amount: change.amount < 0n ? -change.amount : change.amount };
  return change.amount < 0n ? { kind, amount, from: holderId, to: EXTERNAL, reference } : { kind, amount, from: EXTERNAL, to: holderId, reference };
}

/** The holder sides of a posting, in the one order every posting locks them (no deadlock). */
export function lockOrder(posting: Posting): string[] {
  return [posting.from, posting.to].filter((side) => side !== EXTERNAL).sort();
}

/**
 * The posting applied to its sides' balances (pure: nothing is written).
 * @throws ValidationFailed (not positive, same holder on both sides, a side's balance missing),
 *   InsufficientFunds
 */
export function applyPosting(ctx: CommandContext, posting: Posting, sides: readonly Balance[], at: string): PostingResult {
  const { amount, from, to } = posting;
  if (amount.amount <= 0n) throw ValidationFailed.of('amount', 'must be greater than zero');
  if (from === to) throw ValidationFailed.of('to', 'must differ from the source of the posting');
  const sideOf = (holderId: string) => {
    const balance = sides.find((b) => b.holderId === holderId && b.currency === amount.currency);
    if (!balance) throw new Error(`posting to ${holderId} without its ${amount.currency} balance`);
    return balance;
  };
  const entries: LedgerEntry[] = [];
  const balances: Balance[] = [];
  // Each holder side names the other side's entry (contraId), so a check can pair them by key.
  const idOf = { from: from === EXTERNAL ? null : newId('ble', at), to: to === EXTERNAL ? null : newId('ble', at) };
  const move = (holderId: string, id: string, signed: bigint, counterparty: string, contraId: string | null) => {
    const before = sideOf(holderId);
    const entry: Omit<LedgerEntry, 'hash'> = {
      id,
      holderId,
      currency: amount.currency,
      sequence: before.sequence + 1,
      kind: posting.kind,
      amount: signed,
      balanceAfter: before.amount + signed,
      counterparty,
      contraId,
      reference: posting.reference ?? null,
      requestId: ctx.requestId,
      idempotencyKey: ctx.idempotencyKey,
      actor: ctx.actor,
      createdAt: at,
    };
    // The previous hash is the head kept on the balance row, which the caller holds locked.
    const hash = entryHash(ctx.scope, before.hash, entry);
    entries.push({ ...entry, hash });
    balances.push({ ...before, amount: entry.balanceAfter, sequence: entry.sequence, hash, updatedAt: at });
  };
  if (idOf.from !== null) {
    const source = sideOf(from);
    if (posting.noOverdraft && source.amount - amount.amount < 0n) throw new InsufficientFunds(from, amount.currency, source.amount, amount.amount);
    move(from, idOf.from, -amount.amount, to, idOf.to);
  }
  if (idOf.to !== null) move(to, idOf.to, amount.amount, from, idOf.from);
  return { entries, balances };
}

/**
 * Writes what applyPosting computed: balances in `created` are inserted (their holder is new in
 * this transaction), the others updated (the caller holds their locks); then the entries.
 */
export async function recordPosting(tx: LedgerTransaction, scope: Scope, result: PostingResult, created: readonly Balance[] = []): Promise<void> {
  for (const balance of result.balances) {
    const isNew = created.some((c) => c.holderId === balance.holderId && c.currency === balance.currency);
    await (isNew ? tx.balances.insert(scope, balance) : tx.balances.update(scope, balance));
  }
  for (const entry of result.entries) await tx.ledger.append(scope, entry);
}

/**
 * The time a change applied under the lock of rows last changed at `lastChanges` is stamped
 * with: the command's `now`, but never earlier than a change already applied to those rows, so
 * that a balance's (or a row's) times follow the order of its changes even when a command that
 * read the clock earlier got the lock later.
 */
export function changeTime(ctx: CommandContext, ...lastChanges: readonly string[]): string {
  return lastChanges.reduce(laterOf, ctx.now);
}

/**
 * Locks (opening if need be) the posting's balances in lock order, applies it and writes it.
 * Concurrent postings to one balance serialize on its lock; entries are stamped with the
 * command's time, never earlier than the balances' last change (changeTime), so their times
 * follow the order in which they were applied.
 * @throws ValidationFailed, InsufficientFunds (nothing is changed)
 */
export async function post(tx: LedgerTransaction, ctx: CommandContext, posting: Posting): Promise<PostingResult> {
  const sides: Balance[] = [];
  for (const holderId of lockOrder(posting)) sides.push(await tx.balances.open(ctx.scope, holderId, posting.amount.currency, ctx.now));
  const result = applyPosting(ctx, posting, sides, changeTime(ctx, ...sides.map((side) => side.updatedAt)));
  await recordPosting(tx, ctx.scope, result);
  return result;
}
