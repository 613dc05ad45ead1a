import { Type } from 'typebox';
import { Described } from '../http/openapi-operations.js';
import type { SurfaceApp } from '../http/surface.js';
import { presentSnapshot, type TestControlPlane } from './control-plane.js';
import { tenantOf } from './principal.js';
import * as S from './schemas.js';

/** SPEC §7 "Reset" and "Snapshots": the tenant's test-mode data deleted, kept and brought back. */
export function registerDataRoutes(app: SurfaceApp, control: TestControlPlane): void {
  app.post('/reset', {
    schema: { operationId: 'resetTestData', summary: 'Delete every test-mode object of the tenant; clear its faults; its clock back to wall time (keys, OAuth clients, endpoints and snapshots stay)', response: { 200: Described(S.ResetResult, 'What was deleted') } },
  }, async (request) => ({ deleted: await control.reset(tenantOf(request)) }));

  app.post('/snapshots', {
    schema: { operationId: 'createTestSnapshot', summary: "Keep the tenant's test-mode data and clock as they are now", body: S.SnapshotCreate, response: { 201: Described(S.Snapshot, 'The snapshot') } },
  }, async (request, reply) => {
    const snapshot = await control.takeSnapshot(tenantOf(request), request.body?.name ?? null);
    reply.code(201);
    return presentSnapshot(snapshot);
  });

  app.get('/snapshots', {
    schema: { operationId: 'listTestSnapshots', summary: "The tenant's snapshots, oldest first", response: { 200: Described(S.SnapshotList, 'The snapshots') } },
  }, async (request) => ({ data: (await control.listSnapshots(tenantOf(request))).map(presentSnapshot) }));

  app.post('/snapshots/:id/restore', {
    schema: { operationId: 'restoreTestSnapshot', summary: "Make the tenant's test-mode data and clock exactly what the snapshot kept", params: S.SnapshotPath, response: { 200: Described(S.Restored, 'Restored') } },
  }, async (request) => ({ id: request.params.id, restored: true, clock: await control.restore(tenantOf(request), request.params.id) }));

  app.delete('/snapshots/:id', {
    schema: { operationId: 'deleteTestSnapshot', summary: 'Delete a snapshot', params: S.SnapshotPath, response: { 204: Described(Type.Null(), 'Deleted') } },
  }, async (request, reply) => {
    await control.deleteSnapshot(tenantOf(request), request.params.id);
    return reply.code(204).send(null);
  });
}
