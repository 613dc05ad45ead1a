/**
 * Moment sends amounts as JSON integers in minor units. A JSON number is exact only within
 * ±(2^53−1): larger values are rejected with a clear error (a billing rule, not a core limit).
 */
export const MAX_JSON_INTEGER = BigInt(Number.MAX_SAFE_INTEGER);

/** Whether an exact amount still fits a JSON number without losing precision. */
export function fitsJsonInteger(amount: bigint): boolean {
  return amount <= MAX_JSON_INTEGER && amount >= -MAX_JSON_INTEGER;
}

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
