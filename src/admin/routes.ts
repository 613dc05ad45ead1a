import { nowIso } from '../core/clock.js';
import type { ApiKey, Tenant } from '../core/model.js';
import { createApiKey, createTenant, getTenant, revokeApiKey } from '../core/tenants.js';
import { Described } from '../http/openapi-operations.js';
import type { SurfaceApp, SurfaceKit } from '../http/surface.js';
import { registerOutboxRoutes } from './outbox-routes.js';
import * as S from './schemas.js';

const presentTenant = (t: Tenant) => ({ id: t.id, name: t.name, country: t.country, callback_token: t.callbackToken, created_at: t.createdAt });
const presentKey = (k: ApiKey) => ({ id: k.id, mode: k.mode, type: k.type, hint: k.hint, created_at: k.createdAt, revoked_at: k.revokedAt });

/** Operator API (SPEC §1): tenants and their keys, then the outbox's endpoints, deliveries and e-mails. */
export function registerAdminRoutes(app: SurfaceApp, { services }: SurfaceKit): void {
  const { store } = services;

  app.post('/tenants', {
    schema: { operationId: 'createTenant', summary: 'Create a tenant with test and live keys', body: S.TenantCreate, response: { 201: Described(S.CreatedTenant, 'The tenant, with its four keys (shown once)') } },
  }, async (request, reply) => {
    const { tenant, keys } = await store.transaction((tx) => createTenant(tx, request.body, nowIso()));
    reply.code(201);
    return { id: tenant.id, name: tenant.name, country: tenant.country, keys, created_at: tenant.createdAt };
  });

  app.get('/tenants/:tenantId', {
    schema: { operationId: 'retrieveTenant', summary: 'Retrieve a tenant (without keys)', params: S.TenantPath, response: { 200: Described(S.Tenant, 'The tenant') } },
  }, async (request) => presentTenant(await getTenant(store.reader, request.params.tenantId)));

  app.get('/tenants/:tenantId/keys', {
    schema: { operationId: 'listTenantKeys', summary: "List a tenant's API keys (hints only)", params: S.TenantPath, response: { 200: Described(S.DataOf(S.ApiKey), "The tenant's keys, revoked ones included") } },
  }, async (request) => {
    await getTenant(store.reader, request.params.tenantId);
    return { data: (await store.reader.apiKeys.listForTenant(request.params.tenantId)).map(presentKey) };
  });

  app.post('/tenants/:tenantId/keys', {
    schema: { operationId: 'createTenantKey', summary: 'Create an API key (rotation)', params: S.TenantPath, body: S.KeyCreate, response: { 201: Described(S.CreatedApiKey, 'The key (shown once)') } },
  }, async (request, reply) => {
    const { key, secret } = await store.transaction((tx) => createApiKey(tx, request.params.tenantId, request.body.mode, request.body.type, nowIso()));
    reply.code(201);
    return { ...presentKey(key), key: secret };
  });

  app.delete('/tenants/:tenantId/keys/:keyId', {
    schema: { operationId: 'revokeTenantKey', summary: 'Revoke an API key', params: S.KeyPath, response: { 200: Described(S.ApiKey, 'The key, revoked') } },
  }, async (request) => {
    const key = await store.transaction((tx) => revokeApiKey(tx, request.params.tenantId, request.params.keyId, nowIso()));
    services.authenticator.forgetAll();
    return presentKey(key);
  });

  registerOutboxRoutes(app, services);
}
