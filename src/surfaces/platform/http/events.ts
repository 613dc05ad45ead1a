import type { EventCatalog } from '../../../ledger/events.js';
import { majorDecimalOf } from '../../../ledger/money.js';
import type { OutboxEvent, WebhookEnvelope } from '../../../store/ports.js';
import { presentSubAccount, presentTransferEvent } from './presenter.js';

/** The platform's events in Xendit's names (reference A.5), with its account JSON. */
export function publishPlatformEvents(catalog: EventCatalog): void {
  const surface = 'platform';
  catalog
    .publish('sub_account.created', { surface, type: 'account.created', present: presentSubAccount })
    .publish('sub_account.registered', { surface, type: 'account.registered', present: presentSubAccount })
    .publish('sub_account.activated', { surface, type: 'account.activated', present: presentSubAccount })
    .publish('sub_account.suspended', { surface, type: 'account.suspended', present: presentSubAccount })
    // Not documented by Xendit: the other changes (PATCH, AWAITING_DOCS, PENDING_VERIFICATION).
    .publish('sub_account.updated', { surface, type: 'account.updated', present: presentSubAccount })
    .publish('transfer.created', { surface, type: 'transfer.created', present: presentTransferEvent })
    .publish('balance.topped_up', {
      surface,
      type: 'balance.topped_up',
      present: ({ holderId, amount, balance }) => ({ user_id: holderId, currency: amount.currency, amount: Number(majorDecimalOf(amount)), balance: Number(majorDecimalOf(balance)) }),
    });
}

/** Xendit's envelope `{ event, created, business_id, data }`, sent with the tenant's x-callback-token. */
export const platformEnvelope: WebhookEnvelope = (event: OutboxEvent, tenant) => ({
  body: JSON.stringify({ event: event.type, created: event.createdAt, business_id: tenant.tenantId, data: event.data }),
  headers: { 'x-callback-token': tenant.callbackToken },
});
