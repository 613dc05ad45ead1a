import type { EmailMessage } from '../../../ledger/emails.js';
import { domainEvent, type DomainEvent } from '../../../ledger/events.js';
import { majorDecimalOf } from '../../../ledger/money.js';
import type { OrgAccount } from './model.js';

/** Whether the account's balance is below its low-balance threshold (no settings: never). */
export function isBelowThreshold(account: Pick<OrgAccount, 'balance' | 'lowBalance'>): boolean {
  return account.lowBalance !== null && account.balance.amount < account.lowBalance.threshold.amount;
}

/**
 * The low-balance notification, edge-triggered (SPEC §5): a change that takes the account from
 * "not low" to "below" its threshold (a debit, or a PUT that raises the threshold above the
 * balance) notifies exactly once, with an e-mail and an `org_account.low_balance` event, when
 * hasNotification is on. Staying below sends nothing more (unlike monitors that fire on every
 * transaction). Returning to or above the threshold re-arms it and emits one
 * `org_account.low_balance_recovered` event (no e-mail), but only when the low period was
 * announced (SPEC §9): an account at or below its threshold when created or when its threshold
 * is first set, or low while notifications were off, is low without having been told, and its
 * recovery is no news. The state is stored on the account and the notification goes to the
 * outbox in the change's own transaction: a crash loses or duplicates neither. Returns `after`
 * with its new state, and the events and e-mail to send.
 */
export function evaluateLowBalance(before: OrgAccount, after: OrgAccount): { account: OrgAccount; events: DomainEvent[]; emails: EmailMessage[] } {
  const settings = after.lowBalance;
  const quiet = (account: OrgAccount) => ({ account, events: [], emails: [] });
  if (!isBelowThreshold(after)) {
    // A threshold set just now on a balance exactly at it: already low, like one set above it.
    if (before.lowBalance === null && settings !== null && after.balance.amount === settings.threshold.amount) return quiet({ ...after, belowThreshold: true, lowBalanceNotified: false });
    const settled: OrgAccount = { ...after, belowThreshold: false, lowBalanceNotified: false };
    const announcedLow = before.belowThreshold && before.lowBalanceNotified;
    if (!announcedLow || !settings?.hasNotification) return quiet(settled);
    return { account: settled, events: [domainEvent('org_account.low_balance_recovered', settled, { at: after.updatedAt })], emails: [] };
  }
  // Still low: nothing more, announced or not.
  if (before.belowThreshold) return quiet({ ...after, belowThreshold: true, lowBalanceNotified: before.lowBalanceNotified });
  // Crossing now. A threshold set just now (there was none) finds the account already low: nothing is sent.
  if (before.lowBalance === null || !settings?.hasNotification) return quiet({ ...after, belowThreshold: true, lowBalanceNotified: false });
  const settled: OrgAccount = { ...after, belowThreshold: true, lowBalanceNotified: true };
  const amount = `${majorDecimalOf(after.balance)} ${after.currency}`;
  const warning: EmailMessage = {
    to: settings.notificationEmail,
    subject: `Low balance: account "${after.name}" is at ${amount}`,
    body:
      `The balance of account "${after.name}" (${after.id}) is ${amount}, ` +
      `below its low-balance threshold of ${majorDecimalOf(settings.threshold)} ${after.currency}.\n` +
      'You will not be notified again until the balance has returned to the threshold or above.\n',
  };
  return { account: settled, events: [domainEvent('org_account.low_balance', settled, { at: after.updatedAt })], emails: [warning] };
}
