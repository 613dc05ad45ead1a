// The platform vendor's domain values (Xendit xenPlatform): what its commands, ports and rows share.

import type { Money } from '../../../ledger/money.js';

/**
 * A platform's sub-account (Xendit xenPlatform, SPEC §4): a balance holder of its own, with a
 * type that never changes and a status that moves along the allowed lifecycle. The platform
 * itself holds balances under its tenant id and has no row here.
 */
export type SubAccountType = 'OWNED' | 'MANAGED' | 'CUSTOM';

export const SUB_ACCOUNT_STATUSES = ['INVITED', 'REGISTERED', 'AWAITING_DOCS', 'PENDING_VERIFICATION', 'LIVE', 'SUSPENDED'] as const;

export type SubAccountStatus = (typeof SUB_ACCOUNT_STATUSES)[number];

/** How a CUSTOM sub-account is configured, instead of a type (Xendit's `configurations`). */
export interface SubAccountConfigurations {
  paymentSettingsFollowPlatform?: boolean;
  hasWithdrawal?: boolean;
  hasDashboard?: boolean;
}

export interface PublicProfile {
  businessName: string;
  description?: string;
}

export interface SubAccount {
  id: string;
  type: SubAccountType;
  status: SubAccountStatus;
  email: string;
  publicProfile: PublicProfile;
  configurations: SubAccountConfigurations | null;
  /** ISO 3166-1 alpha-2: the tenant's country. */
  country: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Money moved between a platform (its user id is the tenant id) and its sub-accounts, or
 * between two sub-accounts: one posting on the shared ledger, two entries, one transaction.
 */
export interface Transfer {
  id: string;
  reference: string;
  amount: Money;
  sourceUserId: string;
  destinationUserId: string;
  status: 'SUCCESSFUL';
  createdAt: string;
}
