import type { VendorModule } from '../vendor-module.js';
import { billingSurface } from './http/surface.js';
import { billingRepositories } from './store/repositories.js';

/** Moment billing: customers and accounts (SPEC §3). Its tables are in the service's first migration. */
export const billingVendor: VendorModule = {
  name: 'billing',
  surfaces: [billingSurface],
  modeData: ['customers', 'accounts'],
  directory: [
    { key: 'c', table: 'customers', surface: 'billing', kind: 'customer', columns: { name: 'name', email: 'email', external_reference: 'external_reference' } },
    { key: 'a', table: 'accounts', surface: 'billing', kind: 'account', columns: { name: 'name', external_reference: 'external_reference' } },
  ],
  holderPages: {
    customer: { find: (repos, scope, id) => billingRepositories.of(repos).customers.findById(scope, id) },
    account: { find: (repos, scope, id) => billingRepositories.of(repos).accounts.findById(scope, id) },
  },
};
