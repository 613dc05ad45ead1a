import type { SubAccount, Transfer } from './model.js';
import { LedgerError, NotFound, ValidationFailed } from '../../../ledger/errors.js';
import { balanceAsOf } from '../../../ledger/balances-as-of.js';
import { domainEvent } from '../../../ledger/events.js';
import { newHexId } from '../../../ledger/ids.js';
import { externalPosting, post, type PostingResult } from '../../../ledger/postings.js';
import type { Money } from '../../../ledger/money.js';
import type { CommandContext, Scope } from '../../../ledger/model.js';
import type { CommandOutput } from '../../../ledger/pipeline.js';
import type { LedgerTransaction } from '../../../ledger/store.js';
import { platformRepositories } from '../store/repositories.js';

declare module '../../../ledger/events.js' {
  interface DomainEvents {
    'transfer.created': Transfer;
    'balance.topped_up': { holderId: string; amount: Money; balance: Money };
  }
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
 * Locks the parties of a transfer, the tenant itself or its sub-accounts, and checks that each
 * is LIVE under its row lock, the lock a status move takes: no transfer commits after a
 * suspension has answered (SPEC §9). Rows are locked in one order (as balances are), so two
 * transfers never deadlock; they are checked source first.
 * @throws NotFound('transfer_party'), HolderNotLive
 */
async function lockLiveParties(tx: LedgerTransaction, scope: Scope, userIds: readonly string[]): Promise<void> {
  const { subAccounts } = platformRepositories.of(tx);
  const locked = new Map<string, SubAccount | undefined>();
  for (const userId of [...new Set(userIds)].sort()) {
    if (userId !== scope.tenantId) locked.set(userId, await subAccounts.lockById(scope, userId));
  }
  for (const userId of userIds) {
    if (userId === scope.tenantId) continue;
    const account = locked.get(userId);
    if (!account) throw new NotFound('transfer_party', userId);
    if (account.status !== 'LIVE') throw new HolderNotLive(account.id, account.status);
  }
}

/**
 * The balance holder a `for-user-id` names (the tenant when absent), checked to exist.
 * @throws NotFound('sub_account')
 */
export async function balanceHolderOf(tx: LedgerTransaction, scope: Scope, forUserId: string | undefined): Promise<string> {
  if (forUserId === undefined || forUserId === scope.tenantId) return scope.tenantId;
  if (!(await platformRepositories.of(tx).subAccounts.findById(scope, forUserId))) throw new NotFound('sub_account', forUserId);
  return forUserId;
}

/** Xendit's balance account types: CASH is the balance; nothing is ever held or taxed here (SPEC §4b). */
export type BalanceAccountType = 'CASH' | 'HOLDING' | 'TAX';

/**
 * The holder's balance in `currency` (zero when it has none yet), now or as it stood at the
 * instant `at` (one keyed read of its last entry by then, never a sum). HOLDING and TAX are 0.
 */
export async function balanceOf(tx: LedgerTransaction, scope: Scope, holderId: string, currency: string, options: { accountType?: BalanceAccountType; at?: string } = {}): Promise<Money> {
  if ((options.accountType ?? 'CASH') !== 'CASH') return { currency, amount: 0n };
  if (options.at !== undefined) return balanceAsOf(tx, scope, holderId, currency, options.at);
  const balance = await tx.balances.find(scope, holderId, currency);
  return { currency, amount: balance?.amount ?? 0n };
}

/**
 * Moves the amount atomically; the source may not go below zero. The reference is unique in
 * the scope by the store's unique constraint (no read first).
 * @throws ValidationFailed (destination_user_id the source), NotFound('transfer_party'), HolderNotLive, InsufficientFunds, ValidationFailed, AlreadyExists('transfer', 'reference')
 */
export async function createTransfer(tx: LedgerTransaction, ctx: CommandContext, input: CreateTransferInput): Promise<CommandOutput<{ transfer: Transfer; posting: PostingResult }>> {
  // Named by the request's own field, not the posting's internal `to`.
  if (input.sourceUserId === input.destinationUserId) throw ValidationFailed.of('destination_user_id', 'must differ from source_user_id: a transfer moves money between two balances');
  await lockLiveParties(tx, ctx.scope, [input.sourceUserId, input.destinationUserId]);
  const transfer: Transfer = { id: newHexId(ctx.now), status: 'SUCCESSFUL', createdAt: ctx.now, ...input };
  await platformRepositories.of(tx).transfers.insert(ctx.scope, transfer);
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
  return { result: { transfer, posting }, events: [domainEvent('transfer.created', transfer, { subjectId: subject })] };
}

/** @throws NotFound('transfer') */
export async function findTransferByReference(tx: LedgerTransaction, scope: Scope, reference: string): Promise<Transfer> {
  const transfer = await platformRepositories.of(tx).transfers.findByReference(scope, reference);
  if (!transfer) throw new NotFound('transfer', reference);
  return transfer;
}

/**
 * Money entering the books for the holder (a test-mode top-up), posted against EXTERNAL.
 * @throws NotFound('sub_account'), ValidationFailed (not positive)
 */
export async function topUpBalance(tx: LedgerTransaction, ctx: CommandContext, forUserId: string | undefined, amount: Money): Promise<CommandOutput<Money>> {
  const holderId = await balanceHolderOf(tx, ctx.scope, forUserId);
  const result = await post(tx, ctx, externalPosting('topup', holderId, amount));
  const after = result.balances.find((b) => b.holderId === holderId)!;
  const balance = { currency: amount.currency, amount: after.amount };
  return { result: balance, events: [domainEvent('balance.topped_up', { holderId, amount, balance })] };
}
