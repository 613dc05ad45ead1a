import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpFailure } from '../http/failures.js';
import { plainAddress } from '../http/trusted-proxies.js';
import { defineRepositories } from '../store/module-repositories.js';
import type { Store } from '../store/ports.js';
import '../store/database.js';

// SPEC §9 "Guessing is throttled": more than MAX_FAILURES failed admin-token or console sign-ins
// from one client address within WINDOW_MS, and every further admin or console authentication
// from that address answers 429 with Retry-After until the window has moved past them, a
// correct token too (a 429 that only wrong tokens got would tell which one is right). The
// failures are in the database: every process on it counts the same ones.

export const WINDOW_MS = 60_000;
export const MAX_FAILURES = 20;
const BLOCKED_MEMO_MAX = 10_000;

const failures = defineRepositories(({ db }) => ({
  /** The newest failures of `address` since `since` (epoch ms), newest first, at most `limit`. */
  async newest(address: string, since: number, limit: number): Promise<number[]> {
    const rows = await db.selectFrom('auth_failures').select('failed_at_ms').where('address', '=', address).where('failed_at_ms', '>', since).orderBy('failed_at_ms', 'desc').limit(limit).execute();
    return rows.map((row) => Number(row.failed_at_ms));
  },
  async add(address: string, at: number): Promise<void> {
    await db.insertInto('auth_failures').values({ address, failed_at_ms: at, id: randomBytes(8).toString('hex') }).execute();
  },
  async purgeBefore(at: number): Promise<void> {
    await db.deleteFrom('auth_failures').where('failed_at_ms', '<=', at).execute();
  },
}));

/** The address authentication failures are counted against: the client's (request.ip follows SUBLEDGER_TRUST_PROXY). */
export const clientAddressOf = (request: FastifyRequest): string => plainAddress(request.ip ?? request.socket?.remoteAddress ?? 'unknown');

export class AuthThrottle {
  /** The window's clock (epoch ms): tests move it instead of waiting a minute. */
  now: () => number = Date.now;
  /** Addresses this process knows to be throttled, and until when: no query while it lasts. */
  private readonly blockedUntil = new Map<string, number>();
  private purgedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly store: Store) {}

  /**
   * Refuses an authentication from `address` while it is throttled.
   * @throws HttpFailure rate_limited (429) with Retry-After: the seconds until the window lets it try again
   */
  async check(address: string): Promise<void> {
    const now = this.now();
    const known = this.blockedUntil.get(address);
    if (known !== undefined) {
      if (known > now) throw throttled(known - now);
      this.blockedUntil.delete(address);
    }
    // The newest MAX_FAILURES + 1 within the window: throttled while there are that many, until
    // the oldest of them leaves the window.
    const newest = await failures.of(this.store.reader).newest(address, now - WINDOW_MS, MAX_FAILURES + 1);
    if (newest.length <= MAX_FAILURES) return;
    const until = newest[MAX_FAILURES]! + WINDOW_MS;
    if (this.blockedUntil.size >= BLOCKED_MEMO_MAX) this.blockedUntil.clear();
    this.blockedUntil.set(address, until);
    throw throttled(until - now);
  }

  /** Counts a failed authentication from `address` (and, once a window, drops failures older than it). */
  async recordFailure(address: string): Promise<void> {
    const now = this.now();
    const repository = failures.of(this.store.reader);
    await repository.add(address, now);
    if (Math.abs(now - this.purgedAt) < WINDOW_MS) return;
    this.purgedAt = now;
    await repository.purgeBefore(now - WINDOW_MS);
  }
}

function throttled(remainingMs: number): HttpFailure {
  const seconds = Math.max(1, Math.ceil(remainingMs / 1000));
  return new HttpFailure('rate_limited', `too many failed sign-ins from this address: try again in ${seconds} s`, [], { 'retry-after': String(seconds) });
}
