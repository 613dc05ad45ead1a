/** UTC ISO 8601 with milliseconds, the one timestamp format of every surface and every row. */
export function nowIso(): string {
  return new Date().toISOString();
}
