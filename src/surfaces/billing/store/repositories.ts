import { keysetPage } from '../../../store/keyset.js';
import { defineRepositories, type StoreHandle } from '../../../store/module-repositories.js';
import type { AccountFilter, AccountRepository, BillingRepositories, CustomerFilter, CustomerRepository } from '../domain/ports.js';
import { balanceHolderRepository } from './balance-holder-repository.js';
import { billRepository } from './bill-repository.js';
import { accountToRow, customerToRow, rowToAccount, rowToCustomer } from './rows.js';
import './tables.js';

/** Billing's repositories on a transaction or reader of the store: `billingRepositories.of(tx)`. */
export const billingRepositories = defineRepositories<BillingRepositories>((handle) => ({
  customers: customerRepository(handle),
  accounts: accountRepository(handle),
  bills: billRepository(handle),
}));

function customerRepository(handle: StoreHandle): CustomerRepository {
  const { db } = handle;
  return {
    ...balanceHolderRepository(handle, 'customers', customerToRow, rowToCustomer),
    list(scope, filter: CustomerFilter) {
      let q = db.selectFrom('customers').selectAll().where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode);
      if (filter.externalReference !== undefined) q = q.where('external_reference', '=', filter.externalReference);
      if (filter.email !== undefined) q = q.where('email', '=', filter.email);
      return keysetPage(q, filter, rowToCustomer);
    },
  };
}

function accountRepository(handle: StoreHandle): AccountRepository {
  const { db } = handle;
  return {
    ...balanceHolderRepository(handle, 'accounts', accountToRow, rowToAccount),
    list(scope, filter: AccountFilter) {
      let q = db.selectFrom('accounts').selectAll().where('tenant_id', '=', scope.tenantId).where('mode', '=', scope.mode);
      if (filter.customerId !== undefined) q = q.where('customer_id', '=', filter.customerId);
      if (filter.externalReference !== undefined) q = q.where('external_reference', '=', filter.externalReference);
      return keysetPage(q, filter, rowToAccount);
    },
  };
}

