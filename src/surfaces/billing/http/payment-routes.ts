import { Described } from '../../../http/openapi-operations.js';
import type { SurfaceApp, SurfaceKit } from '../../../http/surface.js';
import { applyPayment } from '../domain/payments.js';
import { paymentInput } from './bill-inputs.js';
import { paymentResponse } from './bill-presenter.js';
import * as B from './bill-schemas.js';

/**
 * The testing API's payment against a Moment obligation (SPEC §3b), at
 * /testing/v1/billing/payments: what Moment does when a customer pays through its checkout.
 * Registered through VendorModule.registerTestingRoutes: test mode only, answered in the
 * control plane's problem+json.
 */
export function registerBillingTestingRoutes(app: SurfaceApp, { run }: SurfaceKit): void {
  app.post('/billing/payments', {
    schema: {
      operationId: 'applyTestBillingPayment',
      summary: "Pay a bill, an account or a customer as Moment does when a customer pays: the obligation's payment_rules decide",
      description:
        'Exactly one of `bill`, `account` or `customer`. Refused (400, nothing changed) when the obligation has no payment_rules, the currency differs, the amount is outside min_amount..max_amount, or it is below (above) what is owed without underpayment (overpayment) allowed. A bill\'s amount_paid grows; an account\'s or customer\'s balance falls by a `payment` ledger entry. Emits `obligation.amount_applied` and the paid object\'s own event. Accepts an Idempotency-Key.',
      body: B.PaymentCreate,
      response: { 201: Described(B.PaymentResult, 'The payment, applied') },
    },
  }, (request, reply) => run(request, reply, (tx, ctx) => applyPayment(tx, ctx, paymentInput(request.body)), paymentResponse));
}
