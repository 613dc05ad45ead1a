// How values read on screen. Amounts stay the decimal strings the API sends: no float
// arithmetic, only a sign put in front of positive ones.

/** 2026-11-23 10:04:05 UTC: sortable, the same for every operator whatever their locale. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

/** A signed amount as the ledger shows it: +10.00, -3.00, 0.00. */
export function signedAmount(amount: string): string {
  if (amount.startsWith('-') || amount.startsWith('+')) return amount;
  return /^0*(\.0*)?$/.test(amount) ? amount : `+${amount}`;
}

export const orDash = (value: string | number | null | undefined): string => (value === null || value === undefined || value === '' ? '—' : String(value));

/**
 * Minor units (an integer, as Moment's bills carry amounts) as a major-unit decimal string of the
 * currency (2000 ZAR → 20.00), by string arithmetic: the currency's digits come from Intl.
 */
export function minorUnitsAsMajor(minor: number, currency: string): string {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // an unknown code: two digits
  }
  const negative = minor < 0;
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return negative ? `-${whole}` : whole;
}
