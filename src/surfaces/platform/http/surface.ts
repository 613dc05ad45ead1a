import type { FastifyRequest } from 'fastify';
import { PermissionDenied, Unauthenticated } from '../../../ledger/errors.js';
import type { SurfaceDefinition } from '../../../http/surface.js';
import { PLATFORM_OPENAPI_FAILURES, renderPlatformFailure, renderPlatformFault } from './errors.js';
import { platformEnvelope, publishPlatformEvents } from './events.js';
import { registerBalanceRoutes, registerTransferRoutes } from './money-routes.js';
import { registerAccountRoutes } from './routes.js';
import { registerTransactionRoutes } from './transaction-routes.js';

const HOW = 'send HTTP Basic auth with your secret key as the username and an empty password';

/**
 * Xendit: HTTP Basic with the secret key as username and an empty password (reference A.0);
 * `Bearer <secret key>` is accepted too (SPEC §4).
 * @throws Unauthenticated
 */
export function platformSecretOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || header.trim() === '') throw new Unauthenticated(`missing API key: ${HOW}`);
  const [scheme = '', credentials, ...rest] = header.trim().split(/\s+/);
  if (credentials === undefined || rest.length > 0) throw new Unauthenticated(`the Authorization header is malformed: ${HOW}`);
  if (scheme.toLowerCase() === 'bearer') return credentials;
  if (scheme.toLowerCase() !== 'basic') throw new Unauthenticated(`the Authorization header uses the ${scheme.slice(0, 20)} scheme: ${HOW}`);
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? decoded : decoded.slice(0, colon);
}

/** Xendit xenPlatform (SPEC §4, §4b): sub-accounts, balances, transfers and transactions, in Xendit's errors and events. */
export const platformSurface: SurfaceDefinition = {
  name: 'platform',
  routes: { '/v2/accounts': registerAccountRoutes, '/balance': registerBalanceRoutes, '/transfers': registerTransferRoutes, '/transactions': registerTransactionRoutes },
  authenticate: (request, services) => services.authenticator.authenticate(platformSecretOf(request)),
  authorize(principal) {
    // SPEC §2: publishable keys may not read or write accounts, balances or transfers.
    if (principal?.keyType !== 'secret') throw new PermissionDenied('publishable keys cannot access sub-accounts, balances or transfers; use a secret key');
  },
  authenticationChallenge: 'Basic realm="platform"',
  renderFailure: renderPlatformFailure,
  renderFault: renderPlatformFault,
  idempotencyHeaders: ['idempotency-key', 'x-idempotency-key'],
  securitySchemes: {
    platformBasic: { type: 'http', scheme: 'basic', description: 'The secret key (sk_test_…, sk_live_…, or Xendit-format xnd_development_…, xnd_production_…) as username, empty password' },
    platformBearer: { type: 'http', scheme: 'bearer', description: 'The secret key: sk_test_…, sk_live_…, xnd_development_… or xnd_production_…' },
  },
  tags: [{ name: 'platform', description: 'Xendit xenPlatform: sub-accounts, balances, transfers, transactions. POST and PATCH accept Idempotency-Key or x-idempotency-key.' }],
  openApiFailures: PLATFORM_OPENAPI_FAILURES,
  publishEvents: publishPlatformEvents,
  webhookEnvelope: platformEnvelope,
};
