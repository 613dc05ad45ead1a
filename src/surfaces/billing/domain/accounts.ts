import { nowIso } from '../../../ledger/clock.js';
import { newBalanceHolder, updatedBalanceHolder, type BalanceHolderInput } from './balance-holders.js';
import { moveHolderBalance } from './balances.js';
import { createCustomer, findCustomer, type CreateCustomerInput } from './customers.js';
import { NotFound, ValidationFailed } from '../../../ledger/errors.js';
import { emitEvent } from '../../../ledger/events.js';
import type { Account, CommandContext, LedgerEntry, Page, Scope } from '../../../ledger/model.js';
import { resolvePage, type ListQuery } from '../../../ledger/pagination.js';
import type { Repositories } from '../../../store/ports.js';
import { findByIdOrExternalReference, lockByIdOrExternalReference } from './references.js';
import { stableJson } from '../../../ledger/stable-json.js';

export const ACCOUNT_ID_PREFIX = 'bacc';

/** Moment: an existing customer's id, its external reference, or a new customer object. */
export type CustomerReference =
  | { kind: 'existing'; reference: string }
  | { kind: 'new'; customer: CreateCustomerInput };

export type UpdateAccountInput = BalanceHolderInput;

export interface CreateAccountInput extends UpdateAccountInput {
  customer: CustomerReference;
  externalReference: string;
}

export interface AccountListQuery extends ListQuery {
  customerId?: string;
  externalReference?: string;
}

/** By `bacc_` id or external reference. @throws NotFound */
export function findAccount(repos: Repositories, scope: Scope, reference: string): Promise<Account> {
  return findByIdOrExternalReference(repos.accounts, 'account', ACCOUNT_ID_PREFIX, scope, reference);
}

/**
 * Creates the account (and, for an inline customer, the customer first) in the caller's
 * transaction; a non-zero initial balance is the account's first ledger entry.
 * @throws ValidationFailed (unknown customer is a validation error naming `customer`), AlreadyExists
 */
export async function createAccount(tx: Repositories, ctx: CommandContext, input: CreateAccountInput): Promise<Account> {
  const customerId = await resolveCustomer(tx, ctx, input.customer);
  const account: Account = { ...newBalanceHolder(ACCOUNT_ID_PREFIX, ctx, input), customerId };
  await tx.accounts.insert(ctx.scope, account);
  await moveHolderBalance(tx, ctx, account.id, undefined, { balance: null, currency: null }, account);
  await emitEvent(tx, ctx, 'account.created', account);
  return account;
}

async function resolveCustomer(tx: Repositories, ctx: CommandContext, ref: CustomerReference): Promise<string> {
  if (ref.kind === 'new') {
    try {
      return (await createCustomer(tx, ctx, ref.customer, 'customer.externalReference')).id;
    } catch (error) {
      if (error instanceof ValidationFailed) {
        throw new ValidationFailed(error.violations.map((v) => ({ ...v, field: `customer.${v.field}` })));
      }
      throw error;
    }
  }
  try {
    return (await findCustomer(tx, ctx.scope, ref.reference)).id;
  } catch (error) {
    if (error instanceof NotFound) throw ValidationFailed.of('customer', `must name an existing customer: none has the id or external reference '${ref.reference}'`);
    throw error;
  }
}

/**
 * Partial update; a balance change writes ledger entries and emits balance_changed.
 * @throws NotFound, ValidationFailed
 */
export async function updateAccount(
  tx: Repositories,
  ctx: CommandContext,
  reference: string,
  input: UpdateAccountInput,
): Promise<Account> {
  const { holder: current, balance } = await lockByIdOrExternalReference(tx.accounts, 'account', ACCOUNT_ID_PREFIX, ctx.scope, reference);
  const id = current.id;
  // Timestamps of a change are taken once its row lock is held, so they follow the order of changes.
  const at: CommandContext = { ...ctx, now: nowIso() };
  const next = updatedBalanceHolder(current, input);
  if (stableJson(current) === stableJson(next)) return current;
  next.updatedAt = at.now;
  await tx.accounts.update(ctx.scope, next);
  const entries = await moveHolderBalance(tx, at, id, balance, current, next);
  await emitEvent(tx, at, 'account.updated', next);
  if (entries.length > 0) {
    await emitEvent(tx, at, 'account.balance_changed', { account: next, ledgerEntries: entries });
  }
  return next;
}

export async function listAccounts(repos: Repositories, scope: Scope, query: AccountListQuery): Promise<Page<Account>> {
  const page = await resolvePage(query, (id) => repos.accounts.cursorOf(scope, id), ACCOUNT_ID_PREFIX);
  return repos.accounts.list(scope, { ...page, customerId: query.customerId, externalReference: query.externalReference });
}

/** The account's ledger, newest first. @throws NotFound */
export async function listAccountLedger(
  repos: Repositories,
  scope: Scope,
  reference: string,
  query: ListQuery,
): Promise<Page<LedgerEntry>> {
  const account = await findAccount(repos, scope, reference);
  const page = await resolvePage(query, (id) => repos.ledger.cursorOf(scope, account.id, id));
  return repos.ledger.list(scope, account.id, page);
}
