import { createHash, timingSafeEqual } from 'node:crypto';
import { PermissionDenied, Unauthenticated } from '../ledger/errors.js';
import { randomBase62 } from '../ledger/ids.js';
import type { Mode } from '../ledger/model.js';
import type { ApiKey, ApiKeyType } from './model.js';
import type { ApiKeyRepository } from '../store/ports.js';

const KEY_PREFIX: Record<ApiKeyType, string> = { secret: 'sk', publishable: 'pk' };
const KEY_SHAPE = /^(sk|pk)_(test|live)_[0-9A-Za-z]{32}$/;

export interface IssuedKey {
  key: ApiKey;
  /** The only time the full key exists outside the caller: it is shown once, only its hash is stored. */
  secret: string;
  secretHash: string;
}

/** SHA-256 of the key: keys are 190 random bits, so a fast hash is enough (no password stretching needed). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function issueApiKey(tenantId: string, mode: Mode, type: ApiKeyType, id: string, now: string): IssuedKey {
  const secret = `${KEY_PREFIX[type]}_${mode}_${randomBase62(32)}`;
  return {
    secret,
    secretHash: hashSecret(secret),
    key: { id, tenantId, mode, type, hint: `${secret.slice(0, 11)}…${secret.slice(-4)}`, createdAt: now, revokedAt: null },
  };
}

/**
 * The key a bearer secret belongs to. The lookup is by hash (an index probe reveals nothing
 * about the secret); the final equality check is constant-time.
 * @throws Unauthenticated (malformed or unknown key), PermissionDenied (revoked key)
 */
export async function authenticateApiKey(
  findByHash: ApiKeyRepository['findByHash'],
  secret: string,
): Promise<ApiKey> {
  if (!KEY_SHAPE.test(secret)) throw new Unauthenticated('invalid API key');
  const presentedHash = hashSecret(secret);
  const found = await findByHash(presentedHash);
  if (!found || !timingSafeEqual(Buffer.from(found.secretHash, 'hex'), Buffer.from(presentedHash, 'hex'))) {
    throw new Unauthenticated('invalid API key');
  }
  if (found.key.revokedAt !== null) throw new PermissionDenied('this API key has been revoked');
  return found.key;
}

/** Constant-time comparison of two secrets of any length (the admin token). */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
