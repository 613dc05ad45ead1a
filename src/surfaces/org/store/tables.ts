import type { StoredAmount } from '../../../store/database.js';

// The org surface's tables (migration 2026-12-03-org), added to the store's Database type.

declare module '../../../store/database.js' {
  interface Database {
    org_accounts: OrgAccountTable;
    org_transactions: OrgTransactionTable;
    oauth_clients: OAuthClientTable;
    signing_keys: SigningKeyTable;
  }
}

export interface OrgAccountTable {
  tenant_id: string;
  mode: string;
  id: string;
  name: string;
  description: string | null;
  currency: string;
  balance: StoredAmount;
  /** JSON text of StoredLowBalance, or null. */
  low_balance: string | null;
  below_threshold: bigint | number;
  /** 1 when account.low_balance was sent for the current low period. */
  low_balance_notified: bigint | number;
  created_at: string;
  updated_at: string;
}

export interface StoredLowBalance {
  has_notification: boolean;
  notification_email: string;
  threshold: StoredAmount;
}

export interface OrgTransactionTable {
  tenant_id: string;
  mode: string;
  account_id: string;
  id: string;
  currency: string;
  amount: StoredAmount;
  balance_after: StoredAmount;
  credit: bigint | number;
  description: string | null;
  /** JSON text of the kind-specific part ({ kind, … }). */
  detail: string;
  created_at: string;
}

export interface OAuthClientTable {
  tenant_id: string;
  id: string;
  mode: string;
  name: string;
  /** JSON array of role names. */
  roles: string;
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface SigningKeyTable {
  name: string;
  kid: string;
  algorithm: string;
  private_jwk: string;
  public_jwk: string;
  created_at: string;
  /** When it stopped signing (a rotation); null for the key that signs. Migration 2026-12-14. */
  retired_at: string | null;
}
