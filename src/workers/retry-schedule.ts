/**
 * When to try again after `failedAttempts` failures, or null when the schedule is exhausted
 * (the delivery has failed). Each wait is jittered by ±20% so that retries of many events
 * that failed together do not arrive together.
 */
export function nextAttemptAt(failedAttempts: number, scheduleMs: readonly number[], nowMs: number, random = Math.random): string | null {
  const wait = scheduleMs[failedAttempts - 1];
  if (wait === undefined) return null;
  const jitter = 0.8 + random() * 0.4;
  return new Date(nowMs + Math.round(wait * jitter)).toISOString();
}
