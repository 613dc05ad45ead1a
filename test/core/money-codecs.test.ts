import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  addMoney,
  AmountRejected,
  compareMoney,
  fromMajorDecimal,
  fromMinorUnits,
  majorDecimalOf,
  subtractMoney,
  toMinorUnits,
  type AmountProblem,
} from '../../src/ledger/money.js';
import { fromUnitsAndNanos, INT64_MAX, INT64_MIN, toUnitsAndNanos } from '../../src/surfaces/org/domain/money-units.js';

const MAX_SAFE = 2n ** 53n - 1n;

function rejects(problem: AmountProblem, work: () => unknown): void {
  assert.throws(work, (error: unknown) => error instanceof AmountRejected && error.problem === problem, `expected AmountRejected(${problem})`);
}

describe('Money: minor units (billing)', () => {
  test('ZAR 2, JPY 0, KWD 3 decimals: a minor unit is 10^(9-exponent) atoms', () => {
    assert.equal(fromMinorUnits('ZAR', 1n).amount, 10_000_000n);
    assert.equal(fromMinorUnits('JPY', 1n).amount, 1_000_000_000n);
    assert.equal(fromMinorUnits('KWD', 1n).amount, 1_000_000n);
    assert.equal(majorDecimalOf(fromMinorUnits('KWD', 1234n)), '1.234');
    assert.equal(majorDecimalOf(fromMinorUnits('JPY', -5n)), '-5');
  });

  test('±(2^53−1) minor units round-trip exactly in every exponent', () => {
    for (const currency of ['JPY', 'ZAR', 'KWD', 'CLF']) {
      for (const minor of [MAX_SAFE, -MAX_SAFE, MAX_SAFE + 1n, 0n]) assert.equal(toMinorUnits(fromMinorUnits(currency, minor)), minor);
    }
  });

  test('an amount that is not a whole minor unit is refused, not rounded', () => {
    rejects('too_precise', () => toMinorUnits({ currency: 'JPY', amount: 1n }));
    rejects('too_precise', () => toMinorUnits({ currency: 'ZAR', amount: 5_000_000n }));
  });

  test('minor units round-trip for any integer (property)', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), fc.constantFrom('JPY', 'ZAR', 'KWD', 'USD'), (minor, currency) => toMinorUnits(fromMinorUnits(currency, minor)) === minor));
  });
});

describe('Money: major-unit decimal text (platform)', () => {
  test('a JSON number\'s text converts exactly, exponents included', () => {
    assert.equal(fromMajorDecimal('PHP', '12.5').amount, 12_500_000_000n);
    assert.equal(fromMajorDecimal('PHP', '12.50').amount, 12_500_000_000n);
    assert.equal(fromMajorDecimal('IDR', '1e3').amount, 1000n * 10n ** 9n);
    assert.equal(fromMajorDecimal('IDR', '1.5E3').amount, 1500n * 10n ** 9n);
    assert.equal(fromMajorDecimal('PHP', '-0.25').amount, -250_000_000n);
    assert.equal(fromMajorDecimal('KWD', '0.001').amount, 1_000_000n);
    assert.equal(fromMajorDecimal('IDR', '0').amount, 0n);
    assert.equal(fromMajorDecimal('IDR', '0.000').amount, 0n);
  });

  test('digits beyond a float\'s precision survive: 9007199254740993 IDR', () => {
    assert.equal(majorDecimalOf(fromMajorDecimal('IDR', '9007199254740993')), '9007199254740993');
    assert.equal(majorDecimalOf(fromMajorDecimal('PHP', '90071992547409.93')), '90071992547409.93');
  });

  test('more decimals than the currency has are too precise (JPY 0, PHP 2, KWD 3)', () => {
    rejects('too_precise', () => fromMajorDecimal('JPY', '10.5'));
    rejects('too_precise', () => fromMajorDecimal('PHP', '0.001'));
    rejects('too_precise', () => fromMajorDecimal('KWD', '1.0001'));
    rejects('too_precise', () => fromMajorDecimal('JPY', '1e-1'));
  });

  test('a surface may allow fewer decimals than ISO 4217 (Xendit treats IDR as 0, ISO says 2)', () => {
    assert.equal(fromMajorDecimal('IDR', '10.5').amount, 10_500_000_000n);
    rejects('too_precise', () => fromMajorDecimal('IDR', '10.5', 0));
    assert.equal(fromMajorDecimal('IDR', '10.50e1', 0).amount, 105n * 10n ** 9n);
  });

  test('text that is not a JSON number is malformed; an absurd exponent is out of range', () => {
    for (const text of ['', '1.', '.5', '01', '+1', '1e', 'NaN', 'Infinity', '0x10', '1 000']) rejects('malformed', () => fromMajorDecimal('IDR', text));
    rejects('out_of_range', () => fromMajorDecimal('IDR', '1e999999'));
  });

  test('an unknown currency is refused', () => {
    rejects('unknown_currency', () => fromMajorDecimal('QQQ', '1'));
  });

  test('decimal text round-trips (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.constantFrom('IDR', 'PHP', 'KWD'), (minor, currency) => {
        const money = fromMinorUnits(currency, minor);
        return fromMajorDecimal(currency, majorDecimalOf(money)).amount === money.amount;
      }),
    );
  });
});

describe('Money: google.type.Money units and nanos (org)', () => {
  test('$-1.75 is units -1 and nanos -750,000,000', () => {
    const money = fromUnitsAndNanos('USD', { units: -1n, nanos: -750_000_000 });
    assert.equal(money.amount, -1_750_000_000n);
    assert.deepEqual(toUnitsAndNanos(money), { units: -1n, nanos: -750_000_000 });
  });

  test('the full int64 range of units, with nanos at their edges, round-trips (about 94 bits)', () => {
    for (const units of [INT64_MAX, INT64_MIN, 0n, 1n, -1n, MAX_SAFE + 2n]) {
      for (const nanos of [0, units >= 0n ? 999_999_999 : -999_999_999, units >= 0n ? 1 : -1]) {
        const money = fromUnitsAndNanos('USD', { units, nanos });
        assert.deepEqual(toUnitsAndNanos(money), { units, nanos }, `${units} units ${nanos} nanos`);
      }
    }
    assert.ok(fromUnitsAndNanos('USD', { units: INT64_MAX, nanos: 999_999_999 }).amount > 2n ** 92n);
  });

  test('zero units may carry nanos of either sign', () => {
    assert.equal(fromUnitsAndNanos('USD', { units: 0n, nanos: -1 }).amount, -1n);
    assert.equal(fromUnitsAndNanos('USD', { units: 0n, nanos: 1 }).amount, 1n);
  });

  test('nanos outside ±999,999,999, or of the other sign than units, are refused', () => {
    rejects('out_of_range', () => fromUnitsAndNanos('USD', { units: 1n, nanos: 1_000_000_000 }));
    rejects('out_of_range', () => fromUnitsAndNanos('USD', { units: 0n, nanos: -1_000_000_000 }));
    rejects('out_of_range', () => fromUnitsAndNanos('USD', { units: 0n, nanos: 0.5 }));
    rejects('sign_mismatch', () => fromUnitsAndNanos('USD', { units: 1n, nanos: -1 }));
    rejects('sign_mismatch', () => fromUnitsAndNanos('USD', { units: -1n, nanos: 1 }));
  });

  test('units beyond int64 are refused on input, and a sum beyond it is an error on output, never a wrap', () => {
    rejects('out_of_range', () => fromUnitsAndNanos('USD', { units: INT64_MAX + 1n, nanos: 0 }));
    rejects('out_of_range', () => fromUnitsAndNanos('USD', { units: INT64_MIN - 1n, nanos: 0 }));
    const top = fromUnitsAndNanos('USD', { units: INT64_MAX, nanos: 999_999_999 });
    const sum = addMoney(top, fromUnitsAndNanos('USD', { units: 0n, nanos: 1 }));
    rejects('out_of_range', () => toUnitsAndNanos(sum));
    const bottom = fromUnitsAndNanos('USD', { units: INT64_MIN, nanos: -999_999_999 });
    rejects('out_of_range', () => toUnitsAndNanos(subtractMoney(bottom, fromUnitsAndNanos('USD', { units: 0n, nanos: 1 }))));
  });

  test('units and nanos round-trip for any int64 units (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), fc.integer({ min: 0, max: 999_999_999 }), (units, magnitude) => {
        const nanos = units < 0n ? -magnitude : magnitude;
        const back = toUnitsAndNanos(fromUnitsAndNanos('USD', { units, nanos }));
        return back.units === units && back.nanos === nanos;
      }),
    );
  });
});

describe('Money arithmetic', () => {
  test('is exact and refuses to mix currencies', () => {
    const a = fromMajorDecimal('USD', '0.1');
    const b = fromMajorDecimal('USD', '0.2');
    assert.equal(majorDecimalOf(addMoney(a, b)), '0.3');
    assert.equal(compareMoney(addMoney(a, b), fromMajorDecimal('USD', '0.3')), 0);
    assert.throws(() => addMoney(a, fromMajorDecimal('EUR', '1')), RangeError);
  });
});
