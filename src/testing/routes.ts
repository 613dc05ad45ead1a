import type { SurfaceApp, SurfaceKit } from '../http/surface.js';
import { registerClockRoutes } from './clock-routes.js';
import { registerDataRoutes } from './data-routes.js';

/** The stand-in's control plane (SPEC §7), one module per capability. */
export function registerTestingRoutes(app: SurfaceApp, kit: SurfaceKit): void {
  registerClockRoutes(app, kit);
  registerDataRoutes(app, kit);
}
