import { createHash, timingSafeEqual } from 'node:crypto';
import { PermissionDenied, Unauthenticated } from '../ledger/errors.js';
import { randomBase62 } from '../ledger/ids.js';
import type { Mode } from '../ledger/model.js';
import type { ApiKey, ApiKeyType } from './model.js';
import type { ApiKeyRepository } from '../store/ports.js';

/**
 * How a key is written. `subledger`: sk_test_…, pk_live_… `xendit`: Xendit's own shape
 * (xnd_development_… in test mode, xnd_production_… in live; public keys xnd_public_…), so that
 * Xendit's SDKs accept it without complaint (SPEC §1). Either is a key like any other: only its
 * hash is stored and it works on every surface.
 */
export type ApiKeyFormat = 'subledger' | 'xendit';
export const API_KEY_FORMATS: readonly ApiKeyFormat[] = ['subledger', 'xendit'];

const SUBLEDGER_PREFIX: Record<ApiKeyType, string> = { secret: 'sk', publishable: 'pk' };
const XENDIT_MODE: Record<Mode, string> = { test: 'development', live: 'production' };
const XENDIT_PREFIX: Record<ApiKeyType, string> = { secret: 'xnd', publishable: 'xnd_public' };
/** Random characters after the prefix: 190 bits in ours; Xendit's keys are longer. */
const RANDOM_LENGTH: Record<ApiKeyFormat, number> = { subledger: 32, xendit: 48 };
const KEY_SHAPE = /^(?:(?:sk|pk)_(?:test|live)_[0-9A-Za-z]{32}|xnd_(?:public_)?(?:development|production)_[0-9A-Za-z]{48})$/;

function keyPrefix(format: ApiKeyFormat, mode: Mode, type: ApiKeyType): string {
  return format === 'xendit' ? `${XENDIT_PREFIX[type]}_${XENDIT_MODE[mode]}_` : `${SUBLEDGER_PREFIX[type]}_${mode}_`;
}

/** A stored key's format, told by its hint (which starts with the key's prefix). */
export const formatOfKey = (key: Pick<ApiKey, 'hint'>): ApiKeyFormat => (key.hint.startsWith('xnd_') ? 'xendit' : 'subledger');

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

export function issueApiKey(tenantId: string, mode: Mode, type: ApiKeyType, id: string, now: string, format: ApiKeyFormat = 'subledger'): IssuedKey {
  const prefix = keyPrefix(format, mode, type);
  const secret = `${prefix}${randomBase62(RANDOM_LENGTH[format])}`;
  return {
    secret,
    secretHash: hashSecret(secret),
    key: { id, tenantId, mode, type, hint: `${secret.slice(0, prefix.length + 3)}…${secret.slice(-4)}`, createdAt: now, revokedAt: null },
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
