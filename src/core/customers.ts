import { nowIso } from './clock.js';
import { nextBalanceState, recordBalanceChange } from './balances.js';
import { AlreadyExists, NotFound } from './errors.js';
import { emitEvent, EventTypes } from './events.js';
import { newId } from './ids.js';
import { mergeMetadata, type MetadataPatch } from './metadata.js';
import type { CommandContext, Customer, Page, PaymentRules, Scope } from './model.js';
import { resolvePage, type ListQuery } from './pagination.js';
import { checkPaymentRules } from './payment-rules.js';
import type { Repositories } from './ports.js';
import { stableJson } from './stable-json.js';

export const CUSTOMER_ID_PREFIX = 'bcus';

export interface CreateCustomerInput {
  externalReference: string;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  currency?: string | null;
  balance?: bigint;
  paymentRules?: PaymentRules | null;
  metadata?: MetadataPatch;
}

export interface UpdateCustomerInput {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  currency?: string | null;
  balance?: bigint;
  paymentRules?: PaymentRules | null;
  metadata?: MetadataPatch;
}

export interface CustomerListQuery extends ListQuery {
  externalReference?: string;
  email?: string;
}

/**
 * A `bcus_` reference is an id, anything else an external reference (Moment: "either the
 * unique ID ... or the external reference"). An id-shaped miss falls back to the external
 * reference, since the external reference alphabet also allows `bcus_…`.
 * @throws NotFound
 */
export async function findCustomer(repos: Repositories, scope: Scope, reference: string): Promise<Customer> {
  const found =
    (reference.startsWith(`${CUSTOMER_ID_PREFIX}_`) ? await repos.customers.findById(scope, reference) : undefined) ??
    (await repos.customers.findByExternalReference(scope, reference));
  if (!found) throw new NotFound('customer', reference);
  return found;
}

/** @throws ValidationFailed, AlreadyExists */
export async function createCustomer(tx: Repositories, ctx: CommandContext, input: CreateCustomerInput): Promise<Customer> {
  const money = nextBalanceState({ balance: null, currency: null }, { balance: input.balance, currency: input.currency });
  checkPaymentRules(input.paymentRules);
  const metadata = mergeMetadata({}, input.metadata);
  if (await tx.customers.findByExternalReference(ctx.scope, input.externalReference)) {
    throw new AlreadyExists('customer', 'externalReference', input.externalReference);
  }
  const customer: Customer = {
    id: newId(CUSTOMER_ID_PREFIX),
    externalReference: input.externalReference,
    name: input.name ?? null,
    email: input.email ?? null,
    phone: input.phone ?? null,
    currency: money.currency,
    balance: money.balance,
    paymentRules: input.paymentRules ?? null,
    metadata,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await tx.customers.insert(ctx.scope, customer);
  await recordBalanceChange(tx, ctx, customer.id, { balance: null, currency: null }, money);
  await emitEvent(tx, ctx, EventTypes.customerCreated, customer);
  return customer;
}

/** Partial update: only provided fields change. @throws NotFound, ValidationFailed */
export async function updateCustomer(
  tx: Repositories,
  ctx: CommandContext,
  reference: string,
  input: UpdateCustomerInput,
): Promise<Customer> {
  const { id } = await findCustomer(tx, ctx.scope, reference);
  const current = await tx.customers.lockById(ctx.scope, id);
  // Timestamps of a change are taken once its row lock is held, so they follow the order of changes.
  const at: CommandContext = { ...ctx, now: nowIso() };
  if (!current) throw new NotFound('customer', reference);
  const money = nextBalanceState(current, { balance: input.balance, currency: input.currency });
  checkPaymentRules(input.paymentRules);
  const next: Customer = {
    ...current,
    name: input.name === undefined ? current.name : input.name,
    email: input.email === undefined ? current.email : input.email,
    phone: input.phone === undefined ? current.phone : input.phone,
    currency: money.currency,
    balance: money.balance,
    paymentRules: input.paymentRules === undefined ? current.paymentRules : input.paymentRules,
    metadata: mergeMetadata(current.metadata, input.metadata),
  };
  if (sameCustomer(current, next)) return current;
  next.updatedAt = at.now;
  await tx.customers.update(ctx.scope, next);
  await recordBalanceChange(tx, at, id, current, money);
  await emitEvent(tx, at, EventTypes.customerUpdated, next);
  return next;
}

export async function listCustomers(repos: Repositories, scope: Scope, query: CustomerListQuery): Promise<Page<Customer>> {
  const page = await resolvePage(query, (id) => repos.customers.cursorOf(scope, id));
  return repos.customers.list(scope, { ...page, externalReference: query.externalReference, email: query.email });
}

function sameCustomer(a: Customer, b: Customer): boolean {
  return stableJson(a) === stableJson(b);
}
