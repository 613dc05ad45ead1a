import type { ListCursor, Page, PageRequest, Scope } from '../../../ledger/model.js';
import type { SubAccount, SubAccountStatus, SubAccountType } from './model.js';
import type { Transfer } from './model.js';

/** The platform surface's storage: sub-accounts and transfers (platform/store implements it). */
export interface PlatformRepositories {
  subAccounts: SubAccountRepository;
  transfers: TransferRepository;
}

export interface SubAccountFilter extends PageRequest {
  emails?: string[];
  statuses?: SubAccountStatus[];
  type?: SubAccountType;
  businessName?: string;
  updatedGte?: string;
  updatedLte?: string;
}

export interface SubAccountRepository {
  insert(scope: Scope, account: SubAccount): Promise<void>;
  findById(scope: Scope, id: string): Promise<SubAccount | undefined>;
  /** Same as findById, holding the row's write lock until the transaction ends. */
  lockById(scope: Scope, id: string): Promise<SubAccount | undefined>;
  update(scope: Scope, account: SubAccount): Promise<void>;
  cursorOf(scope: Scope, id: string): Promise<ListCursor | undefined>;
  list(scope: Scope, filter: SubAccountFilter): Promise<Page<SubAccount>>;
}

export interface TransferRepository {
  /** @throws AlreadyExists('transfer', 'reference') when the scope has a transfer with its reference (possibly at commit) */
  insert(scope: Scope, transfer: Transfer): Promise<void>;
  findByReference(scope: Scope, reference: string): Promise<Transfer | undefined>;
  findById(scope: Scope, id: string): Promise<Transfer | undefined>;
  /** The scope's transfers with these references (in any order; unknown ones are left out). */
  findByReferences(scope: Scope, references: readonly string[]): Promise<Transfer[]>;
}
