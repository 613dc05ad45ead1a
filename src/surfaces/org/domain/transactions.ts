import { ValidationFailed } from '../../../ledger/errors.js';
import { domainEvent } from '../../../ledger/events.js';
import { externalPosting, post } from '../../../ledger/postings.js';
import type { Money } from '../../../ledger/money.js';
import { fitsUnitsAndNanos } from './money-units.js';
import type { CommandContext, Page, Scope } from '../../../ledger/model.js';
import { findOrgAccount, lockOrgAccount, settleAccount } from './accounts.js';
import type { OrgAccount, OrgTransaction, OrgTransactionDetail } from './model.js';
import type { OrgTransactionFilter } from './ports.js';
import type { CommandOutput } from '../../../ledger/pipeline.js';
import type { LedgerTransaction } from '../../../ledger/store.js';
import { orgRepositoriesOf } from '../store/repositories.js';

export interface CreateOrgTransactionInput {
  amount: Money;
  description: string | null;
  detail: OrgTransactionDetail;
}

const MAX_DESCRIPTION = 1000;

/**
 * Posts the transaction against EXTERNAL (money entering or leaving the books). A debit that is
 * not an adjustment may not take the balance below zero (InsufficientFunds, nothing changes);
 * adjustments may. A balance whose units would leave the int64 range of google.type.Money is
 * refused, never wrapped.
 * @throws NotFound, ValidationFailed, InsufficientFunds
 */
export async function createOrgTransaction(tx: LedgerTransaction, ctx: CommandContext, accountId: string, input: CreateOrgTransactionInput): Promise<CommandOutput<{ account: OrgAccount; transaction: OrgTransaction }>> {
  const account = await lockOrgAccount(tx, ctx.scope, accountId);
  const { amount } = input;
  if (amount.currency !== account.currency) throw ValidationFailed.of('amount.currencyCode', `must be the account's currency, ${account.currency} (got '${amount.currency}')`);
  if (amount.amount === 0n) throw ValidationFailed.of('amount', 'must not be zero: a positive amount is a credit, a negative one a debit');
  if (input.description !== null && input.description.length > MAX_DESCRIPTION) throw ValidationFailed.of('description', `must be at most ${MAX_DESCRIPTION} characters`);
  const reference = input.detail.kind === 'topup' ? input.detail.reference : input.detail.kind === 'dataInstance' ? input.detail.dataInstanceId : null;
  const posting = { ...externalPosting(input.detail.kind, account.id, amount, reference), noOverdraft: amount.amount < 0n && input.detail.kind !== 'adjustment' };
  const { entries } = await post(tx, ctx, posting);
  const entry = entries[0]!;
  const balance: Money = { currency: account.currency, amount: entry.balanceAfter };
  if (!fitsUnitsAndNanos(balance)) throw ValidationFailed.of('amount', 'would take the balance beyond the int64 range of google.type.Money units');
  const transaction: OrgTransaction = { id: entry.id, accountId: account.id, amount, balance, description: input.description, detail: input.detail, createdAt: entry.createdAt };
  await orgRepositoriesOf.of(tx).transactions.append(ctx.scope, transaction);
  // One time for the whole change: the entry's (the command's, never before the balance's last change).
  const settled = await settleAccount(tx, ctx, account, { ...account, balance, updatedAt: entry.createdAt });
  const events = [...settled.events, domainEvent('org_transaction.created', { account: settled.result, transaction }, { at: entry.createdAt })];
  return { result: { account: settled.result, transaction }, events, emails: settled.emails };
}

/** The account's transactions, newest first. @throws NotFound */
export async function listOrgTransactions(tx: LedgerTransaction, scope: Scope, accountId: string, filter: OrgTransactionFilter): Promise<Page<OrgTransaction>> {
  await findOrgAccount(tx, scope, accountId);
  return orgRepositoriesOf.of(tx).transactions.list(scope, accountId, filter);
}
