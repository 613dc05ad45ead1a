import { LedgerError, PermissionDenied, Unauthenticated } from '../ledger/errors.js';
import type { Principal } from '../http/auth.js';
import { problemFailures } from '../http/problem.js';
import type { SurfaceDefinition } from '../http/surface.js';
import type { AppServices } from '../http/services.js';
import { surfacesOfVendors } from '../surfaces/vendor-module.js';
import { renderTestingFailure, TESTING_PROBLEMS } from './errors.js';
import { registerTestingRoutes } from './routes.js';

/**
 * Who calls the control plane: a tenant's credential in any vendor surface's form (SPEC §7:
 * Bearer or HTTP Basic secret key, or an org access token). Each vendor surface is asked in
 * turn; the first that knows the credential names the tenant. A credential one of them knows
 * but refuses (a revoked key) stays refused.
 * @throws Unauthenticated, PermissionDenied
 */
async function tenantPrincipalOf(request: Parameters<SurfaceDefinition['authenticate']>[0], services: AppServices): Promise<Principal> {
  if (request.headers.authorization === undefined) {
    throw new Unauthenticated("missing credentials: send the tenant's test-mode secret key (Authorization: Bearer sk_test_…, or HTTP Basic with the key as user name) or a test-mode org access token");
  }
  let refused: LedgerError | undefined;
  for (const surface of surfacesOfVendors(services.vendors)) {
    try {
      const principal = await surface.authenticate(request, services);
      if (principal) return principal;
    } catch (error) {
      if (error instanceof PermissionDenied) refused ??= error;
      else if (!(error instanceof Unauthenticated)) throw error;
    }
  }
  throw refused ?? new Unauthenticated("invalid credentials: send the tenant's test-mode secret key or a test-mode org access token");
}

/** The stand-in's control plane (SPEC §7): test-mode data of one tenant, in problem+json. */
export const testingSurface: SurfaceDefinition = {
  name: 'testing',
  routes: { '/testing/v1': registerTestingRoutes },
  async authenticate(request, services) {
    const principal = await tenantPrincipalOf(request, services);
    if (principal.scope.mode !== 'test') throw new PermissionDenied('the testing API acts on test-mode data only: use a test-mode key or token');
    if (principal.keyType !== 'secret') throw new PermissionDenied('publishable keys cannot use the testing API; use a secret key');
    return principal;
  },
  authenticationChallenge: 'Bearer realm="testing"',
  renderFailure: renderTestingFailure,
  // A vendor's test-mode action (a billing payment) is a write a test may retry: it takes an
  // Idempotency-Key as every mutating request does (SPEC §2); the other routes have nothing to replay.
  idempotencyHeaders: ['idempotency-key'],
  securitySchemes: {
    testingBearer: { type: 'http', scheme: 'bearer', description: "The tenant's test-mode secret key, or a test-mode org access token" },
    testingBasic: { type: 'http', scheme: 'basic', description: "The tenant's test-mode secret key as user name, empty password" },
  },
  tags: [{ name: 'testing', description: "The stand-in's control plane: a tenant's test clock, reset, snapshots, faults, and waiting for events and e-mails. Test mode only." }],
  problems: TESTING_PROBLEMS,
  openApiFailures: problemFailures(TESTING_PROBLEMS, [401, 403]),
};
