import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createAccount, findAccount, updateAccount } from '../../src/surfaces/billing/domain/accounts.js';
import { createCustomer, updateCustomer } from '../../src/surfaces/billing/domain/customers.js';
import { LedgerError, NotFound, type LedgerErrorCode } from '../../src/ledger/errors.js';
import { LedgerPipeline, type CommandOutput } from '../../src/ledger/pipeline.js';
import { IdempotentCommands, type CommandOutcome, type IdempotentRequest } from '../../src/http/idempotency.js';
import { billingRepositories } from '../../src/surfaces/billing/store/repositories.js';
import type { MetadataPatch } from '../../src/surfaces/billing/domain/metadata.js';
import { EXTERNAL, type CommandContext, type LedgerEntry, type Scope } from '../../src/ledger/model.js';
import { type Account, type Customer, type Metadata, type PaymentRules } from '../../src/surfaces/billing/domain/model.js';
import { toMinorUnits } from '../../src/ledger/money.js';
import type { Repositories, StoredResponse } from '../../src/store/ports.js';
import { stableJson } from '../../src/ledger/stable-json.js';
import { createTenant } from '../../src/tenancy/tenants.js';
import { openStore } from '../../src/runtime.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.js';
import { ledgerSumInMinorUnits } from '../support/ledger.js';

/*
 * A seeded, model-based invariant test (STYLE.md "Tests at three levels"): random sequences of
 * the core's create/update commands run against the real store; after every operation the
 * stored state is compared with a small independent model of SPEC §2-3 and the ledger rules
 * are checked: stored balance = sum of entries, entries chain, rejected operations leave no trace.
 */

const SEED = 20261123;
const OPERATIONS_PER_RUN = 200;
const RUNS = 8;

const MAX = 2n ** 53n - 1n;
const VALID_CURRENCIES = ['ZAR', 'JPY', 'KWD', 'USD'] as const;
const INVALID_CURRENCIES = ['zar', 'QQQ', 'US'] as const;
// Small pools of external references, so that duplicates (409) happen often.
const ACCOUNT_REFS = Array.from({ length: 7 }, (_, i) => `acc-${i}`);
const CUSTOMER_REFS = Array.from({ length: 7 }, (_, i) => `cus-${i}`);
const METADATA_KEYS = Array.from({ length: 26 }, (_, i) => `key_${i}`);

// ---------------------------------------------------------------------------------------------
// Operations

type Via = 'transaction' | 'service' | 'idempotent';
interface MoneyInput {
  balance?: bigint;
  currency?: string | null;
}
/** Which existing object an operation names; resolved against the model when it runs. */
interface Target {
  pick: number;
  byId: boolean;
  missing: boolean;
}
interface Common {
  via: Via;
  money: MoneyInput;
  rules: PaymentRules | null | undefined;
  metadata: MetadataPatch | undefined;
  name: string | null | undefined;
}
type CreateCustomerOp = Common & { type: 'createCustomer'; ref: string };
type CreateAccountOp = Common & {
  type: 'createAccount';
  ref: string;
  customer: { kind: 'existing'; target: Target } | { kind: 'new'; ref: string; money: MoneyInput };
};
type UpdateAccountOp = Common & { type: 'updateAccount'; target: Target };
type UpdateCustomerOp = Common & { type: 'updateCustomer'; target: Target; email: string | null | undefined };
type RetryOp = { type: 'retry'; pick: number };
type Op = CreateCustomerOp | CreateAccountOp | UpdateAccountOp | UpdateCustomerOp | RetryOp;

const amountArb = fc.oneof(
  { weight: 8, arbitrary: fc.bigInt({ min: -10_000n, max: 10_000n }) },
  { weight: 2, arbitrary: fc.constant(0n) },
  { weight: 1, arbitrary: fc.constantFrom(MAX, -MAX) },
  { weight: 1, arbitrary: fc.bigInt({ min: -MAX, max: MAX }) },
);
const currencyArb: fc.Arbitrary<string | null | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom<string>(...VALID_CURRENCIES) },
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom<string>(...INVALID_CURRENCIES) },
);
const moneyArb: fc.Arbitrary<MoneyInput> = fc.record({
  balance: fc.option(amountArb, { nil: undefined, freq: 3 }),
  currency: currencyArb,
}, { noNullPrototype: true });
const rulesArb: fc.Arbitrary<PaymentRules | null | undefined> = fc.oneof(
  { weight: 5, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 3,
    arbitrary: fc.record({
      minAmount: fc.bigInt({ min: -1n, max: 60n }),
      maxAmount: fc.bigInt({ min: -1n, max: 400n }),
      underpaymentAllowed: fc.boolean(),
      overpaymentAllowed: fc.boolean(),
    }, { noNullPrototype: true }),
  },
);
const metadataArb: fc.Arbitrary<MetadataPatch | undefined> = fc.option(
  fc.dictionary(
    fc.constantFrom(...METADATA_KEYS),
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom<string | null>('x', 'y') },
      { weight: 1, arbitrary: fc.constantFrom<string | null>('', null) },
    ),
    { maxKeys: 16, size: 'large', noNullPrototype: true },
  ),
  { nil: undefined, freq: 2 },
);
const nameArb = fc.constantFrom<string | null | undefined>(undefined, undefined, 'Alice', 'Bob', null);
const viaArb = fc.constantFrom<Via>('transaction', 'service', 'idempotent');
const targetArb: fc.Arbitrary<Target> = fc.record({
  pick: fc.nat(),
  byId: fc.boolean(),
  missing: fc.integer({ min: 0, max: 24 }).map((n) => n === 0),
}, { noNullPrototype: true });
const common = { via: viaArb, money: moneyArb, rules: rulesArb, metadata: metadataArb, name: nameArb };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({ type: fc.constant('createCustomer' as const), ref: fc.constantFrom(...CUSTOMER_REFS), ...common }, { noNullPrototype: true }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('createAccount' as const),
      ref: fc.constantFrom(...ACCOUNT_REFS),
      customer: fc.oneof(
        { weight: 3, arbitrary: fc.record({ kind: fc.constant('existing' as const), target: targetArb }, { noNullPrototype: true }) },
        {
          weight: 1,
          arbitrary: fc.record({ kind: fc.constant('new' as const), ref: fc.constantFrom(...CUSTOMER_REFS), money: moneyArb }, { noNullPrototype: true }),
        },
      ),
      ...common,
    }, { noNullPrototype: true }),
  },
  { weight: 6, arbitrary: fc.record({ type: fc.constant('updateAccount' as const), target: targetArb, ...common }, { noNullPrototype: true }) },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('updateCustomer' as const),
      target: targetArb,
      email: fc.constantFrom<string | null | undefined>(undefined, 'a@example.com', null),
      ...common,
    }, { noNullPrototype: true }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('retry' as const), pick: fc.nat() }, { noNullPrototype: true }) },
);

// ---------------------------------------------------------------------------------------------
// The model: SPEC §2-3 restated independently of the core's code

interface HolderModel {
  id: string;
  ref: string;
  customerId: string | null;
  name: string | null;
  email: string | null;
  balance: bigint | null;
  currency: string | null;
  paymentRules: PaymentRules | null;
  metadata: Metadata;
  entries: number;
}

interface IdempotentCall {
  request: IdempotentRequest;
  response: StoredResponse;
}

interface Model {
  accounts: HolderModel[];
  customers: HolderModel[];
  events: number;
  ledgerRows: number;
  idempotentCalls: IdempotentCall[];
}

/** Why the model expects a rejection, with the error code that reason produces. */
interface Rejection {
  reason: string;
  code: LedgerErrorCode;
}

interface Prediction {
  rejections: Rejection[];
  /** Event types the operation must emit (when accepted). */
  eventTypes: string[];
  /** Ledger entries the operation must write (when accepted). */
  entries: number;
  /** Updates the model with the accepted operation's result and checks that result. */
  apply(result: Account | Customer, model: Model): void;
  /** What the operation exercised (accepted or not), for the coverage check. */
  labels: string[];
}

const invalid = (reason: string): Rejection => ({ reason, code: 'validation_failed' });

function predictMoney(
  current: { balance: bigint | null; currency: string | null },
  change: MoneyInput,
  rejections: Rejection[],
  labels: string[],
  prefix = '',
): { balance: bigint | null; currency: string | null; entries: number } {
  const { balance, currency } = change;
  if (currency !== undefined && currency !== null && !(VALID_CURRENCIES as readonly string[]).includes(currency)) {
    rejections.push(invalid(`${prefix}unknown currency`));
  }
  // A balance alone is in the holder's own currency (Moment's {"balance":10000}); with none there either, it is refused.
  const nextCurrency = currency === undefined ? current.currency : currency;
  if (balance !== undefined && nextCurrency === null) {
    rejections.push(invalid(`${prefix}balance without currency`));
  }
  if (balance !== undefined && currency === undefined && current.currency !== null) labels.push(`${prefix}balance alone, in the holder's currency`);
  const currencyChanges = currency !== undefined && currency !== current.currency;
  if (currencyChanges && current.balance !== null && balance === undefined) {
    rejections.push(invalid(`${prefix}currency change without balance`));
  }
  const next = { balance: balance ?? current.balance, currency: nextCurrency };
  let entries = 0;
  if (next.balance !== null) {
    if (current.balance === null) {
      labels.push(`${prefix}balance starts being tracked`);
      entries = next.balance !== 0n ? 1 : 0;
    } else if (current.currency !== next.currency) {
      labels.push(`${prefix}currency change with balance`);
      entries = (current.balance !== 0n ? 1 : 0) + (next.balance !== 0n ? 1 : 0);
    } else {
      const difference = next.balance - current.balance;
      if (difference > MAX || difference < -MAX) rejections.push(invalid(`${prefix}balance change beyond 2^53-1`));
      if (difference !== 0n) labels.push(`${prefix}balance adjustment`);
      entries = difference !== 0n ? 1 : 0;
    }
  }
  return { ...next, entries };
}

function predictRules(rules: PaymentRules | null | undefined, rejections: Rejection[]): void {
  if (!rules) return;
  if (rules.minAmount < 0n || rules.maxAmount < 0n) rejections.push(invalid('negative payment rule amount'));
  if (rules.minAmount > rules.maxAmount) rejections.push(invalid('payment rules min > max'));
}

function predictMetadata(current: Metadata, patch: MetadataPatch | undefined, rejections: Rejection[]): Metadata {
  const merged: Metadata = { ...current };
  for (const [key, value] of Object.entries(patch ?? {})) {
    if (value === null || value === '') delete merged[key];
    else merged[key] = value;
  }
  if (Object.keys(merged).length > 20) rejections.push(invalid('more than 20 metadata keys'));
  return merged;
}

/** The fields a create/update decides; compared with what the store returns and holds. */
function comparable(h: Pick<HolderModel, 'name' | 'balance' | 'currency' | 'paymentRules' | 'metadata'>) {
  return { name: h.name, balance: h.balance, currency: h.currency, paymentRules: h.paymentRules, metadata: h.metadata };
}

function resolveTarget(holders: HolderModel[], target: Target, idPrefix: string, missingRef: string) {
  if (target.missing || holders.length === 0) {
    return { holder: undefined, reference: target.byId ? `${idPrefix}_000000000000000000000` : missingRef };
  }
  const holder = holders[target.pick % holders.length];
  return { holder, reference: target.byId ? holder.id : holder.ref };
}

function predictCreateCustomer(op: CreateCustomerOp, model: Model): Prediction {
  const rejections: Rejection[] = [];
  const labels = ['create customer', op.money.balance === undefined ? 'create without balance' : 'create with balance'];
  const money = predictMoney({ balance: null, currency: null }, op.money, rejections, labels);
  predictRules(op.rules, rejections);
  const metadata = predictMetadata({}, op.metadata, rejections);
  if (model.customers.some((c) => c.ref === op.ref)) rejections.push({ reason: 'duplicate customer reference', code: 'already_exists' });
  const expected: HolderModel = {
    id: '',
    ref: op.ref,
    customerId: null,
    name: op.name ?? null,
    email: null,
    balance: money.balance,
    currency: money.currency,
    paymentRules: op.rules ?? null,
    metadata,
    entries: money.entries,
  };
  return {
    rejections,
    labels,
    eventTypes: ['customer.created'],
    entries: money.entries,
    apply(result, m) {
      assert.deepEqual(comparable(result), comparable(expected));
      assert.equal(result.externalReference, op.ref);
      m.customers.push({ ...expected, id: result.id });
    },
  };
}

function predictCreateAccount(op: CreateAccountOp, model: Model): Prediction {
  const rejections: Rejection[] = [];
  const labels = ['create account', op.money.balance === undefined ? 'create without balance' : 'create with balance'];
  const money = predictMoney({ balance: null, currency: null }, op.money, rejections, labels);
  predictRules(op.rules, rejections);
  const metadata = predictMetadata({}, op.metadata, rejections);
  const eventTypes: string[] = [];
  let entries = money.entries;
  let existingCustomer: HolderModel | undefined;
  let inline: HolderModel | undefined;
  if (op.customer.kind === 'existing') {
    const { holder } = resolveTarget(model.customers, op.customer.target, 'bcus', 'cus-missing');
    existingCustomer = holder;
    if (!holder) rejections.push(invalid('unknown customer'));
  } else {
    labels.push('inline customer');
    const inlineMoney = predictMoney({ balance: null, currency: null }, op.customer.money, rejections, labels, 'inline customer: ');
    const ref = op.customer.ref;
    if (model.customers.some((c) => c.ref === ref)) {
      rejections.push({ reason: 'duplicate inline customer reference', code: 'already_exists' });
    }
    inline = {
      id: '',
      ref,
      customerId: null,
      name: null,
      email: null,
      balance: inlineMoney.balance,
      currency: inlineMoney.currency,
      paymentRules: null,
      metadata: {},
      entries: inlineMoney.entries,
    };
    eventTypes.push('customer.created');
    entries += inlineMoney.entries;
  }
  if (model.accounts.some((a) => a.ref === op.ref)) rejections.push({ reason: 'duplicate account reference', code: 'already_exists' });
  eventTypes.push('account.created');
  const expected: HolderModel = {
    id: '',
    ref: op.ref,
    customerId: existingCustomer?.id ?? null,
    name: op.name ?? null,
    email: null,
    balance: money.balance,
    currency: money.currency,
    paymentRules: op.rules ?? null,
    metadata,
    entries: money.entries,
  };
  return {
    rejections,
    labels,
    eventTypes,
    entries,
    apply(result, m) {
      const account = result as Account;
      assert.deepEqual(comparable(account), comparable(expected));
      assert.equal(account.externalReference, op.ref);
      if (existingCustomer) assert.equal(account.customerId, existingCustomer.id);
      if (inline) {
        assert.ok(!m.customers.some((c) => c.id === account.customerId), 'an inline customer is a new customer');
        m.customers.push({ ...inline, id: account.customerId });
      }
      m.accounts.push({ ...expected, id: account.id, customerId: account.customerId });
    },
  };
}

function predictUpdate(op: UpdateAccountOp | UpdateCustomerOp, model: Model): Prediction & { reference: string } {
  const isAccount = op.type === 'updateAccount';
  const holders = isAccount ? model.accounts : model.customers;
  const { holder, reference } = resolveTarget(holders, op.target, isAccount ? 'bacc' : 'bcus', isAccount ? 'acc-missing' : 'cus-missing');
  const labels: string[] = [op.type];
  if (!holder) {
    return {
      reference,
      rejections: [{ reason: 'unknown target', code: 'not_found' }],
      labels: [...labels, 'unknown target'],
      eventTypes: [],
      entries: 0,
      apply: () => assert.fail('an update of an unknown object cannot succeed'),
    };
  }
  const rejections: Rejection[] = [];
  const money = predictMoney(holder, op.money, rejections, labels);
  predictRules(op.rules, rejections);
  const next: HolderModel = {
    ...holder,
    name: op.name === undefined ? holder.name : op.name,
    email: op.type === 'updateCustomer' && op.email !== undefined ? op.email : holder.email,
    balance: money.balance,
    currency: money.currency,
    paymentRules: op.rules === undefined ? holder.paymentRules : op.rules,
    metadata: predictMetadata(holder.metadata, op.metadata, rejections),
    entries: holder.entries + money.entries,
  };
  const changed = stableJson({ ...comparable(holder), email: holder.email }) !== stableJson({ ...comparable(next), email: next.email });
  const eventTypes: string[] = [];
  if (changed) {
    eventTypes.push(isAccount ? 'account.updated' : 'customer.updated');
    if (isAccount && money.entries > 0) eventTypes.push('account.balance_changed');
  } else labels.push('update that changes nothing');
  return {
    reference,
    rejections,
    labels,
    eventTypes,
    entries: changed ? money.entries : 0,
    apply(result) {
      assert.equal(result.id, holder.id);
      assert.deepEqual(comparable(result), comparable(next));
      Object.assign(holder, next);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the store and checking the invariants

/**
 * Busy-waits (no sleep) for a millisecond later than anything the previous operation could
 * have stamped, so that every operation's events are told apart by time.
 */
let lastOperationMs = 0;
function operationTime(): string {
  let now = Date.now();
  while (now <= lastOperationMs) now = Date.now();
  lastOperationMs = now;
  return new Date(now).toISOString();
}

/** Marks the end of an operation: the latest time it may have stamped on what it wrote. */
function operationFinished(): string {
  lastOperationMs = Math.max(lastOperationMs, Date.now());
  return new Date(lastOperationMs).toISOString();
}

function contextFor(scope: Scope, idempotencyKey: string | null = null): CommandContext {
  return { scope, actor: 'key_test', requestId: 'req_test', idempotencyKey, now: operationTime() };
}

async function ledgerRowCount(store: KyselyStore, scope: Scope): Promise<number> {
  const row = await store.db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.countAll<number | bigint | string>().as('n'))
    .where('tenant_id', '=', scope.tenantId)
    .where('mode', '=', scope.mode)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Each holder's entries, in the order they were applied (sequence 1, 2, 3…), chain per currency:
 * balance_after = the previous balance_after in that currency (0 before the first) + amount.
 * A currency the holder left is closed at 0; the current currency's last balance_after is the
 * stored balance.
 */
function assertEntriesChain(holder: Account | Customer, oldestFirst: LedgerEntry[]): void {
  // Each balance (holder, currency) numbers its entries 1, 2, 3… without gaps.
  const counted = new Map<string, number>();
  for (const e of oldestFirst) {
    const expected = (counted.get(e.currency) ?? 0) + 1;
    counted.set(e.currency, expected);
    assert.equal(e.sequence, expected, `${holder.id}: ${e.currency} entry ${e.id} is number ${expected} of its balance`);
    assert.equal(e.counterparty, EXTERNAL, 'billing balances change against the external counterparty');
  }
  const running = new Map<string, bigint>();
  for (const e of oldestFirst) {
    assert.equal(e.holderId, holder.id);
    assert.notEqual(e.amount, 0n, `ledger entry ${e.id} of ${holder.id} moves no money`);
    assert.ok(e.kind === 'initial' || e.kind === 'adjustment', `entry kind ${e.kind}`);
    assert.equal(e.actor, 'key_test');
    assert.equal(e.requestId, 'req_test');
    const previous = running.get(e.currency) ?? 0n;
    assert.equal(
      e.balanceAfter,
      previous + e.amount,
      `${holder.id}: entry ${e.id} (${e.kind} ${e.amount} ${e.currency}) has balance_after ${e.balanceAfter}, previous was ${previous}`,
    );
    running.set(e.currency, e.balanceAfter);
  }
  for (const [currency, last] of running) {
    if (currency === holder.currency) assert.equal(toMinorUnits({ currency, amount: last }), holder.balance, `${holder.id}: last ${currency} entry is the balance`);
    else assert.equal(last, 0n, `${holder.id}: the ${currency} it no longer holds was closed to zero`);
  }
}

interface Observation {
  /** Everything stored in the scope, as text: a rejected operation must leave it byte-identical. */
  snapshot: string;
  eventIds: string[];
  events: { id: string; type: string; createdAt: string; data: unknown }[];
}

async function observeAndCheck(store: KyselyStore, scope: Scope, model: Model): Promise<Observation> {
  const reader = store.reader;
  const billing = billingRepositories.of(reader);
  const accounts = (await billing.accounts.list(scope, { limit: 1000 })).items;
  const customers = (await billing.customers.list(scope, { limit: 1000 })).items;
  assert.deepEqual(accounts.map((a) => a.id).sort(), model.accounts.map((a) => a.id).sort(), 'the stored accounts are the created ones');
  assert.deepEqual(customers.map((c) => c.id).sort(), model.customers.map((c) => c.id).sort(), 'the stored customers are the created ones');
  const ledger: Record<string, LedgerEntry[]> = {};
  const holders: [Account | Customer, HolderModel][] = [
    ...accounts.map((a) => [a, model.accounts.find((m) => m.id === a.id)!] as [Account, HolderModel]),
    ...customers.map((c) => [c, model.customers.find((m) => m.id === c.id)!] as [Customer, HolderModel]),
  ];
  for (const [stored, expected] of holders) {
    const sum = await ledgerSumInMinorUnits(reader, scope, stored.id);
    assert.equal(sum, stored.balance ?? 0n, `${stored.id}: stored balance ${stored.balance} must equal the sum of its ledger entries ${sum}`);
    const oldestFirst = (await reader.ledger.list(scope, stored.id, { limit: 1000 })).items.reverse();
    if (stored.balance === null) assert.deepEqual(oldestFirst, [], `${stored.id} tracks no balance and has no ledger entries`);
    assertEntriesChain(stored, oldestFirst);
    assert.equal(oldestFirst.length, expected.entries, `${stored.id}: number of ledger entries`);
    assert.equal(stored.externalReference, expected.ref);
    assert.deepEqual(comparable(stored), comparable(expected), `${stored.id} holds what the model says`);
    if ('customerId' in stored) assert.equal(stored.customerId, expected.customerId);
    if ('email' in stored) assert.equal(stored.email, expected.email);
    ledger[stored.id] = oldestFirst;
  }
  const ledgerRows = await ledgerRowCount(store, scope);
  assert.equal(ledgerRows, model.ledgerRows, 'ledger entries in the scope');
  const events = await reader.events.listRecent(scope, 1000);
  assert.ok(events.length < 1000, 'the event count stays measurable');
  assert.equal(events.length, model.events, 'events in the scope');
  return {
    snapshot: stableJson({ accounts, customers, ledger, ledgerRows, eventIds: events.map((e) => e.id) }),
    eventIds: events.map((e) => e.id),
    events,
  };
}

// ---------------------------------------------------------------------------------------------
// Running operations

interface RunOutcome {
  outcome: CommandOutcome<Account | Customer>;
  replayed: boolean;
  commandRan: boolean;
}

function renderOutcome(outcome: CommandOutcome<Account | Customer>): StoredResponse {
  return outcome.ok
    ? { status: 200, headers: {}, body: stableJson(outcome.value), resourceId: outcome.value.id }
    : { status: 400, headers: {}, body: stableJson({ code: outcome.error.code, message: outcome.error.message }), resourceId: null };
}

function commandOf(op: Exclude<Op, RetryOp>, ctx: CommandContext, reference: string | undefined) {
  return (tx: Repositories): Promise<CommandOutput<Account | Customer>> => {
    const base = { name: op.name, paymentRules: op.rules, metadata: op.metadata, ...op.money };
    switch (op.type) {
      case 'createCustomer':
        return createCustomer(tx, ctx, { externalReference: op.ref, ...base });
      case 'createAccount':
        return createAccount(tx, ctx, {
          externalReference: op.ref,
          ...base,
          customer:
            op.customer.kind === 'new'
              ? { kind: 'new', customer: { externalReference: op.customer.ref, ...op.customer.money } }
              : { kind: 'existing', reference: reference! },
        });
      case 'updateAccount':
        return updateAccount(tx, ctx, reference!, base);
      case 'updateCustomer':
        return updateCustomer(tx, ctx, reference!, { ...base, email: op.email });
    }
  };
}

async function runOperation(
  store: KyselyStore,
  service: Services,
  ctx: CommandContext,
  command: (tx: Repositories) => Promise<CommandOutput<Account | Customer>>,
  via: Via,
  idempotency: IdempotentRequest | undefined,
): Promise<RunOutcome> {
  let commandRan = false;
  const tracked = (tx: Repositories) => {
    commandRan = true;
    return command(tx);
  };
  if (via === 'transaction') {
    try {
      return { outcome: { ok: true, value: (await service.pipeline.execute(ctx, tracked)).result }, replayed: false, commandRan };
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      return { outcome: { ok: false, error }, replayed: false, commandRan };
    }
  }
  let rendered: CommandOutcome<Account | Customer> | undefined;
  const execution = await service.commands.run(
    ctx,
    tracked,
    (outcome) => {
      rendered = outcome;
      return renderOutcome(outcome);
    },
    idempotency,
  );
  if (execution.replayed) return { outcome: { ok: true, value: undefined as never }, replayed: true, commandRan };
  assert.ok(rendered, 'execute renders the outcome of a command it ran');
  return { outcome: rendered, replayed: false, commandRan };
}

const coverage = new Map<string, number>();
const count = (label: string) => coverage.set(label, (coverage.get(label) ?? 0) + 1);

async function runSequence(store: KyselyStore, service: Services, ops: Op[], runId: string): Promise<void> {
  const { tenant } = await store.transaction((tx) => createTenant(tx, { name: 'inv' }, new Date().toISOString()));
  const scope: Scope = { tenantId: tenant.id, mode: 'test' };
  const model: Model = { accounts: [], customers: [], events: 0, ledgerRows: 0, idempotentCalls: [] };
  let before = await observeAndCheck(store, scope, model);

  for (const [index, op] of ops.entries()) {
    const step = `operation #${index} ${stableJson(op)}`;
    if (op.type === 'retry') {
      if (model.idempotentCalls.length === 0) continue;
      const call = model.idempotentCalls[op.pick % model.idempotentCalls.length];
      const ctx = contextFor(scope, call.request.key);
      // The retry's command writes (a new customer with a balance: rows, a ledger entry, an
      // event); the key's first answer must win and none of those writes may survive.
      const execution = await service.commands.run(
        ctx,
        (tx) => createCustomer(tx, ctx, { externalReference: `retry-${runId}-${index}`, currency: 'ZAR', balance: 5n }),
        renderOutcome,
        call.request,
      );
      assert.equal(execution.replayed, true, `${step}: a retry with the same key and request is a replay`);
      assert.deepEqual(execution.response, call.response, `${step}: a replay returns the first answer`);
      const afterRetry = await observeAndCheck(store, scope, model);
      assert.equal(afterRetry.snapshot, before.snapshot, `${step}: a replay leaves the store as it was`);
      count('replay');
      before = afterRetry;
      continue;
    }

    const prediction =
      op.type === 'createCustomer'
        ? { ...predictCreateCustomer(op, model), reference: undefined }
        : op.type === 'createAccount'
          ? {
              ...predictCreateAccount(op, model),
              reference:
                op.customer.kind === 'existing' ? resolveTarget(model.customers, op.customer.target, 'bcus', 'cus-missing').reference : undefined,
            }
          : predictUpdate(op, model);
    const key = op.via === 'idempotent' ? `inv-${runId}-${index}` : null;
    const ctx = contextFor(scope, key);
    const idempotency: IdempotentRequest | undefined = key
      ? {
          key,
          fingerprint: createHash('sha256').update(stableJson(op)).digest('hex'),
          method: op.type.startsWith('create') ? 'POST' : 'PATCH',
          path: `/invariant/${op.type}`,
        }
      : undefined;
    const { outcome, replayed, commandRan } = await runOperation(
      store,
      service,
      ctx,
      commandOf(op, ctx, prediction.reference),
      op.via,
      idempotency,
    );
    const finishedAt = operationFinished();
    assert.equal(replayed, false, `${step}: a fresh idempotency key is never a replay`);
    assert.equal(commandRan, true, `${step}: the command ran`);
    for (const label of prediction.labels) count(label);
    for (const r of prediction.rejections) count(`rejected: ${r.reason}`);

    if (prediction.rejections.length > 0) {
      assert.equal(outcome.ok, false, `${step}: must be rejected (${prediction.rejections.map((r) => r.reason).join(', ')})`);
      if (!outcome.ok) {
        assert.ok(
          prediction.rejections.some((r) => r.code === outcome.error.code),
          `${step}: rejected with ${outcome.error.code} (${outcome.error.message}), expected one of ${prediction.rejections.map((r) => `${r.code} (${r.reason})`).join(', ')}`,
        );
      }
    } else {
      assert.ok(outcome.ok, `${step}: must be accepted, got ${outcome.ok ? '' : `${outcome.error.code}: ${outcome.error.message}`}`);
    }
    if (outcome.ok) {
      prediction.apply(outcome.value, model);
      model.events += prediction.eventTypes.length;
      model.ledgerRows += prediction.entries;
    }
    if (idempotency) {
      const stored = await store.reader.idempotency.find(scope, idempotency.key, ctx.now);
      assert.ok(stored?.response, `${step}: the outcome is stored with the idempotency key`);
      assert.equal(stored.response.status, outcome.ok ? 200 : 400);
      model.idempotentCalls.push({ request: idempotency, response: stored.response });
    }

    const afterOp = await observeAndCheck(store, scope, model);
    if (!outcome.ok) {
      assert.equal(afterOp.snapshot, before.snapshot, `${step}: a rejected operation leaves the store byte-identical`);
    } else {
      const fresh = afterOp.events.slice(0, prediction.eventTypes.length);
      assert.deepEqual(fresh.map((e) => e.type).sort(), [...prediction.eventTypes].sort(), `${step}: the events it emitted`);
      if (fresh.length > 0) {
        // An update stamps its change once it holds the row lock, so at or after the request's time.
        const stamp = outcome.value.updatedAt;
        assert.ok(stamp >= ctx.now && stamp <= finishedAt, `${step}: changed at ${stamp}, between ${ctx.now} and ${finishedAt}`);
        for (const e of fresh) assert.equal(e.createdAt, stamp, `${step}: event ${e.type} carries the time of the change`);
      }
      assert.deepEqual(afterOp.eventIds.slice(prediction.eventTypes.length), before.eventIds, `${step}: earlier events are untouched`);
    }
    before = afterOp;
  }
}

// ---------------------------------------------------------------------------------------------

async function inScope<T>(store: KyselyStore, scope: Scope, work: (tx: Repositories, ctx: CommandContext) => Promise<CommandOutput<T>>): Promise<T> {
  const ctx = contextFor(scope);
  return (await new LedgerPipeline<Repositories>(store).execute(ctx, work)).result;
}

/** The ledger's write pipeline, and the idempotency wrapper around it. */
interface Services {
  pipeline: LedgerPipeline<Repositories>;
  commands: IdempotentCommands;
}

for (const kind of await storeKinds()) {
  describe(`ledger invariants (${kind})`, () => {
    let database: TestDatabase;
    let store: KyselyStore;
    let service: Services;

    before(async () => {
      database = await createTestDatabase(kind);
      store = await openStore({ databaseUrl: database.url, sqliteSync: 'normal', pgPoolSize: 10 });
      const pipeline = new LedgerPipeline<Repositories>(store);
      service = { pipeline, commands: new IdempotentCommands(pipeline, store, 86_400_000) };
    });
    after(async () => {
      await store?.close();
      await database?.drop();
    });

    test('random creates and updates keep every stored balance equal to the sum of its chained ledger entries, and rejected ones change nothing', async () => {
      coverage.clear();
      let run = 0;
      const details = await fc.check(
        fc.asyncProperty(fc.array(opArb, { minLength: OPERATIONS_PER_RUN, maxLength: OPERATIONS_PER_RUN }), async (ops) => {
          await runSequence(store, service, ops, `${kind}-${run++}`);
        }),
        // No shrinking: a failure names its operation and invariant, and shrinking 200-step runs takes minutes.
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      if (details.failed) {
        const failure = details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
        failure.message += `\n(fast-check seed ${details.seed}, path ${details.counterexamplePath}, run ${details.numRuns})`;
        throw failure;
      }
      // The generator must actually have exercised every rule the test is about.
      const required = [
        'create with balance',
        'create without balance',
        'balance adjustment',
        'currency change with balance',
        'balance starts being tracked',
        'inline customer',
        'replay',
        'update that changes nothing',
        'rejected: balance without currency',
        "balance alone, in the holder's currency",
        'rejected: unknown currency',
        'rejected: currency change without balance',
        'rejected: duplicate account reference',
        'rejected: duplicate customer reference',
        'rejected: duplicate inline customer reference',
        'rejected: payment rules min > max',
        'rejected: negative payment rule amount',
        'rejected: more than 20 metadata keys',
        'rejected: unknown customer',
        'rejected: unknown target',
        'rejected: balance change beyond 2^53-1',
      ];
      const missing = required.filter((label) => !coverage.has(label));
      assert.deepEqual(missing, [], `not exercised: ${missing.join(', ')}; seen: ${stableJson(Object.fromEntries(coverage))}`);
    });

    test('a currency change lists the new currency\'s opening entry as newer than the old currency\'s closing entry', async () => {
      const { tenant } = await store.transaction((tx) => createTenant(tx, { name: 'inv' }, new Date().toISOString()));
      const scope: Scope = { tenantId: tenant.id, mode: 'test' };
      // Both entries of a currency change share one timestamp; 16 tries make a random tie-break show.
      for (let i = 0; i < 16; i++) {
        const account = await inScope(store, scope, (tx, ctx) =>
          createAccount(tx, ctx, {
            customer: { kind: 'new', customer: { externalReference: `order-cus-${i}` } },
            externalReference: `order-acc-${i}`,
            currency: 'ZAR',
            balance: 100n,
          }),
        );
        const changed = await inScope(store, scope, (tx, ctx) => updateAccount(tx, ctx, account.id, { currency: 'USD', balance: 50n }));
        const newestFirst = (await store.reader.ledger.list(scope, account.id, { limit: 10 })).items;
        assert.deepEqual(
          newestFirst.map((e) => [e.kind, e.currency, toMinorUnits({ currency: e.currency, amount: e.amount }), toMinorUnits({ currency: e.currency, amount: e.balanceAfter })]),
          [
            ['initial', 'USD', 50n, 50n],
            ['adjustment', 'ZAR', -100n, 0n],
            ['initial', 'ZAR', 100n, 100n],
          ],
          `try ${i}: newest first, the latest entry's balance_after is the account's balance (${changed.balance} ${changed.currency})`,
        );
      }
    });

    test('two tenants, and test and live mode of one tenant, never see each other\'s customers, accounts or ledgers', async () => {
      const now = new Date().toISOString();
      const a = await store.transaction((tx) => createTenant(tx, { name: 'inv-a' }, now));
      const b = await store.transaction((tx) => createTenant(tx, { name: 'inv-b' }, now));
      const scopes: Scope[] = [
        { tenantId: a.tenant.id, mode: 'test' },
        { tenantId: a.tenant.id, mode: 'live' },
        { tenantId: b.tenant.id, mode: 'test' },
      ];
      const emptyScope: Scope = { tenantId: b.tenant.id, mode: 'live' };
      const label = (s: Scope) => `${s.tenantId === a.tenant.id ? 'A' : 'B'}/${s.mode}`;

      // The same external references in every scope: unique per tenant and mode, not globally.
      const created: { scope: Scope; account: Account; customer: Customer }[] = [];
      for (const [i, scope] of scopes.entries()) {
        const customer = await inScope(store, scope, (tx, ctx) =>
          createCustomer(tx, ctx, { externalReference: 'shared-cus', currency: 'ZAR', balance: BigInt(10 + i) }),
        );
        const account = await inScope(store, scope, (tx, ctx) =>
          createAccount(tx, ctx, {
            customer: { kind: 'existing', reference: 'shared-cus' },
            externalReference: 'shared-acc',
            currency: 'ZAR',
            balance: BigInt(100 + i),
          }),
        );
        assert.equal(account.customerId, customer.id, `${label(scope)}: 'shared-cus' resolves to the scope's own customer`);
        created.push({ scope, account, customer });
      }

      const reader = store.reader;
      for (const own of created) {
        const s = own.scope;
        assert.deepEqual(await billingRepositories.of(reader).accounts.findByExternalReference(s, 'shared-acc'), own.account, `${label(s)} finds its own account by reference`);
        assert.deepEqual(await billingRepositories.of(reader).customers.findByExternalReference(s, 'shared-cus'), own.customer, `${label(s)} finds its own customer by reference`);
        assert.deepEqual((await billingRepositories.of(reader).accounts.list(s, { limit: 100 })).items.map((x) => x.id), [own.account.id], `${label(s)} lists only its account`);
        assert.deepEqual((await billingRepositories.of(reader).customers.list(s, { limit: 100 })).items.map((x) => x.id), [own.customer.id], `${label(s)} lists only its customer`);
        assert.equal(await ledgerSumInMinorUnits(reader, s, own.account.id), own.account.balance);
        const ownEvents = await reader.events.listRecent(s, 100);
        assert.equal(ownEvents.length, 2, `${label(s)} sees exactly its own two created events`);

        for (const other of created.filter((o) => o !== own)) {
          const what = `${label(s)} looking at ${label(other.scope)}'s`;
          assert.equal(await billingRepositories.of(reader).accounts.findById(s, other.account.id), undefined, `${what} account id`);
          assert.equal(await billingRepositories.of(reader).customers.findById(s, other.customer.id), undefined, `${what} customer id`);
          assert.equal(await billingRepositories.of(reader).accounts.cursorOf(s, other.account.id), undefined, `${what} account as a cursor`);
          assert.equal(await billingRepositories.of(reader).customers.cursorOf(s, other.customer.id), undefined, `${what} customer as a cursor`);
          assert.deepEqual((await reader.ledger.list(s, other.account.id, { limit: 100 })).items, [], `${what} ledger`);
          assert.equal(await ledgerSumInMinorUnits(reader, s, other.account.id), 0n, `${what} ledger sum`);
          assert.equal(
            await store.transaction((tx) => billingRepositories.of(tx).accounts.lockById(s, other.account.id)),
            undefined,
            `${what} account, locked`,
          );
          const otherEventIds = new Set((await reader.events.listRecent(other.scope, 100)).map((e) => e.id));
          assert.ok(ownEvents.every((e) => !otherEventIds.has(e.id)), `${what} events`);
          // Another scope's id answers exactly like an id that does not exist, and changes nothing.
          await assert.rejects(findAccount(reader, s, other.account.id), NotFound, `${what} account through the core`);
          await assert.rejects(
            inScope(store, s, (tx, ctx) => updateAccount(tx, ctx, other.account.id, { name: 'hijacked' })),
            NotFound,
            `${what} account, updated`,
          );
          assert.deepEqual(await billingRepositories.of(reader).accounts.findById(other.scope, other.account.id), other.account, `${label(other.scope)}'s account is unchanged`);
        }
      }

      assert.deepEqual((await billingRepositories.of(reader).accounts.list(emptyScope, { limit: 100 })).items, [], 'B/live has no accounts');
      assert.deepEqual((await billingRepositories.of(reader).customers.list(emptyScope, { limit: 100 })).items, [], 'B/live has no customers');
      assert.equal(await billingRepositories.of(reader).accounts.findByExternalReference(emptyScope, 'shared-acc'), undefined);
      assert.equal(await billingRepositories.of(reader).customers.findByExternalReference(emptyScope, 'shared-cus'), undefined);
      assert.deepEqual(await reader.events.listRecent(emptyScope, 100), []);
    });
  });
}

