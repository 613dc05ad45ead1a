import type { Mode } from '../../../ledger/model.js';
import type { OAuthClient, OrgRole } from '../domain/model.js';
import type { OrgAccount } from '../domain/model.js';
import type { StoredSigningKey } from '../domain/ports.js';
import type { OrgTransaction, OrgTransactionDetail } from '../domain/model.js';
import type { OAuthClientTable, OrgAccountTable, OrgTransactionTable, SigningKeyTable, StoredLowBalance } from './tables.js';

// rowToX / xToRow of the org tables: amounts as decimal text of atoms, settings as JSON text.

export function orgAccountToRow(tenantId: string, mode: Mode, a: OrgAccount): OrgAccountTable {
  const low: StoredLowBalance | null = a.lowBalance && {
    has_notification: a.lowBalance.hasNotification,
    notification_email: a.lowBalance.notificationEmail,
    threshold: a.lowBalance.threshold.amount.toString(),
  };
  return {
    tenant_id: tenantId,
    mode,
    id: a.id,
    name: a.name,
    description: a.description,
    currency: a.currency,
    balance: a.balance.amount.toString(),
    low_balance: low && JSON.stringify(low),
    below_threshold: a.belowThreshold ? 1 : 0,
    low_balance_notified: a.lowBalanceNotified ? 1 : 0,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  };
}

export function rowToOrgAccount(row: OrgAccountTable): OrgAccount {
  const low = row.low_balance === null ? null : (JSON.parse(row.low_balance) as StoredLowBalance);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    currency: row.currency,
    balance: { currency: row.currency, amount: BigInt(row.balance) },
    lowBalance: low && { hasNotification: low.has_notification, notificationEmail: low.notification_email, threshold: { currency: row.currency, amount: BigInt(low.threshold) } },
    belowThreshold: Number(row.below_threshold) === 1,
    lowBalanceNotified: Number(row.low_balance_notified) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function orgTransactionToRow(tenantId: string, mode: Mode, t: OrgTransaction): OrgTransactionTable {
  return {
    tenant_id: tenantId,
    mode,
    account_id: t.accountId,
    id: t.id,
    currency: t.amount.currency,
    amount: t.amount.amount.toString(),
    balance_after: t.balance.amount.toString(),
    credit: t.amount.amount > 0n ? 1 : 0,
    description: t.description,
    detail: JSON.stringify(t.detail),
    created_at: t.createdAt,
  };
}

export function rowToOrgTransaction(row: OrgTransactionTable): OrgTransaction {
  return {
    id: row.id,
    accountId: row.account_id,
    amount: { currency: row.currency, amount: BigInt(row.amount) },
    balance: { currency: row.currency, amount: BigInt(row.balance_after) },
    description: row.description,
    detail: JSON.parse(row.detail) as OrgTransactionDetail,
    createdAt: row.created_at,
  };
}

export function oauthClientToRow(c: OAuthClient, secretHash: string): OAuthClientTable {
  return { tenant_id: c.tenantId, id: c.id, mode: c.mode, name: c.name, roles: JSON.stringify(c.roles), secret_hash: secretHash, created_at: c.createdAt, revoked_at: c.revokedAt };
}

export function rowToOAuthClient(row: OAuthClientTable): OAuthClient {
  return { id: row.id, tenantId: row.tenant_id, mode: row.mode as Mode, name: row.name, roles: JSON.parse(row.roles) as OrgRole[], createdAt: row.created_at, revokedAt: row.revoked_at };
}

export function signingKeyToRow(k: StoredSigningKey): SigningKeyTable {
  return { name: k.name, kid: k.kid, algorithm: k.algorithm, private_jwk: k.privateJwk, public_jwk: k.publicJwk, created_at: k.createdAt, retired_at: k.retiredAt };
}

export function rowToSigningKey(row: SigningKeyTable): StoredSigningKey {
  return { name: row.name, kid: row.kid, algorithm: row.algorithm, privateJwk: row.private_jwk, publicJwk: row.public_jwk, createdAt: row.created_at, retiredAt: row.retired_at };
}
