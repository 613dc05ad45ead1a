import { nowIso } from '../../../ledger/clock.js';
import { orgRepositoriesOf } from './repositories.js';
import { hkdfSync } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Store } from '../../../store/ports.js';
import type { StoredSigningKey } from '../domain/ports.js';

/** Ed25519 signatures (JWS `alg` EdDSA): small keys and tokens, no nonce to get wrong. */
export const SIGNING_ALGORITHM = 'EdDSA';
const KEY_NAME = 'primary';

/** The service's signing key, loaded: access tokens are signed with it, page tokens keyed from it. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public half as JWKS publishes it (`kid`, `alg`, `use`). */
  publicJwk: JWK;
  /** HMAC key of page tokens (HKDF of the private key): the same on every process of one database. */
  pageTokenSecret: Buffer;
}

async function newStoredKey(now: string): Promise<StoredSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { name: KEY_NAME, kid, algorithm: SIGNING_ALGORITHM, privateJwk: JSON.stringify(await exportJWK(privateKey)), publicJwk: JSON.stringify(publicJwk), createdAt: now };
}

async function loadKey(stored: StoredSigningKey): Promise<SigningKey> {
  const privateJwk = JSON.parse(stored.privateJwk) as JWK;
  const publicJwk = JSON.parse(stored.publicJwk) as JWK;
  return {
    kid: stored.kid,
    privateKey: (await importJWK(privateJwk, stored.algorithm)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, stored.algorithm)) as CryptoKey,
    publicJwk: { ...publicJwk, kid: stored.kid, alg: stored.algorithm, use: 'sig' },
    pageTokenSecret: Buffer.from(hkdfSync('sha256', Buffer.from(privateJwk.d ?? '', 'base64url'), Buffer.alloc(0), 'subledger page tokens', 32)),
  };
}

/**
 * The stored key, created by the first process that needs it: every process inserts its own
 * candidate with "on conflict do nothing" and then reads the one that won, so processes sharing
 * one database race safely and all sign with the same key, across restarts too.
 */
async function findOrCreate(store: Store): Promise<SigningKey> {
  const existing = await orgRepositoriesOf.of(store.reader).signingKeys.find(KEY_NAME);
  if (existing) return loadKey(existing);
  const candidate = await newStoredKey(nowIso());
  await store.transaction((tx) => orgRepositoriesOf.of(tx).signingKeys.insertIfAbsent(candidate));
  const winner = await orgRepositoriesOf.of(store.reader).signingKeys.find(KEY_NAME);
  if (!winner) throw new Error('the signing key vanished after it was stored');
  return loadKey(winner);
}

const loaded = new WeakMap<Store, Promise<SigningKey>>();

/** The signing key of this store's database, loaded once per process (it never changes). */
export function signingKeyOf(store: Store): Promise<SigningKey> {
  let key = loaded.get(store);
  if (!key) {
    key = findOrCreate(store);
    // A failure (the database unreachable) is not remembered: the next request tries again.
    key.catch(() => loaded.delete(store));
    loaded.set(store, key);
  }
  return key;
}
