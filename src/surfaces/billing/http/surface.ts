import { PermissionDenied } from '../../../ledger/errors.js';
import { bearerTokenOf } from '../../../http/auth.js';
import { problemFailures } from '../../../http/problem.js';
import type { SurfaceDefinition } from '../../../http/surface.js';
import { BILLING_PROBLEMS, renderBillingFailure, renderBillingFault } from './errors.js';
import { billingEnvelope, billingEnvelopeSchema, publishBillingEvents } from './events.js';
import { registerBillingRoutes } from './routes.js';

/** The Moment Billing API (SPEC §3): secret keys, RFC 9457 problems, Moment's events and envelope. */
export const billingSurface: SurfaceDefinition = {
  name: 'billing',
  routes: { '/billing': registerBillingRoutes },
  authenticate: (request, services) => services.authenticator.authenticate(bearerTokenOf(request)),
  authorize(principal) {
    // Moment: publishable keys are for client-side operations and cannot touch billing objects.
    if (principal?.keyType !== 'secret') throw new PermissionDenied('publishable keys cannot access billing customers or accounts; use a secret key');
  },
  authenticationChallenge: 'Bearer realm="billing"',
  renderFailure: renderBillingFailure,
  renderFault: renderBillingFault,
  idempotencyHeaders: ['idempotency-key'],
  securitySchemes: { billingSecretKey: { type: 'http', scheme: 'bearer', description: 'Secret key: sk_test_… or sk_live_… (or a Xendit-format xnd_development_… / xnd_production_…)' } },
  tags: [{ name: 'billing', description: 'Moment Billing API: customers, accounts and bills. Every POST requires an Idempotency-Key; PATCH accepts one.' }],
  problems: BILLING_PROBLEMS,
  // 401 missing or unknown key, 403 publishable or revoked key, 429 the key's rate limit.
  openApiFailures: problemFailures(BILLING_PROBLEMS, [401, 403, 429]),
  publishEvents: publishBillingEvents,
  webhookEnvelope: billingEnvelope,
  webhookEnvelopeSchema: billingEnvelopeSchema,
};
