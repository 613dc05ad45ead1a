import type { OAuthClient } from './model.js';
import type { OrgAccount } from './model.js';
import type { OrgTransaction } from './model.js';
import type { Page, Scope } from '../../../ledger/model.js';

/** The org surface's storage (BidZenith accounts, their transactions, OAuth clients, the signing key). */
export interface OrgRepositories {
  accounts: OrgAccountRepository;
  transactions: OrgTransactionRepository;
  oauthClients: OAuthClientRepository;
  signingKeys: SigningKeyRepository;
}

/** A newest-first page by id: `afterId` is the last id of the page before. */
export interface IdPage {
  limit: number;
  afterId?: string;
}

export interface OrgAccountRepository {
  /** @throws AlreadyExists('account', 'name', …) on a name taken in the scope (possibly at commit) */
  insert(scope: Scope, account: OrgAccount): Promise<void>;
  findById(scope: Scope, id: string): Promise<OrgAccount | undefined>;
  /** Same as findById, holding the row's write lock until the transaction ends. */
  lockById(scope: Scope, id: string): Promise<OrgAccount | undefined>;
  /** @throws AlreadyExists('account', 'name', …) on a name taken in the scope (possibly at commit) */
  update(scope: Scope, account: OrgAccount): Promise<void>;
  list(scope: Scope, page: IdPage): Promise<Page<OrgAccount>>;
}

export interface OrgTransactionFilter extends IdPage {
  credit?: boolean;
  /** Inclusive bounds on createTime (ISO 8601). */
  from?: string;
  to?: string;
}

export interface OrgTransactionRepository {
  append(scope: Scope, transaction: OrgTransaction): Promise<void>;
  /** The account's transactions, newest first. */
  list(scope: Scope, accountId: string, filter: OrgTransactionFilter): Promise<Page<OrgTransaction>>;
}

export interface OAuthClientRepository {
  insert(client: OAuthClient, secretHash: string): Promise<void>;
  /** By client id alone (the token endpoint knows no tenant yet). */
  findByClientId(clientId: string): Promise<{ client: OAuthClient; secretHash: string } | undefined>;
  findById(tenantId: string, id: string): Promise<OAuthClient | undefined>;
  revoke(tenantId: string, id: string, at: string): Promise<void>;
  /** Oldest first. */
  listForTenant(tenantId: string): Promise<OAuthClient[]>;
}

/** A signing key of the service, as stored (JWKs as JSON text). */
export interface StoredSigningKey {
  /** 'primary' for the first key, its kid for a key made by a rotation. */
  name: string;
  kid: string;
  algorithm: string;
  privateJwk: string;
  publicJwk: string;
  createdAt: string;
  /** When a rotation replaced it; null for the key that signs. */
  retiredAt: string | null;
}

export interface SigningKeyRepository {
  find(name: string): Promise<StoredSigningKey | undefined>;
  /** The key that signs and every key retired after `retiredAfter` (ISO 8601), newest first. */
  listUsable(retiredAfter: string): Promise<StoredSigningKey[]>;
  /** Stores the key unless one of that name exists (a concurrent creator won: nothing happens). */
  insertIfAbsent(key: StoredSigningKey): Promise<void>;
  /** Marks every key that signs as retired at `at` (a rotation, before it stores the new key). */
  retireCurrent(at: string): Promise<void>;
}
