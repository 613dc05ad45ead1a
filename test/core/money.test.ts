import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { currencyExponent, isCurrencyCode } from '../../src/ledger/money.js';
import { fitsJsonInteger, minorUnitsFromJson } from '../../src/surfaces/billing/http/json-integers.js';

const MAX = 2n ** 53n - 1n;

describe('currencyExponent', () => {
  test('gives the ISO 4217 minor-unit exponent of known codes (ZAR 2, JPY 0, KWD 3, CLF 4)', () => {
    assert.equal(currencyExponent('ZAR'), 2);
    assert.equal(currencyExponent('JPY'), 0);
    assert.equal(currencyExponent('KWD'), 3);
    assert.equal(currencyExponent('CLF'), 4);
  });

  test('a lowercase code is not a currency code', () => {
    assert.equal(currencyExponent('zar'), undefined);
    assert.equal(currencyExponent('Zar'), undefined);
    assert.equal(isCurrencyCode('zar'), false);
  });

  test('an unknown three-letter code is not a currency code', () => {
    assert.equal(currencyExponent('QQQ'), undefined);
    assert.equal(isCurrencyCode('QQQ'), false);
  });

  test('codes that are not exactly three letters are not currency codes', () => {
    for (const code of ['ZA', 'US', '', 'ZARR', ' ZAR', 'ZAR ', '123']) {
      assert.equal(currencyExponent(code), undefined, `'${code}' must not be a currency code`);
    }
  });

  test('isCurrencyCode accepts exactly the codes that have an exponent', () => {
    assert.equal(isCurrencyCode('JPY'), true);
    assert.equal(isCurrencyCode('ZAR'), true);
  });
});

describe('fitsJsonInteger', () => {
  test('accepts every integer within ±(2^53−1)', () => {
    assert.equal(fitsJsonInteger(MAX), true);
    assert.equal(fitsJsonInteger(-MAX), true);
    assert.equal(fitsJsonInteger(0n), true);
  });

  test('rejects ±2^53, the first integers a JSON number cannot carry exactly', () => {
    assert.equal(fitsJsonInteger(MAX + 1n), false);
    assert.equal(fitsJsonInteger(-(MAX + 1n)), false);
    assert.equal(fitsJsonInteger(2n ** 63n), false);
  });
});

describe('minorUnitsFromJson', () => {
  test('turns an exact JSON integer into the same bigint', () => {
    assert.equal(minorUnitsFromJson(0), 0n);
    assert.equal(minorUnitsFromJson(-150), -150n);
    assert.equal(minorUnitsFromJson(Number.MAX_SAFE_INTEGER), MAX);
    assert.equal(minorUnitsFromJson(-Number.MAX_SAFE_INTEGER), -MAX);
  });

  test('rejects a fractional amount (1.5)', () => {
    assert.throws(() => minorUnitsFromJson(1.5), RangeError);
  });

  test('rejects NaN and ±Infinity', () => {
    assert.throws(() => minorUnitsFromJson(Number.NaN), RangeError);
    assert.throws(() => minorUnitsFromJson(Number.POSITIVE_INFINITY), RangeError);
    assert.throws(() => minorUnitsFromJson(Number.NEGATIVE_INFINITY), RangeError);
  });

  test('rejects ±2^53, which a JSON number cannot distinguish from its neighbour', () => {
    assert.throws(() => minorUnitsFromJson(2 ** 53), RangeError);
    assert.throws(() => minorUnitsFromJson(-(2 ** 53)), RangeError);
  });
});
