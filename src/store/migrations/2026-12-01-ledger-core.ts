import currencyCodes from 'currency-codes';
import type { Kysely } from 'kysely';

// Frozen once released. The ledger core: balances per (tenant, mode, holder, currency) and
// postings with a counterparty, amounts as exact decimal text of atoms (10^-9 major units).
// Customers and accounts keep a copy of their balance in their own currency (minor units),
// written by the same command that posts to the ledger: billing reads stay one keyed row.
//
// Index rule: every index starts with tenant_id, then the columns that tell its rows apart;
// mode comes last. Without statistics (a fresh PostgreSQL database, before autovacuum has
// analyzed it) the planner takes `tenant_id = $1 and mode = $2` to select about one row, so
// any index led by (tenant_id, mode) ties with the right one, and a generic plan cached then
// stays: a get by id ran through accounts_by_customer (4.5 ms instead of 0.03 ms). With mode
// last, a keyed read's unique index is the only one matching two leading columns.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const BATCH = 500;

/** Minor units of `currency` → atoms (self-contained: a frozen migration imports no core code). */
function atomsOf(currency: string, minorUnits: bigint | number | string): string {
  const digits = currencyCodes.code(currency)?.digits ?? 0;
  return (BigInt(minorUnits) * 10n ** BigInt(9 - digits)).toString();
}

async function insertInBatches(db: AnyDb, table: string, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await db.insertInto(table).values(rows.slice(i, i + BATCH)).execute();
}

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('balances')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('holder_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('sequence', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('balances_pk', ['tenant_id', 'holder_id', 'currency', 'mode'])
    .execute();

  // Values unique per tenant and mode (or per tenant: mode '*') beyond external references.
  await db.schema
    .createTable('unique_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('unique_keys_pk', ['tenant_id', 'namespace', 'value', 'mode'])
    .execute();

  // Entries: the chain of one balance is the primary key (a second writer with the same
  // sequence fails, never interleaves); the holder's listing and cursors use (holder, id),
  // ids being time-ordered.
  await db.schema
    .createTable('ledger_entries_chained')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('holder_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('sequence', 'bigint', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('balance_after', 'text', (c) => c.notNull())
    .addColumn('counterparty', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('request_id', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ledger_entries_chain', ['tenant_id', 'holder_id', 'currency', 'sequence', 'mode'])
    .execute();

  // Old entries were numbered per holder; the new chains are per (holder, currency).
  const oldEntries = await db.selectFrom('ledger_entries').selectAll().orderBy('tenant_id').orderBy('mode').orderBy('holder_id').orderBy('sequence').execute();
  // Each chain's last entry becomes its balance row (a closed old currency's too: it holds 0).
  const chainEnds = new Map<string, { tenant_id: string; mode: string; holder_id: string; currency: string; amount: string; sequence: number; created_at: string; updated_at: string }>();
  const entries = oldEntries.map((e) => {
    const chain = `${e.tenant_id}\u0000${e.mode}\u0000${e.holder_id}\u0000${e.currency}`;
    const previous = chainEnds.get(chain);
    const sequence = (previous?.sequence ?? 0) + 1;
    chainEnds.set(chain, {
      tenant_id: e.tenant_id,
      mode: e.mode,
      holder_id: e.holder_id,
      currency: e.currency,
      amount: atomsOf(e.currency, e.balance_after),
      sequence,
      created_at: previous?.created_at ?? e.created_at,
      updated_at: e.created_at,
    });
    return {
      tenant_id: e.tenant_id,
      mode: e.mode,
      holder_id: e.holder_id,
      currency: e.currency,
      sequence,
      id: e.id,
      kind: e.kind,
      amount: atomsOf(e.currency, e.amount),
      balance_after: atomsOf(e.currency, e.balance_after),
      counterparty: 'external',
      reference: e.reference,
      request_id: e.request_id,
      idempotency_key: e.idempotency_key,
      actor: e.actor,
      created_at: e.created_at,
    };
  });
  await insertInBatches(db, 'ledger_entries_chained', entries);
  await db.schema.dropTable('ledger_entries').execute();
  await db.schema.alterTable('ledger_entries_chained').renameTo('ledger_entries').execute();
  await db.schema.createIndex('ledger_entries_by_holder').unique().on('ledger_entries').columns(['tenant_id', 'holder_id', 'id', 'mode']).execute();
  await insertInBatches(db, 'balances', [...chainEnds.values()]);

  for (const table of ['customers', 'accounts'] as const) {
    const next = `${table}_keyed`;
    let builder = db.schema
      .createTable(next)
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('external_reference', 'text', (c) => c.notNull());
    builder = table === 'customers' ? builder.addColumn('email', 'text').addColumn('phone', 'text') : builder.addColumn('customer_id', 'text', (c) => c.notNull());
    await builder
      .addColumn('name', 'text')
      .addColumn('currency', 'text')
      .addColumn('balance', 'bigint')
      .addColumn('payment_rules', 'text')
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_by_id`, ['tenant_id', 'id', 'mode'])
      .addUniqueConstraint(`${table}_by_external_reference`, ['tenant_id', 'external_reference', 'mode'])
      .execute();
    const old = await db.selectFrom(table).selectAll().execute();
    const balances = [];
    const holders = [];
    for (const row of old) {
      const { balance } = row;
      holders.push(row);
      // A tracked balance of 0 that never changed has no entries, so no chain made its row.
      const chain = `${row.tenant_id}\u0000${row.mode}\u0000${row.id}\u0000${row.currency}`;
      if (balance !== null && row.currency !== null && !chainEnds.has(chain)) {
        balances.push({ tenant_id: row.tenant_id, mode: row.mode, holder_id: row.id, currency: row.currency, amount: atomsOf(row.currency, balance), sequence: 0, created_at: row.created_at, updated_at: row.updated_at });
      }
    }
    await insertInBatches(db, next, holders);
    await insertInBatches(db, 'balances', balances);
    await db.schema.dropTable(table).execute();
    await db.schema.alterTable(next).renameTo(table).execute();
    await db.schema.createIndex(`${table}_listing`).on(table).columns(['tenant_id', 'created_at', 'id', 'mode']).execute();
  }
  await db.schema.createIndex('accounts_by_customer').on('accounts').columns(['tenant_id', 'customer_id', 'created_at', 'id', 'mode']).execute();
}
