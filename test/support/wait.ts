// Waiting for a condition instead of sleeping: every suite that waits on something uses this.

/**
 * Polls `condition` every `intervalMs` until it returns a truthy value (returned), or fails
 * after `timeoutMs` naming what was awaited and the last value or error seen.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  timeoutMs: number,
  what: string | (() => string),
  intervalMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const description = typeof what === 'string' ? what : what();
      const lastText = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description} (last: ${lastText})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
