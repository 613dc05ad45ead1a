import { changeTime } from '../../../ledger/postings.js';
import { domainEvent } from '../../../ledger/events.js';
import type { CommandContext, Page, Scope } from '../../../ledger/model.js';
import { resolvePage, type ListQuery } from '../../../ledger/pagination.js';
import type { CommandOutput } from '../../../ledger/pipeline.js';
import { stableJson } from '../../../ledger/stable-json.js';
import type { LedgerTransaction } from '../../../ledger/store.js';
import { billingRepositories } from '../store/repositories.js';
import { newBalanceHolder, updatedBalanceHolder, type BalanceHolderInput } from './balance-holders.js';
import { moveHolderBalance } from './balances.js';
import './events.js';
import type { Customer } from './model.js';
import { findByIdOrExternalReference, lockByIdOrExternalReference } from './references.js';

export const CUSTOMER_ID_PREFIX = 'bcus';

export interface UpdateCustomerInput extends BalanceHolderInput {
  email?: string | null;
  phone?: string | null;
}

export interface CreateCustomerInput extends UpdateCustomerInput {
  externalReference: string;
}

export interface CustomerListQuery extends ListQuery {
  externalReference?: string;
  email?: string;
}

/** By `bcus_` id or external reference. @throws NotFound */
export function findCustomer(tx: LedgerTransaction, scope: Scope, reference: string): Promise<Customer> {
  return findByIdOrExternalReference(billingRepositories.of(tx).customers, 'customer', CUSTOMER_ID_PREFIX, scope, reference);
}

/**
 * @param conflictField the field a duplicate external reference is reported on
 * @throws ValidationFailed, AlreadyExists (possibly when the transaction commits)
 */
export async function createCustomer(
  tx: LedgerTransaction,
  ctx: CommandContext,
  input: CreateCustomerInput,
  conflictField = 'externalReference',
): Promise<CommandOutput<Customer>> {
  const customer: Customer = {
    ...newBalanceHolder(CUSTOMER_ID_PREFIX, ctx, input),
    email: input.email ?? null,
    phone: input.phone ?? null,
  };
  await billingRepositories.of(tx).customers.insert(ctx.scope, customer, conflictField);
  await moveHolderBalance(tx, ctx, customer.id, undefined, { balance: null, currency: null }, customer);
  return { result: customer, events: [domainEvent('customer.created', customer)] };
}

/** Partial update: only provided fields change. @throws NotFound, ValidationFailed */
export async function updateCustomer(
  tx: LedgerTransaction,
  ctx: CommandContext,
  reference: string,
  input: UpdateCustomerInput,
): Promise<CommandOutput<Customer>> {
  const customers = billingRepositories.of(tx).customers;
  const { holder: current, balance } = await lockByIdOrExternalReference(customers, 'customer', CUSTOMER_ID_PREFIX, ctx.scope, reference);
  const next: Customer = {
    ...updatedBalanceHolder(current, input),
    email: input.email === undefined ? current.email : input.email,
    phone: input.phone === undefined ? current.phone : input.phone,
  };
  if (stableJson(current) === stableJson(next)) return { result: current };
  // Under the row lock: the change's time follows the row's last one.
  const at: CommandContext = { ...ctx, now: changeTime(ctx, current.updatedAt) };
  next.updatedAt = at.now;
  await customers.update(ctx.scope, next);
  await moveHolderBalance(tx, at, current.id, balance, current, next);
  return { result: next, events: [domainEvent('customer.updated', next, { at: at.now })] };
}

export async function listCustomers(tx: LedgerTransaction, scope: Scope, query: CustomerListQuery): Promise<Page<Customer>> {
  const customers = billingRepositories.of(tx).customers;
  const page = await resolvePage(query, (id) => customers.cursorOf(scope, id), CUSTOMER_ID_PREFIX);
  return customers.list(scope, { ...page, externalReference: query.externalReference, email: query.email });
}
