/**
 * Fixed one-minute windows per key, in process memory. With several API nodes each node
 * enforces the limit on its own share of traffic (docs/decisions.md).
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

const WINDOW_MS = 60_000;

export class RateLimiter {
  private windows = new Map<string, { startedAt: number; count: number }>();

  constructor(private readonly perMinute: number) {}

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  take(key: string, now = Date.now()): RateDecision {
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      if (this.windows.size > 100_000) this.evictExpired(now);
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return {
      allowed: window.count <= this.perMinute,
      limit: this.perMinute,
      remaining: Math.max(0, this.perMinute - window.count),
      resetSeconds: Math.ceil((window.startedAt + WINDOW_MS - now) / 1000),
    };
  }

  private evictExpired(now: number): void {
    for (const [key, window] of this.windows) if (now - window.startedAt >= WINDOW_MS) this.windows.delete(key);
  }
}

export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  return {
    'rate-limit-limit': String(decision.limit),
    'rate-limit-remaining': String(decision.remaining),
    'rate-limit-reset': String(decision.resetSeconds),
  };
}
