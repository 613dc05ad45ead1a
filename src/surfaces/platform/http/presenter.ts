import { majorDecimalOf, type Money } from '../../../ledger/money.js';
import type { Page } from '../../../ledger/model.js';
import type { StoredResponse } from '../../../store/ports.js';
import type { SubAccount } from '../domain/model.js';
import type { Transfer } from '../domain/model.js';
import type { PlatformTransaction } from '../domain/transactions.js';
import { jsonResponse } from '../../../http/surface.js';
import { exactNumber, stringifyWithExactNumbers } from './json-numbers.js';
import type { AccountJson } from './schemas.js';

// Domain → Xendit JSON (reference A.2, A.6).

export function presentSubAccount(a: SubAccount): AccountJson {
  const json: AccountJson = {
    id: a.id,
    created: a.createdAt,
    updated: a.updatedAt,
    type: a.type,
    email: a.email,
    public_profile: { business_name: a.publicProfile.businessName, ...(a.publicProfile.description !== undefined ? { description: a.publicProfile.description } : {}) },
    country: a.country,
    status: a.status,
  };
  if (a.configurations) {
    const c = a.configurations;
    json.configurations = {
      ...(c.paymentSettingsFollowPlatform !== undefined ? { payment_settings_follow_platform: c.paymentSettingsFollowPlatform } : {}),
      ...(c.hasWithdrawal !== undefined ? { has_withdrawal: c.hasWithdrawal } : {}),
      ...(c.hasDashboard !== undefined ? { has_dashboard: c.hasDashboard } : {}),
    };
  }
  return json;
}

export const subAccountResponse = (a: SubAccount): StoredResponse => jsonResponse(200, presentSubAccount(a), a.id);

type Link = { href: string; rel: 'next' | 'prev'; method: 'GET' };

/**
 * Xendit's `links` to the neighbouring pages that exist, with the same filters and limit:
 * `next` after the page's last item, `prev` before its first.
 */
function pageLinks(path: string, ids: readonly string[], hasMore: boolean, query: Record<string, unknown>, backwards: boolean, paged: boolean): Link[] {
  const links: Link[] = [];
  const href = (cursor: 'after_id' | 'before_id', id: string) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (name === 'after_id' || name === 'before_id' || value === undefined) continue;
      for (const v of [value].flat()) params.append(name, String(v));
    }
    params.set(cursor, id);
    return `${path}?${params.toString()}`;
  };
  const first = ids[0];
  const last = ids.at(-1);
  if (first !== undefined && last !== undefined) {
    const more = { next: backwards ? paged : hasMore, prev: backwards ? hasMore : paged };
    if (more.next) links.push({ href: href('after_id', last), rel: 'next', method: 'GET' });
    if (more.prev) links.push({ href: href('before_id', first), rel: 'prev', method: 'GET' });
  }
  return links;
}

/** Xendit's list, with `links` to the neighbouring pages that exist (same filters and limit). */
export function presentSubAccountPage(page: Page<SubAccount>, query: Record<string, unknown>, backwards: boolean, paged: boolean) {
  const links = pageLinks('/v2/accounts', page.items.map((a) => a.id), page.hasMore, query, backwards, paged);
  return { data: page.items.map(presentSubAccount), has_more: page.hasMore, links };
}

/** An amount as a JSON number in major units, written from its exact decimal text. */
const amountJson = (money: Money) => exactNumber(majorDecimalOf(money));

function exactJsonResponse(body: unknown, resourceId: string | null = null): StoredResponse {
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: stringifyWithExactNumbers(body), resourceId };
}

export const balanceResponse = (balance: Money): StoredResponse => exactJsonResponse({ balance: amountJson(balance) });

function transferJson(t: Transfer, amount: (money: Money) => unknown) {
  return {
    created: t.createdAt,
    transfer_id: t.id,
    reference: t.reference,
    source_user_id: t.sourceUserId,
    destination_user_id: t.destinationUserId,
    status: t.status,
    amount: amount(t.amount),
    currency: t.amount.currency,
  };
}

export const transferResponse = (t: Transfer): StoredResponse => exactJsonResponse(transferJson(t, amountJson), t.id);

/** For events, whose JSON is stored as a value: the amount as the nearest double (exact up to 15 digits). */
export const presentTransferEvent = (t: Transfer) => transferJson(t, (money) => Number(majorDecimalOf(money)));

const NO_FEE = { xendit_fee: 0, value_added_tax: 0, xendit_withholding_tax: 0, third_party_withholding_tax: 0, status: 'COMPLETED' };

/**
 * A ledger entry as Xendit's transaction (SPEC §4b): the amount positive in major units, the
 * direction in `cashflow`; no fees, so `net_amount` is the amount; settled when it happened.
 */
function transactionJson(t: PlatformTransaction, businessId: string) {
  const { entry } = t;
  const amount = amountJson({ currency: entry.currency, amount: entry.amount < 0n ? -entry.amount : entry.amount });
  const moneyIn = entry.amount > 0n;
  return {
    id: t.id,
    product_id: t.productId,
    type: t.type,
    status: 'SUCCESS',
    channel_category: 'XENPLATFORM',
    channel_code: null,
    reference_id: t.referenceId,
    account_identifier: null,
    currency: entry.currency,
    amount,
    net_amount: amount,
    cashflow: moneyIn ? 'MONEY_IN' : 'MONEY_OUT',
    settlement_status: 'SETTLED',
    estimated_settlement_time: moneyIn ? entry.createdAt : null,
    business_id: businessId,
    fee: NO_FEE,
    created: entry.createdAt,
    updated: entry.createdAt,
  };
}

export const transactionResponse = (t: PlatformTransaction, businessId: string): StoredResponse => exactJsonResponse(transactionJson(t, businessId), t.id);

export function transactionPageResponse(page: Page<PlatformTransaction>, businessId: string, query: Record<string, unknown>, backwards: boolean, paged: boolean): StoredResponse {
  const links = pageLinks('/transactions', page.items.map((t) => t.id), page.hasMore, query, backwards, paged);
  return exactJsonResponse({ has_more: page.hasMore, data: page.items.map((t) => transactionJson(t, businessId)), links });
}
