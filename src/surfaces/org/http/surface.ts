import { verifyAccessToken } from '../domain/access-tokens.js';
import { PermissionDenied, Unauthenticated } from '../../../ledger/errors.js';
import type { OrgRole } from '../domain/model.js';
import { signingKeysOf } from '../store/signing-keys.js';
import { orgRepositoriesOf } from '../store/repositories.js';
import { bearerTokenOf, type BearerCredential } from '../../../http/auth.js';
import type { SurfaceDefinition } from '../../../http/surface.js';
import { ORG_OPENAPI_FAILURES, renderOrgFailure, renderOrgFault } from './errors.js';
import { orgEnvelope, publishOrgEvents } from './events.js';
import { OAUTH_CHALLENGE, OAUTH_OPENAPI_FAILURES, renderOAuthFailure } from './oauth-errors.js';
import { registerOrgRoutes } from './routes.js';
import { registerJwksRoutes, registerTokenRoutes } from './token-routes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role an org route's access token must carry (403 without it). */
    orgRole?: OrgRole;
  }
}

const ACCESS_TOKEN: BearerCredential = { name: 'access token', placeholder: '<access token from POST /oauth2/token>' };

/** BidZenith Organization Accounts (SPEC §5): JWT bearer tokens with roles, gRPC-transcoding errors. */
export const orgSurface: SurfaceDefinition = {
  name: 'org',
  routes: { '/v1': registerOrgRoutes },
  async authenticate(request, services) {
    const keys = signingKeysOf(services);
    const claims = await verifyAccessToken((kid) => keys.byKid(kid), bearerTokenOf(request, ACCESS_TOKEN), (scope) => services.clocks.nowFor(scope));
    // A revoked client's tokens are refused at once (SPEC §9), not when they expire: the client
    // is read here, and this answer is cached only for SUBLEDGER_KEY_CACHE_SECONDS, less after
    // a revocation (which drops the cache, here and, on PostgreSQL, in every process).
    const client = await orgRepositoriesOf.of(services.store.reader).oauthClients.findById(claims.scope.tenantId, claims.clientId);
    if (!client || client.mode !== claims.scope.mode) throw new Unauthenticated('the access token was issued to a client that does not exist: request a new one from /oauth2/token');
    if (client.revokedAt !== null) throw new Unauthenticated('the access token was issued to an OAuth client that has been revoked');
    return { scope: claims.scope, keyId: claims.clientId, keyType: 'secret', roles: claims.roles, clientId: claims.clientId, actor: claims.clientId, expiresAtMs: claims.expiresAtMs };
  },
  authorize(principal, request) {
    // BidZenith: "if an app client does not have permission to do something, you'll get a 403".
    const role = request.routeOptions.config.orgRole;
    if (role && !principal?.roles.includes(role)) {
      throw new PermissionDenied(`this request needs the role ${role}; the access token has ${principal?.roles.join(', ') || 'none'}`);
    }
  },
  authenticationChallenge: 'Bearer realm="org"',
  renderFailure: renderOrgFailure,
  renderFault: renderOrgFault,
  idempotencyHeaders: ['idempotency-key'],
  securitySchemes: {
    orgOAuth2: { type: 'oauth2', description: 'OAuth 2.0 client credentials: the roles are the scopes.', flows: { clientCredentials: { tokenUrl: '/oauth2/token', scopes: { 'accounts.read': 'Read accounts', 'accounts.write': 'Create and update accounts', 'transactions.read': 'Read transactions', 'transactions.write': 'Create transactions' } } } },
    orgBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from POST /oauth2/token.' },
  },
  tags: [{ name: 'org', description: 'BidZenith Organization Accounts: accounts, transactions and low-balance notifications. Mutating requests accept an Idempotency-Key.' }],
  openApiFailures: ORG_OPENAPI_FAILURES,
  publishEvents: publishOrgEvents,
  webhookEnvelope: orgEnvelope,
};

/** The org surface's open routes: the token endpoint and its JWKS, failing as OAuth 2.0 does (RFC 6749 §5.2). */
export const orgOAuthSurface: SurfaceDefinition = {
  name: 'org-oauth',
  routes: { '/oauth2/token': registerTokenRoutes, '/.well-known/jwks.json': registerJwksRoutes },
  authenticate: async () => {
    throw new Unauthenticated('the token endpoint and JWKS are open routes');
  },
  authenticationChallenge: OAUTH_CHALLENGE,
  renderFailure: renderOAuthFailure,
  idempotencyHeaders: [],
  tags: [{ name: 'oauth', description: 'OAuth 2.0 client credentials for the org surface (BidZenith): get a JWT, verify it with the JWKS.' }],
  openApiFailures: OAUTH_OPENAPI_FAILURES,
};

/** The org surface's definitions, in the order they are served. */
export const ORG_SURFACES: readonly SurfaceDefinition[] = [orgSurface, orgOAuthSurface];
