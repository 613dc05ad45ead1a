import type { FastifyRequest } from 'fastify';
import { authenticateApiKey } from '../tenancy/credentials.js';
import { Unauthenticated } from '../ledger/errors.js';
import { ExpiringMap } from '../store/expiring-map.js';
import { CREDENTIALS_CHANNEL } from '../store/change-notices.js';
import type { Scope } from '../ledger/model.js';
import type { ApiKey, ApiKeyType } from '../tenancy/model.js';
import type { ApiKeyRepository, Store } from '../store/ports.js';

/** Who is calling: one key of one tenant in one mode, possibly on behalf of an OAuth client. */
export interface Principal {
  scope: Scope;
  /** The API key the caller authenticated with (an OAuth client's token was issued to one). */
  keyId: string;
  keyType: ApiKeyType;
  roles: readonly string[];
  /** The OAuth client the caller's token was issued to; null for a plain API key. */
  clientId: string | null;
  /** Who the ledger records as having acted (`CommandContext.actor`), and whose rate limit is spent. */
  actor: string;
  /** When the credential stops being valid by itself (an access token's expiry, epoch ms); absent for keys. */
  expiresAtMs?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const CACHE_MAX_ENTRIES = 10_000;

/**
 * Who a request's exact credential header proved to be, remembered per surface for the key
 * cache's lifetime: a hot caller costs neither a hash nor a signature check per request, only a
 * map lookup by the header's text. Only successes are kept (a bad credential always takes the
 * full, constant-time path), never past the credential's own expiry, and each surface has its
 * own map (the same header text means different things to billing and to org).
 */
export class PrincipalCache {
  private readonly entries = new ExpiringMap<string, Principal>(CACHE_MAX_ENTRIES);

  constructor(private readonly ttlMs: number) {}

  get(header: string, now: number): Principal | undefined {
    return this.entries.get(header, now);
  }

  set(header: string, principal: Principal, now: number): void {
    if (this.ttlMs <= 0) return;
    this.entries.set(header, Object.freeze(principal), Math.min(now + this.ttlMs, principal.expiresAtMs ?? Infinity), now);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Authenticates API keys, remembering each key lookup for `cacheMs` (SUBLEDGER_KEY_CACHE_SECONDS,
 * 5 s by default) so that a hot key costs no database read per request, and holds each
 * surface's PrincipalCache for the same time. A revocation through this process's admin API is
 * seen at once (forgetAll); one made elsewhere (the CLI, another process) within `cacheMs`
 * (docs/decisions.md). 0 looks every key up on every request.
 */
export class ApiKeyAuthenticator {
  private readonly cache = new ExpiringMap<string, NonNullable<Awaited<ReturnType<ApiKeyRepository['findByHash']>>>>(CACHE_MAX_ENTRIES);
  private readonly principalCaches = new Map<string, PrincipalCache>();
  private readonly forgetters: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly cacheMs: number,
    /** What a secret key may do: every role a vendor defines (VendorModule.roles). */
    private readonly secretKeyRoles: readonly string[] = [],
  ) {}

  /** The cache of principals by credential header for one surface (created on first use). */
  principalsOf(surfaceName: string): PrincipalCache {
    let cache = this.principalCaches.get(surfaceName);
    if (!cache) {
      cache = new PrincipalCache(this.cacheMs);
      this.principalCaches.set(surfaceName, cache);
    }
    return cache;
  }

  /** @throws Unauthenticated, PermissionDenied (revoked) */
  async authenticate(secret: string): Promise<Principal> {
    const key = await authenticateApiKey((hash) => this.lookup(hash), secret);
    return principalOf(key, this.secretKeyRoles);
  }

  /**
   * Drops cached lookups: after a revocation in this process, or a notice of one from another
   * (change-notices.ts). Also what `onForget` registered (a surface's own credential caches).
   */
  forgetAll(): void {
    this.cache.clear();
    for (const principals of this.principalCaches.values()) principals.clear();
    for (const forget of this.forgetters) forget();
  }

  /** `forget` runs on every forgetAll: a cache of credentials a surface keeps beside these (the org surface's signing keys). */
  onForget(forget: () => void): void {
    this.forgetters.push(forget);
  }

  /** How long this process trusts what it looked up about a credential (SUBLEDGER_KEY_CACHE_SECONDS). */
  get cacheWindowMs(): number {
    return this.cacheMs;
  }

  private async lookup(hash: string) {
    const now = Date.now();
    const cached = this.cache.get(hash, now);
    if (cached) return cached;
    const found = await this.store.reader.apiKeys.findByHash(hash);
    if (found && this.cacheMs > 0) this.cache.set(hash, found, now + this.cacheMs, now);
    return found;
  }
}

/** A secret key may do everything; a publishable key (meant for client-side code) nothing. */
function principalOf(key: ApiKey, secretKeyRoles: readonly string[]): Principal {
  const roles = key.type === 'secret' ? secretKeyRoles : [];
  return { scope: { tenantId: key.tenantId, mode: key.mode }, keyId: key.id, keyType: key.type, roles, clientId: null, actor: key.id };
}

/** How a surface names the bearer credential it expects, in its 401 messages. */
export interface BearerCredential {
  /** 'API key', 'admin token' */
  name: string;
  /** What follows `Bearer ` in a correct header: '<secret key>' */
  placeholder: string;
}

export const SECRET_KEY: BearerCredential = { name: 'API key', placeholder: '<secret key>' };

/**
 * The token of `Authorization: Bearer <token>`. A header that is there but not Bearer (Basic,
 * a bare key) is reported as the wrong scheme, not as a missing credential.
 * @throws Unauthenticated when absent, of another scheme, or without a token
 */
export function bearerTokenOf(request: FastifyRequest, credential: BearerCredential = SECRET_KEY): string {
  const header = request.headers.authorization;
  const expected = `send Authorization: Bearer ${credential.placeholder}`;
  if (typeof header !== 'string' || header.trim() === '') throw new Unauthenticated(`missing ${credential.name}: ${expected}`);
  const [scheme = '', token, ...rest] = header.trim().split(/\s+/);
  const bearer = scheme.toLowerCase() === 'bearer';
  if (bearer && token === undefined) throw new Unauthenticated(`the Authorization header has no ${credential.name} after Bearer: ${expected}`);
  if (token === undefined) throw new Unauthenticated(`the Authorization header has no scheme: ${expected} (the word Bearer, a space, then the ${credential.name})`);
  if (!bearer) throw new Unauthenticated(`the Authorization header uses the ${scheme.slice(0, 20)} scheme, not Bearer: ${expected}`);
  if (rest.length > 0) throw new Unauthenticated(`the Authorization header has more than one ${credential.name} after Bearer: ${expected}`);
  return token;
}

/**
 * After a credential was revoked (or the signing key rotated) in this process: forget every
 * cached lookup here at once, and tell the other processes on the database to do the same
 * (PostgreSQL NOTIFY; without it they would trust their caches for SUBLEDGER_KEY_CACHE_SECONDS).
 */
export async function credentialsChanged(services: { authenticator: ApiKeyAuthenticator; store: Store }): Promise<void> {
  services.authenticator.forgetAll();
  await announceCredentialChange(services.store);
}

/** Tells the other processes on the store's database that credentials changed (what the CLI does after revoking or rotating). */
export async function announceCredentialChange(store: Store): Promise<void> {
  await store.notify(CREDENTIALS_CHANNEL, 'changed');
}
