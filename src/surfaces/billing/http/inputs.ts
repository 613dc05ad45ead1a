import type { CreateAccountInput, UpdateAccountInput } from '../domain/accounts.js';
import type { CreateCustomerInput, UpdateCustomerInput } from '../domain/customers.js';
import type { PaymentRules } from '../domain/model.js';
import type { ListQuery } from '../../../ledger/pagination.js';
import { HttpFailure } from '../../../http/failures.js';
import type { AccountCreateBody, AccountUpdateBody, CustomerCreateBody, CustomerUpdateBody, PageQuery, PaymentRulesBody } from './schemas.js';

// Moment JSON → core inputs. Shapes only; every rule lives in the core or the schemas.

const bigintOf = (value: number | undefined): bigint | undefined => (value === undefined ? undefined : BigInt(value));

export function paymentRulesOf(body: PaymentRulesBody | null | undefined): PaymentRules | null | undefined {
  if (body === undefined || body === null) return body;
  return {
    minAmount: BigInt(body.min_amount),
    maxAmount: BigInt(body.max_amount),
    underpaymentAllowed: body.underpayment_allowed,
    overpaymentAllowed: body.overpayment_allowed,
  };
}

export function customerUpdateInput(body: CustomerUpdateBody): UpdateCustomerInput {
  return {
    name: body.name,
    email: body.email,
    phone: body.phone,
    currency: body.currency,
    balance: bigintOf(body.balance),
    paymentRules: paymentRulesOf(body.payment_rules),
    metadata: body.metadata,
  };
}

/** On create, null for an optional field means it was left out (SPEC §3: SDKs send unset fields as null). */
function leftOutIfNull<B extends { balance?: number | null; metadata?: Record<string, string> | null }>(body: B) {
  return { ...body, balance: body.balance ?? undefined, metadata: body.metadata ?? undefined };
}

export function customerCreateInput(sent: CustomerCreateBody): CreateCustomerInput {
  const body = leftOutIfNull(sent);
  return { ...customerUpdateInput(body), externalReference: body.external_reference, metadata: body.metadata };
}

export function accountUpdateInput(body: AccountUpdateBody): UpdateAccountInput {
  return {
    name: body.name,
    currency: body.currency,
    balance: bigintOf(body.balance),
    paymentRules: paymentRulesOf(body.payment_rules),
    metadata: body.metadata,
  };
}

export function accountCreateInput(sent: AccountCreateBody): CreateAccountInput {
  const body = leftOutIfNull(sent);
  return {
    ...accountUpdateInput(body),
    customer:
      typeof body.customer === 'string'
        ? { kind: 'existing', reference: body.customer }
        : { kind: 'new', customer: customerCreateInput(body.customer) },
    externalReference: body.external_reference,
    metadata: body.metadata,
  };
}

const UNIX_SECONDS = /^\d{1,12}$/;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2})))?$/;

/** Date.parse rolls 2026-02-30 over to March; a filter must name a real calendar instant. */
function isoInstantMs(value: string): number {
  const match = ISO_8601.exec(value);
  if (!match) return Number.NaN;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHour = 0, offsetMinute = 0] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part)));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  const valid = month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth && hour! <= 23 && minute! <= 59 && second! <= 59 && offsetHour! <= 23 && offsetMinute! <= 59;
  return valid ? Date.parse(value) : Number.NaN;
}

/** `created[gte]` / `created[lte]`: ISO 8601 or Unix seconds, as the instant's stored form. */
function instantOf(param: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = UNIX_SECONDS.test(value) ? Number(value) * 1000 : isoInstantMs(value);
  if (Number.isNaN(ms)) {
    throw new HttpFailure('request_invalid', 'the request is invalid', [
      { param, message: 'must be an ISO 8601 timestamp (2026-01-01T10:00:00.000Z) or Unix seconds' },
    ]);
  }
  return new Date(ms).toISOString();
}

export function listQueryOf(query: PageQuery): ListQuery {
  return {
    limit: query.limit,
    startingAfter: query.starting_after,
    endingBefore: query.ending_before,
    createdGte: instantOf('created[gte]', query['created[gte]']),
    createdLte: instantOf('created[lte]', query['created[lte]']),
  };
}
