// The admin API's wire JSON as the console reads it (src/admin/schemas.ts and the accounts
// routes). Ids are strings; amounts are exact decimal strings in major units, shown as given.

export type Mode = 'test' | 'live';
export const MODES: readonly Mode[] = ['test', 'live'];
export const KEY_TYPES = ['secret', 'publishable'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** What an OAuth client may do: a copy of ORG_ROLES in src/surfaces/org/domain/oauth-clients.ts. */
export const ORG_ROLES = ['accounts.read', 'accounts.write', 'transactions.read', 'transactions.write'] as const;

export const SURFACES = ['billing', 'platform', 'org'] as const;
export type Surface = (typeof SURFACES)[number];
/** The statuses each surface's accounts can have (billing accounts have none). */
export const STATUSES_OF: Record<Surface, readonly string[]> = {
  billing: [],
  platform: ['INVITED', 'REGISTERED', 'AWAITING_DOCS', 'PENDING_VERIFICATION', 'LIVE', 'SUSPENDED'],
  org: ['ok', 'low_balance'],
};
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

/** application/problem+json */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { param: string; message: string }[];
}

export interface Session {
  csrf_token: string;
  expires_at: string;
}

export interface Tenant {
  id: string;
  name: string;
  country: string;
  callback_token: string;
  created_at: string;
}

interface KeyPair {
  secret: string;
  secret_id: string;
  publishable: string;
  publishable_id: string;
  /** The secret key in Xendit's shape (xnd_development_…, xnd_production_…). */
  xendit: string;
  xendit_id: string;
}

export interface CreatedTenant {
  id: string;
  name: string;
  country: string;
  created_at: string;
  keys: Record<Mode, KeyPair>;
}

export interface ApiKey {
  id: string;
  mode: Mode;
  type: KeyType;
  hint: string;
  created_at: string;
  revoked_at: string | null;
}

export interface CreatedApiKey extends ApiKey {
  key: string;
  /** Set by rotate: the key this one replaces (now revoked). */
  replaces?: string;
}

export interface OAuthClient {
  client_id: string;
  name: string;
  mode: Mode;
  roles: string[];
  created_at: string;
  revoked_at: string | null;
}

export interface CreatedOAuthClient extends OAuthClient {
  client_secret: string;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  mode: Mode;
  events: string[];
  created_at: string;
}

export interface CreatedWebhookEndpoint extends WebhookEndpoint {
  secret: string;
}

export interface WebhookDelivery {
  id: string;
  mode: Mode;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  status: string;
  /** Attempts made so far. */
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  last_status_code: number | null;
  created_at: string;
  delivered_at: string | null;
}

export interface DeliveryAttempt {
  attempt: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
}

/** One delivery read by id: its attempts listed. */
export interface WebhookDeliveryWithAttempts extends Omit<WebhookDelivery, 'attempts'> {
  attempts: DeliveryAttempt[];
}

export interface Email {
  id: string;
  mode: Mode;
  to: string;
  subject: string;
  status: string;
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface AccountSummary {
  id: string;
  surface: Surface;
  kind: 'customer' | 'account' | 'sub_account' | 'org_account';
  mode: Mode;
  name: string | null;
  email: string | null;
  external_reference: string | null;
  status: string | null;
  created_at: string;
}

export interface Balance {
  currency: string;
  amount: string;
  updated_at: string;
}

export interface LowBalanceSettings {
  has_notification: boolean;
  notification_email: string;
  threshold: string;
}

export interface AccountDetail extends AccountSummary {
  balances: Balance[];
  /** The account as its own vendor API shows it. */
  details: Record<string, unknown>;
  actions: {
    /** Only for platform sub-accounts: the status now and the moves its lifecycle allows. */
    platform_status?: { current: string; allowed: string[] } | null;
    /** A key only for org accounts: null when no notification is set. */
    low_balance?: LowBalanceSettings | null;
  };
}

export interface LedgerEntry {
  id: string;
  currency: string;
  sequence: number;
  kind: string;
  /** Signed decimal string. */
  amount: string;
  balance_after: string;
  /** Another account's id, or 'external'. */
  counterparty: string;
  reference: string | null;
  request_id: string | null;
  idempotency_key: string | null;
  actor: string;
  created_at: string;
}

export interface BalanceSeries {
  currency: string;
  points: { at: string; balance: string }[];
}

export interface AccountEvent {
  id: string;
  type: string;
  source: string;
  created_at: string;
  data: unknown;
  deliveries: WebhookDelivery[];
}

export interface DataList<T> {
  data: T[];
}

export interface CursorPage<T> {
  data: T[];
  next_cursor: string | null;
}

/** A tenant's test-mode clock (SPEC §7). */
export interface TestClock {
  now: string;
  frozen: boolean;
}

export interface TestSnapshot {
  id: string;
  name: string | null;
  created_at: string;
}

/** A Moment bill as the billing API shows it (amounts are integers in minor units). */
export interface Bill {
  id: string;
  external_reference: string;
  customer_id: string;
  account_id: string | null;
  status: 'unpaid' | 'paid';
  currency: string;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  bill_date: string;
  due_date: string | null;
  created_at: string;
  updated_at: string;
}

export interface BillPage {
  data: Bill[];
  has_more: boolean;
}

/** POST /admin/v1/tenants/{id}/verify (SPEC §8). */
export interface LedgerVerification {
  tenant_id: string;
  ok: boolean;
  entries: number;
  balances: number;
  problem_count: number;
  problems: { mode: string; subject: string; what: string; line: string }[];
  summary: string;
}

/** GET /admin/v1/tenants/{id}/accounts/{accountId}/balances?as_of= (SPEC §8). */
export interface BalancesAsOf {
  as_of: string;
  data: { currency: string; amount: string }[];
}
