import { sql } from 'kysely';
import type { VendorModule } from '../vendor-module.js';
import { SUB_ACCOUNT_STATUSES } from './domain/model.js';
import { registerPlatformAdminRoutes, subAccountPage } from './http/admin-routes.js';
import { platformSurface } from './http/surface.js';
import * as platformTables from './store/migrations/2026-12-03-platform.js';

/** Xendit xenPlatform: sub-accounts, balances and transfers (SPEC §4). */
export const platformVendor: VendorModule = {
  name: 'platform',
  surfaces: [platformSurface],
  modeData: ['platform_sub_accounts', 'platform_transfers'],
  migrations: { '2026-12-03-platform': platformTables },
  directory: [
    {
      key: 'p',
      table: 'platform_sub_accounts',
      surface: 'platform',
      kind: 'sub_account',
      columns: { name: 'business_name', email: 'email' },
      status: { values: SUB_ACCOUNT_STATUSES, column: 'status', stored: (status) => status, shown: sql<string>`status` },
    },
  ],
  holderPages: { sub_account: subAccountPage },
  registerAdminRoutes: registerPlatformAdminRoutes,
};
