import { newId } from './ids.js';
import type { Account, CommandContext, Customer, LedgerEntry } from './model.js';
import type { Repositories } from './ports.js';

/** Every event type the core emits (SPEC §2 "Events", §3). */
export const EventTypes = {
  customerCreated: 'billing.customer.created',
  customerUpdated: 'billing.customer.updated',
  accountCreated: 'billing.account.created',
  accountUpdated: 'billing.account.updated',
  accountBalanceChanged: 'billing.account.balance_changed',
} as const;
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/** The domain object each event carries. */
export interface EventPayloads {
  'billing.customer.created': Customer;
  'billing.customer.updated': Customer;
  'billing.account.created': Account;
  'billing.account.updated': Account;
  'billing.account.balance_changed': { account: Account; ledgerEntries: LedgerEntry[] };
}

/**
 * How the calling surface wants its events: its name (which selects the delivery envelope)
 * and its presenter for the object each event carries.
 */
export interface EventPresentation {
  source: string;
  present<T extends EventType>(type: T, object: EventPayloads[T]): unknown;
}

/** Plain JSON of a domain object: bigints become decimal strings so nothing is rounded. */
export function snapshotOf(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

/**
 * Writes the event to the outbox in the caller's transaction, beside the change it reports,
 * with the object as the calling surface presents it.
 */
export async function emitEvent<T extends EventType>(tx: Repositories, ctx: CommandContext, type: T, object: EventPayloads[T]): Promise<void> {
  const data = ctx.events ? ctx.events.present(type, object) : snapshotOf(object);
  await tx.events.append(ctx.scope, { id: newId('evt'), type, source: ctx.events?.source ?? 'core', data, createdAt: ctx.now });
}
