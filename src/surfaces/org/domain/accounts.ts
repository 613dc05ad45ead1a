import type { LowBalanceSettings, OrgAccount } from './model.js';
import { isEmailAddress } from '../../../ledger/emails.js';
import { NotFound, ValidationFailed, type FieldViolation } from '../../../ledger/errors.js';
import { domainEvent, type DomainEvent } from '../../../ledger/events.js';
import { newId } from '../../../ledger/ids.js';
import { evaluateLowBalance } from './low-balance.js';
import { isCurrencyCode, zero } from '../../../ledger/money.js';
import type { CommandContext, Page, Scope } from '../../../ledger/model.js';
import type { CommandOutput } from '../../../ledger/pipeline.js';
import { changeTime, newBalance } from '../../../ledger/postings.js';
import type { LedgerTransaction } from '../../../ledger/store.js';
import { orgRepositoriesOf } from '../store/repositories.js';
import type { OrgTransaction } from './model.js';

export const ORG_ACCOUNT_ID_PREFIX = 'oacc';
const MAX_NAME = 255;
const MAX_DESCRIPTION = 1000;

declare module '../../../ledger/events.js' {
  interface DomainEvents {
    'org_account.created': OrgAccount;
    'org_account.updated': OrgAccount;
    'org_account.low_balance': OrgAccount;
    'org_account.low_balance_recovered': OrgAccount;
    'org_transaction.created': { account: OrgAccount; transaction: OrgTransaction };
  }
}

/** What a create or a full replace states (omitted optional fields are null: cleared). */
export interface OrgAccountFields {
  name: string;
  description: string | null;
  lowBalance: LowBalanceSettings | null;
}

export interface CreateOrgAccountInput extends OrgAccountFields {
  currency: string;
}

export interface ReplaceOrgAccountInput extends OrgAccountFields {
  /** The body's accountId: it must name the account of the path. */
  accountId: string;
  /** Sent back by a client that read the account: it must be the account's own. */
  currency?: string;
}

function fieldViolations(fields: OrgAccountFields, currency: string): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (fields.name.trim().length === 0) violations.push({ field: 'name', message: 'must not be empty' });
  if (fields.name.length > MAX_NAME) violations.push({ field: 'name', message: `must be at most ${MAX_NAME} characters` });
  if (fields.description !== null && fields.description.length > MAX_DESCRIPTION) violations.push({ field: 'description', message: `must be at most ${MAX_DESCRIPTION} characters` });
  const low = fields.lowBalance;
  if (low) {
    if (!isEmailAddress(low.notificationEmail)) violations.push({ field: 'lowBalance.notificationEmail', message: 'must be a valid e-mail address' });
    if (low.threshold.currency !== currency) violations.push({ field: 'lowBalance.threshold.currencyCode', message: `must be the account's currency, ${currency} (got '${low.threshold.currency}')` });
  }
  return violations;
}

/**
 * A new account with a zero balance; its name is unique per tenant and mode (the store's
 * unique constraint: AlreadyExists). Creating never notifies of a low balance by itself.
 * @throws ValidationFailed, AlreadyExists
 */
export async function createOrgAccount(tx: LedgerTransaction, ctx: CommandContext, input: CreateOrgAccountInput): Promise<CommandOutput<OrgAccount>> {
  const violations = isCurrencyCode(input.currency) ? [] : [{ field: 'currencyCode', message: `must be an ISO 4217 currency code in uppercase, like USD (got '${input.currency.slice(0, 40)}')` }];
  violations.push(...fieldViolations(input, input.currency));
  if (violations.length > 0) throw new ValidationFailed(violations);
  const balance = zero(input.currency);
  const account: OrgAccount = {
    id: newId(ORG_ACCOUNT_ID_PREFIX, ctx.now),
    name: input.name,
    description: input.description,
    currency: input.currency,
    balance,
    lowBalance: input.lowBalance,
    // At or below the threshold from the start: already low, never announced (SPEC §9 "low-balance edges").
    belowThreshold: input.lowBalance !== null && balance.amount <= input.lowBalance.threshold.amount,
    lowBalanceNotified: false,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await orgRepositoriesOf.of(tx).accounts.insert(ctx.scope, account);
  await tx.balances.insert(ctx.scope, newBalance(account.id, account.currency, ctx.now));
  return { result: account, events: [domainEvent('org_account.created', account)] };
}

/** @throws NotFound */
export async function findOrgAccount(tx: LedgerTransaction, scope: Scope, accountId: string): Promise<OrgAccount> {
  const account = await orgRepositoriesOf.of(tx).accounts.findById(scope, accountId);
  if (!account) throw new NotFound('account', accountId);
  return account;
}

/** The account under its row lock (every change of it takes this lock first). @throws NotFound */
export async function lockOrgAccount(tx: LedgerTransaction, scope: Scope, accountId: string): Promise<OrgAccount> {
  const account = await orgRepositoriesOf.of(tx).accounts.lockById(scope, accountId);
  if (!account) throw new NotFound('account', accountId);
  return account;
}

/**
 * Full replace (BidZenith: "All properties of the Account are updated"): name, description and
 * lowBalance; what is omitted is cleared. The currency never changes. A threshold raised above
 * the balance notifies once, like a balance that falls below it.
 * @throws NotFound, ValidationFailed, AlreadyExists
 */
export async function replaceOrgAccount(tx: LedgerTransaction, ctx: CommandContext, accountId: string, input: ReplaceOrgAccountInput): Promise<CommandOutput<OrgAccount>> {
  const current = await lockOrgAccount(tx, ctx.scope, accountId);
  const violations: FieldViolation[] = [];
  if (input.accountId !== accountId) violations.push({ field: 'accountId', message: `must equal the accountId of the path, '${accountId}'` });
  if (input.currency !== undefined && input.currency !== current.currency) {
    violations.push({ field: 'currencyCode', message: `cannot be changed: the account's currency is ${current.currency}` });
  }
  violations.push(...fieldViolations(input, current.currency));
  if (violations.length > 0) throw new ValidationFailed(violations);
  // Under the row lock: the change's time follows the row's last one.
  const next: OrgAccount = { ...current, name: input.name, description: input.description, lowBalance: input.lowBalance, updatedAt: changeTime(ctx, current.updatedAt) };
  const settled = await settleAccount(tx, ctx, current, next);
  return { ...settled, events: [...settled.events, domainEvent('org_account.updated', settled.result, { at: settled.result.updatedAt })] };
}

/**
 * Writes the account after a change of its balance or settings, with the low-balance
 * notification that change calls for (its events and e-mail go out in the same transaction).
 */
export async function settleAccount(tx: LedgerTransaction, ctx: CommandContext, before: OrgAccount, after: OrgAccount): Promise<CommandOutput<OrgAccount> & { events: DomainEvent[] }> {
  const { account, events, emails } = evaluateLowBalance(before, after);
  await orgRepositoriesOf.of(tx).accounts.update(ctx.scope, account);
  return { result: account, events, emails };
}

export function listOrgAccounts(tx: LedgerTransaction, scope: Scope, page: { limit: number; afterId?: string }): Promise<Page<OrgAccount>> {
  return orgRepositoriesOf.of(tx).accounts.list(scope, page);
}
