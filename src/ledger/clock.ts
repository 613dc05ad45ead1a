/**
 * The one place the kernel reads wall-clock time. Commands never do: they take `ctx.now`, read
 * once by whoever starts the command (a request, an operator, a worker), so that every
 * timestamp a command writes comes from one reading (and a per-tenant clock can replace it).
 */

/** UTC ISO 8601 with milliseconds, the one timestamp format of every surface and every row. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Milliseconds since the epoch, for what measures durations or expiry outside commands. */
export function nowMs(): number {
  return Date.now();
}

/** The later of two ISO instants (equal-width UTC text compares like time). */
export function laterOf(a: string, b: string): string {
  return a >= b ? a : b;
}

/** `at` moved by `ms` milliseconds. */
export function plusMs(at: string, ms: number): string {
  return new Date(Date.parse(at) + ms).toISOString();
}
