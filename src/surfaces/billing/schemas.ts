import { Type, type Static, type TSchema } from 'typebox';
import { IDEMPOTENCY_KEY_PATTERN } from '../../http/idempotency.js';

// Wire schemas of the Moment billing API (seeds 000, 001, 004; reference/moment.md).
// One schema gives validation, the handler's types and the OpenAPI document.

const MAX_JSON_INTEGER = Number.MAX_SAFE_INTEGER;

/** `type: [T, "null"]`: one error message instead of a union's two. */
function Nullable<T extends TSchema>(schema: T) {
  const { type, ...rest } = schema as unknown as { type: string };
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] });
}

const ExternalReference = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: '^[a-zA-Z0-9_-]+$',
  description: 'External reference for reconciliation or tracking. Unique per tenant and mode.',
  examples: ['INV-2024-001'],
});
const Name = Type.String({ maxLength: 255, examples: ['Subscription Account'] });
const Currency = Type.String({ description: 'ISO 4217 currency code (uppercase).', examples: ['ZAR'] });
const MinorUnits = Type.Integer({
  minimum: -MAX_JSON_INTEGER,
  maximum: MAX_JSON_INTEGER,
  description: 'Integer in the currency minor unit (cents for ZAR). Positive: the holder owes; negative: credit.',
  examples: [2000],
});
const NonNegativeMinorUnits = Type.Integer({ minimum: 0, maximum: MAX_JSON_INTEGER });
const Email = Type.String({ format: 'email', maxLength: 255, examples: ['john.doe@example.com'] });
const Phone = Type.String({ pattern: '^\\+[1-9]\\d{1,14}$', description: 'E.164 phone number.', examples: ['+27123456789'] });

const METADATA_DESCRIPTION = 'Up to 20 keys; keys up to 40 characters; values strings up to 500 characters.';
const Metadata = Type.Unsafe<Record<string, string>>({
  type: 'object',
  maxProperties: 20,
  propertyNames: { minLength: 1, maxLength: 40 },
  additionalProperties: { type: 'string', maxLength: 500 },
  description: METADATA_DESCRIPTION,
  examples: [{ order_id: 'ord_789012' }],
});
const MetadataPatch = Type.Unsafe<Record<string, string | null>>({
  type: 'object',
  propertyNames: { minLength: 1, maxLength: 40 },
  additionalProperties: { type: ['string', 'null'], maxLength: 500 },
  description: `${METADATA_DESCRIPTION} Merged into the stored metadata; a key set to "" or null is removed.`,
});

export const PaymentRules = Type.Object(
  {
    min_amount: NonNegativeMinorUnits,
    max_amount: NonNegativeMinorUnits,
    underpayment_allowed: Type.Boolean(),
    overpayment_allowed: Type.Boolean(),
  },
  { additionalProperties: false, description: 'Payment rules; null: the object cannot be paid against.' },
);
export type PaymentRulesBody = Static<typeof PaymentRules>;

const customerFields = {
  name: Nullable(Name),
  email: Nullable(Email),
  phone: Nullable(Phone),
  currency: Nullable(Currency),
  balance: MinorUnits,
  payment_rules: Nullable(PaymentRules),
};

// On create, null for an optional field means it was left out: SDKs send unset fields as null (SPEC §3).
export const CustomerCreate = Type.Object(
  { external_reference: ExternalReference, ...partial(customerFields), balance: Type.Optional(Nullable(MinorUnits)), metadata: Type.Optional(Nullable(Metadata)) },
  { additionalProperties: false },
);
export type CustomerCreateBody = Static<typeof CustomerCreate>;

export const CustomerUpdate = Type.Object(
  { ...partial(customerFields), metadata: Type.Optional(MetadataPatch) },
  { additionalProperties: false },
);
export type CustomerUpdateBody = Static<typeof CustomerUpdate>;

const CustomerReference = Type.Union([Type.String({ minLength: 1, maxLength: 255 }), CustomerCreate], {
  description: 'must be a customer id (bcus_…), a customer external reference, or a new customer object',
});

export const AccountCreate = Type.Object(
  {
    customer: CustomerReference,
    external_reference: ExternalReference,
    name: Type.Optional(Nullable(Name)),
    currency: Type.Optional(Nullable(Currency)),
    balance: Type.Optional(Nullable(MinorUnits)),
    payment_rules: Type.Optional(Nullable(PaymentRules)),
    metadata: Type.Optional(Nullable(Metadata)),
  },
  { additionalProperties: false },
);
export type AccountCreateBody = Static<typeof AccountCreate>;

export const AccountUpdate = Type.Object(
  {
    name: Type.Optional(Nullable(Name)),
    currency: Type.Optional(Nullable(Currency)),
    balance: Type.Optional(MinorUnits),
    payment_rules: Type.Optional(Nullable(PaymentRules)),
    metadata: Type.Optional(MetadataPatch),
  },
  { additionalProperties: false },
);
export type AccountUpdateBody = Static<typeof AccountUpdate>;

const Timestamp = Type.String({ format: 'date-time', examples: ['2026-01-01T10:00:00.000Z'] });

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
  name: Nullable(Name),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  ...holderFields,
});
export type CustomerJson = Static<typeof Customer>;

export const Account = Type.Object({
  id: Type.String({ pattern: '^bacc_[a-zA-Z0-9]+$', examples: ['bacc_H4jp6KnU5cPw263v1jyz4'] }),
  external_reference: ExternalReference,
  customer_id: Type.String({ pattern: '^bcus_[a-zA-Z0-9]+$' }),
  name: Nullable(Name),
  ...holderFields,
});
export type AccountJson = Static<typeof Account>;

export const LedgerEntry = Type.Object({
  id: Type.String({ pattern: '^ble_[a-zA-Z0-9]+$' }),
  account_id: Type.String(),
  kind: Type.Union([Type.Literal('initial'), Type.Literal('adjustment')]),
  amount: Type.Integer({ description: 'Signed change in minor units.' }),
  balance_after: Type.Integer(),
  currency: Currency,
  created_at: Timestamp,
});
export type LedgerEntryJson = Static<typeof LedgerEntry>;

export function ListOf<T extends TSchema>(item: T) {
  return Type.Object({ object: Type.Literal('list'), data: Type.Array(item), has_more: Type.Boolean() });
}

const CreatedFilter = Type.String({
  description: 'ISO 8601 timestamp or Unix seconds.',
  examples: ['2026-01-01T00:00:00.000Z'],
});
const pageFields = {
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  starting_after: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Id of the object after which the page starts (next page).' })),
  ending_before: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Id of the object before which the page ends (previous page).' })),
};
const createdFields = {
  'created[gte]': Type.Optional(CreatedFilter),
  'created[lte]': Type.Optional(CreatedFilter),
};

export const LedgerQuery = Type.Object(pageFields, { additionalProperties: false });
export const AccountListQuery = Type.Object(
  { ...pageFields, ...createdFields, customer_id: Type.Optional(Type.String({ maxLength: 255 })), external_reference: Type.Optional(Type.String({ maxLength: 255 })) },
  { additionalProperties: false },
);
export const CustomerListQuery = Type.Object(
  { ...pageFields, ...createdFields, external_reference: Type.Optional(Type.String({ maxLength: 255 })), email: Type.Optional(Type.String({ maxLength: 255 })) },
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
