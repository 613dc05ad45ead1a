import type { SurfaceApp, SurfaceKit } from '../http/surface.js';
import { registerClockRoutes } from './clock-routes.js';
import { TestControlPlane } from './control-plane.js';
import { registerDataRoutes } from './data-routes.js';
import { registerFaultRoutes } from './fault-routes.js';
import { registerWaitRoutes } from './wait-routes.js';

/** The stand-in's control plane (SPEC §7), one module per capability, then the vendors' own. */
export function registerTestingRoutes(app: SurfaceApp, kit: SurfaceKit): void {
  const control = new TestControlPlane(kit.services);
  registerClockRoutes(app, control);
  registerDataRoutes(app, control);
  registerFaultRoutes(app, kit);
  registerWaitRoutes(app, kit);
  // Each vendor's own test-mode actions (a payment against a Moment obligation).
  for (const vendor of kit.services.vendors) vendor.registerTestingRoutes?.(app, kit);
}
