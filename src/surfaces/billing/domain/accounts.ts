import { NotFound, ValidationFailed } from '../../../ledger/errors.js';
import { domainEvent, type DomainEvent } from '../../../ledger/events.js';
import type { CommandContext, LedgerEntry, Page, Scope } from '../../../ledger/model.js';
import { resolvePage, type ListQuery } from '../../../ledger/pagination.js';
import type { CommandOutput } from '../../../ledger/pipeline.js';
import { changeTime } from '../../../ledger/postings.js';
import { stableJson } from '../../../ledger/stable-json.js';
import type { LedgerTransaction } from '../../../ledger/store.js';
import type { Repositories } from '../../../store/ports.js';
import { billingRepositories } from '../store/repositories.js';
import { newBalanceHolder, updatedBalanceHolder, type BalanceHolderInput } from './balance-holders.js';
import { moveHolderBalance } from './balances.js';
import { createCustomer, findCustomer, type CreateCustomerInput } from './customers.js';
import './events.js';
import type { Account } from './model.js';
import { findByIdOrExternalReference, lockByIdOrExternalReference } from './references.js';

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
export function findAccount(tx: LedgerTransaction, scope: Scope, reference: string): Promise<Account> {
  return findByIdOrExternalReference(billingRepositories.of(tx).accounts, 'account', ACCOUNT_ID_PREFIX, scope, reference);
}

/**
 * Creates the account (and, for an inline customer, the customer first) in the caller's
 * transaction; a non-zero initial balance is the account's first ledger entry.
 * @throws ValidationFailed (unknown customer is a validation error naming `customer`), AlreadyExists
 */
export async function createAccount(tx: LedgerTransaction, ctx: CommandContext, input: CreateAccountInput): Promise<CommandOutput<Account>> {
  const { customerId, events } = await resolveCustomer(tx, ctx, input.customer);
  const account: Account = { ...newBalanceHolder(ACCOUNT_ID_PREFIX, ctx, input), customerId };
  await billingRepositories.of(tx).accounts.insert(ctx.scope, account);
  await moveHolderBalance(tx, ctx, account.id, undefined, { balance: null, currency: null }, account);
  return { result: account, events: [...events, domainEvent('account.created', account)] };
}

async function resolveCustomer(tx: LedgerTransaction, ctx: CommandContext, ref: CustomerReference): Promise<{ customerId: string; events: readonly DomainEvent[] }> {
  if (ref.kind === 'new') {
    try {
      const created = await createCustomer(tx, ctx, ref.customer, 'customer.externalReference');
      return { customerId: created.result.id, events: created.events ?? [] };
    } catch (error) {
      if (error instanceof ValidationFailed) {
        throw new ValidationFailed(error.violations.map((v) => ({ ...v, field: `customer.${v.field}` })));
      }
      throw error;
    }
  }
  try {
    return { customerId: (await findCustomer(tx, ctx.scope, ref.reference)).id, events: [] };
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
  tx: LedgerTransaction,
  ctx: CommandContext,
  reference: string,
  input: UpdateAccountInput,
): Promise<CommandOutput<Account>> {
  const accounts = billingRepositories.of(tx).accounts;
  const { holder: current, balance } = await lockByIdOrExternalReference(accounts, 'account', ACCOUNT_ID_PREFIX, ctx.scope, reference);
  const next = updatedBalanceHolder(current, input);
  if (stableJson(current) === stableJson(next)) return { result: current };
  // Under the row lock: the change's time follows the row's last one.
  const at: CommandContext = { ...ctx, now: changeTime(ctx, current.updatedAt) };
  next.updatedAt = at.now;
  await accounts.update(ctx.scope, next);
  const entries = await moveHolderBalance(tx, at, current.id, balance, current, next);
  const events = [domainEvent('account.updated', next, { at: at.now })];
  if (entries.length > 0) events.push(domainEvent('account.balance_changed', { account: next, ledgerEntries: entries }, { at: at.now }));
  return { result: next, events };
}

export async function listAccounts(tx: LedgerTransaction, scope: Scope, query: AccountListQuery): Promise<Page<Account>> {
  const accounts = billingRepositories.of(tx).accounts;
  const page = await resolvePage(query, (id) => accounts.cursorOf(scope, id), ACCOUNT_ID_PREFIX);
  return accounts.list(scope, { ...page, customerId: query.customerId, externalReference: query.externalReference });
}

/** The account's ledger, newest first. @throws NotFound */
export async function listAccountLedger(repos: Repositories, scope: Scope, reference: string, query: ListQuery): Promise<Page<LedgerEntry>> {
  const account = await findAccount(repos, scope, reference);
  const page = await resolvePage(query, (id) => repos.ledger.cursorOf(scope, account.id, id));
  return repos.ledger.list(scope, account.id, page);
}
