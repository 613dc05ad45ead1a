import { Type } from 'typebox';
import { nowIso } from '../../../ledger/clock.js';
import { createOAuthClient, listOAuthClients, ORG_ROLES, revokeOAuthClient, type OAuthClient } from '../domain/oauth-clients.js';
import { Described } from '../../../http/openapi-operations.js';
import type { SurfaceApp } from '../../../http/surface.js';
import type { AppServices } from '../../../http/services.js';
import { DataOf, TenantPath } from '../../../admin/schemas.js';

// OAuth clients of the org surface (SPEC §1): create (the secret is shown once), list, revoke.

const Role = Type.Unsafe<string>({ type: 'string', enum: [...ORG_ROLES] });

const OAuthClientCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255, examples: ['reporting'] }),
    mode: Type.Unsafe<'test' | 'live'>({ type: 'string', enum: ['test', 'live'] }),
    roles: Type.Array(Role, { minItems: 1, maxItems: ORG_ROLES.length, uniqueItems: true, examples: [[...ORG_ROLES]] }),
  },
  { additionalProperties: false },
);

const OAuthClientJson = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  mode: Type.String(),
  roles: Type.Array(Type.String()),
  created_at: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});
const CreatedOAuthClient = Type.Object({ ...OAuthClientJson.properties, client_secret: Type.String({ description: 'Shown only now; only its hash is stored.' }) });
const OAuthClientPath = Type.Object({ tenantId: Type.String({ minLength: 1, maxLength: 255 }), clientId: Type.String({ minLength: 1, maxLength: 255 }) });

export function presentOAuthClient(c: OAuthClient) {
  return { client_id: c.id, name: c.name, mode: c.mode, roles: [...c.roles], created_at: c.createdAt, revoked_at: c.revokedAt };
}

export function registerOrgAdminRoutes(app: SurfaceApp, { store }: AppServices): void {
  app.post('/tenants/:tenantId/oauth-clients', {
    schema: { operationId: 'createTenantOAuthClient', summary: 'Create an OAuth client (org surface)', params: TenantPath, body: OAuthClientCreate, response: { 201: Described(CreatedOAuthClient, 'The client, with its secret (shown once)') } },
  }, async (request, reply) => {
    const { client, secret } = await store.transaction((tx) => createOAuthClient(tx, request.params.tenantId, request.body, nowIso()));
    reply.code(201);
    return { ...presentOAuthClient(client), client_secret: secret };
  });

  app.get('/tenants/:tenantId/oauth-clients', {
    schema: { operationId: 'listTenantOAuthClients', summary: "List a tenant's OAuth clients (no secrets)", params: TenantPath, response: { 200: Described(DataOf(OAuthClientJson), "The tenant's clients, revoked ones included") } },
  }, async (request) => ({ data: (await listOAuthClients(store.reader, request.params.tenantId)).map(presentOAuthClient) }));

  app.delete('/tenants/:tenantId/oauth-clients/:clientId', {
    schema: { operationId: 'revokeTenantOAuthClient', summary: 'Revoke an OAuth client (no new tokens; issued ones expire within the hour)', params: OAuthClientPath, response: { 200: Described(OAuthClientJson, 'The client, revoked') } },
  }, async (request) => presentOAuthClient(await store.transaction((tx) => revokeOAuthClient(tx, request.params.tenantId, request.params.clientId, nowIso()))));
}
