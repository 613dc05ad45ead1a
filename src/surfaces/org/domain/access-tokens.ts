import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
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

/** How far in the future a token's `iat` may be (clocks of two processes or machines differ a little). */
export const ISSUED_AT_SKEW_SECONDS = 60;

/**
 * The claims of a token this service signed and that has not expired (at `timeOf` its tenant
 * and mode). Only EdDSA with one of our keys, named by the token's `kid`, is accepted: `alg:
 * none`, another algorithm, an unknown `kid`, another key or a changed byte fail, and so does
 * an `iat` more than ISSUED_AT_SKEW_SECONDS ahead of the tenant's time (SPEC §9).
 * @throws Unauthenticated
 */
export async function verifyAccessToken(
  keyOf: (kid: string) => Promise<SigningKey | undefined>,
  token: string,
  timeOf: (scope: Scope) => Promise<string>,
): Promise<AccessTokenClaims> {
  let kid: unknown;
  let named: Record<string, unknown>;
  try {
    kid = decodeProtectedHeader(token).kid;
    named = decodeJwt(token);
  } catch {
    throw new Unauthenticated('the access token is invalid: it is malformed, or not signed by this service');
  }
  const key = typeof kid === 'string' && kid.length <= 128 ? await keyOf(kid) : undefined;
  if (!key) throw new Unauthenticated('the access token is signed by a key this service does not know (its kid): request a new one from /oauth2/token');
  // Its expiry is checked against the time of the tenant and mode it names (a test clock may
  // have moved): read unverified for that only, then verified in full at that time.
  const scope = typeof named.tenant_id === 'string' && (named.mode === 'test' || named.mode === 'live') ? { tenantId: named.tenant_id, mode: named.mode as Mode } : undefined;
  // Without a tenant and mode the claims are refused below; jose's own clock only decides the order of errors.
  const currentDate = scope ? new Date(await timeOf(scope)) : undefined;
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key.publicKey, { algorithms: [SIGNING_ALGORITHM], issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', ...(currentDate ? { currentDate } : {}) }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new Unauthenticated('the access token has expired: request a new one from /oauth2/token');
    throw new Unauthenticated('the access token is invalid: it is malformed, or not signed by this service');
  }
  const { tenant_id: tenantId, mode, roles, sub, exp, iat } = payload;
  if (typeof exp !== 'number' || typeof iat !== 'number' || typeof tenantId !== 'string' || (mode !== 'test' && mode !== 'live') || typeof sub !== 'string' || !Array.isArray(roles) || !roles.every((r): r is OrgRole => typeof r === 'string' && isOrgRole(r))) {
    throw new Unauthenticated('the access token is invalid: its claims are not those of this service');
  }
  if (currentDate && iat > currentDate.getTime() / 1000 + ISSUED_AT_SKEW_SECONDS) {
    throw new Unauthenticated('the access token is issued in the future (its iat): request a new one from /oauth2/token');
  }
  return { scope: { tenantId, mode: mode as Mode }, clientId: sub, roles, expiresAtMs: exp * 1000 };
}
