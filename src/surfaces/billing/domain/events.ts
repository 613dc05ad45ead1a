import type { LedgerEntry } from '../../../ledger/model.js';
import type { Account, Customer } from './model.js';

/** Billing's domain events (published in Moment's JSON by billing/http/events.ts). */
declare module '../../../ledger/events.js' {
  interface DomainEvents {
    'customer.created': Customer;
    'customer.updated': Customer;
    'account.created': Account;
    'account.updated': Account;
    'account.balance_changed': { account: Account; ledgerEntries: LedgerEntry[] };
  }
}
