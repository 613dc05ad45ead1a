import type { Balance, ListCursor, Page, PageRequest, Scope } from '../../../ledger/model.js';
import type { Account, Bill, BillStatus, Customer } from './model.js';

/** Billing's storage: customers and accounts, each a balance holder (billing/store implements it). */
export interface BillingRepositories {
  customers: CustomerRepository;
  accounts: AccountRepository;
  bills: BillRepository;
}

export interface CustomerFilter extends PageRequest {
  externalReference?: string;
  email?: string;
}

/** Scoped storage of an object that carries a balance (customer, account). */
export interface BalanceHolderRepository<H, F extends PageRequest> {
  /**
   * @param conflictField the field a duplicate external reference is reported on (default `externalReference`)
   * @throws AlreadyExists on a duplicate external reference in the scope (possibly at commit).
   */
  insert(scope: Scope, holder: H, conflictField?: string): Promise<void>;
  findById(scope: Scope, id: string): Promise<H | undefined>;
  findByExternalReference(scope: Scope, ref: string): Promise<H | undefined>;
  /**
   * Same as findById, but holds a write lock on the row until the transaction ends, and also
   * returns (and locks) the ledger balance its `balance` was read from, if it tracks one.
   */
  lockById(scope: Scope, id: string): Promise<{ holder: H; balance: Balance | undefined } | undefined>;
  update(scope: Scope, holder: H): Promise<void>;
  cursorOf(scope: Scope, id: string): Promise<ListCursor | undefined>;
  list(scope: Scope, filter: F): Promise<Page<H>>;
}

export type CustomerRepository = BalanceHolderRepository<Customer, CustomerFilter>;

export interface AccountFilter extends PageRequest {
  customerId?: string;
  externalReference?: string;
}

export type AccountRepository = BalanceHolderRepository<Account, AccountFilter>;

export interface BillFilter extends PageRequest {
  customerId?: string;
  accountId?: string;
  status?: BillStatus;
}

/** Scoped storage of bills (they carry no balance: a bill never posts to the ledger). */
export interface BillRepository {
  /** @throws AlreadyExists on a duplicate external reference in the scope (possibly at commit). */
  insert(scope: Scope, bill: Bill): Promise<void>;
  findById(scope: Scope, id: string): Promise<Bill | undefined>;
  findByExternalReference(scope: Scope, ref: string): Promise<Bill | undefined>;
  /** Same as findById, holding the row's write lock until the transaction ends. */
  lockById(scope: Scope, id: string): Promise<Bill | undefined>;
  update(scope: Scope, bill: Bill): Promise<void>;
  cursorOf(scope: Scope, id: string): Promise<ListCursor | undefined>;
  list(scope: Scope, filter: BillFilter): Promise<Page<Bill>>;
}
