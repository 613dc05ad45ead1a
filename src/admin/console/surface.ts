import { problemFailures } from '../../http/problem.js';
import type { SurfaceDefinition } from '../../http/surface.js';
import { ADMIN_PROBLEMS, renderAdminFailure } from '../errors.js';
import { registerConsoleRoutes } from './routes.js';

/**
 * The operator console at /console (issue 14), served with the admin API and only when
 * SUBLEDGER_ADMIN_TOKEN is set. Its routes are open and check the session themselves (a page
 * redirects to sign-in, an API route answers 401), in the admin API's problem+json.
 */
export const consoleSurface: SurfaceDefinition = {
  name: 'console',
  routes: { '/console': registerConsoleRoutes },
  async authenticate() {
    return null;
  },
  authenticationChallenge: 'Bearer realm="admin"',
  renderFailure: renderAdminFailure,
  idempotencyHeaders: [],
  openApiFailures: problemFailures(ADMIN_PROBLEMS, [401]),
};
