import { Described } from '../http/openapi-operations.js';
import type { SurfaceApp } from '../http/surface.js';
import type { TestControlPlane } from './control-plane.js';
import { tenantOf } from './principal.js';
import * as S from './schemas.js';

/** SPEC §7 "Clock": the tenant's test-mode clock, read, frozen, advanced and resumed. */
export function registerClockRoutes(app: SurfaceApp, control: TestControlPlane): void {
  app.get('/clock', {
    schema: { operationId: 'retrieveTestClock', summary: "The tenant's test clock", response: { 200: Described(S.Clock, 'The clock') } },
  }, async (request) => control.clock(tenantOf(request)));

  app.put('/clock', {
    schema: { operationId: 'freezeTestClock', summary: 'Freeze the test clock at an instant (not before its now)', body: S.ClockFreeze, response: { 200: Described(S.Clock, 'The clock, frozen') } },
  }, async (request) => control.freeze(tenantOf(request), request.body.frozen_at));

  app.post('/clock/advance', {
    schema: { operationId: 'advanceTestClock', summary: 'Move the test clock forward; answers once what came due has been attempted', body: S.ClockAdvance, response: { 200: Described(S.Clock, 'The clock, moved') } },
  }, async (request) => control.advance(tenantOf(request), request.body.seconds));

  app.delete('/clock', {
    schema: { operationId: 'resumeTestClock', summary: 'Let the test clock run again from where it stands', response: { 200: Described(S.Clock, 'The clock, running') } },
  }, async (request) => control.resume(tenantOf(request)));
}
