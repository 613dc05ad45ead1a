import { nowIso } from '../ledger/clock.js';
import { createApiKey, createTenant, getTenant, listTenants, revokeApiKey, rotateApiKey } from '../tenancy/tenants.js';
import { registerAccountRoutes } from './account-routes.js';
import { registerAuditRoutes } from './audit-routes.js';
import { Described } from '../http/openapi-operations.js';
import { credentialsChanged } from '../http/auth.js';
import type { SurfaceApp, SurfaceKit } from '../http/surface.js';
import { registerOutboxRoutes } from './outbox-routes.js';
import { registerTestingAdminRoutes } from '../testing/admin-routes.js';
import { presentCreatedTenant, presentKey, presentTenant, presentTenantPage } from './presenter.js';
import * as S from './schemas.js';

/** Operator API (SPEC §1): tenants and their keys, then the outbox's endpoints, deliveries and e-mails. */
export function registerAdminRoutes(app: SurfaceApp, { services }: SurfaceKit): void {
  const { store } = services;

  app.post('/tenants', {
    schema: { operationId: 'createTenant', summary: 'Create a tenant with test and live keys', body: S.TenantCreate, response: { 201: Described(S.CreatedTenant, 'The tenant, with its six keys (shown once)') } },
  }, async (request, reply) => {
    const created = await store.transaction((tx) => createTenant(tx, request.body, nowIso()));
    reply.code(201);
    return presentCreatedTenant(created);
  });

  app.get('/tenants', {
    schema: { operationId: 'listTenants', summary: 'List tenants, newest first (without keys)', querystring: S.TenantListQuery, response: { 200: Described(S.TenantList, 'A page of tenants') } },
  }, async (request) => {
    const { limit, starting_after, ending_before } = request.query;
    return presentTenantPage(await listTenants(store.reader, { limit, startingAfter: starting_after, endingBefore: ending_before }));
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
    const { key, secret } = await store.transaction((tx) => createApiKey(tx, request.params.tenantId, request.body.mode, request.body.type, nowIso(), request.body.format));
    reply.code(201);
    return { ...presentKey(key), key: secret };
  });

  app.delete('/tenants/:tenantId/keys/:keyId', {
    schema: { operationId: 'revokeTenantKey', summary: 'Revoke an API key', params: S.KeyPath, response: { 200: Described(S.ApiKey, 'The key, revoked') } },
  }, async (request) => {
    const key = await store.transaction((tx) => revokeApiKey(tx, request.params.tenantId, request.params.keyId, nowIso()));
    await credentialsChanged(services);
    return presentKey(key);
  });

  app.post('/tenants/:tenantId/keys/:keyId/rotate', {
    schema: { operationId: 'rotateTenantKey', summary: 'Rotate an API key: a new one of the same mode and type, the old one revoked', params: S.KeyPath, response: { 201: Described(S.RotatedApiKey, 'The new key (shown once)') } },
  }, async (request, reply) => {
    const { key, secret, replaced } = await store.transaction((tx) => rotateApiKey(tx, request.params.tenantId, request.params.keyId, nowIso()));
    await credentialsChanged(services);
    reply.code(201);
    return { ...presentKey(key), key: secret, replaces: replaced.id };
  });

  registerOutboxRoutes(app, services);
  registerAccountRoutes(app, services);
  registerAuditRoutes(app, services);
  registerTestingAdminRoutes(app, services);
  // Each vendor's operator routes for its own objects (VendorModule.registerAdminRoutes).
  for (const vendor of services.vendors) vendor.registerAdminRoutes?.(app, services);
}
