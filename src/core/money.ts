import currencyCodes from 'currency-codes';

/** Largest integer a JSON number carries exactly (2^53 - 1). */
export const MAX_JSON_INTEGER = BigInt(Number.MAX_SAFE_INTEGER);

const CURRENCY_CODE = /^[A-Z]{3}$/;

/**
 * ISO 4217 minor-unit exponent of a currency (ZAR 2, JPY 0, KWD 3), or undefined when the
 * code is not an uppercase, known ISO 4217 alphabetic code.
 */
export function currencyExponent(code: string): number | undefined {
  if (!CURRENCY_CODE.test(code)) return undefined;
  return currencyCodes.code(code)?.digits;
}

export function isCurrencyCode(code: string): boolean {
  return currencyExponent(code) !== undefined;
}

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
