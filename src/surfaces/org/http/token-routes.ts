import type { FastifyRequest } from 'fastify';
import { issueAccessToken, ACCESS_TOKEN_TTL_SECONDS } from '../domain/access-tokens.js';
import { Unauthenticated, ValidationFailed } from '../../../ledger/errors.js';
import { authenticateOAuthClient, checkRoles } from '../domain/oauth-clients.js';
import { type OAuthClient, type OrgRole } from '../domain/model.js';
import { signingKeysOf } from '../store/signing-keys.js';
import { HttpFailure } from '../../../http/failures.js';
import { decodeUtf8Body, jsonBodyProblem } from '../../../http/json-body.js';
import { OPEN_ROUTE_BODY } from '../../../http/open-routes.js';
import { Described } from '../../../http/openapi-operations.js';
import type { SurfaceApp, SurfaceKit } from '../../../http/surface.js';
import * as S from './schemas.js';

const FORM = 'application/x-www-form-urlencoded';

/** A form body as an object; a repeated parameter is an error (RFC 6749 §3.2). */
function parseForm(text: string): Record<string, string> {
  // A percent-encoded byte sequence that is not UTF-8 would decode to U+FFFD (SPEC §9 "bytes are checked").
  for (const part of text.split(/[&=]/)) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      throw new HttpFailure('request_invalid', 'the request is invalid', [{ param: 'body', message: 'is not valid UTF-8 once percent-decoded' }]);
    }
  }
  const params = new URLSearchParams(text);
  const body: Record<string, string> = {};
  for (const [name, value] of params) {
    if (Object.hasOwn(body, name)) throw new HttpFailure('request_invalid', 'the request is invalid', [{ param: name, message: 'must not be repeated' }]);
    body[name] = value;
  }
  const problem = jsonBodyProblem(body);
  if (problem) throw new HttpFailure('request_invalid', 'the request is invalid', [problem]);
  return body;
}

/** `application/x-www-form-urlencoded` decoding of one Basic credential half (RFC 6749 §2.3.1). */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new Unauthenticated('the HTTP Basic credentials are not form-urlencoded as RFC 6749 §2.3.1 asks');
  }
}

/** client_id and client_secret from HTTP Basic or the body, never both (RFC 6749 §2.3). */
function clientCredentialsOf(request: FastifyRequest<{ Body: S.TokenRequestBody }>): { id: string; secret: string } {
  const header = request.headers.authorization;
  const inBody = request.body.client_id !== undefined || request.body.client_secret !== undefined;
  if (typeof header === 'string' && header.trim() !== '') {
    const [scheme = '', encoded = ''] = header.trim().split(/\s+/);
    if (scheme.toLowerCase() !== 'basic') throw new Unauthenticated('client credentials go in HTTP Basic or in the form body (client_id, client_secret)');
    if (request.body.client_secret !== undefined) throw ValidationFailed.of('client_secret', 'must not be sent when the client authenticates with HTTP Basic');
    const decoded = Buffer.from(encoded, 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new Unauthenticated('the HTTP Basic credentials are not client_id:client_secret');
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  }
  if (!inBody || request.body.client_id === undefined || request.body.client_secret === undefined) {
    throw new Unauthenticated('client authentication is required: HTTP Basic, or client_id and client_secret in the form body');
  }
  return { id: request.body.client_id, secret: request.body.client_secret };
}

/** The roles the token carries: those asked for in `scope`, all of them by default. @throws ValidationFailed (scope) */
function rolesOf(client: OAuthClient, scope: string | undefined): OrgRole[] {
  if (scope === undefined || scope.trim() === '') return client.roles;
  const asked = checkRoles(scope.trim().split(/ +/), 'scope');
  const extra = asked.filter((role) => !client.roles.includes(role));
  if (extra.length > 0) throw ValidationFailed.of('scope', `asks for roles the client does not have: ${extra.join(', ')}`);
  return asked;
}

/** POST /oauth2/token: the client credentials grant (SPEC §5; BidZenith "App Client"). */
export function registerTokenRoutes(app: SurfaceApp, { services }: SurfaceKit): void {
  app.addContentTypeParser(FORM, { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseForm(decodeUtf8Body(body as Buffer)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.post('', {
    ...OPEN_ROUTE_BODY,
    config: { auth: false },
    schema: {
      operationId: 'createOrgAccessToken',
      summary: 'Get an access token (OAuth 2.0 client credentials)',
      description: 'Client authentication by HTTP Basic (client_id:client_secret) or in the form body. The token is a JWT for `Authorization: Bearer` on /v1, valid for one hour.',
      consumes: [FORM, 'application/json'],
      body: S.TokenRequest,
      response: { 200: Described(S.TokenResponse, 'An access token') },
    },
  }, async (request, reply) => {
    const credentials = clientCredentialsOf(request);
    if (request.body.grant_type !== 'client_credentials') throw ValidationFailed.of('grant_type', `'${request.body.grant_type.slice(0, 40)}' is not supported: use client_credentials`);
    const client = await authenticateOAuthClient(services.store.reader, credentials.id, credentials.secret);
    const roles = rolesOf(client, request.body.scope);
    const accessToken = await issueAccessToken((await signingKeysOf(services).get()).current, client, roles, await services.clocks.nowFor({ tenantId: client.tenantId, mode: client.mode }));
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return { access_token: accessToken, token_type: 'Bearer' as const, expires_in: ACCESS_TOKEN_TTL_SECONDS, scope: roles.join(' ') };
  });
}

/** GET /.well-known/jwks.json: the public keys access tokens are signed with (after a rotation, the new and the previous one). */
export function registerJwksRoutes(app: SurfaceApp, { services }: SurfaceKit): void {
  app.get('', {
    config: { auth: false },
    schema: { operationId: 'getOrgJwks', summary: 'The public keys of access tokens (JWKS)', response: { 200: Described(S.Jwks, 'A JSON Web Key Set') } },
  }, async (_request, reply) => {
    const keys = await signingKeysOf(services).get();
    reply.header('cache-control', 'public, max-age=300');
    return { keys: [...keys.byKid.values()].map((key) => key.publicJwk) };
  });
}
