import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { ClientCredentials } from 'simple-oauth2';
import { nowIso } from '../../src/ledger/clock.js';
import type { Mode } from '../../src/ledger/model.js';
import { createOAuthClient } from '../../src/surfaces/org/domain/oauth-clients.js';
import { ORG_ROLES } from '../../src/surfaces/org/domain/model.js';
import { call, type HttpTarget, type RequestOptions } from '../support/http.js';
import { build, type TestApp, type TestServer } from '../support/server.js';
import type { StoreKind } from '../support/stores.js';

// The org surface as its clients see it: an OAuth client, a token from a general OAuth 2.0
// client library (simple-oauth2, over a socket: it takes a URL, not a fetch), and JSON calls
// with that bearer token (through inject, or over a socket when given a base URL).

export interface OrgCredentials {
  clientId: string;
  clientSecret: string;
}

/** A new OAuth client of the server's tenant (or `tenantId`), made through the core. */
export async function newOAuthClient(server: TestApp, options: { mode?: Mode; roles?: readonly string[]; tenantId?: string } = {}): Promise<OrgCredentials> {
  const { client, secret } = await server.services.store.transaction((tx) =>
    createOAuthClient(tx, options.tenantId ?? server.tenant.tenant.id, { name: 'test client', mode: options.mode ?? 'test', roles: options.roles ?? ORG_ROLES }, nowIso()),
  );
  return { clientId: client.id, clientSecret: secret };
}

/**
 * An access token for a new OAuth client of the server's tenant (or `tenantId`), asked of the
 * token endpoint through `inject` (form body, client credentials).
 */
export async function injectedToken(server: TestApp, options: { mode?: Mode; tenantId?: string } = {}): Promise<string> {
  const credentials = await newOAuthClient(server, options);
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret }).toString();
  const answer = await call(server, 'POST', '/oauth2/token', undefined, { rawBody: body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(answer.status, 200, answer.text);
  return answer.body.access_token as string;
}

/** An access token through simple-oauth2 (HTTP Basic client authentication by default). */
export async function tokenFor(baseUrl: string, credentials: OrgCredentials, options: { method?: 'header' | 'body'; scope?: string } = {}): Promise<string> {
  const oauth = new ClientCredentials({
    client: { id: credentials.clientId, secret: credentials.clientSecret },
    auth: { tokenHost: baseUrl, tokenPath: '/oauth2/token' },
    options: { authorizationMethod: options.method ?? 'header' },
  });
  const token = await oauth.getToken(options.scope ? { scope: options.scope } : {});
  return String(token.token.access_token);
}

/** JSON calls with a bearer token; mutating calls carry no Idempotency-Key unless given. */
export function orgClient(target: HttpTarget, token: string) {
  const as = (options: RequestOptions) => ({ key: token, ...options });
  return {
    get: <T = any>(path: string, options: RequestOptions = {}) => call<T>(target, 'GET', path, undefined, as(options)),
    post: <T = any>(path: string, body: unknown, options: RequestOptions = {}) => call<T>(target, 'POST', path, body, as(options)),
    put: <T = any>(path: string, body: unknown, options: RequestOptions = {}) => call<T>(target, 'PUT', path, body, as(options)),
  };
}

export type OrgApi = ReturnType<typeof orgClient>;

/** A server's org API for a new client with every role (or those given): the token over the socket, the calls through inject. */
export async function orgApiOf(server: TestServer, options: { mode?: Mode; roles?: readonly string[]; tenantId?: string } = {}): Promise<OrgApi> {
  return orgClient(server, await tokenFor(server.baseUrl, await newOAuthClient(server, options)));
}

export const usd = (units: string | number, nanos = 0) => ({ currencyCode: 'USD', units: String(units), nanos });

let names = 0;
export const uniqueName = (prefix = 'Account') => `${prefix} ${process.pid}-${Date.now().toString(36)}-${names++}`;

/**
 * A suite's server on `kind` and an org API with every role: started before its tests, closed
 * after (call inside describe). It listens for simple-oauth2; the API calls go through inject.
 */
export function orgSuite(kind: StoreKind, env: Record<string, string> = {}): { readonly server: TestServer; readonly api: OrgApi } {
  let server: TestServer | undefined;
  let api: OrgApi | undefined;
  before(async () => {
    server = await build(kind, { env, listen: true });
    api = await orgApiOf(server);
  });
  after(() => server?.close());
  return {
    get server() {
      return server!;
    },
    get api() {
      return api!;
    },
  };
}
