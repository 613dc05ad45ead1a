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
