import type { Page } from '../../../ledger/model.js';
import type { Money } from '../../../ledger/money.js';
import { toUnitsAndNanos } from '../domain/money-units.js';
import type { OrgAccount } from '../domain/model.js';
import type { OrgTransaction } from '../domain/model.js';
import type { StoredResponse } from '../../../store/ports.js';
import { jsonResponse } from '../../../http/surface.js';
import type { AccountJson, TransactionJson } from './schemas.js';

// Domain → BidZenith JSON (proto3 JSON mapping): int64 units as strings; unset optional
// fields (description, lowBalance, a topup's reference) are left out, as transcoding does.

export function presentMoney(money: Money): { currencyCode: string; units: string; nanos: number } {
  const { units, nanos } = toUnitsAndNanos(money);
  return { currencyCode: money.currency, units: units.toString(), nanos };
}

export function presentOrgAccount(a: OrgAccount): AccountJson {
  // Required fields first, then the optional ones: the order the routes' serializer writes, so a read is byte for byte what the write answered.
  return {
    accountId: a.id,
    name: a.name,
    balance: presentMoney(a.balance),
    createTime: a.createdAt,
    updateTime: a.updatedAt,
    ...(a.description !== null ? { description: a.description } : {}),
    ...(a.lowBalance
      ? { lowBalance: { hasNotification: a.lowBalance.hasNotification, notificationEmail: a.lowBalance.notificationEmail, threshold: presentMoney(a.lowBalance.threshold) } }
      : {}),
  };
}

export function presentOrgTransaction(t: OrgTransaction): TransactionJson {
  const { detail } = t;
  const kind =
    detail.kind === 'topup'
      ? { topup: { paymentType: detail.paymentType, ...(detail.reference !== null ? { reference: detail.reference } : {}) } }
      : detail.kind === 'adjustment'
        ? { adjustment: detail.reason !== null ? { reason: detail.reason } : {} }
        : { dataInstance: { dataInstanceId: detail.dataInstanceId } };
  return {
    transactionId: t.id,
    amount: presentMoney(t.amount),
    balance: presentMoney(t.balance),
    createTime: t.createdAt,
    ...(t.description !== null ? { description: t.description } : {}),
    ...kind,
  };
}

export const accountResponse = (account: OrgAccount): StoredResponse => jsonResponse(200, { account: presentOrgAccount(account) }, account.id);

export const transactionResponse = ({ transaction }: { transaction: OrgTransaction }): StoredResponse =>
  jsonResponse(200, { transaction: presentOrgTransaction(transaction) }, transaction.id);

/** A page with the token of the next one ('' on the last page: AIP-158). */
export function presentPage<T, J>(page: Page<T>, present: (item: T) => J, tokenAfter: (last: T) => string): { items: J[]; nextPageToken: string } {
  const last = page.items.at(-1);
  return { items: page.items.map(present), nextPageToken: page.hasMore && last !== undefined ? tokenAfter(last) : '' };
}
