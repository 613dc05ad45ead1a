import { Type, type Static } from 'typebox';
import { createdFields, Currency, ExternalReference, Metadata, MetadataPatch, NonNegativeMinorUnits, Nullable, pageFields, PaymentRules, Timestamp } from './schemas.js';

// Wire schemas of Moment bills (SPEC §3b; reference/moment.md "Bills") and of the testing API's
// payments against an obligation.

const MAX_JSON_INTEGER = Number.MAX_SAFE_INTEGER;

const CalendarDate = (description: string, example: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: `${description} (YYYY-MM-DD).`, examples: [example] });
const PositiveMinorUnits = (description: string, example: number) => Type.Integer({ minimum: 1, maximum: MAX_JSON_INTEGER, description, examples: [example] });
const Reference = (description: string, example: string) => Type.String({ minLength: 1, maxLength: 255, description, examples: [example] });
/** Derived fields a request may not send: present in the schema only so the refusal can say why. */
const Derived = (what: string) => Type.Unknown({ readOnly: true, description: `Derived from amount_due and amount_paid (${what}); sending it answers 400.` });

// On create, null for an optional field means it was left out, as on accounts (SDKs send unset fields as null).
export const BillCreate = Type.Object(
  {
    customer: Type.Optional(Nullable(Reference('The customer: its id (bcus_…) or external reference. With `account`, it must be the account\'s customer.', 'CUS-1'))),
    account: Type.Optional(Nullable(Reference('The account: its id (bacc_…) or external reference; its customer becomes the bill\'s.', 'ACC-1'))),
    external_reference: ExternalReference,
    currency: Currency,
    amount_due: PositiveMinorUnits('What the bill asks for, in minor units (> 0).', 2000),
    bill_date: Type.Optional(Nullable(CalendarDate("Defaults to today (UTC) on the tenant's clock", '2026-01-01'))),
    due_date: Type.Optional(Nullable(CalendarDate('Not before bill_date', '2026-01-31'))),
    payment_rules: Type.Optional(Nullable(PaymentRules)),
    metadata: Type.Optional(Nullable(Metadata)),
  },
  { additionalProperties: false, examples: [{ account: 'ACC-1', external_reference: 'BILL-2026-001', currency: 'ZAR', amount_due: 2000, due_date: '2026-01-31', payment_rules: { min_amount: 100, max_amount: 2000, underpayment_allowed: true, overpayment_allowed: false } }] },
);
export type BillCreateBody = Static<typeof BillCreate>;

export const BillUpdate = Type.Object(
  {
    amount_paid: Type.Optional(NonNegativeMinorUnits(1500)),
    due_date: Type.Optional(Nullable(CalendarDate('Not before bill_date; null removes it', '2026-02-28'))),
    payment_rules: Type.Optional(Nullable(PaymentRules)),
    metadata: Type.Optional(MetadataPatch),
    amount_remaining: Type.Optional(Derived('amount_due − amount_paid')),
    status: Type.Optional(Derived('paid once amount_remaining ≤ 0')),
  },
  { additionalProperties: false, examples: [{ amount_paid: 1500 }] },
);
export type BillUpdateBody = Static<typeof BillUpdate>;

export const Bill = Type.Object({
  id: Type.String({ pattern: '^bill_[a-zA-Z0-9]+$', examples: ['bill_H4jp6KnU5cPw263v1jyz4'] }),
  external_reference: ExternalReference,
  customer_id: Type.String({ pattern: '^bcus_[a-zA-Z0-9]+$' }),
  account_id: Nullable(Type.String({ pattern: '^bacc_[a-zA-Z0-9]+$' })),
  status: Type.Union([Type.Literal('unpaid'), Type.Literal('paid')], { description: 'paid when amount_remaining ≤ 0, else unpaid.' }),
  currency: Currency,
  amount_due: Type.Integer(),
  amount_paid: Type.Integer(),
  amount_remaining: Type.Integer({ description: 'amount_due − amount_paid: negative when overpaid.' }),
  bill_date: Type.String(),
  due_date: Nullable(Type.String()),
  payment_rules: Nullable(PaymentRules),
  metadata: Type.Record(Type.String(), Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type BillJson = Static<typeof Bill>;

export const BillListQuery = Type.Object(
  {
    ...pageFields,
    ...createdFields,
    customer_id: Type.Optional(Type.String({ maxLength: 255, description: 'Only the bills of this customer (its bcus_… id), directly or through an account.' })),
    account_id: Type.Optional(Type.String({ maxLength: 255, description: 'Only the bills of this account (its bacc_… id).' })),
    status: Type.Optional(Type.Union([Type.Literal('unpaid'), Type.Literal('paid')], { description: 'must be "unpaid" or "paid"' })),
  },
  { additionalProperties: false },
);

// The testing API's payment against an obligation (SPEC §3b, §7).
export const PaymentCreate = Type.Object(
  {
    bill: Type.Optional(Reference('A bill id (bill_…) or external reference.', 'BILL-2026-001')),
    account: Type.Optional(Reference('An account id (bacc_…) or external reference.', 'ACC-1')),
    customer: Type.Optional(Reference('A customer id (bcus_…) or external reference.', 'CUS-1')),
    amount: PositiveMinorUnits('What the customer pays, in minor units (> 0).', 1500),
    currency: Currency,
  },
  { additionalProperties: false, description: 'Exactly one of bill, account or customer.', examples: [{ bill: 'BILL-2026-001', amount: 1500, currency: 'ZAR' }] },
);
export type PaymentCreateBody = Static<typeof PaymentCreate>;

const ObligationType = Type.Union([Type.Literal('bill'), Type.Literal('account'), Type.Literal('customer')]);

export const PaymentResult = Type.Object({
  payment_id: Type.String({ pattern: '^pay_[a-zA-Z0-9]+$' }),
  obligation: Type.Object({ type: ObligationType, id: Type.String() }),
  amount: Type.Integer(),
  currency: Currency,
  applied_at: Timestamp,
});
export type PaymentResultJson = Static<typeof PaymentResult>;

/** `obligation.amount_applied`'s data, in Moment's shape (reference/moment.md, "Webhooks / events"). */
export const AmountApplied = Type.Object({
  id: Type.String({ pattern: '^ob_[a-zA-Z0-9]+$' }),
  amount: Type.Integer(),
  currency: Currency,
  payment_id: Type.String({ pattern: '^pay_[a-zA-Z0-9]+$' }),
  customer_id: Type.String(),
  account_id: Type.Optional(Type.String({ description: 'Present when an account was paid.' })),
  bill_id: Type.Optional(Type.String({ description: 'Present when a bill was paid.' })),
  metadata: Type.Record(Type.String(), Type.String(), { description: "The paid object's metadata." }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type AmountAppliedJson = Static<typeof AmountApplied>;
