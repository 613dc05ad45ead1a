import { Type, type TSchema } from 'typebox';
import type { EventCatalog } from '../../../ledger/events.js';
import { AmountApplied, Bill } from './bill-schemas.js';
import { Account, Customer, LedgerEntry, Timestamp } from './schemas.js';
import type { OutboxEvent } from '../../../store/ports.js';
import { presentAmountApplied, presentBill } from './bill-presenter.js';
import { presentAccount, presentCustomer, presentLedgerEntry } from './presenter.js';

/** Billing publishes its customers', accounts' and bills' events, and payments applied to them, in Moment's JSON, exactly as the API answers. */
export function publishBillingEvents(catalog: EventCatalog): void {
  catalog
    .publish('customer.created', { surface: 'billing', type: 'billing.customer.created', present: presentCustomer, schema: Customer })
    .publish('customer.updated', { surface: 'billing', type: 'billing.customer.updated', present: presentCustomer, schema: Customer })
    .publish('account.created', { surface: 'billing', type: 'billing.account.created', present: presentAccount, schema: Account })
    .publish('account.updated', { surface: 'billing', type: 'billing.account.updated', present: presentAccount, schema: Account })
    .publish('account.balance_changed', {
      surface: 'billing',
      type: 'billing.account.balance_changed',
      // The account as it is now, plus the ledger entries this change wrote.
      present: ({ account, ledgerEntries }) => ({ ...presentAccount(account), ledger_entries: ledgerEntries.map(presentLedgerEntry) }),
      schema: Type.Object({ ...Account.properties, ledger_entries: Type.Array(LedgerEntry) }),
    })
    .publish('bill.created', { surface: 'billing', type: 'billing.bill.created', present: presentBill, schema: Bill })
    .publish('bill.updated', { surface: 'billing', type: 'billing.bill.updated', present: presentBill, schema: Bill })
    // Moment's own name, without the billing. prefix (its one documented webhook, SPEC §3b).
    .publish('obligation.amount_applied', { surface: 'billing', type: 'obligation.amount_applied', present: presentAmountApplied, schema: AmountApplied });
}

/** Moment's webhook envelope: `{ id, type, created_at, data }`. */
export function billingEnvelope(event: OutboxEvent): { body: string; headers: Record<string, string> } {
  return { body: JSON.stringify({ id: event.id, type: event.type, created_at: event.createdAt, data: event.data }), headers: {} };
}

/** Moment's envelope as a JSON Schema around an event's data (the OpenAPI document's `webhooks`). */
export function billingEnvelopeSchema(type: string, data: unknown): TSchema {
  return Type.Object({
    id: Type.String({ pattern: '^evt_[a-zA-Z0-9]+$' }),
    type: Type.Literal(type),
    created_at: Timestamp,
    data: Type.Unsafe(data as object),
  });
}
