import { NotFound, ValidationFailed } from '../../../ledger/errors.js';
import { lowestIdAt } from '../../../ledger/ids.js';
import type { LedgerEntry, ListCursor, Page, PageRequest, Scope } from '../../../ledger/model.js';
import type { LedgerEntryFilter, Repositories } from '../../../store/ports.js';
import { platformRepositories } from '../store/repositories.js';

/**
 * Xendit's transactions (SPEC §4b), read from the ledger: each entry of a platform user's
 * balances (the platform's own, or a sub-account's) is one transaction. A transfer writes one
 * entry per side, so it shows once as MONEY_OUT for its source and once as MONEY_IN for its
 * destination, each with its own id; a top-up is one entry. Nothing is stored for them: a
 * transaction's id is its entry's (txn_<the entry id's characters>), so it is stable and leads
 * straight back to the entry.
 */

/** Xendit's transaction types (the SDK's TransactionTypes); only TRANSFER and TOPUP occur here. */
export const TRANSACTION_TYPES = [
  'BATCH_DISBURSEMENT', 'DISBURSEMENT', 'PAYMENT', 'REMITTANCE', 'REMITTANCE_PAYOUT', 'REMITTANCE_COLLECTION',
  'TRANSFER', 'PLATFORM_FEE', 'REFUND', 'CASHBACK', 'TOPUP', 'WITHDRAWAL', 'OTHER',
] as const;
/** Xendit's transaction statuses; every movement here is SUCCESS (a posting commits or never was). */
export const TRANSACTION_STATUSES = ['SUCCESS', 'PENDING', 'FAILED', 'REVERSED', 'VOIDED'] as const;
/** Xendit's channel categories; transfers and top-ups are XENPLATFORM. */
export const CHANNEL_CATEGORIES = [
  'BANK', 'CARDLESS_CREDIT', 'PAYLATER', 'CARDS', 'CASH', 'DIRECT_DEBIT', 'EWALLET', 'INVOICE', 'QR_CODE',
  'RETAIL_OUTLET', 'VIRTUAL_ACCOUNT', 'XENPLATFORM', 'DIRECT_BANK_TRANSFER', 'OTHER',
] as const;

export type TransactionType = 'TRANSFER' | 'TOPUP';
/** The ledger kinds the platform posts, by the transaction type each one is. */
const TYPE_OF_KIND: Record<string, TransactionType> = { transfer: 'TRANSFER', topup: 'TOPUP' };
const KINDS = Object.keys(TYPE_OF_KIND);

const ENTRY_PREFIX = 'ble_';
const TRANSACTION_PREFIX = 'txn_';
const TRANSACTION_ID = /^txn_[0-9A-Za-z]{21}$/;

/** The transaction id of a ledger entry: its id's characters after `txn_`. */
export const transactionIdOf = (entryId: string): string => TRANSACTION_PREFIX + entryId.slice(entryId.indexOf('_') + 1);
/** The ledger entry id a transaction id stands for, or undefined when it is not one. */
const entryIdOf = (transactionId: string): string | undefined => (TRANSACTION_ID.test(transactionId) ? ENTRY_PREFIX + transactionId.slice(TRANSACTION_PREFIX.length) : undefined);
/** A top-up has no record but its entry: its product and reference id is the entry's id. */
const isTopUpId = (id: string) => /^ble_[0-9A-Za-z]{21}$/.test(id);

export interface PlatformTransaction {
  /** txn_… */
  id: string;
  type: TransactionType;
  /** The transfer's id, or the top-up's (its entry's id). */
  productId: string;
  /** The transfer's reference, or the top-up's id. */
  referenceId: string;
  /** The user's side of the movement: amount signed (negative: money out), currency, time. */
  entry: LedgerEntry;
}

export interface TransactionListQuery {
  limit: number;
  afterId?: string;
  beforeId?: string;
  types?: string[];
  statuses?: string[];
  channelCategories?: string[];
  referenceId?: string;
  productId?: string;
  accountIdentifier?: string;
  currency?: string;
  /** Atoms, either direction. */
  amount?: bigint;
  createdGte?: string;
  createdLte?: string;
  updatedGte?: string;
  updatedLte?: string;
}

const EMPTY: Page<PlatformTransaction> = { items: [], hasMore: false };
const later = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined || a > b ? a : b);
const earlier = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined || a < b ? a : b);

/**
 * The user's transactions, newest first (entries are immutable: `updated` is `created`, so both
 * bounds are bounds of the entry's time). Cursors are transaction ids of this user's list.
 * @throws ValidationFailed (a cursor that is not one of the user's transactions, both cursors)
 */
export async function listTransactions(repos: Repositories, scope: Scope, holderId: string, query: TransactionListQuery): Promise<Page<PlatformTransaction>> {
  const { ledger } = repos;
  if (query.afterId !== undefined && query.beforeId !== undefined) throw ValidationFailed.of('before_id', 'cannot be combined with after_id');
  const cursor = async (field: string, transactionId: string): Promise<ListCursor> => {
    const entryId = entryIdOf(transactionId);
    const found = entryId === undefined ? undefined : await ledger.cursorOf(scope, holderId, entryId);
    if (!found) throw ValidationFailed.of(field, `must be the id of a transaction in this list (got '${transactionId.slice(0, 40)}')`);
    return found;
  };
  const page: PageRequest = { limit: query.limit };
  if (query.afterId !== undefined) page.after = await cursor('after_id', query.afterId);
  if (query.beforeId !== undefined) page.before = await cursor('before_id', query.beforeId);

  // Filters no transaction here can pass answer an empty page at once.
  if (query.statuses && !query.statuses.includes('SUCCESS')) return EMPTY;
  if (query.channelCategories && !query.channelCategories.includes('XENPLATFORM')) return EMPTY;
  if (query.accountIdentifier !== undefined) return EMPTY;
  let kinds = query.types ? KINDS.filter((kind) => query.types!.includes(TYPE_OF_KIND[kind]!)) : KINDS;
  const filter: LedgerEntryFilter = { ...page, currency: query.currency, magnitude: query.amount };
  // A top-up's reference and product id are its entry's id; a transfer's are its reference and its id.
  const byIdentifier = async (value: string, asTransfer: (value: string) => Promise<string | undefined>): Promise<boolean> => {
    if (isTopUpId(value)) {
      kinds = kinds.filter((kind) => kind === 'topup');
      if (filter.id !== undefined && filter.id !== value) return false;
      filter.id = value;
      return true;
    }
    const reference = await asTransfer(value);
    kinds = kinds.filter((kind) => kind === 'transfer');
    if (reference === undefined || (filter.reference !== undefined && filter.reference !== reference)) return false;
    filter.reference = reference;
    return true;
  };
  if (query.referenceId !== undefined && !(await byIdentifier(query.referenceId, async (reference) => reference))) return EMPTY;
  const { transfers } = platformRepositories.of(repos);
  if (query.productId !== undefined && !(await byIdentifier(query.productId, async (id) => (await transfers.findById(scope, id))?.reference))) return EMPTY;
  if (kinds.length === 0) return EMPTY;
  filter.kinds = kinds;

  const from = later(query.createdGte, query.updatedGte);
  const to = earlier(query.createdLte, query.updatedLte);
  if (from !== undefined) Object.assign(filter, { createdGte: from, idAtLeast: lowestIdAt('ble', Date.parse(from)) });
  // Entry ids carry their created_at's millisecond exactly (postings.ts): the id bound is exact.
  if (to !== undefined) Object.assign(filter, { createdLte: to, idBelow: lowestIdAt('ble', Date.parse(to) + 1) });

  const entries = await ledger.listFiltered(scope, holderId, filter);
  return { items: await transactionsOf(repos, scope, entries.items), hasMore: entries.hasMore };
}

/**
 * One of the user's transactions. Another user's (or tenant's, or mode's) answers as one that
 * does not exist. @throws NotFound('transaction')
 */
export async function findTransaction(repos: Repositories, scope: Scope, holderId: string, transactionId: string): Promise<PlatformTransaction> {
  const entryId = entryIdOf(transactionId);
  const entry = entryId === undefined ? undefined : await repos.ledger.findForHolder(scope, holderId, entryId);
  if (!entry || !(entry.kind in TYPE_OF_KIND)) throw new NotFound('transaction', transactionId);
  const [transaction] = await transactionsOf(repos, scope, [entry]);
  return transaction!;
}

/** The entries as transactions, with their transfers' ids (one read for the page). */
async function transactionsOf(repos: Repositories, scope: Scope, entries: readonly LedgerEntry[]): Promise<PlatformTransaction[]> {
  const references = [...new Set(entries.filter((e) => e.kind === 'transfer' && e.reference !== null).map((e) => e.reference!))];
  const transfers = await platformRepositories.of(repos).transfers.findByReferences(scope, references);
  const transferIdOf = new Map(transfers.map((t) => [t.reference, t.id]));
  return entries.map((entry) => {
    const type = TYPE_OF_KIND[entry.kind] ?? 'TRANSFER';
    const isTransfer = type === 'TRANSFER' && entry.reference !== null;
    return {
      id: transactionIdOf(entry.id),
      type,
      productId: isTransfer ? (transferIdOf.get(entry.reference!) ?? entry.id) : entry.id,
      referenceId: isTransfer ? entry.reference! : entry.id,
      entry,
    };
  });
}
