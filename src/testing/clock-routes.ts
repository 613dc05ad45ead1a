import { Described } from '../http/openapi-operations.js';
import type { SurfaceApp, SurfaceKit } from '../http/surface.js';
import { advanced, frozenAt, resumed, type ClockReading, type ClockSetting } from './clock.js';
import { bringForward } from './test-data.js';
import * as S from './schemas.js';

/** The caller's tenant (the testing surface's principal is always a tenant's, in test mode). */
const tenantOf = (request: { principal: { scope: { tenantId: string } } | null }): string => request.principal!.scope.tenantId;

/** SPEC §7 "Clock": the tenant's test-mode clock, read, frozen, advanced and resumed. */
export function registerClockRoutes(app: SurfaceApp, { services }: SurfaceKit): void {
  const { clocks, store } = services;

  app.get('/clock', {
    schema: { operationId: 'retrieveTestClock', summary: "The tenant's test clock", response: { 200: Described(S.Clock, 'The clock') } },
  }, async (request) => clocks.read(tenantOf(request)));

  /**
   * Moves the clock forward; what the outbox holds for the tenant's test mode comes due as much
   * sooner, and the answer waits until what is due has been attempted once (SPEC §7).
   */
  async function moveForward(tenantId: string, change: (setting: ClockSetting, wallMs: number) => ClockSetting): Promise<ClockReading> {
    const before = await clocks.read(tenantId);
    const after = await clocks.change(tenantId, change);
    const movedMs = Date.parse(after.now) - Date.parse(before.now);
    if (movedMs > 0) await store.transaction((tx) => bringForward(tx, tenantId, movedMs));
    await services.outboxWorker?.runDueNow();
    return after;
  }

  app.put('/clock', {
    schema: { operationId: 'freezeTestClock', summary: 'Freeze the test clock at an instant (not before its now)', body: S.ClockFreeze, response: { 200: Described(S.Clock, 'The clock, frozen') } },
  }, async (request) => moveForward(tenantOf(request), (setting, wallMs) => frozenAt(setting, wallMs, request.body.frozen_at)));

  app.post('/clock/advance', {
    schema: { operationId: 'advanceTestClock', summary: 'Move the test clock forward; answers once what came due has been attempted', body: S.ClockAdvance, response: { 200: Described(S.Clock, 'The clock, moved') } },
  }, async (request) => moveForward(tenantOf(request), (setting) => advanced(setting, request.body.seconds)));

  app.delete('/clock', {
    schema: { operationId: 'resumeTestClock', summary: 'Let the test clock run again from where it stands', response: { 200: Described(S.Clock, 'The clock, running') } },
  }, async (request) => clocks.change(tenantOf(request), resumed));
}
