import type { VendorModule } from '../vendor-module.js';
import { registerBillingAdminRoutes } from './http/admin-routes.js';
import { registerBillingTestingRoutes } from './http/payment-routes.js';
import { billingSurface } from './http/surface.js';
import * as billTables from './store/migrations/2026-12-12-billing-bills.js';
import { billingRepositories } from './store/repositories.js';

/**
 * Moment billing: customers, accounts and bills (SPEC §3, §3b). Customers' and accounts' tables
 * are in the service's first migration; bills have their own.
 */
export const billingVendor: VendorModule = {
  name: 'billing',
  surfaces: [billingSurface],
  modeData: ['customers', 'accounts', 'bills'],
  migrations: { '2026-12-12-billing-bills': billTables },
  directory: [
    { key: 'c', table: 'customers', surface: 'billing', kind: 'customer', columns: { name: 'name', email: 'email', external_reference: 'external_reference' } },
    { key: 'a', table: 'accounts', surface: 'billing', kind: 'account', columns: { name: 'name', external_reference: 'external_reference' } },
  ],
  holderPages: {
    customer: { find: (repos, scope, id) => billingRepositories.of(repos).customers.findById(scope, id) },
    account: { find: (repos, scope, id) => billingRepositories.of(repos).accounts.findById(scope, id) },
  },
  registerAdminRoutes: registerBillingAdminRoutes,
  registerTestingRoutes: registerBillingTestingRoutes,
};
