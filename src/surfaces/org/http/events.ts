import type { EventCatalog } from '../../../ledger/events.js';
import { billingEnvelope } from '../../billing/http/events.js';
import { presentOrgAccount, presentOrgTransaction } from './presenter.js';

/**
 * The org surface's events, as its API shows the objects. Low-balance types are SPEC §5's
 * (`account.low_balance`, `account.low_balance_recovered`); the others carry an `org.` prefix so
 * that they cannot be mistaken for the platform surface's `account.created`.
 */
export function publishOrgEvents(catalog: EventCatalog): void {
  catalog
    .publish('org_account.created', { surface: 'org', type: 'org.account.created', present: presentOrgAccount })
    .publish('org_account.updated', { surface: 'org', type: 'org.account.updated', present: presentOrgAccount })
    .publish('org_account.low_balance', { surface: 'org', type: 'account.low_balance', present: presentOrgAccount })
    .publish('org_account.low_balance_recovered', { surface: 'org', type: 'account.low_balance_recovered', present: presentOrgAccount })
    .publish('org_transaction.created', {
      surface: 'org',
      type: 'org.transaction.created',
      present: ({ account, transaction }) => ({ accountId: account.id, transaction: presentOrgTransaction(transaction), account: presentOrgAccount(account) }),
    });
}

/** BidZenith documents no webhooks: the service's default envelope, `{ id, type, created_at, data }` (SPEC §2). */
export const orgEnvelope = billingEnvelope;
