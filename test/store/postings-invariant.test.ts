import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { nowIso } from '../../src/ledger/clock.js';
import { InsufficientFunds, LedgerError, ValidationFailed } from '../../src/ledger/errors.js';
import { post, type Posting } from '../../src/ledger/postings.js';
import { EXTERNAL, type Balance, type CommandContext, type Scope } from '../../src/ledger/model.js';
import { createTenant } from '../../src/tenancy/tenants.js';
import { openStore } from '../../src/runtime.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { createTestDatabase, storeKinds, type TestDatabase } from '../support/stores.js';

/*
 * A seeded invariant test of the postings ledger (SPEC §2 "Ledger"): thousands of random
 * postings (money in, money out, transfers, with and without the no-overdraft demand, and
 * invalid ones) run through the real store, one by one and concurrently. Checked for every
 * tenant, mode and currency: the holders' balances sum to the net of external postings, every
 * balance equals the sum of its entries (numbered 1, 2, 3… with a running balance_after), no
 * posting that may not overdraw leaves its source below zero, and a rejected posting leaves
 * the state exactly as it was.
 */

const SEED = 20261201;
const SEQUENTIAL_POSTINGS = 1500;
const CONCURRENT_POSTINGS = 600;
const CURRENCIES = ['USD', 'JPY', 'KWD'] as const;
/** Kinds whose postings demand that the source not go below zero. */
const GUARDED = new Set(['transfer', 'payout']);

interface Op {
  scope: number;
  kind: 'topup' | 'payout' | 'adjustment' | 'transfer' | 'self' | 'zero';
  from: number;
  to: number;
  currency: (typeof CURRENCIES)[number];
  amount: bigint;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  scope: fc.nat({ max: 2 }),
  kind: fc.constantFrom<Op['kind']>('topup', 'topup', 'payout', 'adjustment', 'transfer', 'transfer', 'transfer', 'self', 'zero'),
  from: fc.nat({ max: 5 }),
  to: fc.nat({ max: 5 }),
  currency: fc.constantFrom(...CURRENCIES),
  amount: fc.oneof(
    { weight: 8, arbitrary: fc.bigInt({ min: 1n, max: 10n ** 12n }) },
    { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 2n ** 94n }) },
  ),
}, { noNullPrototype: true });

interface World {
  store: KyselyStore;
  scopes: Scope[];
  /** Per scope: holder ids; the last one is the tenant itself (a platform's own balance). */
  holders: string[][];
}

function ctxOf(scope: Scope): CommandContext {
  return { scope, actor: 'key_test', requestId: 'req_test', idempotencyKey: null, now: nowIso() };
}

function postingOf(world: World, op: Op): { scope: Scope; posting: Posting } {
  const holders = world.holders[op.scope]!;
  const from = holders[op.from]!;
  const to = holders[op.to === op.from ? (op.to + 1) % holders.length : op.to]!;
  const amount = { currency: op.currency, amount: op.kind === 'zero' ? 0n : op.amount };
  const scope = world.scopes[op.scope]!;
  switch (op.kind) {
    case 'topup':
      return { scope, posting: { kind: 'topup', amount, from: EXTERNAL, to } };
    case 'payout':
      return { scope, posting: { kind: 'payout', amount, from, to: EXTERNAL, noOverdraft: true } };
    case 'adjustment':
      return { scope, posting: { kind: 'adjustment', amount, from, to: EXTERNAL } };
    case 'transfer':
    case 'zero':
      return { scope, posting: { kind: 'transfer', amount, from, to, noOverdraft: true, reference: `ref-${op.from}-${op.to}` } };
    case 'self':
      return { scope, posting: { kind: 'transfer', amount, from, to: from, noOverdraft: true } };
  }
}

async function balancesOf(world: World): Promise<string> {
  const all: Balance[][] = [];
  for (const scope of world.scopes) all.push(await world.store.reader.balances.listForScope(scope));
  return JSON.stringify(all, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Runs one posting; a refusal must be a ValidationFailed or InsufficientFunds, and change nothing. */
async function runOp(world: World, op: Op, checkRejection: boolean): Promise<'posted' | 'refused'> {
  const { scope, posting } = postingOf(world, op);
  const before = checkRejection ? await balancesOf(world) : '';
  try {
    const result = await world.store.transaction((tx) => post(tx, ctxOf(scope), posting));
    for (const entry of result.entries) {
      if (GUARDED.has(posting.kind) && entry.amount < 0n) assert.ok(entry.balanceAfter >= 0n, `guarded ${posting.kind} left ${entry.holderId} at ${entry.balanceAfter}`);
    }
    return 'posted';
  } catch (error) {
    assert.ok(error instanceof ValidationFailed || error instanceof InsufficientFunds, `refused with ${String(error)}`);
    if (op.kind === 'self' || op.kind === 'zero') assert.ok(error instanceof ValidationFailed);
    if (checkRejection) assert.equal(await balancesOf(world), before, `a refused ${op.kind} changed nothing`);
    return 'refused';
  }
}

/** Every invariant, for every scope and currency. */
async function checkInvariants(world: World): Promise<void> {
  const { reader } = world.store;
  for (const scope of world.scopes) {
    const balances = await reader.balances.listForScope(scope);
    for (const balance of balances) {
      const chain = await reader.ledger.chain(scope, balance.holderId, balance.currency);
      assert.deepEqual(chain.map((e) => e.sequence), chain.map((_, i) => i + 1), `${balance.holderId}/${balance.currency}: entries 1, 2, 3…`);
      assert.equal(balance.sequence, chain.length, `${balance.holderId}/${balance.currency}: the balance knows its last entry`);
      let running = 0n;
      for (const entry of chain) {
        running += entry.amount;
        assert.equal(entry.balanceAfter, running, `${entry.id}: balance_after is the running sum`);
        assert.notEqual(entry.counterparty, entry.holderId);
        if (GUARDED.has(entry.kind) && entry.amount < 0n) assert.ok(entry.balanceAfter >= 0n, `${entry.id}: a guarded debit never overdraws`);
      }
      assert.equal(balance.amount, running, `${balance.holderId}/${balance.currency}: the balance equals the sum of its entries`);
    }
    const external = await reader.ledger.listByCounterparty(scope, EXTERNAL);
    for (const currency of CURRENCIES) {
      const held = balances.filter((b) => b.currency === currency).reduce((sum, b) => sum + b.amount, 0n);
      const net = external.filter((e) => e.currency === currency).reduce((sum, e) => sum + e.amount, 0n);
      assert.equal(held, net, `${scope.tenantId}/${scope.mode}/${currency}: balances sum to the net of external postings`);
    }
  }
}

for (const kind of await storeKinds()) {
  describe(`postings ledger invariants (${kind})`, () => {
    let database: TestDatabase;
    let world: World;

    before(async () => {
      database = await createTestDatabase(kind);
      const store = await openStore({ databaseUrl: database.url, sqliteSync: 'normal', pgPoolSize: 10 });
      const now = nowIso();
      const a = await store.transaction((tx) => createTenant(tx, { name: 'a' }, now));
      const b = await store.transaction((tx) => createTenant(tx, { name: 'b' }, now));
      const scopes: Scope[] = [
        { tenantId: a.tenant.id, mode: 'test' },
        { tenantId: a.tenant.id, mode: 'live' },
        { tenantId: b.tenant.id, mode: 'test' },
      ];
      // The same holder ids in every scope: isolation must keep them apart.
      const holders = scopes.map((s) => [...Array.from({ length: 5 }, (_, i) => `holder_${i}`), s.tenantId]);
      world = { store, scopes, holders };
    });

    after(async () => {
      await world.store.close();
      await database.drop();
    });

    test(`${SEQUENTIAL_POSTINGS} seeded random postings, one after another, keep every invariant; refusals change nothing`, async () => {
      const ops = fc.sample(opArb, { seed: SEED, numRuns: SEQUENTIAL_POSTINGS });
      const outcomes = { posted: 0, refused: 0 };
      for (const [i, op] of ops.entries()) {
        outcomes[await runOp(world, op, i % 3 === 0)] += 1;
        if (i % 500 === 499) await checkInvariants(world);
      }
      await checkInvariants(world);
      assert.ok(outcomes.posted > SEQUENTIAL_POSTINGS / 3 && outcomes.refused > 50, `a mix of postings and refusals: ${JSON.stringify(outcomes)}`);
    });

    test(`${CONCURRENT_POSTINGS} seeded random postings from 8 concurrent clients keep every invariant`, async () => {
      const ops = fc.sample(opArb, { seed: SEED + 1, numRuns: CONCURRENT_POSTINGS });
      const clients = Array.from({ length: 8 }, (_, c) => ops.filter((_, i) => i % 8 === c));
      await Promise.all(clients.map(async (mine) => {
        for (const op of mine) await runOp(world, op, false);
      }));
      await checkInvariants(world);
    });

    test('concurrent A→B and B→A transfers finish without deadlock and conserve money', async () => {
      const scope = world.scopes[0]!;
      const [a, b] = ['pair_a', 'pair_b'];
      for (const holder of [a, b]) {
        await world.store.transaction((tx) => post(tx, ctxOf(scope), { kind: 'topup', amount: { currency: 'USD', amount: 1000n }, from: EXTERNAL, to: holder }));
      }
      const transfer = (from: string, to: string) =>
        world.store.transaction((tx) => post(tx, ctxOf(scope), { kind: 'transfer', amount: { currency: 'USD', amount: 1n }, from, to, noOverdraft: true }));
      await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? transfer(a, b) : transfer(b, a))));
      const balanceA = await world.store.reader.balances.find(scope, a, 'USD');
      const balanceB = await world.store.reader.balances.find(scope, b, 'USD');
      assert.equal(balanceA!.amount, 1000n);
      assert.equal(balanceB!.amount, 1000n);
      assert.equal(balanceA!.sequence, 201);
      await checkInvariants(world);
    });

    test('N concurrent +1 postings to one balance give exactly +N, including its first (opening) one', async () => {
      const scope = world.scopes[2]!;
      const n = 100;
      await Promise.all(Array.from({ length: n }, () =>
        world.store.transaction((tx) => post(tx, ctxOf(scope), { kind: 'topup', amount: { currency: 'KWD', amount: 1n }, from: EXTERNAL, to: 'hot' })),
      ));
      const hot = await world.store.reader.balances.find(scope, 'hot', 'KWD');
      assert.equal(hot!.amount, BigInt(n));
      assert.equal(hot!.sequence, n);
    });

    test('concurrent transfers out of one balance never overdraw it: exactly as many succeed as it can pay', async () => {
      const scope = world.scopes[1]!;
      await world.store.transaction((tx) => post(tx, ctxOf(scope), { kind: 'topup', amount: { currency: 'JPY', amount: 10n }, from: EXTERNAL, to: 'payer' }));
      const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) =>
        world.store.transaction((tx) => post(tx, ctxOf(scope), { kind: 'transfer', amount: { currency: 'JPY', amount: 1n }, from: 'payer', to: `payee_${i % 3}`, noOverdraft: true })),
      ));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 10);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof InsufficientFunds && r.reason instanceof LedgerError);
      assert.equal((await world.store.reader.balances.find(scope, 'payer', 'JPY'))!.amount, 0n);
      await checkInvariants(world);
    });
  });
}
