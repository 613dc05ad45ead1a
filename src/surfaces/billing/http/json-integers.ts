import { fitsJsonInteger } from '../domain/balances.js';

/**
 * Moment sends amounts as JSON integers in minor units. A JSON number is exact only within
 * ±(2^53−1): larger values are rejected with a clear error (the bound is the one billing's
 * holders are changed under, core/balances.ts).
 */
export { fitsJsonInteger, MAX_JSON_INTEGER } from '../domain/balances.js';

/** A JSON number that must be an exact integer amount in minor units. */
export function minorUnitsFromJson(value: number): bigint {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError('amount must be an integer within ±(2^53−1)');
  }
  return BigInt(value);
}

/** bigint → JSON number, only for amounts known to fit (callers check fitsJsonInteger first). */
export function minorUnitsToJson(amount: bigint): number {
  if (!fitsJsonInteger(amount)) throw new RangeError('amount exceeds ±(2^53−1)');
  return Number(amount);
}
