import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextBalanceState } from '../../src/surfaces/billing/domain/balances.js';
import { ValidationFailed } from '../../src/ledger/errors.js';
import { mergeMetadata } from '../../src/surfaces/billing/domain/metadata.js';
import type { ListCursor } from '../../src/ledger/model.js';
import type { PaymentRules } from '../../src/surfaces/billing/domain/model.js';
import { resolvePage } from '../../src/ledger/pagination.js';
import { checkPaymentRules } from '../../src/surfaces/billing/domain/payment-rules.js';
import { stableJson } from '../../src/ledger/stable-json.js';

/** A matcher for assert.throws/rejects: a ValidationFailed naming exactly these fields. */
function validationOf(...fields: string[]) {
  return (error: unknown) => {
    assert.ok(error instanceof ValidationFailed, `expected ValidationFailed, got ${String(error)}`);
    assert.equal(error.code, 'validation_failed');
    assert.deepEqual(error.violations.map((v) => v.field).sort(), [...fields].sort());
    for (const v of error.violations) assert.ok(v.message.length > 0, `violation of ${v.field} has a message`);
    return true;
  };
}

const untracked = { balance: null, currency: null };

describe('nextBalanceState', () => {
  test('a balance without a currency is rejected, naming currency', () => {
    assert.throws(() => nextBalanceState(untracked, { balance: 100n }), validationOf('currency'));
    assert.throws(() => nextBalanceState(untracked, { balance: 100n, currency: null }), validationOf('currency'));
    assert.throws(() => nextBalanceState({ balance: 5n, currency: 'ZAR' }, { balance: 100n, currency: null }), validationOf('currency'));
  });

  test("a balance alone is in the holder's own currency, whether or not it tracked one", () => {
    assert.deepEqual(nextBalanceState({ balance: 5n, currency: 'ZAR' }, { balance: 100n }), { balance: 100n, currency: 'ZAR' });
    assert.deepEqual(nextBalanceState({ balance: null, currency: 'JPY' }, { balance: 7n }), { balance: 7n, currency: 'JPY' });
  });

  test('a balance with a currency starts tracking that balance', () => {
    assert.deepEqual(nextBalanceState(untracked, { balance: 100n, currency: 'ZAR' }), { balance: 100n, currency: 'ZAR' });
    assert.deepEqual(nextBalanceState(untracked, { balance: 0n, currency: 'JPY' }), { balance: 0n, currency: 'JPY' });
  });

  test('a currency alone sets the currency without tracking a balance', () => {
    assert.deepEqual(nextBalanceState(untracked, { currency: 'KWD' }), { balance: null, currency: 'KWD' });
  });

  test('changing the currency of an object that tracks a balance requires the balance, naming balance', () => {
    assert.throws(() => nextBalanceState({ balance: 100n, currency: 'ZAR' }, { currency: 'USD' }), validationOf('balance'));
    assert.throws(() => nextBalanceState({ balance: 0n, currency: 'ZAR' }, { currency: 'USD' }), validationOf('balance'));
  });

  test('clearing the currency of an object that tracks a balance is rejected', () => {
    assert.throws(() => nextBalanceState({ balance: 100n, currency: 'ZAR' }, { currency: null }), validationOf('balance'));
  });

  test('changing the currency with the balance in the same request is accepted', () => {
    assert.deepEqual(nextBalanceState({ balance: 100n, currency: 'ZAR' }, { currency: 'USD', balance: 7n }), {
      balance: 7n,
      currency: 'USD',
    });
  });

  test('changing the currency of an object without a tracked balance needs no balance', () => {
    assert.deepEqual(nextBalanceState({ balance: null, currency: 'ZAR' }, { currency: 'USD' }), { balance: null, currency: 'USD' });
    assert.deepEqual(nextBalanceState({ balance: null, currency: 'ZAR' }, { currency: null }), { balance: null, currency: null });
  });

  test('repeating the current currency is not a currency change', () => {
    assert.deepEqual(nextBalanceState({ balance: 100n, currency: 'ZAR' }, { currency: 'ZAR' }), { balance: 100n, currency: 'ZAR' });
  });

  test('an empty change keeps the state', () => {
    assert.deepEqual(nextBalanceState({ balance: -3n, currency: 'ZAR' }, {}), { balance: -3n, currency: 'ZAR' });
  });

  test('an invalid currency (lowercase, unknown, two letters) is rejected, naming currency', () => {
    for (const currency of ['zar', 'QQQ', 'US']) {
      assert.throws(() => nextBalanceState(untracked, { currency }), validationOf('currency'), currency);
      assert.throws(() => nextBalanceState(untracked, { currency, balance: 1n }), validationOf('currency'), currency);
    }
  });

  test('every violation is reported at once', () => {
    // Unknown currency on a tracked balance, without the balance: both fields are wrong.
    assert.throws(() => nextBalanceState({ balance: 1n, currency: 'ZAR' }, { currency: 'QQQ' }), validationOf('currency', 'balance'));
  });
});

describe('mergeMetadata', () => {
  test('a key set to "" is removed', () => {
    assert.deepEqual(mergeMetadata({ a: '1', b: '2' }, { a: '' }), { b: '2' });
  });

  test('a key set to null is removed', () => {
    assert.deepEqual(mergeMetadata({ a: '1', b: '2' }, { b: null }), { a: '1' });
  });

  test('an update merges: keys not mentioned are kept, mentioned ones replaced or added', () => {
    assert.deepEqual(mergeMetadata({ a: '1', b: '2' }, { b: 'two', c: '3' }), { a: '1', b: 'two', c: '3' });
  });

  test('no patch keeps the metadata as it is', () => {
    const current = { a: '1' };
    assert.deepEqual(mergeMetadata(current, undefined), { a: '1' });
  });

  test('removing a key that does not exist is harmless', () => {
    assert.deepEqual(mergeMetadata({ a: '1' }, { zzz: null, yyy: '' }), { a: '1' });
  });

  test('the current metadata is not modified', () => {
    const current = { a: '1', b: '2' };
    mergeMetadata(current, { a: null, c: '3' });
    assert.deepEqual(current, { a: '1', b: '2' });
  });

  test('exactly 20 keys after the merge are accepted', () => {
    const current = Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`k${i}`, 'v']));
    assert.equal(Object.keys(mergeMetadata(current, { extra: 'v' })).length, 20);
  });

  test('more than 20 keys after the merge are rejected, naming metadata', () => {
    const current = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v']));
    assert.throws(() => mergeMetadata(current, { extra: 'v' }), validationOf('metadata'));
  });

  test('a patch that removes as many keys as it adds stays within the limit', () => {
    const current = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v']));
    assert.equal(Object.keys(mergeMetadata(current, { k0: null, extra: 'v' })).length, 20);
  });
});

describe('checkPaymentRules', () => {
  const rules = (minAmount: bigint, maxAmount: bigint): PaymentRules => ({
    minAmount,
    maxAmount,
    underpaymentAllowed: false,
    overpaymentAllowed: true,
  });

  test('min ≤ max, both non-negative, is accepted (including min = max and zero)', () => {
    assert.doesNotThrow(() => checkPaymentRules(rules(0n, 0n)));
    assert.doesNotThrow(() => checkPaymentRules(rules(100n, 100n)));
    assert.doesNotThrow(() => checkPaymentRules(rules(1n, 2n ** 60n)));
  });

  test('no rules (null or absent) are accepted', () => {
    assert.doesNotThrow(() => checkPaymentRules(null));
    assert.doesNotThrow(() => checkPaymentRules(undefined));
  });

  test('min greater than max is rejected, naming minAmount', () => {
    assert.throws(() => checkPaymentRules(rules(101n, 100n)), validationOf('paymentRules.minAmount'));
  });

  test('a negative minimum is rejected, naming minAmount', () => {
    assert.throws(() => checkPaymentRules(rules(-1n, 100n)), validationOf('paymentRules.minAmount'));
  });

  test('a negative maximum is rejected, naming maxAmount (and minAmount, which then exceeds it)', () => {
    assert.throws(() => checkPaymentRules(rules(0n, -1n)), validationOf('paymentRules.maxAmount', 'paymentRules.minAmount'));
  });

  test('both amounts negative are both reported', () => {
    assert.throws(() => checkPaymentRules(rules(-5n, -10n)), validationOf('paymentRules.minAmount', 'paymentRules.maxAmount', 'paymentRules.minAmount'));
  });
});

describe('stableJson', () => {
  test('equal objects give equal text whatever the key order, at every level', () => {
    const a = { b: 1, a: { y: [1, 2], x: 'x' }, c: null };
    const b = { c: null, a: { x: 'x', y: [1, 2] }, b: 1 };
    assert.equal(stableJson(a), stableJson(b));
    assert.equal(stableJson(a), '{"a":{"x":"x","y":[1,2]},"b":1,"c":null}');
  });

  test('array order is kept (arrays are ordered values)', () => {
    assert.notEqual(stableJson([1, 2]), stableJson([2, 1]));
    assert.equal(stableJson([{ b: 1, a: 2 }]), '[{"a":2,"b":1}]');
  });

  test('bigints are written as exact decimal strings, even beyond 2^53', () => {
    assert.equal(stableJson({ amount: 2n ** 63n - 1n }), '{"amount":"9223372036854775807"}');
    assert.equal(stableJson({ amount: -5n }), '{"amount":"-5"}');
  });

  test('different values give different text', () => {
    assert.notEqual(stableJson({ a: 1 }), stableJson({ a: 2 }));
    assert.notEqual(stableJson({ a: 1n }), stableJson({ a: 2n }));
  });
});

describe('resolvePage', () => {
  const known: Record<string, ListCursor> = {
    bacc_known: { id: 'bacc_known' },
  };
  const cursorOf = async (id: string) => known[id];

  test('starting_after and ending_before together are rejected', async () => {
    await assert.rejects(
      resolvePage({ limit: 10, startingAfter: 'bacc_known', endingBefore: 'bacc_known' }, cursorOf),
      validationOf('endingBefore'),
    );
  });

  test('an unknown starting_after id is rejected, naming startingAfter', async () => {
    await assert.rejects(resolvePage({ limit: 10, startingAfter: 'bacc_nope' }, cursorOf), validationOf('startingAfter'));
  });

  test('an unknown ending_before id is rejected, naming endingBefore', async () => {
    await assert.rejects(resolvePage({ limit: 10, endingBefore: 'bacc_nope' }, cursorOf), validationOf('endingBefore'));
  });

  test('a known starting_after id becomes the "after" position of the page', async () => {
    const page = await resolvePage({ limit: 5, startingAfter: 'bacc_known', createdGte: '2026-01-01T00:00:00.000Z' }, cursorOf);
    assert.deepEqual(page.after, known.bacc_known);
    assert.equal(page.before, undefined);
    assert.equal(page.limit, 5);
    assert.equal(page.createdGte, '2026-01-01T00:00:00.000Z');
  });

  test('a known ending_before id becomes the "before" position of the page', async () => {
    const page = await resolvePage({ limit: 5, endingBefore: 'bacc_known' }, cursorOf);
    assert.deepEqual(page.before, known.bacc_known);
    assert.equal(page.after, undefined);
  });

  test('without cursors the page starts at the newest object', async () => {
    const page = await resolvePage({ limit: 3 }, cursorOf);
    assert.equal(page.after, undefined);
    assert.equal(page.before, undefined);
    assert.equal(page.limit, 3);
  });
});
