import type { FastifyRequest } from 'fastify';
import { AmountRejected, ATOM_DIGITS, fromMajorDecimal, isCurrencyCode, type Money } from '../../../ledger/money.js';
import { type CreateSubAccountInput, type SubAccountListQuery, type UpdateSubAccountInput } from '../domain/sub-accounts.js';
import { SUB_ACCOUNT_STATUSES, type SubAccountConfigurations, type SubAccountStatus } from '../domain/model.js';
import { HttpFailure } from '../../../http/failures.js';
import { PlatformValidationFailure } from './errors.js';
import { numberTextOf } from './json-numbers.js';
import type { AccountCreateBody, AccountListQueryValue, AccountUpdateBody, TransactionListQueryValue } from './schemas.js';
import { CHANNEL_CATEGORIES, TRANSACTION_STATUSES, TRANSACTION_TYPES, type TransactionListQuery } from '../domain/transactions.js';

// Xendit JSON → core inputs, with Xendit's own request rules (configurations, amounts, currencies).

const CONFIGURATION_KEYS: Record<string, keyof SubAccountConfigurations> = {
  payment_settings_follow_platform: 'paymentSettingsFollowPlatform',
  has_withdrawal: 'hasWithdrawal',
  has_dashboard: 'hasDashboard',
};

/** Seed 002: `type` or `configurations`, never both, never neither. @throws PlatformValidationFailure */
export function subAccountCreateInput(body: AccountCreateBody): CreateSubAccountInput {
  const publicProfile = { businessName: body.public_profile.business_name, ...(body.public_profile.description !== undefined ? { description: body.public_profile.description } : {}) };
  if (body.type !== undefined && body.configurations !== undefined) {
    throw new PlatformValidationFailure('TYPE_AND_CONFIGURATION_CONFLICT', 'Please provide either one of the `type` field or the `configurations` field');
  }
  if (body.type !== undefined) return { email: body.email, type: body.type, publicProfile };
  if (body.configurations === undefined) {
    throw new PlatformValidationFailure('API_VALIDATION_ERROR', 'Inputs are failing validation: type is required (or send configurations)', [{ param: 'type', message: 'is required: OWNED or MANAGED (or send configurations instead)' }]);
  }
  return { email: body.email, configurations: configurationsOf(body.configurations), publicProfile };
}

function configurationsOf(sent: unknown): SubAccountConfigurations {
  const invalid = (param: string, message: string) =>
    new PlatformValidationFailure('INVALID_CONFIGURATION', 'The `configurations` parameter combination is invalid. Please follow the requirement of each parameter written in Request section', [{ param, message }]);
  if (sent === null || typeof sent !== 'object' || Array.isArray(sent)) throw invalid('configurations', 'must be an object of booleans');
  const configurations: SubAccountConfigurations = {};
  for (const [key, value] of Object.entries(sent)) {
    const name = CONFIGURATION_KEYS[key];
    if (!name) throw invalid(`configurations.${key}`, `is not a configuration; known: ${Object.keys(CONFIGURATION_KEYS).join(', ')}`);
    if (typeof value !== 'boolean') throw invalid(`configurations.${key}`, 'must be a boolean');
    configurations[name] = value;
  }
  return configurations;
}

export function subAccountUpdateInput(body: AccountUpdateBody): UpdateSubAccountInput {
  const profile = body.public_profile;
  return {
    email: body.email,
    publicProfile: profile && {
      ...(profile.business_name !== undefined ? { businessName: profile.business_name } : {}),
      ...(profile.description !== undefined ? { description: profile.description } : {}),
    } as UpdateSubAccountInput['publicProfile'],
  };
}

const invalidQuery = (param: string, message: string) => new HttpFailure('request_invalid', 'the request is invalid', [{ param, message }]);

/** A repeated parameter, or one value with commas (how arrays are encoded is not documented). */
const listOf = (values: string[] | undefined) => values?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);

/** Whether the value's YYYY-MM-DD is a day of the calendar (Date.parse takes 2026-02-30 for 2026-03-02). */
function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An ISO 8601 query parameter as UTC with milliseconds. @throws HttpFailure */
export function instantOf(param: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value) && isCalendarDate(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw invalidQuery(param, 'must be an ISO 8601 timestamp such as 2026-01-01T10:00:00.000Z');
  return new Date(ms).toISOString();
}

export function subAccountListQuery(query: AccountListQueryValue): SubAccountListQuery {
  const statuses = listOf(query.status);
  for (const status of statuses ?? []) {
    if (!(SUB_ACCOUNT_STATUSES as readonly string[]).includes(status)) throw invalidQuery('status', `must be one of ${SUB_ACCOUNT_STATUSES.join(', ')} (got '${status.slice(0, 40)}')`);
  }
  return {
    limit: query.limit,
    startingAfter: query.after_id,
    endingBefore: query.before_id,
    emails: listOf(query.email),
    statuses: statuses as SubAccountStatus[] | undefined,
    type: query.type,
    businessName: query['public_profile.business_name'],
    createdGte: instantOf('created[gte]', query['created[gte]']),
    createdLte: instantOf('created[lte]', query['created[lte]']),
    updatedGte: instantOf('updated[gte]', query['updated[gte]']),
    updatedLte: instantOf('updated[lte]', query['updated[lte]']),
  };
}

/** Xendit's currencies by the platform's country (SPEC §4). */
const CURRENCY_OF_COUNTRY: Record<string, string> = { ID: 'IDR', PH: 'PHP', VN: 'VND', TH: 'THB', MY: 'MYR' };

/** The request's currency, or the platform country's. @throws HttpFailure (unknown code, or no default) */
export function currencyOf(sent: string | undefined, country: string): string {
  const currency = sent ?? CURRENCY_OF_COUNTRY[country];
  if (currency === undefined) throw invalidQuery('currency', `is required: the platform's country ${country} has no default currency`);
  if (!isCurrencyCode(currency)) throw invalidQuery('currency', `must be an ISO 4217 currency code (got '${currency.slice(0, 10)}')`);
  return currency;
}

/** Xendit keeps fewer decimals than ISO 4217 for some currencies: rupiah amounts are whole (SPEC §4: IDR 0). */
const XENDIT_DECIMALS: Record<string, number> = { IDR: 0 };

/**
 * The body's `amount`, exactly from its JSON text: positive, with at most the currency's
 * decimals (IDR 0, PHP 2). @throws PlatformValidationFailure('INVALID_AMOUNT')
 */
export function amountOf(request: FastifyRequest, currency: string): Money {
  const text = numberTextOf(request, 'amount');
  const invalid = (message: string) => new PlatformValidationFailure('INVALID_AMOUNT', message, [{ param: 'amount', message }]);
  if (text === undefined) throw invalid('must be a number');
  let money: Money;
  try {
    money = fromMajorDecimal(currency, text, XENDIT_DECIMALS[currency]);
  } catch (error) {
    if (error instanceof AmountRejected) throw invalid(error.message);
    throw error;
  }
  if (money.amount <= 0n) throw invalid('must be greater than zero');
  return money;
}

/** The `for-user-id` header, if sent. */
export const forUserIdOf = (request: FastifyRequest): string | undefined => {
  const value = request.headers['for-user-id'];
  return typeof value === 'string' ? value : undefined;
};

/** Each value one of `allowed` (Xendit's enums), else 400 naming the parameter. */
function valuesOf(param: string, sent: string[] | undefined, allowed: readonly string[]): string[] | undefined {
  const values = listOf(sent);
  for (const value of values ?? []) {
    if (!allowed.includes(value)) throw invalidQuery(param, `must be one of ${allowed.join(', ')} (got '${value.slice(0, 40)}')`);
  }
  return values;
}

/** A major-unit decimal (the schema checked its digits) as atoms, exactly. */
function atomsOfMajor(text: string): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole) * 10n ** BigInt(ATOM_DIGITS) + BigInt(fraction.padEnd(ATOM_DIGITS, '0') || '0');
}

/** GET /transactions's query (SPEC §4b) as the domain's. @throws HttpFailure (an unknown enum value, a bad instant or currency) */
export function transactionListQuery(query: TransactionListQueryValue): TransactionListQuery {
  if (query.currency !== undefined && !isCurrencyCode(query.currency)) throw invalidQuery('currency', `must be an ISO 4217 currency code (got '${query.currency.slice(0, 10)}')`);
  return {
    limit: query.limit,
    afterId: query.after_id,
    beforeId: query.before_id,
    types: valuesOf('types', query.types, TRANSACTION_TYPES),
    statuses: valuesOf('statuses', query.statuses, TRANSACTION_STATUSES),
    channelCategories: valuesOf('channel_categories', query.channel_categories, CHANNEL_CATEGORIES),
    referenceId: query.reference_id,
    productId: query.product_id,
    accountIdentifier: query.account_identifier,
    currency: query.currency,
    amount: query.amount === undefined ? undefined : atomsOfMajor(query.amount),
    createdGte: instantOf('created[gte]', query['created[gte]']),
    createdLte: instantOf('created[lte]', query['created[lte]']),
    updatedGte: instantOf('updated[gte]', query['updated[gte]']),
    updatedLte: instantOf('updated[lte]', query['updated[lte]']),
  };
}
