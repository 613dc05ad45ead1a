import type { Page } from '../ledger/model.js';
import { formatOfKey } from '../tenancy/credentials.js';
import type { ApiKey, Tenant } from '../tenancy/model.js';
import type { CreatedTenant, KeyPair } from '../tenancy/tenants.js';

// The operator's JSON (admin API and CLI print the same): snake_case, keys shown only at issue.

export const presentTenant = (t: Tenant) => ({ id: t.id, name: t.name, country: t.country, callback_token: t.callbackToken, created_at: t.createdAt });

export const presentKey = (k: ApiKey) => ({ id: k.id, mode: k.mode, type: k.type, format: formatOfKey(k), hint: k.hint, created_at: k.createdAt, revoked_at: k.revokedAt });

const presentKeyPair = (k: KeyPair) => ({ secret: k.secret, secret_id: k.secretId, publishable: k.publishable, publishable_id: k.publishableId, xendit: k.xendit, xendit_id: k.xenditId });

/** A tenant as created: its keys of both modes, each with the id that revokes it. */
export const presentCreatedTenant = ({ tenant, keys }: CreatedTenant) => ({
  id: tenant.id,
  name: tenant.name,
  country: tenant.country,
  keys: { test: presentKeyPair(keys.test), live: presentKeyPair(keys.live) },
  created_at: tenant.createdAt,
});

export const presentTenantPage = (page: Page<Tenant>) => ({ data: page.items.map(presentTenant), has_more: page.hasMore });
