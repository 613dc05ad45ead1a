import { sql, type Kysely, type SqlBool } from 'kysely';
import { chainHash, ZERO_HASH } from '../../ledger/entry-hash.js';
import type { Database, LedgerEntryTable } from '../database.js';
import { entriesInChainOrder, rowsOf } from '../entry-stream.js';
import { encodedFieldsOfRow } from '../rows.js';

// Frozen once released. SPEC §8 "Hash chains": every entry gets `hash` (src/ledger/entry-hash.ts,
// docs/decisions.md "Hash chains"), each balance the head of its chain, and each side of a
// two-holder posting the id of the other side's entry (`contra_id`), which the hash covers and
// `subledger verify` pairs by key. This migration imports the kernel's encoding on purpose: there
// is one definition of it; a later version of the encoding comes with its own migration.
// Existing entries are read in keyset batches (constant memory) on both stores.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** The other side of an older two-holder posting: the same instant, kind and request, the holders swapped, the amount negated. */
async function contraOf(db: Kysely<Database>, debit: LedgerEntryTable): Promise<string | undefined> {
  let query = db
    .selectFrom('ledger_entries')
    .select('id')
    .where('tenant_id', '=', debit.tenant_id)
    .where('holder_id', '=', debit.counterparty)
    .where('mode', '=', debit.mode)
    .where('currency', '=', debit.currency)
    .where('counterparty', '=', debit.holder_id)
    .where('created_at', '=', debit.created_at)
    .where('kind', '=', debit.kind)
    .where('amount', '=', debit.amount.slice(1))
    .where('contra_id', 'is', null);
  // Both sides' ids were made for the same millisecond: their time prefix bounds the (holder, id) index range.
  const prefix = /^[a-z]+_[0-9A-Za-z]{8}/.exec(debit.id)?.[0];
  if (prefix) query = query.where(sql<SqlBool>`id >= ${prefix} and id < ${`${prefix}~`}`);
  return (await query.orderBy('id').limit(1).executeTakeFirst())?.id;
}

export async function up(anyDb: AnyDb): Promise<void> {
  const db = anyDb as Kysely<Database>;
  await db.schema.alterTable('balances').addColumn('hash', 'text', (c) => c.notNull().defaultTo(ZERO_HASH)).execute();
  await db.schema.alterTable('ledger_entries').addColumn('contra_id', 'text').execute();
  await db.schema.alterTable('ledger_entries').addColumn('hash', 'text').execute();
  // `subledger export entries`: a tenant's entries oldest first, in keyset batches (mode last: see 2026-12-01-ledger-core).
  await db.schema.createIndex('ledger_entries_by_time').on('ledger_entries').columns(['tenant_id', 'created_at', 'id', 'mode']).execute();

  // Pair the sides of two-holder postings (transfers): from each debit side to its credit side.
  for await (const entry of rowsOf(entriesInChainOrder(db))) {
    if (entry.counterparty === 'external' || !entry.amount.startsWith('-') || entry.contra_id !== null) continue;
    const contra = await contraOf(db, entry);
    if (contra === undefined) continue; // verify reports it: a posting whose other side is missing
    const setContra = (holderId: string, id: string, contraId: string) =>
      db.updateTable('ledger_entries').set({ contra_id: contraId }).where('tenant_id', '=', entry.tenant_id).where('holder_id', '=', holderId).where('id', '=', id).where('mode', '=', entry.mode).execute();
    await setContra(entry.holder_id, entry.id, contra);
    await setContra(entry.counterparty, contra, entry.id);
  }

  // Hash every chain in order; a chain's last hash becomes its balance's head. The key order
  // interleaves a (holder, currency)'s two modes: one running hash per mode.
  let group = '';
  let heads = new Map<string, { row: LedgerEntryTable; hash: string }>();
  const writeHeads = async () => {
    for (const { row, hash } of heads.values()) {
      await db.updateTable('balances').set({ hash }).where('tenant_id', '=', row.tenant_id).where('holder_id', '=', row.holder_id).where('currency', '=', row.currency).where('mode', '=', row.mode).execute();
    }
    heads = new Map();
  };
  for await (const entry of rowsOf(entriesInChainOrder(db))) {
    const key = `${entry.tenant_id}\u0000${entry.holder_id}\u0000${entry.currency}`;
    if (key !== group) {
      await writeHeads();
      group = key;
    }
    const hash = chainHash(heads.get(entry.mode)?.hash ?? ZERO_HASH, encodedFieldsOfRow(entry));
    heads.set(entry.mode, { row: entry, hash });
    await db
      .updateTable('ledger_entries')
      .set({ hash })
      .where('tenant_id', '=', entry.tenant_id)
      .where('holder_id', '=', entry.holder_id)
      .where('currency', '=', entry.currency)
      .where('sequence', '=', entry.sequence)
      .where('mode', '=', entry.mode)
      .execute();
  }
  await writeHeads();
}
