import { Described } from '../http/openapi-operations.js';
import type { SurfaceApp, SurfaceKit } from '../http/surface.js';
import { advanced, frozenAt, resumed } from './clock.js';
import * as S from './schemas.js';

/** The caller's tenant (the testing surface's principal is always a tenant's, in test mode). */
const tenantOf = (request: { principal: { scope: { tenantId: string } } | null }): string => request.principal!.scope.tenantId;

/** SPEC §7 "Clock": the tenant's test-mode clock, read, frozen, advanced and resumed. */
export function registerClockRoutes(app: SurfaceApp, { services }: SurfaceKit): void {
  const { clocks } = services;

  app.get('/clock', {
    schema: { operationId: 'retrieveTestClock', summary: "The tenant's test clock", response: { 200: Described(S.Clock, 'The clock') } },
  }, async (request) => clocks.read(tenantOf(request)));

  app.put('/clock', {
    schema: { operationId: 'freezeTestClock', summary: 'Freeze the test clock at an instant (not before its now)', body: S.ClockFreeze, response: { 200: Described(S.Clock, 'The clock, frozen') } },
  }, async (request) => clocks.change(tenantOf(request), (setting, wallMs) => frozenAt(setting, wallMs, request.body.frozen_at)));

  app.post('/clock/advance', {
    schema: { operationId: 'advanceTestClock', summary: 'Move the test clock forward; answers once what came due has run', body: S.ClockAdvance, response: { 200: Described(S.Clock, 'The clock, moved') } },
  }, async (request) => clocks.change(tenantOf(request), (setting) => advanced(setting, request.body.seconds)));

  app.delete('/clock', {
    schema: { operationId: 'resumeTestClock', summary: 'Let the test clock run again from where it stands', response: { 200: Described(S.Clock, 'The clock, running') } },
  }, async (request) => clocks.change(tenantOf(request), resumed));
}
