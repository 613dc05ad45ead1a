import { Type } from 'typebox';
import { nowIso } from '../ledger/clock.js';
import { Described } from '../http/openapi-operations.js';
import type { SurfaceApp, SurfaceKit } from '../http/surface.js';
import { testingRepositories } from './store.js';
import { deleteSnapshot, deleteTestData, listSnapshots, modeDataTables, restoreSnapshot, takeSnapshot, type Snapshot } from './test-data.js';
import * as S from './schemas.js';

const tenantOf = (request: { principal: { scope: { tenantId: string } } | null }): string => request.principal!.scope.tenantId;
const presentSnapshot = (snapshot: Snapshot) => ({ id: snapshot.id, name: snapshot.name, created_at: snapshot.createdAt });

/** SPEC §7 "Reset" and "Snapshots": the tenant's test-mode data deleted, kept and brought back. */
export function registerDataRoutes(app: SurfaceApp, { services }: SurfaceKit): void {
  const { store, clocks } = services;
  const tables = modeDataTables(services.vendors);

  app.post('/reset', {
    schema: { operationId: 'resetTestData', summary: "Delete every test-mode object of the tenant; clear its faults; its clock back to wall time (keys, OAuth clients, endpoints and snapshots stay)", response: { 200: Described(S.ResetResult, 'What was deleted') } },
  }, async (request) => {
    const tenantId = tenantOf(request);
    const deleted = await store.transaction(async (tx) => {
      const rows = await deleteTestData(tx, tenantId, tables);
      await testingRepositories.of(tx).clocks.remove(tenantId);
      return rows;
    });
    clocks.forget(tenantId);
    return { deleted };
  });

  app.post('/snapshots', {
    schema: { operationId: 'createTestSnapshot', summary: "Keep the tenant's test-mode data and clock as they are now", body: S.SnapshotCreate, response: { 201: Described(S.Snapshot, 'The snapshot') } },
  }, async (request, reply) => {
    const tenantId = tenantOf(request);
    const now = await clocks.nowFor({ tenantId, mode: 'test' });
    const snapshot = await store.transaction(async (tx) => {
      const clock = (await testingRepositories.of(tx).clocks.find(tenantId)) ?? null;
      return takeSnapshot(tx, tenantId, tables, { name: request.body?.name ?? null, clock, now });
    });
    reply.code(201);
    return presentSnapshot(snapshot);
  });

  app.get('/snapshots', {
    schema: { operationId: 'listTestSnapshots', summary: "The tenant's snapshots, oldest first", response: { 200: Described(S.SnapshotList, 'The snapshots') } },
  }, async (request) => ({ data: (await listSnapshots(store.reader, tenantOf(request))).map(presentSnapshot) }));

  app.post('/snapshots/:id/restore', {
    schema: { operationId: 'restoreTestSnapshot', summary: "Make the tenant's test-mode data and clock exactly what the snapshot kept", params: S.SnapshotPath, response: { 200: Described(S.Restored, 'Restored') } },
  }, async (request) => {
    const tenantId = tenantOf(request);
    await store.transaction(async (tx) => {
      const { clock } = await restoreSnapshot(tx, tenantId, request.params.id, tables);
      const repository = testingRepositories.of(tx).clocks;
      await repository.remove(tenantId);
      if (clock) {
        const now = nowIso();
        await repository.lock(tenantId, now);
        await repository.save(tenantId, clock, now);
      }
    });
    clocks.forget(tenantId);
    return { id: request.params.id, restored: true, clock: await clocks.read(tenantId) };
  });

  app.delete('/snapshots/:id', {
    schema: { operationId: 'deleteTestSnapshot', summary: 'Delete a snapshot', params: S.SnapshotPath, response: { 204: Described(Type.Null(), 'Deleted') } },
  }, async (request, reply) => {
    await store.transaction((tx) => deleteSnapshot(tx, tenantOf(request), request.params.id));
    return reply.code(204).send(null);
  });
}
