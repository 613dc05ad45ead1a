import { nextBalanceState } from './balances.js';
import { newId } from '../../../ledger/ids.js';
import { mergeMetadata, type MetadataPatch } from './metadata.js';
import type { CommandContext } from '../../../ledger/model.js';
import type { BalanceHolder, PaymentRules } from './model.js';
import { checkPaymentRules } from './payment-rules.js';

/** The fields customers and accounts share, as a create or update states them. */
export interface BalanceHolderInput {
  name?: string | null;
  currency?: string | null;
  balance?: bigint;
  paymentRules?: PaymentRules | null;
  metadata?: MetadataPatch;
}

/**
 * The shared part of a new customer or account, after every shared rule (balance needs a
 * currency, payment rules, metadata limits). The external reference's uniqueness is the
 * store's unique constraint: its insert throws AlreadyExists (no read-then-write race, and one
 * statement less per create).
 * @throws ValidationFailed
 */
export function newBalanceHolder(idPrefix: string, ctx: CommandContext, input: BalanceHolderInput & { externalReference: string }): BalanceHolder {
  const money = nextBalanceState({ balance: null, currency: null }, { balance: input.balance, currency: input.currency });
  checkPaymentRules(input.paymentRules);
  const metadata = mergeMetadata({}, input.metadata);
  return {
    // Of the creation's own millisecond: lists run in id order (pagination.ts).
    id: newId(idPrefix, ctx.now),
    externalReference: input.externalReference,
    name: input.name ?? null,
    currency: money.currency,
    balance: money.balance,
    paymentRules: input.paymentRules ?? null,
    metadata,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
}

/** The shared fields after a partial update: only provided fields change. @throws ValidationFailed */
export function updatedBalanceHolder<H extends BalanceHolder>(current: H, input: BalanceHolderInput): H {
  const money = nextBalanceState(current, { balance: input.balance, currency: input.currency });
  checkPaymentRules(input.paymentRules);
  return {
    ...current,
    name: input.name === undefined ? current.name : input.name,
    currency: money.currency,
    balance: money.balance,
    paymentRules: input.paymentRules === undefined ? current.paymentRules : input.paymentRules,
    metadata: mergeMetadata(current.metadata, input.metadata),
  };
}
