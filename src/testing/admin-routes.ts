import { Type } from 'typebox';
import { getTenant } from '../tenancy/tenants.js';
import { Described } from '../http/openapi-operations.js';
import type { AppServices } from '../http/services.js';
import type { SurfaceApp } from '../http/surface.js';
import { presentSnapshot, TestControlPlane } from './control-plane.js';
import * as S from './schemas.js';
import { TenantPath } from '../admin/schemas.js';

const SnapshotOfTenantPath = Type.Object({ ...TenantPath.properties, snapshotId: Type.String({ minLength: 1, maxLength: 255 }) });

/**
 * The control plane for operators (the console's test clock and snapshots, SPEC §7 and issue
 * 21): the same operations on one tenant's test mode, under /admin/v1/tenants/{tenantId}, in
 * the admin API's shape. An unknown tenant is a 404.
 */
export function registerTestingAdminRoutes(app: SurfaceApp, services: AppServices): void {
  const control = new TestControlPlane(services);
  const known = async (tenantId: string) => (await getTenant(services.store.reader, tenantId)).id;

  app.get('/tenants/:tenantId/test-clock', {
    schema: { operationId: 'retrieveTenantTestClock', summary: "A tenant's test clock", params: TenantPath, response: { 200: Described(S.Clock, 'The clock') } },
  }, async (request) => control.clock(await known(request.params.tenantId)));

  app.post('/tenants/:tenantId/test-clock/advance', {
    schema: { operationId: 'advanceTenantTestClock', summary: "Move a tenant's test clock forward; answers once what came due has been attempted", params: TenantPath, body: S.ClockAdvance, response: { 200: Described(S.Clock, 'The clock, moved') } },
  }, async (request) => control.advance(await known(request.params.tenantId), request.body.seconds));

  app.post('/tenants/:tenantId/test-reset', {
    schema: { operationId: 'resetTenantTestData', summary: "Delete every test-mode object of a tenant (keys, OAuth clients, endpoints and snapshots stay)", params: TenantPath, response: { 200: Described(S.ResetResult, 'What was deleted') } },
  }, async (request) => ({ deleted: await control.reset(await known(request.params.tenantId)) }));

  app.get('/tenants/:tenantId/test-snapshots', {
    schema: { operationId: 'listTenantTestSnapshots', summary: "A tenant's test-mode snapshots, oldest first", params: TenantPath, response: { 200: Described(S.SnapshotList, 'The snapshots') } },
  }, async (request) => ({ data: (await control.listSnapshots(await known(request.params.tenantId))).map(presentSnapshot) }));

  app.post('/tenants/:tenantId/test-snapshots', {
    schema: { operationId: 'createTenantTestSnapshot', summary: "Keep a tenant's test-mode data and clock as they are now", params: TenantPath, body: S.SnapshotCreate, response: { 201: Described(S.Snapshot, 'The snapshot') } },
  }, async (request, reply) => {
    const snapshot = await control.takeSnapshot(await known(request.params.tenantId), request.body?.name ?? null);
    reply.code(201);
    return presentSnapshot(snapshot);
  });

  app.post('/tenants/:tenantId/test-snapshots/:snapshotId/restore', {
    schema: { operationId: 'restoreTenantTestSnapshot', summary: "Make a tenant's test-mode data and clock what a snapshot kept", params: SnapshotOfTenantPath, response: { 200: Described(S.Restored, 'Restored') } },
  }, async (request) => ({ id: request.params.snapshotId, restored: true, clock: await control.restore(await known(request.params.tenantId), request.params.snapshotId) }));
}
