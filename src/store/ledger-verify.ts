import { sql, type Kysely, type SqlBool } from 'kysely';
import { chainHash, ZERO_HASH } from '../ledger/entry-hash.js';
import { EXTERNAL } from '../ledger/model.js';
import type { BalanceTable, Database, LedgerEntryTable } from './database.js';
import { balancesInKeyOrder, rowsOf, STREAM_BATCH, type LedgerSlice } from './entry-stream.js';
import { encodedFieldsOfRow } from './rows.js';

/**
 * The audit of SPEC §8 over the stored ledger, read straight from the database in keyset
 * batches (constant memory: one batch of balances, one of entries, and one running total per
 * tenant, mode and currency). For each balance it walks its chain in sequence order and checks:
 * - the chain: sequences 1, 2, 3… without a gap, each hash recomputed from the previous
 *   entry's stored hash and the entry's canonical encoding (src/ledger/entry-hash.ts);
 * - each entry's balance_after is the previous one plus its amount;
 * - the balance row equals the sum of its entries, and holds the chain's last sequence and hash;
 * - each posting sums to zero: a side against another holder names its other side (contra_id),
 *   read by key, which must name it back, on the counterparty's balance, with the opposite amount
 *   (a side against EXTERNAL is balanced by the external counterparty itself);
 * then, per tenant, mode and currency, that the holders' balances sum to the net of the entries
 * posted against EXTERNAL; and that no entry lies outside a balance's chain.
 */

export interface LedgerProblem {
  tenantId: string;
  mode: string;
  /** What is broken: an entry (`entry ble_…`), a balance (`balance <holder> <currency>`) or a total (`currency ZAR`). */
  subject: string;
  what: string;
}

export interface VerifyCount {
  entries: number;
  balances: number;
  problems: number;
}

export interface VerifyListener {
  problem(problem: LedgerProblem): void;
  /** After each batch of entries: how many have been checked so far. */
  progress?(entries: number): void;
}

/** One problem per line: `entry ble_… (tenant ten_…, test): what failed`. */
export function describeProblem(p: LedgerProblem): string {
  return `${p.subject} (tenant ${p.tenantId}, ${p.mode}): ${p.what}`;
}

/** The summary line `subledger verify` prints last. */
export function verifySummary(count: VerifyCount): string {
  return `verified: ${count.entries} entries on ${count.balances} balances, ${count.problems} problems`;
}

function bigintOf(text: string | null | undefined): bigint | undefined {
  if (typeof text !== 'string' || !/^-?\d+$/.test(text)) return undefined;
  return BigInt(text);
}

/** The entries of one balance, in sequence order, in keyset batches. */
async function* chainOf(db: Kysely<Database>, b: BalanceTable, batch: number): AsyncGenerator<LedgerEntryTable[]> {
  let after: bigint | number | undefined;
  for (;;) {
    let query = db.selectFrom('ledger_entries').selectAll().where('tenant_id', '=', b.tenant_id).where('holder_id', '=', b.holder_id).where('currency', '=', b.currency).where('mode', '=', b.mode);
    if (after !== undefined) query = query.where('sequence', '>', after);
    const rows = await query.orderBy('sequence').limit(batch).execute();
    if (rows.length > 0) yield rows;
    if (rows.length < batch) return;
    after = rows[rows.length - 1]!.sequence;
  }
}

/** The other sides of a batch's entries against holders, by their ids, read by key on (tenant, holder, id). */
async function contrasOf(db: Kysely<Database>, rows: readonly LedgerEntryTable[]): Promise<Map<string, LedgerEntryTable>> {
  const wanted = rows.filter((r) => r.counterparty !== EXTERNAL && r.contra_id !== null);
  const found = new Map<string, LedgerEntryTable>();
  if (wanted.length === 0) return found;
  const { tenant_id: tenantId, mode } = wanted[0]!;
  const pairs = wanted.map((r) => sql<SqlBool>`(holder_id = ${r.counterparty} and id = ${r.contra_id})`);
  const contras = await db.selectFrom('ledger_entries').selectAll().where('tenant_id', '=', tenantId).where('mode', '=', mode).where(sql<SqlBool>`(${sql.join(pairs, sql` or `)})`).execute();
  for (const c of contras) found.set(c.id, c);
  return found;
}

/**
 * Checks the slice of the ledger (one tenant, one mode, or all), reporting each problem as it is
 * found. @throws only the database's own errors
 */
export async function verifyLedger(db: Kysely<Database>, slice: LedgerSlice, listener: VerifyListener, batch = STREAM_BATCH): Promise<VerifyCount> {
  const count: VerifyCount = { entries: 0, balances: 0, problems: 0 };
  const report = (tenantId: string, mode: string, subject: string, what: string) => {
    count.problems += 1;
    listener.problem({ tenantId, mode, subject, what });
  };
  // Per tenant, mode and currency: [holders' balances, net of entries against EXTERNAL].
  const totals = new Map<string, { tenantId: string; mode: string; currency: string; holders: bigint; external: bigint }>();

  for await (const b of rowsOf(balancesInKeyOrder(db, slice, batch))) {
    count.balances += 1;
    const balanceSubject = `balance ${b.holder_id} ${b.currency}`;
    const amount = bigintOf(b.amount);
    const totalKey = `${b.tenant_id}\u0000${b.mode}\u0000${b.currency}`;
    let total = totals.get(totalKey);
    if (!total) totals.set(totalKey, (total = { tenantId: b.tenant_id, mode: b.mode, currency: b.currency, holders: 0n, external: 0n }));
    if (amount === undefined) report(b.tenant_id, b.mode, balanceSubject, `amount '${b.amount}' is not an integer`);
    else total.holders += amount;

    let sequence = 0n;
    let previousHash = ZERO_HASH;
    let runningBalance = 0n;
    let sum = 0n;
    for await (const rows of chainOf(db, b, batch)) {
      const contras = await contrasOf(db, rows);
      for (const e of rows) {
        count.entries += 1;
        const problem = (what: string) => report(e.tenant_id, e.mode, `entry ${e.id}`, what);
        const entrySequence = BigInt(e.sequence);
        if (entrySequence !== sequence + 1n) problem(`sequence ${entrySequence} follows ${sequence} on ${b.holder_id} ${b.currency} (an entry is missing or out of order)`);
        if (e.hash !== chainHash(previousHash, encodedFieldsOfRow(e))) problem('hash does not match the previous entry\'s hash and this entry\'s contents (altered, removed or reordered)');
        const change = bigintOf(e.amount);
        const after = bigintOf(e.balance_after);
        if (change === undefined || after === undefined) {
          problem(`amount '${e.amount}' or balance_after '${e.balance_after}' is not an integer`);
        } else {
          if (after !== runningBalance + change) problem(`balance_after ${after} is not the previous ${runningBalance} plus the amount ${change}`);
          sum += change;
          runningBalance = after;
          if (e.counterparty === EXTERNAL) {
            total.external += change;
            if (e.contra_id !== null) problem(`is posted against external but names another side, ${e.contra_id}`);
          } else if (e.contra_id === null) {
            problem(`its posting's other side (on ${e.counterparty}) is not named`);
          } else {
            const contra = contras.get(e.contra_id);
            if (!contra) problem(`its posting's other side, entry ${e.contra_id} on ${e.counterparty}, is missing`);
            else if (contra.contra_id !== e.id || contra.counterparty !== e.holder_id) problem(`its posting's other side, entry ${contra.id}, does not name it back`);
            else if (contra.currency !== e.currency || bigintOf(contra.amount) !== -change) {
              problem(`its posting does not sum to zero: ${change} ${e.currency} here, ${contra.amount} ${contra.currency} on entry ${contra.id}`);
            }
          }
        }
        sequence = entrySequence;
        previousHash = e.hash ?? '';
      }
      listener.progress?.(count.entries);
    }
    if (amount !== undefined && amount !== sum) report(b.tenant_id, b.mode, balanceSubject, `amount ${amount} is not the sum of its entries, ${sum}`);
    if (BigInt(b.sequence) !== sequence) report(b.tenant_id, b.mode, balanceSubject, `sequence ${b.sequence} is not its last entry's, ${sequence}`);
    if (b.hash !== previousHash) report(b.tenant_id, b.mode, balanceSubject, `head hash is not its last entry's hash (its chain was cut or altered)`);
  }

  for (const t of totals.values()) {
    if (t.holders !== t.external) {
      report(t.tenantId, t.mode, `currency ${t.currency}`, `holders' balances sum to ${t.holders}, but entries posted against external net ${t.external}`);
    }
  }

  // Entries outside every balance's chain (their balance row is gone): counted, then named.
  let query = db.selectFrom('ledger_entries').select((eb) => eb.fn.countAll<bigint | number | string>().as('n'));
  if (slice.tenantId !== undefined) query = query.where('tenant_id', '=', slice.tenantId);
  if (slice.mode !== undefined) query = query.where('mode', '=', slice.mode);
  const stored = Number((await query.executeTakeFirstOrThrow()).n);
  if (stored !== count.entries) {
    let orphans = db
      .selectFrom('ledger_entries as e')
      .select(['e.tenant_id', 'e.mode', 'e.holder_id', 'e.currency'])
      .select((eb) => eb.fn.countAll<bigint | number | string>().as('n'))
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('balances as b').select('b.holder_id').whereRef('b.tenant_id', '=', 'e.tenant_id').whereRef('b.holder_id', '=', 'e.holder_id').whereRef('b.currency', '=', 'e.currency').whereRef('b.mode', '=', 'e.mode'))),
      );
    if (slice.tenantId !== undefined) orphans = orphans.where('e.tenant_id', '=', slice.tenantId);
    if (slice.mode !== undefined) orphans = orphans.where('e.mode', '=', slice.mode);
    for (const o of await orphans.groupBy(['e.tenant_id', 'e.mode', 'e.holder_id', 'e.currency']).execute()) {
      count.entries += Number(o.n);
      report(o.tenant_id, o.mode, `balance ${o.holder_id} ${o.currency}`, `is missing, but ${o.n} entries are posted to it`);
    }
  }
  return count;
}
