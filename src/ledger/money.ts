import currencyCodes from 'currency-codes';

/**
 * Exact money: a currency and a signed integer count of its atomic unit, one billionth (10^-9)
 * of the major unit, for every currency. One unit everywhere means balances of one currency
 * add up across vendor modules, and every wire form converts exactly: ISO 4217 minor units
 * (exponents are 0–4, so a minor unit is a whole number of atoms), major-unit decimal text, and
 * whole units plus nanos (a vendor module's codec: nanos are exactly atoms).
 * Amounts are bigint from parse to present; no float ever holds one.
 */
export interface Money {
  currency: string;
  /** Atoms: 10^-9 of the currency's major unit. */
  amount: bigint;
}

/** Decimal digits of the atomic unit: 1 major unit = 10^9 atoms. */
export const ATOM_DIGITS = 9;

/** Atoms in one major unit. */
export const ATOMS_PER_MAJOR = 10n ** BigInt(ATOM_DIGITS);

/** ISO 4217 exponents by code, built once: the library's lookup is a linear search per call. */
const EXPONENTS: ReadonlyMap<string, number> = new Map(currencyCodes.data.map((c) => [c.code, c.digits]));

/**
 * ISO 4217 minor-unit exponent of a currency (ZAR 2, JPY 0, KWD 3), or undefined when the
 * code is not an uppercase, known ISO 4217 alphabetic code.
 */
export function currencyExponent(code: string): number | undefined {
  return EXPONENTS.get(code);
}

export function isCurrencyCode(code: string): boolean {
  return currencyExponent(code) !== undefined;
}

/** Why an amount cannot become (or be shown as) Money. Surfaces word each reason their way. */
export type AmountProblem =
  | 'unknown_currency'
  | 'malformed'
  /** More decimals than the currency's minor unit (or than nanos) can hold. */
  | 'too_precise'
  /** Beyond the wire form's range. */
  | 'out_of_range'
  /** Parts of one amount with opposite signs (units and nanos). */
  | 'sign_mismatch';

export class AmountRejected extends RangeError {
  constructor(
    readonly problem: AmountProblem,
    message: string,
  ) {
    super(message);
  }
}

/** @throws AmountRejected('unknown_currency') */
export function exponentOf(currency: string): number {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new AmountRejected('unknown_currency', `'${currency}' is not an ISO 4217 currency code`);
  return exponent;
}

const atomsPerMinorUnit = (currency: string) => 10n ** BigInt(ATOM_DIGITS - exponentOf(currency));

export const zero = (currency: string): Money => ({ currency, amount: 0n });

// ---- ISO 4217 minor units --------------------------------------------------------------------

export function fromMinorUnits(currency: string, minorUnits: bigint): Money {
  return { currency, amount: minorUnits * atomsPerMinorUnit(currency) };
}

/** @throws AmountRejected('too_precise') when the amount is not a whole number of minor units */
export function toMinorUnits(money: Money): bigint {
  const perMinor = atomsPerMinorUnit(money.currency);
  if (money.amount % perMinor !== 0n) throw new AmountRejected('too_precise', `${majorDecimalOf(money)} ${money.currency} is not a whole number of minor units`);
  return money.amount / perMinor;
}

// ---- major-unit decimal text (a JSON number's own text) ------------------------------

const JSON_NUMBER = /^(-)?(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * A JSON number's text in major units (`12.5`, `1e3`, `-0.25`), exactly. At most
 * `maxDecimals` decimals, by default the currency's ISO 4217 exponent (JPY 0, PHP 2, KWD 3):
 * `10.5` JPY is too precise. A vendor module that allows fewer passes its own.
 * @throws AmountRejected (malformed, too_precise, unknown_currency)
 */
export function fromMajorDecimal(currency: string, text: string, maxDecimals?: number): Money {
  const match = JSON_NUMBER.exec(text);
  if (!match) throw new AmountRejected('malformed', `'${text}' is not a decimal number`);
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  // An absurd exponent would make a number with millions of digits; no amount needs more than 40.
  const exponent = Number(exponentText);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 40) throw new AmountRejected('out_of_range', `'${text}' is out of range`);
  let digits = (whole! + fraction).replace(/^0+(?=\d)/, '');
  let decimals = fraction.length - exponent;
  // Trailing zeros after the point carry no precision: 10.50 PHP is 10.5.
  while (decimals > 0 && digits.length > 1 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    decimals -= 1;
  }
  if (digits === '0') decimals = Math.min(decimals, 0);
  const allowed = Math.min(maxDecimals ?? ATOM_DIGITS, exponentOf(currency));
  if (decimals > allowed) throw new AmountRejected('too_precise', `${currency} amounts have at most ${allowed} decimal places (got '${text}')`);
  const magnitude = BigInt(digits) * 10n ** BigInt(ATOM_DIGITS - decimals);
  return { currency, amount: sign ? -magnitude : magnitude };
}

/** The shortest exact decimal text in major units (`12.5`, `-0.25`, `10000`). */
export function majorDecimalOf(money: Money): string {
  const negative = money.amount < 0n;
  const magnitude = negative ? -money.amount : money.amount;
  const whole = magnitude / ATOMS_PER_MAJOR;
  const fraction = (magnitude % ATOMS_PER_MAJOR).toString().padStart(ATOM_DIGITS, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

// ---- arithmetic --------------------------------------------------------------------------------

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new RangeError(`cannot combine ${a.currency} with ${b.currency}`);
}

export function addMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { currency: a.currency, amount: a.amount + b.amount };
}

export function subtractMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { currency: a.currency, amount: a.amount - b.amount };
}

export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b);
  return a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0;
}

/**
 * Exact decimal text in the currency's ISO 4217 minor unit (`1000` for ZAR 10.00); a fraction of
 * a minor unit (an org amount in nanos) after a point, without trailing zeros (`1050.5`).
 */
export function minorUnitsText(money: Money): string {
  const perMinor = atomsPerMinorUnit(money.currency);
  const negative = money.amount < 0n;
  const magnitude = negative ? -money.amount : money.amount;
  const fractionDigits = ATOM_DIGITS - exponentOf(money.currency);
  const fraction = (magnitude % perMinor).toString().padStart(fractionDigits, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${magnitude / perMinor}${fraction ? `.${fraction}` : ''}`;
}
