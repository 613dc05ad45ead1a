import type { Kysely } from 'kysely';
import type { Database } from '../../../store/database.js';
import type { DialectName } from '../../../store/dialects.js';
import { keysetPage } from '../../../store/keyset.js';
import { defineRepositories } from '../../../store/module-repositories.js';
import type { BalanceRepository } from '../../../store/ports.js';
import type { WriteSink } from '../../../store/write-behind.js';
import type { AccountFilter, AccountRepository, BillingRepositories, CustomerFilter, CustomerRepository } from '../domain/ports.js';
import { balanceHolderRepository } from './balance-holder-repository.js';
import { accountToRow, customerToRow, rowToAccount, rowToCustomer } from './rows.js';
import './tables.js';

/** Billing's repositories on a transaction or reader of the store: `billingRepositories.of(tx)`. */
export const billingRepositories = defineRepositories<BillingRepositories>(({ db, dialect, writes, balances }) => ({
  customers: customerRepository(db, dialect, writes, balances),
  accounts: accountRepository(db, dialect, writes, balances),
}));

function customerRepository(db: Kysely<Database>, dialect: DialectName, writes: WriteSink, balances: BalanceRepository): CustomerRepository {
  return {
    ...balanceHolderRepository(db, dialect, writes, balances, 'customers', 'customer', customerToRow, rowToCustomer),
    list(scope, filter: CustomerFilter) {
      let q = db.selectFrom('customers').selectAll().where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode);
      if (filter.externalReference !== undefined) q = q.where('external_reference', '=', filter.externalReference);
      if (filter.email !== undefined) q = q.where('email', '=', filter.email);
      return keysetPage(q, filter, rowToCustomer);
    },
  };
}

function accountRepository(db: Kysely<Database>, dialect: DialectName, writes: WriteSink, balances: BalanceRepository): AccountRepository {
  return {
    ...balanceHolderRepository(db, dialect, writes, balances, 'accounts', 'account', accountToRow, rowToAccount),
    list(scope, filter: AccountFilter) {
      let q = db.selectFrom('accounts').selectAll().where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode);
      if (filter.customerId !== undefined) q = q.where('customer_id', '=', filter.customerId);
      if (filter.externalReference !== undefined) q = q.where('external_reference', '=', filter.externalReference);
      return keysetPage(q, filter, rowToAccount);
    },
  };
}

