import type { PublicProfile, SubAccount, SubAccountConfigurations, SubAccountStatus, SubAccountType } from './model.js';
import { NotFound, ValidationFailed } from '../../../ledger/errors.js';
import { domainEvent, type DomainEventKind } from '../../../ledger/events.js';
import { newHexId } from '../../../ledger/ids.js';
import type { CommandContext, Page, Scope } from '../../../ledger/model.js';
import { resolvePage, type ListQuery } from '../../../ledger/pagination.js';
import type { CommandOutput } from '../../../ledger/pipeline.js';
import { changeTime } from '../../../ledger/postings.js';
import type { LedgerTransaction } from '../../../ledger/store.js';
import type { Repositories } from '../../../store/ports.js';
import { platformRepositories } from '../store/repositories.js';
import { stableJson } from '../../../ledger/stable-json.js';

declare module '../../../ledger/events.js' {
  interface DomainEvents {
    'sub_account.created': SubAccount;
    'sub_account.updated': SubAccount;
    'sub_account.registered': SubAccount;
    'sub_account.activated': SubAccount;
    'sub_account.suspended': SubAccount;
  }
}

/** Either a type or configurations (the surface refuses both and neither). */
export type CreateSubAccountInput =
  | { email: string; type: 'OWNED' | 'MANAGED'; publicProfile: PublicProfile }
  | { email: string; configurations: SubAccountConfigurations; publicProfile: PublicProfile };

export interface UpdateSubAccountInput {
  email?: string;
  publicProfile?: PublicProfile;
}

export interface SubAccountListQuery extends Omit<ListQuery, 'createdGte' | 'createdLte'> {
  emails?: string[];
  statuses?: SubAccountStatus[];
  type?: SubAccountType;
  businessName?: string;
  createdGte?: string;
  createdLte?: string;
  updatedGte?: string;
  updatedLte?: string;
}

/**
 * The allowed moves: INVITED→REGISTERED→AWAITING_DOCS→PENDING_VERIFICATION→LIVE,
 * REGISTERED→PENDING_VERIFICATION, any→SUSPENDED, SUSPENDED→LIVE (SPEC §4).
 */
const NEXT_STATUSES: Record<SubAccountStatus, readonly SubAccountStatus[]> = {
  INVITED: ['REGISTERED', 'SUSPENDED'],
  REGISTERED: ['AWAITING_DOCS', 'PENDING_VERIFICATION', 'SUSPENDED'],
  AWAITING_DOCS: ['PENDING_VERIFICATION', 'SUSPENDED'],
  PENDING_VERIFICATION: ['LIVE', 'SUSPENDED'],
  LIVE: ['SUSPENDED'],
  SUSPENDED: ['LIVE'],
};

export function canMoveStatus(from: SubAccountStatus, to: SubAccountStatus): boolean {
  return NEXT_STATUSES[from].includes(to);
}

/** The domain event a move to `status` emits (moves without an event of their own are updates). */
const EVENT_OF_STATUS: Partial<Record<SubAccountStatus, DomainEventKind>> = {
  REGISTERED: 'sub_account.registered',
  LIVE: 'sub_account.activated',
  SUSPENDED: 'sub_account.suspended',
};

/** @throws NotFound */
export async function findSubAccount(tx: LedgerTransaction, scope: Scope, id: string): Promise<SubAccount> {
  const found = await platformRepositories.of(tx).subAccounts.findById(scope, id);
  if (!found) throw new NotFound('sub_account', id);
  return found;
}

/**
 * Creates the sub-account: OWNED and CUSTOM start LIVE; MANAGED starts INVITED and an invitation
 * e-mail goes to its address, through the outbox, in the same transaction.
 * @throws NotFound (the tenant), ValidationFailed
 */
export async function createSubAccount(tx: Repositories, ctx: CommandContext, input: CreateSubAccountInput): Promise<CommandOutput<SubAccount>> {
  const tenant = await tx.tenants.findById(ctx.scope.tenantId);
  if (!tenant) throw new NotFound('tenant', ctx.scope.tenantId);
  const type: SubAccountType = 'type' in input ? input.type : 'CUSTOM';
  const account: SubAccount = {
    id: newHexId(ctx.now),
    type,
    status: type === 'MANAGED' ? 'INVITED' : 'LIVE',
    email: input.email,
    publicProfile: input.publicProfile,
    configurations: 'configurations' in input ? input.configurations : null,
    country: tenant.country,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await platformRepositories.of(tx).subAccounts.insert(ctx.scope, account);
  const events = [domainEvent('sub_account.created', account)];
  if (type !== 'MANAGED') return { result: account, events };
  const invitation = {
    to: account.email,
    subject: `${tenant.name} invites you to set up your account`,
    body: `${tenant.name} has created an account for ${account.publicProfile.businessName} on its platform.\n` +
      `Register with this e-mail address to start accepting payments. Account id: ${account.id}`,
  };
  return { result: account, events, emails: [invitation] };
}

/** Only provided fields change. @throws NotFound */
export async function updateSubAccount(tx: LedgerTransaction, ctx: CommandContext, id: string, input: UpdateSubAccountInput): Promise<CommandOutput<SubAccount>> {
  const current = await lockSubAccount(tx, ctx.scope, id);
  const next: SubAccount = {
    ...current,
    email: input.email ?? current.email,
    publicProfile: input.publicProfile ? { ...current.publicProfile, ...input.publicProfile } : current.publicProfile,
  };
  if (stableJson(next) === stableJson(current)) return { result: current };
  // Under the row lock: the change's time follows the row's last one.
  next.updatedAt = changeTime(ctx, current.updatedAt);
  await platformRepositories.of(tx).subAccounts.update(ctx.scope, next);
  return { result: next, events: [domainEvent('sub_account.updated', next, { at: next.updatedAt })] };
}

/**
 * Moves the sub-account to `status` along the lifecycle; a move to the status it has is a no-op.
 * @throws NotFound, ValidationFailed (a move the lifecycle does not allow)
 */
export async function moveSubAccountStatus(tx: LedgerTransaction, ctx: CommandContext, id: string, status: SubAccountStatus): Promise<CommandOutput<SubAccount>> {
  const current = await lockSubAccount(tx, ctx.scope, id);
  if (current.status === status) return { result: current };
  if (!canMoveStatus(current.status, status)) {
    throw ValidationFailed.of('status', `cannot move from ${current.status} to ${status}; allowed: ${NEXT_STATUSES[current.status].join(', ')}`);
  }
  const next: SubAccount = { ...current, status, updatedAt: changeTime(ctx, current.updatedAt) };
  await platformRepositories.of(tx).subAccounts.update(ctx.scope, next);
  return { result: next, events: [domainEvent(EVENT_OF_STATUS[status] ?? 'sub_account.updated', next, { at: next.updatedAt })] };
}

/** The sub-account under its row lock (every change of it takes this lock first). @throws NotFound */
export async function lockSubAccount(tx: LedgerTransaction, scope: Scope, id: string): Promise<SubAccount> {
  const found = await platformRepositories.of(tx).subAccounts.lockById(scope, id);
  if (!found) throw new NotFound('sub_account', id);
  return found;
}

/** Newest first; cursors are sub-account ids. @throws ValidationFailed (unknown cursor) */
export async function listSubAccounts(tx: LedgerTransaction, scope: Scope, query: SubAccountListQuery): Promise<Page<SubAccount>> {
  const { subAccounts } = platformRepositories.of(tx);
  const page = await resolvePage(query, (id) => subAccounts.cursorOf(scope, id));
  return subAccounts.list(scope, {
    ...page,
    emails: query.emails,
    statuses: query.statuses,
    type: query.type,
    businessName: query.businessName,
    updatedGte: query.updatedGte,
    updatedLte: query.updatedLte,
  });
}
