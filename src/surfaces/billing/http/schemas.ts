import { Type, type Static, type TSchema } from 'typebox';
import { IDEMPOTENCY_KEY_PATTERN } from '../../../http/idempotency.js';

// Wire schemas of the Moment billing API (seeds 000, 001, 004; reference/moment.md).
// One schema gives validation, the handler's types and the OpenAPI document.

const MAX_JSON_INTEGER = Number.MAX_SAFE_INTEGER;

/** `type: [T, "null"]`: one error message instead of a union's two. */
export function Nullable<T extends TSchema>(schema: T) {
  const { type, ...rest } = schema as unknown as { type: string };
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] });
}

export const ExternalReference = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: '^[a-zA-Z0-9_-]+$',
  description: 'External reference for reconciliation or tracking. Unique per tenant and mode.',
  examples: ['INV-2024-001'],
});
const CustomerName = Type.String({ maxLength: 255, examples: ['John Doe'] });
const AccountName = Type.String({ maxLength: 255, examples: ['Subscription Account'] });
export const Currency = Type.String({ description: 'ISO 4217 currency code (uppercase).', examples: ['ZAR'] });
const MinorUnits = Type.Integer({
  minimum: -MAX_JSON_INTEGER,
  maximum: MAX_JSON_INTEGER,
  description: 'Integer in the currency minor unit (cents for ZAR). Positive: the holder owes; negative: credit.',
  examples: [2000],
});
// An example of its own: without one, Swagger UI shows the maximum (9007199254740991).
export const NonNegativeMinorUnits = (example: number) => Type.Integer({ minimum: 0, maximum: MAX_JSON_INTEGER, examples: [example] });
const Email = Type.String({ format: 'email', maxLength: 255, examples: ['john.doe@example.com'] });
const Phone = Type.String({ pattern: '^\\+[1-9]\\d{1,14}$', description: 'E.164 phone number.', examples: ['+27123456789'] });

const METADATA_DESCRIPTION = 'Up to 20 keys; keys up to 40 characters; values strings up to 500 characters.';
export const Metadata = Type.Unsafe<Record<string, string>>({
  type: 'object',
  maxProperties: 20,
  propertyNames: { minLength: 1, maxLength: 40 },
  additionalProperties: { type: 'string', maxLength: 500 },
  description: METADATA_DESCRIPTION,
  examples: [{ order_id: 'ord_789012' }],
});
export const MetadataPatch = Type.Unsafe<Record<string, string | null>>({
  type: 'object',
  propertyNames: { minLength: 1, maxLength: 40 },
  additionalProperties: { type: ['string', 'null'], maxLength: 500 },
  description: `${METADATA_DESCRIPTION} Merged into the stored metadata; a key set to "" or null is removed.`,
});

export const PaymentRules = Type.Object(
  {
    min_amount: NonNegativeMinorUnits(1000),
    max_amount: NonNegativeMinorUnits(50000),
    underpayment_allowed: Type.Boolean(),
    overpayment_allowed: Type.Boolean(),
  },
  { additionalProperties: false, description: 'Payment rules; null: the object cannot be paid against.' },
);
export type PaymentRulesBody = Static<typeof PaymentRules>;

const customerFields = {
  name: Nullable(CustomerName),
  email: Nullable(Email),
  phone: Nullable(Phone),
  currency: Nullable(Currency),
  balance: MinorUnits,
  payment_rules: Nullable(PaymentRules),
};

// On create, null for an optional field means it was left out: SDKs send unset fields as null (SPEC §3).
export const CustomerCreate = Type.Object(
  { external_reference: ExternalReference, ...partial(customerFields), balance: Type.Optional(Nullable(MinorUnits)), metadata: Type.Optional(Nullable(Metadata)) },
  { additionalProperties: false, examples: [{ external_reference: 'CUS-1', name: 'John Doe', email: 'john.doe@example.com', currency: 'ZAR' }] },
);
export type CustomerCreateBody = Static<typeof CustomerCreate>;

export const CustomerUpdate = Type.Object(
  { ...partial(customerFields), metadata: Type.Optional(MetadataPatch) },
  { additionalProperties: false, examples: [{ email: 'j.doe@example.com', metadata: { segment: 'retail' } }] },
);
export type CustomerUpdateBody = Static<typeof CustomerUpdate>;

const CustomerReference = Type.Union([Type.String({ minLength: 1, maxLength: 255 }), CustomerCreate], {
  description: 'must be a customer id (bcus_…), a customer external reference, or a new customer object',
  examples: ['CUS-1'],
});

export const AccountCreate = Type.Object(
  {
    customer: CustomerReference,
    external_reference: ExternalReference,
    name: Type.Optional(Nullable(AccountName)),
    currency: Type.Optional(Nullable(Currency)),
    balance: Type.Optional(Nullable(MinorUnits)),
    payment_rules: Type.Optional(Nullable(PaymentRules)),
    metadata: Type.Optional(Nullable(Metadata)),
  },
  {
    additionalProperties: false,
    examples: [{ customer: { external_reference: 'CUS-1', name: 'John Doe' }, external_reference: 'ACC-1', name: 'Subscription Account', currency: 'ZAR', balance: 2000 }],
  },
);
export type AccountCreateBody = Static<typeof AccountCreate>;

export const AccountUpdate = Type.Object(
  {
    name: Type.Optional(Nullable(AccountName)),
    currency: Type.Optional(Nullable(Currency)),
    balance: Type.Optional(MinorUnits),
    payment_rules: Type.Optional(Nullable(PaymentRules)),
    metadata: Type.Optional(MetadataPatch),
  },
  { additionalProperties: false, examples: [{ name: 'Premium Subscription Account', metadata: { plan: 'premium' } }] },
);
export type AccountUpdateBody = Static<typeof AccountUpdate>;

export const Timestamp = Type.String({ format: 'date-time', examples: ['2026-01-01T10:00:00.000Z'] });

/** The trailing fields of every balance holder (customer, account), in Moment's order. */
const holderFields = {
  currency: Nullable(Currency),
  balance: Nullable(Type.Integer()),
  payment_rules: Nullable(PaymentRules),
  metadata: Type.Record(Type.String(), Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const Customer = Type.Object({
  id: Type.String({ pattern: '^bcus_[a-zA-Z0-9]+$', examples: ['bcus_H4jp6KnU5cPw263v1jyz4'] }),
  external_reference: ExternalReference,
  name: Nullable(CustomerName),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  ...holderFields,
});
export type CustomerJson = Static<typeof Customer>;

export const Account = Type.Object({
  id: Type.String({ pattern: '^bacc_[a-zA-Z0-9]+$', examples: ['bacc_H4jp6KnU5cPw263v1jyz4'] }),
  external_reference: ExternalReference,
  customer_id: Type.String({ pattern: '^bcus_[a-zA-Z0-9]+$' }),
  name: Nullable(AccountName),
  ...holderFields,
});
export type AccountJson = Static<typeof Account>;

export const LedgerEntry = Type.Object({
  id: Type.String({ pattern: '^ble_[a-zA-Z0-9]+$' }),
  account_id: Type.String(),
  kind: Type.Union([Type.Literal('initial'), Type.Literal('adjustment'), Type.Literal('payment')], { description: 'initial: the first balance; adjustment: a balance set by the merchant; payment: a payment applied through the testing API.' }),
  amount: Type.Integer({ description: 'Signed change in minor units.' }),
  balance_after: Type.Integer(),
  currency: Currency,
  created_at: Timestamp,
});
export type LedgerEntryJson = Static<typeof LedgerEntry>;

export function ListOf<T extends TSchema>(item: T) {
  return Type.Object({ object: Type.Literal('list'), data: Type.Array(item), has_more: Type.Boolean() });
}

// No examples on filters: Swagger UI fills an example in and sends it, filtering everything out.
const CreatedFilter = (bound: string) =>
  Type.String({ description: `Only objects created ${bound} this instant (inclusive): ISO 8601 such as \`2026-01-01T00:00:00Z\`, or Unix seconds.` });
export const pageFields = {
  // Required in the type (ajv fills the default in); the OpenAPI document shows it optional.
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Page size.' }),
  starting_after: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Id of the object after which the page starts (next page).' })),
  ending_before: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Id of the object before which the page ends (previous page).' })),
};
export const createdFields = {
  'created[gte]': Type.Optional(CreatedFilter('at or after')),
  'created[lte]': Type.Optional(CreatedFilter('at or before')),
};

export const LedgerQuery = Type.Object(pageFields, { additionalProperties: false });
export const AccountListQuery = Type.Object(
  {
    ...pageFields,
    ...createdFields,
    customer_id: Type.Optional(Type.String({ maxLength: 255, description: 'Only the accounts of this customer (its bcus_… id).' })),
    external_reference: Type.Optional(Type.String({ maxLength: 255, description: 'Only the account with this external reference.' })),
  },
  { additionalProperties: false },
);
export const CustomerListQuery = Type.Object(
  {
    ...pageFields,
    ...createdFields,
    external_reference: Type.Optional(Type.String({ maxLength: 255, description: 'Only the customer with this external reference.' })),
    email: Type.Optional(Type.String({ maxLength: 255, description: 'Only customers with this e-mail address.' })),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof LedgerQuery> & { 'created[gte]'?: string; 'created[lte]'?: string };

export const ObjectPath = (name: string, description: string) =>
  Type.Object({ [name]: Type.String({ minLength: 1, maxLength: 255, description }) });

export const IdempotencyHeaders = (required: boolean) => {
  const key = Type.String({
    pattern: IDEMPOTENCY_KEY_PATTERN,
    description: 'Makes a retry safe: the same key and request replay the first answer (Idempotent-Replayed: true). Kept 24 hours.',
  });
  return Type.Object({ 'idempotency-key': required ? key : Type.Optional(key) });
};

function partial<T extends Record<string, TSchema>>(fields: T): { [K in keyof T]: ReturnType<typeof Type.Optional<T[K]>> } {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Type.Optional(v)])) as never;
}
