import { majorDecimalOf, type Money } from '../../../ledger/money.js';
import type { Page } from '../../../ledger/model.js';
import type { StoredResponse } from '../../../store/ports.js';
import type { SubAccount } from '../domain/model.js';
import type { Transfer } from '../domain/model.js';
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

/** Xendit's list, with `links` to the neighbouring pages that exist (same filters and limit). */
export function presentSubAccountPage(page: Page<SubAccount>, query: Record<string, unknown>, backwards: boolean, paged: boolean) {
  const data = page.items.map(presentSubAccount);
  const links: { href: string; rel: 'next' | 'prev'; method: 'GET' }[] = [];
  const href = (cursor: 'after_id' | 'before_id', id: string) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (name === 'after_id' || name === 'before_id' || value === undefined) continue;
      for (const v of [value].flat()) params.append(name, String(v));
    }
    params.set(cursor, id);
    return `/v2/accounts?${params.toString()}`;
  };
  const first = page.items[0];
  const last = page.items.at(-1);
  if (first && last) {
    const more = { next: backwards ? paged : page.hasMore, prev: backwards ? page.hasMore : paged };
    if (more.next) links.push({ href: href('after_id', last.id), rel: 'next', method: 'GET' });
    if (more.prev) links.push({ href: href('before_id', first.id), rel: 'prev', method: 'GET' });
  }
  return { data, has_more: page.hasMore, links };
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
