import { ORG_ROLES, type OAuthClient, type OrgRole } from './model.js';
import { orgRepositoriesOf } from '../store/repositories.js';
import { timingSafeEqual } from 'node:crypto';
import { hashSecret } from '../../../tenancy/credentials.js';
import { NotFound, PermissionDenied, Unauthenticated, ValidationFailed } from '../../../ledger/errors.js';
import { newId, randomBase62 } from '../../../ledger/ids.js';
import { MODES, type Mode } from '../../../ledger/model.js';
import type { Repositories } from '../../../store/ports.js';

export interface OAuthClientInput {
  name: string;
  mode: Mode;
  roles: readonly string[];
}

const CLIENT_ID = /^oac_[0-9A-Za-z]{21}$/;
const SECRET_LENGTH = 43;

export const isOrgRole = (role: string): role is OrgRole => (ORG_ROLES as readonly string[]).includes(role);

/** Roles as a client states them: known ones, each once, at least one. @throws ValidationFailed */
export function checkRoles(roles: readonly string[], field = 'roles'): OrgRole[] {
  const unknown = roles.filter((role) => !isOrgRole(role));
  if (unknown.length > 0) throw ValidationFailed.of(field, `has unknown roles ${unknown.map((r) => `'${r.slice(0, 40)}'`).join(', ')}; known roles: ${ORG_ROLES.join(', ')}`);
  if (roles.length === 0) throw ValidationFailed.of(field, `must name at least one of ${ORG_ROLES.join(', ')}`);
  return ORG_ROLES.filter((role) => roles.includes(role));
}

/**
 * A new client and its secret (shown once: only its SHA-256 is stored; secrets are 256 random
 * bits, so a fast hash is enough, as for API keys).
 * @throws NotFound (tenant), ValidationFailed
 */
export async function createOAuthClient(tx: Repositories, tenantId: string, input: OAuthClientInput, now: string): Promise<{ client: OAuthClient; secret: string }> {
  if (!(await tx.tenants.findById(tenantId))) throw new NotFound('tenant', tenantId);
  if (!MODES.includes(input.mode)) throw ValidationFailed.of('mode', "must be 'test' or 'live'");
  const name = input.name.trim();
  if (name.length === 0 || name.length > 255) throw ValidationFailed.of('name', 'must be 1 to 255 characters');
  const client: OAuthClient = { id: newId('oac'), tenantId, mode: input.mode, name, roles: checkRoles(input.roles), createdAt: now, revokedAt: null };
  const secret = randomBase62(SECRET_LENGTH);
  await orgRepositoriesOf.of(tx).oauthClients.insert(client, hashSecret(secret));
  return { client, secret };
}

/**
 * The client whose credentials these are. The lookup is by client id; the secret's hash is
 * compared in constant time.
 * @throws Unauthenticated (unknown client or wrong secret), PermissionDenied (revoked client)
 */
export async function authenticateOAuthClient(repos: Repositories, clientId: string, secret: string): Promise<OAuthClient> {
  const invalid = new Unauthenticated('client authentication failed: unknown client_id or wrong client_secret');
  if (!CLIENT_ID.test(clientId)) throw invalid;
  const found = await orgRepositoriesOf.of(repos).oauthClients.findByClientId(clientId);
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(found?.secretHash ?? hashSecret(''), 'hex');
  if (!timingSafeEqual(presented, expected) || !found) throw invalid;
  if (found.client.revokedAt !== null) throw new PermissionDenied('this OAuth client has been revoked');
  return found.client;
}

/** @throws NotFound (tenant) */
export async function listOAuthClients(repos: Repositories, tenantId: string): Promise<OAuthClient[]> {
  if (!(await repos.tenants.findById(tenantId))) throw new NotFound('tenant', tenantId);
  return orgRepositoriesOf.of(repos).oauthClients.listForTenant(tenantId);
}

/** Revoking twice is harmless; tokens issued before are refused from then on (the caller drops credential caches). @throws NotFound */
export async function revokeOAuthClient(tx: Repositories, tenantId: string, clientId: string, now: string): Promise<OAuthClient> {
  const client = await orgRepositoriesOf.of(tx).oauthClients.findById(tenantId, clientId);
  if (!client) throw new NotFound('oauth_client', clientId);
  if (client.revokedAt === null) await orgRepositoriesOf.of(tx).oauthClients.revoke(tenantId, clientId, now);
  return { ...client, revokedAt: client.revokedAt ?? now };
}
