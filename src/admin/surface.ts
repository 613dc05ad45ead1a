import { secretsEqual } from '../tenancy/credentials.js';
import { Unauthenticated } from '../ledger/errors.js';
import { bearerTokenOf, type BearerCredential } from '../http/auth.js';
import { problemFailures } from '../http/problem.js';
import type { SurfaceDefinition } from '../http/surface.js';
import { ADMIN_PROBLEMS, renderAdminFailure } from './errors.js';
import { authorizedSessionOf, sessionCookieOf } from './console/session.js';
import { registerAdminRoutes } from './routes.js';
import { clientAddressOf } from './auth-throttle.js';

const ADMIN_TOKEN: BearerCredential = { name: 'admin token', placeholder: '<the value of SUBLEDGER_ADMIN_TOKEN>' };

/**
 * The operator API (SPEC §1), served only when SUBLEDGER_ADMIN_TOKEN is set. Its caller is an
 * operator, not a tenant: authentication yields no principal. It is called with the admin token,
 * or by the operator console with its session cookie (and CSRF token for changes). Its errors
 * are its own (errors.ts).
 */
export const adminSurface: SurfaceDefinition = {
  name: 'admin',
  routes: { '/admin/v1': registerAdminRoutes },
  async authenticate(request, services) {
    // Guessing is throttled (SPEC §9): a throttled address is refused before its credential is looked at.
    const address = clientAddressOf(request);
    await services.authThrottle.check(address);
    // The operator console's calls: its session cookie instead of the token (console/session.ts).
    if (request.headers.authorization === undefined && sessionCookieOf(request) !== undefined) {
      await authorizedSessionOf(services.store, request, new Date());
      return null;
    }
    // A credential that was sent and is wrong is a guess (in any scheme); a missing one is not.
    const sent = (request.headers.authorization ?? '').trim() !== '';
    try {
      const adminToken = services.config.adminToken;
      if (!adminToken || !secretsEqual(bearerTokenOf(request, ADMIN_TOKEN), adminToken)) {
        throw new Unauthenticated('invalid admin token: send Authorization: Bearer <the value of SUBLEDGER_ADMIN_TOKEN>');
      }
    } catch (error) {
      if (sent) await services.authThrottle.recordFailure(address);
      throw error;
    }
    return null;
  },
  authenticationChallenge: 'Bearer realm="admin"',
  renderFailure: renderAdminFailure,
  idempotencyHeaders: [],
  securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'SUBLEDGER_ADMIN_TOKEN' } },
  tags: [{ name: 'admin', description: 'Operator API (enabled by SUBLEDGER_ADMIN_TOKEN)' }],
  problems: ADMIN_PROBLEMS,
  // A wrong token, and guessing throttled (429); an operator is no principal, so no key's rate limit applies.
  openApiFailures: problemFailures(ADMIN_PROBLEMS, [401, 429]),
};
