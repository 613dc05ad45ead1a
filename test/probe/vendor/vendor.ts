import type { VendorModule } from '../../../src/surfaces/vendor-module.js';
import { probeWalletSurface } from './http/surface.js';
import * as walletsTable from './store/migrations/2026-12-07-probe-wallets.js';

/**
 * A fourth vendor, for the tests only: one folder (this one) with its own table and migration,
 * a command that posts through the kernel, events and a route. Registered by one line: the
 * test's vendor list, `[...VENDORS, probeVendor]`.
 */
export const probeVendor: VendorModule = {
  name: 'probe-wallets',
  surfaces: [probeWalletSurface],
  migrations: { '2026-12-07-probe-wallets': walletsTable },
  directory: [{ key: 'w', table: 'probe_wallets', surface: 'probe-wallets', kind: 'wallet', columns: { name: 'name' } }],
};
