import { AmountRejected, ATOMS_PER_MAJOR, exponentOf, type Money } from '../../../ledger/money.js';

// google.type.Money, BidZenith's money: int64 units plus nanos; nanos are exactly atoms.

/** google.type.Money `units` is an int64. */
export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -(2n ** 63n);
const NANOS_MAX = 999_999_999;

export interface UnitsAndNanos {
  units: bigint;
  nanos: number;
}

/**
 * google.type.Money: int64 units plus nanos in ±999,999,999 with the sign of units (either
 * may be zero). The full int64 range works: the result needs about 94 bits.
 * @throws AmountRejected (out_of_range, sign_mismatch, unknown_currency)
 */
export function fromUnitsAndNanos(currency: string, { units, nanos }: UnitsAndNanos): Money {
  exponentOf(currency);
  if (units > INT64_MAX || units < INT64_MIN) throw new AmountRejected('out_of_range', 'units must be a 64-bit signed integer');
  if (!Number.isInteger(nanos) || nanos > NANOS_MAX || nanos < -NANOS_MAX) throw new AmountRejected('out_of_range', 'nanos must be an integer between -999,999,999 and +999,999,999');
  if ((units > 0n && nanos < 0) || (units < 0n && nanos > 0)) throw new AmountRejected('sign_mismatch', 'nanos must have the sign of units');
  return { currency, amount: units * ATOMS_PER_MAJOR + BigInt(nanos) };
}

const INT64_TEXT = /^-?(0|[1-9]\d*)$/;

/**
 * An int64 as proto3 JSON sends it: a decimal string ("-42"), or a JSON number that is a safe
 * integer (a larger one was already rounded by JSON parsing, so it cannot be taken as sent).
 * @throws AmountRejected (malformed, out_of_range)
 */
export function int64FromJson(value: string | number): bigint {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new AmountRejected('malformed', `${value} is not a whole number`);
    if (!Number.isSafeInteger(value)) throw new AmountRejected('out_of_range', 'a JSON number beyond ±(2^53−1) is not exact: send int64 values beyond it as a decimal string');
    return BigInt(value);
  }
  if (!INT64_TEXT.test(value)) throw new AmountRejected('malformed', `'${value.slice(0, 40)}' is not a decimal integer`);
  const parsed = BigInt(value);
  if (parsed > INT64_MAX || parsed < INT64_MIN) throw new AmountRejected('out_of_range', 'must be a 64-bit signed integer (−9223372036854775808 to 9223372036854775807)');
  return parsed;
}

/** Whether the amount can be shown as google.type.Money (its units fit an int64). */
export function fitsUnitsAndNanos(money: Money): boolean {
  const units = money.amount / ATOMS_PER_MAJOR;
  return units <= INT64_MAX && units >= INT64_MIN;
}

/** @throws AmountRejected('out_of_range') when the units no longer fit an int64 (never wraps) */
export function toUnitsAndNanos(money: Money): UnitsAndNanos {
  // bigint division truncates toward zero, so units and nanos share the amount's sign.
  const units = money.amount / ATOMS_PER_MAJOR;
  if (units > INT64_MAX || units < INT64_MIN) throw new AmountRejected('out_of_range', `${money.currency} amount exceeds the int64 range of units`);
  return { units, nanos: Number(money.amount % ATOMS_PER_MAJOR) };
}

