import type { Mode } from '../../../ledger/model.js';
import type { Money } from '../../../ledger/money.js';

// The org vendor's domain values (BidZenith): what its commands, ports and rows share.

/** When to warn that the balance is low (BidZenith's lowBalance). */
export interface LowBalanceSettings {
  hasNotification: boolean;
  notificationEmail: string;
  /** In the account's currency. */
  threshold: Money;
}

/** A BidZenith organization account: a balance holder with one currency, fixed forever. */
export interface OrgAccount {
  id: string;
  name: string;
  description: string | null;
  currency: string;
  /** A copy of its ledger balance, written by every posting to it. */
  balance: Money;
  lowBalance: LowBalanceSettings | null;
  /**
   * The low-balance edge state: the account is low (below its threshold at the last change, or
   * at or below it when created or when its threshold was set).
   */
  belowThreshold: boolean;
  /** Whether this low period was announced (account.low_balance): only then is its end news. */
  lowBalanceNotified: boolean;
  createdAt: string;
  updatedAt: string;
}

export const PAYMENT_TYPES = ['API', 'PAYPAL', 'BACS'] as const;

export type PaymentType = (typeof PAYMENT_TYPES)[number];

/** What a transaction is, besides its amount (BidZenith: exactly one of these). */
export type OrgTransactionDetail =
  | { kind: 'topup'; reference: string | null; paymentType: PaymentType }
  | { kind: 'adjustment'; reason: string | null }
  | { kind: 'dataInstance'; dataInstanceId: string };

/** One posting to an org account, as BidZenith shows it; its id is its ledger entry's. */
export interface OrgTransaction {
  id: string;
  accountId: string;
  /** Signed: positive is a credit. */
  amount: Money;
  /** The balance right after it (the ledger entry's balance after). */
  balance: Money;
  description: string | null;
  detail: OrgTransactionDetail;
  createdAt: string;
}

/** What an OAuth client may do, as the roles in its access tokens name it (SPEC §5). */
export const ORG_ROLES = ['accounts.read', 'accounts.write', 'transactions.read', 'transactions.write'] as const;

export type OrgRole = (typeof ORG_ROLES)[number];

/** An app client of one tenant and mode (BidZenith's "App Client"): client credentials grant. */
export interface OAuthClient {
  id: string;
  tenantId: string;
  mode: Mode;
  name: string;
  roles: OrgRole[];
  createdAt: string;
  revokedAt: string | null;
}
