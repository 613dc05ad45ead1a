import { nowIso } from '../../../ledger/clock.js';
import { newBalanceHolder, updatedBalanceHolder, type BalanceHolderInput } from './balance-holders.js';
import { moveHolderBalance } from './balances.js';
import { emitEvent } from '../../../ledger/events.js';
import type { CommandContext, Customer, Page, Scope } from '../../../ledger/model.js';
import { resolvePage, type ListQuery } from '../../../ledger/pagination.js';
import type { Repositories } from '../../../store/ports.js';
import { findByIdOrExternalReference, lockByIdOrExternalReference } from './references.js';
import { stableJson } from '../../../ledger/stable-json.js';

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
export function findCustomer(repos: Repositories, scope: Scope, reference: string): Promise<Customer> {
  return findByIdOrExternalReference(repos.customers, 'customer', CUSTOMER_ID_PREFIX, scope, reference);
}

/**
 * @param conflictField the field a duplicate external reference is reported on
 * @throws ValidationFailed, AlreadyExists (possibly when the transaction commits)
 */
export async function createCustomer(
  tx: Repositories,
  ctx: CommandContext,
  input: CreateCustomerInput,
  conflictField = 'externalReference',
): Promise<Customer> {
  const customer: Customer = {
    ...newBalanceHolder(CUSTOMER_ID_PREFIX, ctx, input),
    email: input.email ?? null,
    phone: input.phone ?? null,
  };
  await tx.customers.insert(ctx.scope, customer, conflictField);
  await moveHolderBalance(tx, ctx, customer.id, undefined, { balance: null, currency: null }, customer);
  await emitEvent(tx, ctx, 'customer.created', customer);
  return customer;
}

/** Partial update: only provided fields change. @throws NotFound, ValidationFailed */
export async function updateCustomer(
  tx: Repositories,
  ctx: CommandContext,
  reference: string,
  input: UpdateCustomerInput,
): Promise<Customer> {
  const { holder: current, balance } = await lockByIdOrExternalReference(tx.customers, 'customer', CUSTOMER_ID_PREFIX, ctx.scope, reference);
  const id = current.id;
  // Timestamps of a change are taken once its row lock is held, so they follow the order of changes.
  const at: CommandContext = { ...ctx, now: nowIso() };
  const next: Customer = {
    ...updatedBalanceHolder(current, input),
    email: input.email === undefined ? current.email : input.email,
    phone: input.phone === undefined ? current.phone : input.phone,
  };
  if (sameCustomer(current, next)) return current;
  next.updatedAt = at.now;
  await tx.customers.update(ctx.scope, next);
  await moveHolderBalance(tx, at, id, balance, current, next);
  await emitEvent(tx, at, 'customer.updated', next);
  return next;
}

export async function listCustomers(repos: Repositories, scope: Scope, query: CustomerListQuery): Promise<Page<Customer>> {
  const page = await resolvePage(query, (id) => repos.customers.cursorOf(scope, id), CUSTOMER_ID_PREFIX);
  return repos.customers.list(scope, { ...page, externalReference: query.externalReference, email: query.email });
}

function sameCustomer(a: Customer, b: Customer): boolean {
  return stableJson(a) === stableJson(b);
}
