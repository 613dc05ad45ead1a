import type { LedgerEntry } from '../../../ledger/model.js';
import type { AmountApplied } from './payments.js';
import type { Account, Bill, Customer } from './model.js';

/** Billing's domain events (published in Moment's JSON by billing/http/events.ts). */
declare module '../../../ledger/events.js' {
  interface DomainEvents {
    'customer.created': Customer;
    'customer.updated': Customer;
    'account.created': Account;
    'account.updated': Account;
    'account.balance_changed': { account: Account; ledgerEntries: LedgerEntry[] };
    'bill.created': Bill;
    'bill.updated': Bill;
    'obligation.amount_applied': AmountApplied;
  }
}
