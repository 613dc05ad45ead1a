import { decodeJwt, errors, jwtVerify, SignJWT } from 'jose';
import { Unauthenticated } from '../../../ledger/errors.js';
import { newId } from '../../../ledger/ids.js';
import type { Mode, Scope } from '../../../ledger/model.js';
import { isOrgRole } from './oauth-clients.js';
import { type OAuthClient, type OrgRole } from './model.js';
import { SIGNING_ALGORITHM, type SigningKey } from '../store/signing-keys.js';

/** Seconds an access token lives (`expires_in`): short, as BidZenith's "expire after a short period". */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
const ISSUER = 'subledger';
const AUDIENCE = 'subledger-org';

/** What a verified access token says of its bearer. */
export interface AccessTokenClaims {
  scope: Scope;
  clientId: string;
  roles: OrgRole[];
  /** The token's `exp`, in epoch milliseconds. */
  expiresAtMs: number;
}

/** A signed JWT for the client: tenant, mode and roles in its claims (RFC 9068 style), issued at `now` (the client's tenant and mode's time). */
export async function issueAccessToken(key: SigningKey, client: OAuthClient, roles: readonly OrgRole[], now: string): Promise<string> {
  const issuedAt = Math.floor(Date.parse(now) / 1000);
  return new SignJWT({ tenant_id: client.tenantId, mode: client.mode, roles: [...roles], scope: roles.join(' '), client_id: client.id })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(client.id)
    .setJti(newId('jti'))
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL_SECONDS)
    .sign(key.privateKey);
}

/**
 * The claims of a token this service signed and that has not expired (at `timeOf` its tenant and mode). Only EdDSA with our key
 * is accepted: `alg: none`, another algorithm, another key or a changed byte fail.
 * @throws Unauthenticated
 */
export async function verifyAccessToken(key: SigningKey, token: string, timeOf: (scope: Scope) => Promise<string>): Promise<AccessTokenClaims> {
  let payload: Record<string, unknown>;
  try {
    // Its expiry is checked against the time of the tenant and mode it names (a test clock may
    // have moved): read unverified for that only, then verified in full at that time.
    const named = decodeJwt(token);
    const scope = typeof named.tenant_id === 'string' && (named.mode === 'test' || named.mode === 'live') ? { tenantId: named.tenant_id, mode: named.mode as Mode } : undefined;
    const currentDate = scope ? new Date(await timeOf(scope)) : undefined;
    ({ payload } = await jwtVerify(token, key.publicKey, { algorithms: [SIGNING_ALGORITHM], issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', ...(currentDate ? { currentDate } : {}) }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new Unauthenticated('the access token has expired: request a new one from /oauth2/token');
    throw new Unauthenticated('the access token is invalid: it is malformed, or not signed by this service');
  }
  const { tenant_id: tenantId, mode, roles, sub, exp } = payload;
  if (typeof exp !== 'number' || typeof tenantId !== 'string' || (mode !== 'test' && mode !== 'live') || typeof sub !== 'string' || !Array.isArray(roles) || !roles.every((r): r is OrgRole => typeof r === 'string' && isOrgRole(r))) {
    throw new Unauthenticated('the access token is invalid: its claims are not those of this service');
  }
  return { scope: { tenantId, mode: mode as Mode }, clientId: sub, roles, expiresAtMs: exp * 1000 };
}
