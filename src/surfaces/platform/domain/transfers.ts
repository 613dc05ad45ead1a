import { LedgerError, NotFound } from '../../../ledger/errors.js';
import { emitEvent } from '../../../ledger/events.js';
import { newHexId } from '../../../ledger/ids.js';
import { externalPosting, post, type PostingResult } from '../../../ledger/postings.js';
import type { Money } from '../../../ledger/money.js';
import type { CommandContext, Scope } from '../../../ledger/model.js';
import type { Repositories } from '../../../store/ports.js';
import type { SubAccount } from './sub-accounts.js';
import './ports.js';

declare module '../../../ledger/events.js' {
  interface DomainEvents {
    'transfer.created': Transfer;
    'balance.topped_up': { holderId: string; amount: Money; balance: Money };
  }
}

/**
 * Money moved between a platform (its user id is the tenant id) and its sub-accounts, or
 * between two sub-accounts: one posting on the shared ledger, two entries, one transaction.
 */
export interface Transfer {
  id: string;
  reference: string;
  amount: Money;
  sourceUserId: string;
  destinationUserId: string;
  status: 'SUCCESSFUL';
  createdAt: string;
}

export interface CreateTransferInput {
  reference: string;
  amount: Money;
  sourceUserId: string;
  destinationUserId: string;
}

/**
 * A sub-account that may not transact: it is not LIVE (invited, in verification, suspended).
 * Unlike a refused credential it is the request's answer, so an idempotent retry replays it.
 */
export class HolderNotLive extends LedgerError {
  readonly code = 'permission_denied';
  constructor(readonly holderId: string, readonly status: string) {
    super(`the account ${holderId} is ${status}, not LIVE: it cannot send or receive transfers`);
  }
}

/**
 * Resolves a user id to a balance holder: the tenant itself, or one of its sub-accounts.
 * @throws NotFound('transfer_party'), HolderNotLive when `mustBeLive` and it is not LIVE
 */
async function partyOf(repos: Repositories, scope: Scope, userId: string, mustBeLive: boolean): Promise<SubAccount | null> {
  if (userId === scope.tenantId) return null;
  const account = await repos.subAccounts.findById(scope, userId);
  if (!account) throw new NotFound('transfer_party', userId);
  if (mustBeLive && account.status !== 'LIVE') throw new HolderNotLive(account.id, account.status);
  return account;
}

/**
 * The balance holder a `for-user-id` names (the tenant when absent), checked to exist.
 * @throws NotFound('sub_account')
 */
export async function balanceHolderOf(repos: Repositories, scope: Scope, forUserId: string | undefined): Promise<string> {
  if (forUserId === undefined || forUserId === scope.tenantId) return scope.tenantId;
  if (!(await repos.subAccounts.findById(scope, forUserId))) throw new NotFound('sub_account', forUserId);
  return forUserId;
}

/** The holder's balance in `currency` (zero when it has none yet). */
export async function balanceOf(repos: Repositories, scope: Scope, holderId: string, currency: string): Promise<Money> {
  const balance = await repos.balances.find(scope, holderId, currency);
  return { currency, amount: balance?.amount ?? 0n };
}

/**
 * Moves the amount atomically; the source may not go below zero. The reference is unique in
 * the scope by the store's unique constraint (no read first).
 * @throws NotFound('transfer_party'), HolderNotLive, InsufficientFunds, ValidationFailed, AlreadyExists('transfer', 'reference')
 */
export async function createTransfer(tx: Repositories, ctx: CommandContext, input: CreateTransferInput): Promise<{ transfer: Transfer; posting: PostingResult }> {
  await partyOf(tx, ctx.scope, input.sourceUserId, true);
  await partyOf(tx, ctx.scope, input.destinationUserId, true);
  const transfer: Transfer = { id: newHexId(ctx.now), status: 'SUCCESSFUL', createdAt: ctx.now, ...input };
  await tx.transfers.insert(ctx.scope, transfer);
  const posting = await post(tx, ctx, {
    kind: 'transfer',
    amount: input.amount,
    from: input.sourceUserId,
    to: input.destinationUserId,
    reference: input.reference,
    noOverdraft: true,
  });
  // On a sub-account's page: the sub-account side (a platform's own balance is the tenant's).
  const subject = input.sourceUserId === ctx.scope.tenantId ? input.destinationUserId : input.sourceUserId;
  await emitEvent(tx, ctx, 'transfer.created', transfer, subject);
  return { transfer, posting };
}

/** @throws NotFound('transfer') */
export async function findTransferByReference(repos: Repositories, scope: Scope, reference: string): Promise<Transfer> {
  const transfer = await repos.transfers.findByReference(scope, reference);
  if (!transfer) throw new NotFound('transfer', reference);
  return transfer;
}

/**
 * Money entering the books for the holder (a test-mode top-up), posted against EXTERNAL.
 * @throws NotFound('sub_account'), ValidationFailed (not positive)
 */
export async function topUpBalance(tx: Repositories, ctx: CommandContext, forUserId: string | undefined, amount: Money): Promise<Money> {
  const holderId = await balanceHolderOf(tx, ctx.scope, forUserId);
  const result = await post(tx, ctx, externalPosting('topup', holderId, amount));
  const after = result.balances.find((b) => b.holderId === holderId)!;
  const balance = { currency: amount.currency, amount: after.amount };
  await emitEvent(tx, ctx, 'balance.topped_up', { holderId, amount, balance });
  return balance;
}
