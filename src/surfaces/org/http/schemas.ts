import { Type, type Static } from 'typebox';
import { IDEMPOTENCY_KEY_PATTERN } from '../../../http/idempotency.js';
import { PAYMENT_TYPES, type PaymentType } from '../domain/model.js';

// Wire schemas of BidZenith's Organization Accounts (seed 003; reference part B): JSON
// transcoding of its gRPC API, so camelCase fields and google.type.Money amounts.

const MONEY_DESCRIPTION =
  'google.type.Money. `units`: int64 whole units, as a JSON string (a number is accepted on input, up to ±(2^53−1)); ' +
  '`nanos`: billionths, −999,999,999 to +999,999,999, with the sign of units (either may be zero). $-1.75 is units "-1", nanos -750000000.';

const CurrencyCode = Type.String({ maxLength: 3, description: 'ISO 4217 currency code (uppercase).', examples: ['USD'] });

/** Money as clients send it: proto3 JSON, so units may be a string or a number, and zero fields may be left out. */
export const MoneyInput = Type.Object(
  {
    currencyCode: CurrencyCode,
    units: Type.Optional(Type.Unsafe<string | number>({ type: ['string', 'integer'], description: 'int64 whole units: a decimal string, or a JSON integer within ±(2^53−1).', examples: ['10'] })),
    nanos: Type.Optional(Type.Unsafe<number | string>({ type: ['integer', 'string'], description: 'int32 nano units, −999,999,999 to +999,999,999, with the sign of units.', examples: [500000000] })),
  },
  { additionalProperties: false, description: MONEY_DESCRIPTION },
);

export const Money = Type.Object(
  {
    currencyCode: Type.String({ examples: ['USD'] }),
    units: Type.String({ description: 'int64 whole units, as a decimal string.', examples: ['10'] }),
    nanos: Type.Integer({ description: 'Nano units, with the sign of units.', examples: [500000000] }),
  },
  { description: MONEY_DESCRIPTION },
);

const Name = Type.String({ minLength: 1, maxLength: 255, description: 'Unique per tenant and mode.', examples: ['Marketing budget'] });
const Description = Type.String({ maxLength: 1000, examples: ['Campaign spend for Q1'] });

export const LowBalanceInput = Type.Object(
  {
    hasNotification: Type.Boolean({ description: 'Whether to notify when the balance falls below the threshold.' }),
    notificationEmail: Type.String({ maxLength: 255, description: 'Where the notification e-mail goes.', examples: ['finance@example.com'] }),
    threshold: MoneyInput,
  },
  { additionalProperties: false, description: 'Low-balance settings: one e-mail and one account.low_balance event each time the balance falls below the threshold.' },
);

export const LowBalance = Type.Object({ hasNotification: Type.Boolean(), notificationEmail: Type.String(), threshold: Money });

export const Account = Type.Object({
  accountId: Type.String({ examples: ['oacc_0PfvJ0uV2n3XkTqR8bLmZcd'] }),
  name: Type.String(),
  balance: Money,
  createTime: Type.String({ format: 'date-time' }),
  updateTime: Type.String({ format: 'date-time' }),
  description: Type.Optional(Type.String()),
  lowBalance: Type.Optional(LowBalance),
});
export type AccountJson = Static<typeof Account>;

export const AccountEnvelope = Type.Object({ account: Account });

export const AccountCreate = Type.Object(
  { name: Name, description: Type.Optional(Description), currencyCode: CurrencyCode, lowBalance: Type.Optional(LowBalanceInput) },
  { additionalProperties: false },
);

/** Full replace. Output-only fields a client sends back after a read (balance, times) are ignored. */
export const AccountReplace = Type.Object(
  {
    accountId: Type.String({ maxLength: 255, description: 'Must equal the accountId of the path.' }),
    name: Name,
    description: Type.Optional(Description),
    lowBalance: Type.Optional(LowBalanceInput),
    currencyCode: Type.Optional(Type.String({ maxLength: 3, description: 'Optional; if sent, it must be the account currency (it cannot change).' })),
    balance: Type.Optional(Type.Unknown({ description: 'Output only: ignored.' })),
    createTime: Type.Optional(Type.Unknown({ description: 'Output only: ignored.' })),
    updateTime: Type.Optional(Type.Unknown({ description: 'Output only: ignored.' })),
  },
  { additionalProperties: false },
);

export const AccountPath = Type.Object({ accountId: Type.String({ maxLength: 255, description: 'The account identifier.' }) });

const PageSize = Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size, 1 to 100.' });
const PageToken = Type.String({ maxLength: 2000, description: 'The nextPageToken of the previous page.' });

export const AccountListQuery = Type.Object({ pageSize: PageSize, pageToken: Type.Optional(PageToken) }, { additionalProperties: false });

export const AccountList = Type.Object({
  accounts: Type.Array(Account),
  nextPageToken: Type.String({ description: 'Token of the next page; empty on the last page.' }),
});

const Topup = Type.Object(
  {
    reference: Type.Optional(Type.String({ maxLength: 255, description: 'A reference for the transaction.' })),
    paymentType: Type.Unsafe<PaymentType>({ type: 'string', enum: [...PAYMENT_TYPES], description: 'How the money came in.' }),
  },
  { additionalProperties: false },
);
const Adjustment = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false });
const DataInstance = Type.Object({ dataInstanceId: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false });

export const TransactionCreate = Type.Object(
  {
    amount: MoneyInput,
    description: Type.Optional(Description),
    topup: Type.Optional(Topup),
    adjustment: Type.Optional(Adjustment),
    dataInstance: Type.Optional(DataInstance),
  },
  { additionalProperties: false, description: 'A signed amount and exactly one of topup, adjustment or dataInstance.' },
);

export const Transaction = Type.Object({
  transactionId: Type.String(),
  amount: Money,
  balance: Money,
  createTime: Type.String({ format: 'date-time' }),
  description: Type.Optional(Type.String()),
  topup: Type.Optional(Type.Object({ paymentType: Type.String(), reference: Type.Optional(Type.String()) })),
  adjustment: Type.Optional(Type.Object({ reason: Type.Optional(Type.String()) })),
  dataInstance: Type.Optional(Type.Object({ dataInstanceId: Type.String() })),
});
export type TransactionJson = Static<typeof Transaction>;

export const TransactionEnvelope = Type.Object({ transaction: Transaction });

export const TransactionListQuery = Type.Object(
  {
    pageSize: PageSize,
    pageToken: Type.Optional(PageToken),
    credit: Type.Optional(Type.Boolean({ description: 'true: credits only; false: debits only.' })),
    'dateRange.from': Type.Optional(Type.String({ format: 'date-time', description: 'From this time, inclusive.' })),
    'dateRange.to': Type.Optional(Type.String({ format: 'date-time', description: 'To this time, inclusive.' })),
  },
  { additionalProperties: false },
);

export const TransactionList = Type.Object({
  transactions: Type.Array(Transaction),
  nextPageToken: Type.String({ description: 'Token of the next page; empty on the last page.' }),
});

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ pattern: IDEMPOTENCY_KEY_PATTERN, description: 'Optional: a retry with the same key replays the first answer.' })),
});

/** google.rpc.Status as gRPC JSON transcoding sends it. */
export const RpcStatus = Type.Object({
  code: Type.Integer({ description: 'gRPC status code (3 INVALID_ARGUMENT, 5 NOT_FOUND, …).' }),
  message: Type.String(),
  details: Type.Array(
    Type.Object({
      '@type': Type.String({ examples: ['type.googleapis.com/google.rpc.BadRequest'] }),
      fieldViolations: Type.Optional(Type.Array(Type.Object({ field: Type.String(), description: Type.String() }))),
    }),
  ),
});

export const TokenRequest = Type.Object({
  grant_type: Type.String({ description: 'client_credentials', examples: ['client_credentials'] }),
  client_id: Type.Optional(Type.String({ maxLength: 255, description: 'Unless sent with HTTP Basic.' })),
  client_secret: Type.Optional(Type.String({ maxLength: 255, description: 'Unless sent with HTTP Basic.' })),
  // The example is what Try-it-out pre-fills (without one it sends the word "string", an unknown role).
  scope: Type.Optional(Type.String({ maxLength: 1000, description: 'Space-separated roles to ask for (default: all of the client\u2019s).', examples: ['accounts.read accounts.write transactions.read transactions.write'] })),
});

export const TokenResponse = Type.Object({
  access_token: Type.String({ description: 'A JWT (EdDSA), verifiable with /.well-known/jwks.json.' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ examples: [3600] }),
  scope: Type.String({ examples: ['accounts.read accounts.write transactions.read transactions.write'] }),
});

export const OAuthError = Type.Object({ error: Type.String({ examples: ['invalid_client'] }), error_description: Type.String() });

export const Jwks = Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) });
export type TokenRequestBody = Static<typeof TokenRequest>;
