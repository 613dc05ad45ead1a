import { EventTypes, type EventPayloads, type EventPresentation, type EventType } from '../../core/events.js';
import type { OutboxEvent } from '../../core/ports.js';
import { presentAccount, presentCustomer, presentLedgerEntry } from './presenter.js';

/** Billing events carry the object in Moment's JSON, exactly as the API answers it. */
export const billingEvents: EventPresentation = {
  source: 'billing',
  present<T extends EventType>(type: T, object: EventPayloads[T]): unknown {
    switch (type) {
      case EventTypes.customerCreated:
      case EventTypes.customerUpdated:
        return presentCustomer(object as EventPayloads['billing.customer.created']);
      case EventTypes.accountCreated:
      case EventTypes.accountUpdated:
        return presentAccount(object as EventPayloads['billing.account.created']);
      case EventTypes.accountBalanceChanged: {
        // The account as it is now, plus the ledger entries this change wrote.
        const { account, ledgerEntries } = object as EventPayloads['billing.account.balance_changed'];
        return { ...presentAccount(account), ledger_entries: ledgerEntries.map(presentLedgerEntry) };
      }
      default:
        return object;
    }
  },
};

/** Moment's webhook envelope: `{ id, type, created_at, data }`. */
export function billingEnvelope(event: OutboxEvent): { body: string; headers: Record<string, string> } {
  return { body: JSON.stringify({ id: event.id, type: event.type, created_at: event.createdAt, data: event.data }), headers: {} };
}
