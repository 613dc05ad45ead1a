import { nowIso } from '../../../ledger/clock.js';
import { orgRepositoriesOf } from './repositories.js';
import { hkdfSync } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Store } from '../../../store/ports.js';
import type { StoredSigningKey } from '../domain/ports.js';

/** Ed25519 signatures (JWS `alg` EdDSA): small keys and tokens, no nonce to get wrong. */
export const SIGNING_ALGORITHM = 'EdDSA';
/** The first key's name: created once per database, it also keys page tokens for good. */
const PRIMARY = 'primary';
/**
 * How long a retired key stays published and accepted, past its retirement: an access token's
 * hour, plus the longest a process may keep signing with it before it learns of the rotation
 * (SUBLEDGER_KEY_CACHE_SECONDS, at most 300 s), plus the clock skew tokens are allowed.
 */
export const RETIRED_KEY_GRACE_MS = (3600 + 300 + 60) * 1000;

/** One signing key, loaded: access tokens are signed with it (the current one) or verified with it. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public half as JWKS publishes it (`kid`, `alg`, `use`). */
  publicJwk: JWK;
  /** When a rotation replaced it (ISO 8601); null for the key that signs. */
  retiredAt: string | null;
}

/** The keys of the database: the one that signs, and those whose tokens may still be valid. */
export interface SigningKeySet {
  current: SigningKey;
  /** The current key and every retired key within its grace, by kid. */
  byKid: ReadonlyMap<string, SigningKey>;
  /** HMAC key of page tokens (HKDF of the first key's private key): the same on every process, across rotations. */
  pageTokenSecret: Buffer;
}

async function newStoredKey(name: string | undefined, now: string): Promise<StoredSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { name: name ?? kid, kid, algorithm: SIGNING_ALGORITHM, privateJwk: JSON.stringify(await exportJWK(privateKey)), publicJwk: JSON.stringify(publicJwk), createdAt: now, retiredAt: null };
}

async function loadKey(stored: StoredSigningKey): Promise<SigningKey> {
  const publicJwk = JSON.parse(stored.publicJwk) as JWK;
  return {
    kid: stored.kid,
    privateKey: (await importJWK(JSON.parse(stored.privateJwk) as JWK, stored.algorithm)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, stored.algorithm)) as CryptoKey,
    publicJwk: { ...publicJwk, kid: stored.kid, alg: stored.algorithm, use: 'sig' },
    retiredAt: stored.retiredAt,
  };
}

function pageTokenSecretOf(primary: StoredSigningKey): Buffer {
  const d = (JSON.parse(primary.privateJwk) as JWK).d ?? '';
  return Buffer.from(hkdfSync('sha256', Buffer.from(d, 'base64url'), Buffer.alloc(0), 'subledger page tokens', 32));
}

/**
 * The first key, created by the first process that needs it: every process inserts its own
 * candidate with "on conflict do nothing" and then reads the one that won, so processes sharing
 * one database race safely and all sign with the same key, across restarts too.
 */
async function findOrCreatePrimary(store: Store): Promise<StoredSigningKey> {
  const existing = await orgRepositoriesOf.of(store.reader).signingKeys.find(PRIMARY);
  if (existing) return existing;
  const candidate = await newStoredKey(PRIMARY, nowIso());
  await store.transaction((tx) => orgRepositoriesOf.of(tx).signingKeys.insertIfAbsent(candidate));
  const winner = await orgRepositoriesOf.of(store.reader).signingKeys.find(PRIMARY);
  if (!winner) throw new Error('the signing key vanished after it was stored');
  return winner;
}

/** @throws Error when no key signs (a rotation that failed half-way cannot happen: it is one transaction) */
async function loadKeySet(store: Store, nowMs: number): Promise<SigningKeySet> {
  const primary = await findOrCreatePrimary(store);
  const usable = await orgRepositoriesOf.of(store.reader).signingKeys.listUsable(new Date(nowMs - RETIRED_KEY_GRACE_MS).toISOString());
  // The key that signs first, then the retired ones, most recently retired first (the JWKS's order).
  // Of two unretired keys (two rotations raced) the newest signs; the other still verifies.
  const newestFirst = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
  const ordered = [...usable].sort((a, b) => newestFirst(a.retiredAt ?? '\uffff', b.retiredAt ?? '\uffff') || newestFirst(a.createdAt, b.createdAt));
  const keys = await Promise.all(ordered.map(loadKey));
  const current = keys.find((key) => key.retiredAt === null);
  if (!current) throw new Error('no signing key is current: run subledger signing-keys rotate');
  return { current, byKid: new Map(keys.map((key) => [key.kid, key])), pageTokenSecret: pageTokenSecretOf(primary) };
}

/**
 * Retires the key that signs and stores a new one, in one transaction: from then on new
 * tokens are signed with the new key, and the old one is published and accepted until its
 * last token has expired (RETIRED_KEY_GRACE_MS). Running processes learn of it at once on
 * PostgreSQL (a notice), else within SUBLEDGER_KEY_CACHE_SECONDS.
 * @returns the new key's kid and the previous one's
 */
export async function rotateSigningKey(store: Store, now = nowIso()): Promise<{ kid: string; previousKid: string | null; previousValidUntil: string | null }> {
  await findOrCreatePrimary(store);
  const fresh = await newStoredKey(undefined, now);
  const previous = await store.transaction(async (tx) => {
    const keys = orgRepositoriesOf.of(tx).signingKeys;
    const before = (await keys.listUsable(now)).find((key) => key.retiredAt === null);
    await keys.retireCurrent(now);
    await keys.insertIfAbsent(fresh);
    return before;
  });
  return { kid: fresh.kid, previousKid: previous?.kid ?? null, previousValidUntil: previous ? new Date(Date.parse(now) + RETIRED_KEY_GRACE_MS).toISOString() : null };
}

/**
 * The signing keys of one store, as this process knows them: read again when older than the
 * key cache window, when a token names a kid not known yet (at most once a second), and at
 * once when the authenticator forgets (a rotation here or a notice of one elsewhere).
 */
class SigningKeyCache {
  private loaded: { set: Promise<SigningKeySet>; atMs: number } | undefined;
  private lastMissReloadMs = 0;

  constructor(
    private readonly store: Store,
    private readonly windowMs: number,
  ) {}

  get(nowMs = Date.now()): Promise<SigningKeySet> {
    if (this.loaded && nowMs - this.loaded.atMs <= this.windowMs) return this.loaded.set;
    const set = loadKeySet(this.store, nowMs);
    const entry = { set, atMs: nowMs };
    this.loaded = entry;
    // A failure (the database unreachable) is not remembered: the next request tries again.
    set.catch(() => {
      if (this.loaded === entry) this.loaded = undefined;
    });
    return set;
  }

  /** The key of `kid`, reading the keys again once if it is unknown (a rotation another process made). */
  async byKid(kid: string, nowMs = Date.now()): Promise<SigningKey | undefined> {
    const known = (await this.get(nowMs)).byKid.get(kid);
    if (known || nowMs - this.lastMissReloadMs < 1000) return known;
    this.lastMissReloadMs = nowMs;
    this.forget();
    return (await this.get(nowMs)).byKid.get(kid);
  }

  forget(): void {
    this.loaded = undefined;
  }
}

const caches = new WeakMap<Store, SigningKeyCache>();

/** What signingKeysOf needs: the store, and the authenticator whose window and forgetting it follows. */
export interface SigningKeyServices {
  store: Store;
  authenticator: { cacheWindowMs: number; onForget(forget: () => void): void };
}

/** The signing keys of the services' database, cached per process (see SigningKeyCache). */
export function signingKeysOf(services: SigningKeyServices): SigningKeyCache {
  let cache = caches.get(services.store);
  if (!cache) {
    const created = new SigningKeyCache(services.store, services.authenticator.cacheWindowMs);
    services.authenticator.onForget(() => created.forget());
    caches.set(services.store, created);
    cache = created;
  }
  return cache;
}
