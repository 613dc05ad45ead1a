import { queueEmail } from '../../../ledger/emails.js';
import { emitEvent } from '../../../ledger/events.js';
import { majorDecimalOf } from '../../../ledger/money.js';
import type { CommandContext } from '../../../ledger/model.js';
import type { OrgAccount } from './accounts.js';
import type { Repositories } from '../../../store/ports.js';

/** Whether the account's balance is below its low-balance threshold (no settings: never). */
export function isBelowThreshold(account: Pick<OrgAccount, 'balance' | 'lowBalance'>): boolean {
  return account.lowBalance !== null && account.balance.amount < account.lowBalance.threshold.amount;
}

/**
 * The low-balance notification, edge-triggered (SPEC §5): a change that takes the account from
 * "not below" to "below" its threshold (a debit, or a PUT that raises the threshold above the
 * balance) notifies exactly once, with an e-mail and an `org_account.low_balance` event, when
 * hasNotification is on. Staying below sends nothing more (unlike monitors that fire on every
 * transaction). Returning to or above the threshold re-arms it and emits one
 * `org_account.low_balance_recovered` event (no e-mail). The state is stored on the account and
 * the notification goes to the outbox in the change's own transaction: a crash loses or
 * duplicates neither. Returns `after` with its new state.
 */
export async function evaluateLowBalance(tx: Repositories, ctx: CommandContext, before: OrgAccount, after: OrgAccount): Promise<OrgAccount> {
  const below = isBelowThreshold(after);
  const settled: OrgAccount = { ...after, belowThreshold: below };
  const settings = after.lowBalance;
  if (!settings?.hasNotification || below === before.belowThreshold) return settled;
  if (below) {
    const amount = `${majorDecimalOf(after.balance)} ${after.currency}`;
    await queueEmail(
      tx,
      ctx.scope,
      {
        to: settings.notificationEmail,
        subject: `Low balance: account "${after.name}" is at ${amount}`,
        body:
          `The balance of account "${after.name}" (${after.id}) is ${amount}, ` +
          `below its low-balance threshold of ${majorDecimalOf(settings.threshold)} ${after.currency}.\n` +
          'You will not be notified again until the balance has returned to the threshold or above.\n',
      },
      ctx.now,
    );
    await emitEvent(tx, ctx, 'org_account.low_balance', settled);
  } else {
    await emitEvent(tx, ctx, 'org_account.low_balance_recovered', settled);
  }
  return settled;
}
