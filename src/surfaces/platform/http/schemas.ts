import { Type, type Static } from 'typebox';
import { IDEMPOTENCY_KEY_PATTERN } from '../../../http/idempotency.js';

// Wire schemas of Xendit xenPlatform (seed 002; reference A.2–A.6). One schema gives
// validation, the handler's types and the OpenAPI document.

const ACCOUNT_ID = '^[0-9a-f]{24}$';
const Status = Type.Union(
  [Type.Literal('INVITED'), Type.Literal('REGISTERED'), Type.Literal('AWAITING_DOCS'), Type.Literal('PENDING_VERIFICATION'), Type.Literal('LIVE'), Type.Literal('SUSPENDED')],
  { description: 'must be one of INVITED, REGISTERED, AWAITING_DOCS, PENDING_VERIFICATION, LIVE, SUSPENDED' },
);

// Seed 002: email 5–552 characters, business_name 1–512.
const Email = Type.String({ minLength: 5, maxLength: 552, format: 'email', examples: ['angie@pinkpanther.com'] });
const BusinessName = Type.String({ minLength: 1, maxLength: 512, examples: ["Angie's lemonade stand"] });
const Description = Type.String({ maxLength: 1000 });

export const AccountCreate = Type.Object(
  {
    email: Email,
    type: Type.Optional(Type.Union([Type.Literal('OWNED'), Type.Literal('MANAGED')], { description: 'must be OWNED or MANAGED' })),
    public_profile: Type.Object({ business_name: BusinessName, description: Type.Optional(Description) }, { additionalProperties: false }),
    configurations: Type.Optional(
      Type.Unknown({
        description: 'Instead of `type`: a CUSTOM account, LIVE at once. Booleans `payment_settings_follow_platform`, `has_withdrawal`, `has_dashboard`.',
      }),
    ),
  },
  { additionalProperties: false, examples: [{ email: 'angie@pinkpanther.com', type: 'OWNED', public_profile: { business_name: "Angie's lemonade stand" } }] },
);
export type AccountCreateBody = Static<typeof AccountCreate>;

export const AccountUpdate = Type.Object(
  {
    email: Type.Optional(Email),
    public_profile: Type.Optional(Type.Object({ business_name: Type.Optional(BusinessName), description: Type.Optional(Description) }, { additionalProperties: false })),
  },
  { additionalProperties: false, examples: [{ public_profile: { business_name: 'Angie and co.' } }] },
);
export type AccountUpdateBody = Static<typeof AccountUpdate>;

export const StatusChange = Type.Object({ status: Status }, { additionalProperties: false, examples: [{ status: 'REGISTERED' }] });

const Timestamp = Type.String({ minLength: 24, maxLength: 24, format: 'date-time', examples: ['2026-01-01T10:00:00.000Z'] });

export const Account = Type.Object({
  id: Type.String({ pattern: ACCOUNT_ID, description: 'Use it as `for-user-id` to act for the account.', examples: ['5cafeb170a2b18519b1b8761'] }),
  created: Timestamp,
  updated: Timestamp,
  type: Type.Union([Type.Literal('OWNED'), Type.Literal('MANAGED'), Type.Literal('CUSTOM')]),
  email: Type.String(),
  public_profile: Type.Object({ business_name: Type.String(), description: Type.Optional(Type.String()) }),
  country: Type.String({ description: 'ISO 3166-1 alpha-2: the platform’s.', examples: ['ID'] }),
  status: Status,
  configurations: Type.Optional(
    Type.Object({
      payment_settings_follow_platform: Type.Optional(Type.Boolean()),
      has_withdrawal: Type.Optional(Type.Boolean()),
      has_dashboard: Type.Optional(Type.Boolean()),
    }),
  ),
});
export type AccountJson = Static<typeof Account>;

const Link = Type.Object({ href: Type.String(), rel: Type.Union([Type.Literal('next'), Type.Literal('prev')]), method: Type.Literal('GET') });
export const AccountList = Type.Object({ data: Type.Array(Account), has_more: Type.Boolean(), links: Type.Array(Link) });

// No examples on filters: Swagger UI would fill them in and filter everything out.
const Bound = (what: string, bound: string) => Type.Optional(Type.String({ description: `Only accounts ${what} ${bound} this instant (inclusive), ISO 8601.` }));
const Cursor = (description: string) => Type.Optional(Type.String({ pattern: ACCOUNT_ID, description }));
export const AccountListQuery = Type.Object(
  {
    email: Type.Optional(Type.Array(Type.String({ maxLength: 552 }), { description: 'Only these e-mail addresses (repeat the parameter, or separate with commas).' })),
    status: Type.Optional(Type.Array(Type.String(), { description: 'Only these statuses (repeat the parameter, or separate with commas).' })),
    type: Type.Optional(Type.Union([Type.Literal('OWNED'), Type.Literal('MANAGED'), Type.Literal('CUSTOM')], { description: 'must be OWNED, MANAGED or CUSTOM' })),
    'public_profile.business_name': Type.Optional(Type.String({ maxLength: 512, description: 'Only accounts with exactly this business name.' })),
    'created[gte]': Bound('created', 'at or after'),
    'created[lte]': Bound('created', 'at or before'),
    'updated[gte]': Bound('updated', 'at or after'),
    'updated[lte]': Bound('updated', 'at or before'),
    // Required in the type (ajv fills the default in); the OpenAPI document shows it optional.
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 10, description: 'Page size, 1–50.' }),
    after_id: Cursor('Id of the item before the page (the next page: use `links`).'),
    before_id: Cursor('Id of the item after the page (the previous page).'),
  },
  { additionalProperties: false },
);
export type AccountListQueryValue = Static<typeof AccountListQuery>;

export const AccountPath = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'The account id (24 hex characters).' }) });

const KeyHeader = Type.Optional(
  Type.String({ pattern: IDEMPOTENCY_KEY_PATTERN, description: 'Makes a retry safe: the same key and request replay the first answer (Idempotent-Replayed: true).' }),
);
const ForUserId = Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A sub-account id: act on its balance instead of the platform’s.' }));
/** Idempotency-Key or x-idempotency-key, both optional (SPEC §2). */
export const MutationHeaders = Type.Object({ 'idempotency-key': KeyHeader, 'x-idempotency-key': KeyHeader });
export const MoneyHeaders = Type.Object({ 'idempotency-key': KeyHeader, 'x-idempotency-key': KeyHeader, 'for-user-id': ForUserId });
export const BalanceHeaders = Type.Object({ 'for-user-id': ForUserId });

const Currency = Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217; default: the currency of the platform’s country (ID→IDR, PH→PHP, VN→VND, TH→THB, MY→MYR).' });
const Amount = Type.Number({ description: 'Major units, at most the currency’s decimals (IDR 0, PHP 2).', examples: [10000] });

export const BalanceQuery = Type.Object(
  {
    currency: Type.Optional(Currency),
    account_type: Type.Optional(
      Type.Union([Type.Literal('CASH'), Type.Literal('HOLDING'), Type.Literal('TAX')], {
        description: 'must be CASH, HOLDING or TAX. CASH (the default) is the balance; HOLDING and TAX are always 0: nothing is ever held or taxed here.',
      }),
    ),
    at_timestamp: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601: the balance as it stood at this instant (its last ledger entry at or before it).' })),
  },
  { additionalProperties: false },
);
export const BalanceJson = Type.Object({ balance: Type.Number({ examples: [12345] }) });

export const TopUp = Type.Object({ amount: Amount, currency: Type.Optional(Currency) }, { additionalProperties: false, examples: [{ amount: 100000, currency: 'IDR' }] });
export type TopUpBody = Static<typeof TopUp>;

const UserId = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });
export const TransferCreate = Type.Object(
  {
    reference: Type.String({ minLength: 1, maxLength: 255, description: 'Unique per platform and mode.' }),
    amount: Amount,
    source_user_id: UserId('A sub-account id, or the platform’s own user id (its tenant id).'),
    destination_user_id: UserId('A sub-account id, or the platform’s own user id (its tenant id).'),
    currency: Type.Optional(Currency),
  },
  { additionalProperties: false, examples: [{ reference: 'order-1001', amount: 10000, source_user_id: '<tenant id>', destination_user_id: '<sub-account id>' }] },
);
export type TransferCreateBody = Static<typeof TransferCreate>;

export const Transfer = Type.Object({
  created: Timestamp,
  transfer_id: Type.String({ pattern: ACCOUNT_ID }),
  reference: Type.String(),
  source_user_id: Type.String(),
  destination_user_id: Type.String(),
  status: Type.Literal('SUCCESSFUL'),
  amount: Type.Number(),
  currency: Type.String(),
});

export const TransferPath = Type.Object({ reference: Type.String({ minLength: 1, maxLength: 255, description: 'The transfer’s reference.' }) });

// Xendit's transactions (SPEC §4b; xendit-node 7's Transaction client).
const TransactionId = Type.String({ description: 'txn_…: one side of one movement of a balance.', examples: ['txn_0MbqL3kT8pQ4xYzA1b2c3d4e5'] });
const ListOfValues = (description: string) => Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50, description: `${description} (repeat the parameter, or separate with commas).` }));
const TransactionBound = (what: string, bound: string) => Type.Optional(Type.String({ maxLength: 64, description: `Only transactions ${what} ${bound} this instant (inclusive), ISO 8601.` }));
export const TransactionListQuery = Type.Object(
  {
    types: ListOfValues('Only these types: TRANSFER, TOPUP (any of Xendit’s types is accepted)'),
    statuses: ListOfValues('Only these statuses (every transaction here is SUCCESS)'),
    channel_categories: ListOfValues('Only these channel categories (every transaction here is XENPLATFORM)'),
    reference_id: Type.Optional(Type.String({ maxLength: 255, description: 'Only the transactions of this transfer reference (or top-up id).' })),
    product_id: Type.Optional(Type.String({ maxLength: 255, description: 'Only the transactions of this transfer id (or top-up id).' })),
    account_identifier: Type.Optional(Type.String({ maxLength: 255, description: 'Only transactions of this account identifier (none here has one).' })),
    currency: Type.Optional(Currency),
    amount: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}(\\.[0-9]{1,9})?$', description: 'Only transactions of exactly this amount, in major units.' })),
    'created[gte]': TransactionBound('created', 'at or after'),
    'created[lte]': TransactionBound('created', 'at or before'),
    'updated[gte]': TransactionBound('updated', 'at or after'),
    'updated[lte]': TransactionBound('updated', 'at or before'),
    // Required in the type (ajv fills the default in); the OpenAPI document shows it optional.
    limit: Type.Integer({ minimum: 1, maximum: 50, default: 10, description: 'Page size, 1–50.' }),
    after_id: Type.Optional(Type.String({ maxLength: 64, description: 'Id of the transaction before the page (the next page: use `links`).' })),
    before_id: Type.Optional(Type.String({ maxLength: 64, description: 'Id of the transaction after the page (the previous page).' })),
  },
  { additionalProperties: false },
);
export type TransactionListQueryValue = Static<typeof TransactionListQuery>;

export const TransactionPath = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'The transaction id (txn_…).' }) });

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
export const Transaction = Type.Object({
  id: TransactionId,
  product_id: Type.String({ description: 'The transfer’s id, or the top-up’s.' }),
  type: Type.Union([Type.Literal('TRANSFER'), Type.Literal('TOPUP')]),
  status: Type.Literal('SUCCESS'),
  channel_category: Type.Literal('XENPLATFORM'),
  channel_code: Type.Null(),
  reference_id: Type.String({ description: 'The transfer’s reference (both sides share it), or the top-up’s id.' }),
  account_identifier: Type.Null(),
  currency: Type.String(),
  amount: Type.Number({ description: 'Major units, positive; `cashflow` gives the direction.' }),
  net_amount: Type.Number({ description: 'The amount: no fees are charged here.' }),
  cashflow: Type.Union([Type.Literal('MONEY_IN'), Type.Literal('MONEY_OUT')]),
  settlement_status: Type.Literal('SETTLED'),
  estimated_settlement_time: Nullable(Type.String({ description: 'Money in: when it settled (at once: `created`). Money out: null.' })),
  business_id: Type.String({ description: 'The platform’s user id (its tenant id).' }),
  fee: Type.Object({
    xendit_fee: Type.Number(),
    value_added_tax: Type.Number(),
    xendit_withholding_tax: Type.Number(),
    third_party_withholding_tax: Type.Number(),
    status: Type.Literal('COMPLETED'),
  }),
  created: Timestamp,
  updated: Timestamp,
});
export const TransactionList = Type.Object({ has_more: Type.Boolean(), data: Type.Array(Transaction), links: Type.Array(Link) });
