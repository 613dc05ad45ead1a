import { sql } from 'kysely';
import type { VendorModule } from '../vendor-module.js';
import { ORG_ROLES } from './domain/model.js';
import { orgAccountPage, registerOrgAdminRoutes } from './http/admin-routes.js';
import { ORG_SURFACES } from './http/surface.js';
import * as orgTables from './store/migrations/2026-12-03-org.js';
import * as orgLowBalanceNotified from './store/migrations/2026-12-10-org-low-balance-notified.js';
import * as signingKeyRotation from './store/migrations/2026-12-14-signing-key-rotation.js';

/** The statuses the operator console shows for an org account. */
export const ORG_ACCOUNT_STATUSES = ['ok', 'low_balance'] as const;

/** BidZenith organization accounts: OAuth2 clients, JWTs, accounts and transactions (SPEC §5). */
export const orgVendor: VendorModule = {
  name: 'org',
  surfaces: ORG_SURFACES,
  modeData: ['org_accounts', 'org_transactions'],
  migrations: { '2026-12-03-org': orgTables, '2026-12-10-org-low-balance-notified': orgLowBalanceNotified, '2026-12-14-signing-key-rotation': signingKeyRotation },
  roles: ORG_ROLES,
  directory: [
    {
      key: 'o',
      table: 'org_accounts',
      surface: 'org',
      kind: 'org_account',
      columns: { name: 'name' },
      status: { values: ORG_ACCOUNT_STATUSES, column: 'below_threshold', stored: (status) => (status === 'low_balance' ? 1 : 0), shown: sql<string>`case when below_threshold = 1 then 'low_balance' else 'ok' end` },
    },
  ],
  holderPages: { org_account: orgAccountPage },
  registerAdminRoutes: registerOrgAdminRoutes,
};
