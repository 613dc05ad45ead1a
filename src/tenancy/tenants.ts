import countries from 'i18n-iso-countries';
import { formatOfKey, issueApiKey, type ApiKeyFormat } from './credentials.js';
import { NotFound, ValidationFailed } from '../ledger/errors.js';
import { newId, randomBase62 } from '../ledger/ids.js';
import { MODES, type Mode, type Page } from '../ledger/model.js';
import { type ApiKey, type ApiKeyType, type Tenant } from './model.js';
import { resolvePage, type ListQuery } from '../ledger/pagination.js';
import type { Repositories } from '../store/ports.js';

export const DEFAULT_TENANT_NAME = 'default';
export const DEFAULT_COUNTRY = 'ID';

/** A mode's two keys as issued, with their ids (for `keys revoke`). */
export interface KeyPair {
  secret: string;
  secretId: string;
  publishable: string;
  publishableId: string;
  /** A secret key in Xendit's shape (xnd_development_…, xnd_production_…), for Xendit's SDKs. */
  xendit: string;
  xenditId: string;
}

export interface CreatedTenant {
  tenant: Tenant;
  keys: Record<Mode, KeyPair>;
}

/** A tenant with a secret, a publishable and a Xendit-format secret key for each mode. @throws ValidationFailed */
export async function createTenant(
  tx: Repositories,
  input: { name: string; country?: string },
  now: string,
): Promise<CreatedTenant> {
  const country = input.country ?? DEFAULT_COUNTRY;
  if (!/^[A-Z]{2}$/.test(country) || !countries.isValid(country)) {
    throw ValidationFailed.of('country', `'${country}' is not an ISO 3166-1 alpha-2 country code`);
  }
  const tenant: Tenant = {
    id: newId('ten'),
    name: input.name,
    country,
    callbackToken: randomBase62(48),
    createdAt: now,
  };
  await tx.tenants.insert(tenant);
  const keys = {} as Record<Mode, KeyPair>;
  for (const mode of MODES) {
    const secret = await createApiKey(tx, tenant.id, mode, 'secret', now);
    const publishable = await createApiKey(tx, tenant.id, mode, 'publishable', now);
    const xendit = await createApiKey(tx, tenant.id, mode, 'secret', now, 'xendit');
    keys[mode] = { secret: secret.secret, secretId: secret.key.id, publishable: publishable.secret, publishableId: publishable.key.id, xendit: xendit.secret, xenditId: xendit.key.id };
  }
  return { tenant, keys };
}

/** @throws NotFound for an unknown tenant */
export async function createApiKey(
  tx: Repositories,
  tenantId: string,
  mode: Mode,
  type: ApiKeyType,
  now: string,
  format: ApiKeyFormat = 'subledger',
): Promise<{ key: ApiKey; secret: string }> {
  if (!(await tx.tenants.findById(tenantId))) throw new NotFound('tenant', tenantId);
  const issued = issueApiKey(tenantId, mode, type, newId('key'), now, format);
  await tx.apiKeys.insert(issued.key, issued.secretHash);
  return { key: issued.key, secret: issued.secret };
}

/** Revoking twice is harmless. @throws NotFound */
export async function revokeApiKey(tx: Repositories, tenantId: string, keyId: string, now: string): Promise<ApiKey> {
  const key = await tx.apiKeys.findById(tenantId, keyId);
  if (!key) throw new NotFound('api_key', keyId);
  if (key.revokedAt === null) await tx.apiKeys.revoke(tenantId, keyId, now);
  return { ...key, revokedAt: key.revokedAt ?? now };
}

/**
 * A new key of the same mode, type and format, with the old one revoked in the same transaction: a
 * key that leaked is replaced in one step. A revoked key has nothing left to rotate.
 * @throws NotFound, ValidationFailed
 */
export async function rotateApiKey(tx: Repositories, tenantId: string, keyId: string, now: string): Promise<{ key: ApiKey; secret: string; replaced: ApiKey }> {
  const old = await tx.apiKeys.findById(tenantId, keyId);
  if (!old) throw new NotFound('api_key', keyId);
  if (old.revokedAt !== null) throw ValidationFailed.of('keyId', `is revoked (at ${old.revokedAt}): create a new key instead`);
  const created = await createApiKey(tx, tenantId, old.mode, old.type, now, formatOfKey(old));
  return { ...created, replaced: await revokeApiKey(tx, tenantId, keyId, now) };
}

/** Every tenant, newest first. @throws ValidationFailed (an unknown cursor) */
export async function listTenants(repos: Repositories, query: ListQuery): Promise<Page<Tenant>> {
  return repos.tenants.list(await resolvePage(query, (id) => repos.tenants.cursorOf(id)));
}

/** @throws NotFound */
export async function getTenant(repos: Repositories, tenantId: string): Promise<Tenant> {
  const tenant = await repos.tenants.findById(tenantId);
  if (!tenant) throw new NotFound('tenant', tenantId);
  return tenant;
}
