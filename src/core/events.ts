import { newId } from './ids.js';
import type { CommandContext } from './model.js';
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

/** Plain JSON of a domain object: bigints become decimal strings so nothing is rounded. */
export function snapshotOf(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** Writes the event to the outbox in the caller's transaction, beside the change it reports. */
export async function emitEvent(tx: Repositories, ctx: CommandContext, type: EventType, object: unknown): Promise<void> {
  await tx.events.append(ctx.scope, { id: newId('evt'), type, data: snapshotOf(object), createdAt: ctx.now });
}
