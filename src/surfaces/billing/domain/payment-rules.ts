import { ValidationFailed } from '../../../ledger/errors.js';
import type { PaymentRules } from './model.js';

/** min ≤ max, both non-negative (SPEC §3). */
export function checkPaymentRules(rules: PaymentRules | null | undefined): void {
  if (!rules) return;
  const violations = [];
  if (rules.minAmount < 0n) violations.push({ field: 'paymentRules.minAmount', message: 'must not be negative' });
  if (rules.maxAmount < 0n) violations.push({ field: 'paymentRules.maxAmount', message: 'must not be negative' });
  if (rules.minAmount > rules.maxAmount) {
    violations.push({ field: 'paymentRules.minAmount', message: 'must not be greater than the maximum amount' });
  }
  if (violations.length > 0) throw new ValidationFailed(violations);
}
