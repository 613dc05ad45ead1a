import { sql, type Kysely, type RawBuilder } from 'kysely';
import { ValidationFailed } from '../ledger/errors.js';
import { creationTimeOfId } from '../ledger/ids.js';
import type { Mode } from '../ledger/model.js';
import type { AccountDirectoryRepository, DirectoryEntry, DirectoryQuery } from './ports.js';
import type { Database } from './database.js';
import type { DialectName } from './database.js';
import { rowToBalance, rowToLedgerEntry } from './rows.js';

// The operator console's one list of every vendor's account holders (issue 14). There is no
// directory table to keep in step on every write: each source table is read through its own
// indexes (migration 2026-12-05-account-directory; a vendor's own migration for a new source)
// and the pages are merged here. A cursor holds
// every source's position, so page 1000 costs what page 1 does, at 10^6 holders as at 10.

type Column = 'name' | 'email' | 'external_reference';

/**
 * One table of holders, with the columns the directory shows, as that table names them. Each
 * vendor module declares its own (VendorModule.directory); the table must have an index for each
 * column searched (tenant, lowered value, id, mode) and for its status column.
 */
export interface DirectorySource {
  /** A short key unique among the sources (it names the source's position in a cursor). */
  key: string;
  table: string;
  surface: string;
  kind: string;
  columns: Partial<Record<Column, string>>;
  /** The surface's status of a holder: the values, and the SQL condition and value of each. */
  status?: { values: readonly string[]; column: string; stored: (status: string) => string | number; shown: RawBuilder<string> };
}

type Source = DirectorySource;

/** Every status a holder of some source can have (the admin API's filter values). */
export const directoryStatuses = (sources: readonly DirectorySource[]): string[] => [...new Set(sources.flatMap((s) => s.status?.values ?? []))];

/**
 * One indexed read of one source: newest first (`time`), one exact value (`exact`: id or
 * external reference, first page only), or the holders whose lowered name or e-mail starts with
 * the search (`prefix`), in that value's order.
 */
type Probe = { source: Source; by: 'time' } | { source: Source; by: 'exact'; column: 'id' | 'external_reference' } | { source: Source; by: 'prefix'; column: 'name' | 'email' };

/** Where a probe stopped: the last id it gave (time), the last [value, id] (prefix), or done. */
type Position = string | [string, string] | 0;
interface CursorState {
  /** The query the cursor belongs to (a cursor of another query is refused, not misread). */
  q: string;
  at: Record<string, Position>;
}

interface DirectoryRow {
  id: string;
  mode: string;
  name: string | null;
  email: string | null;
  external_reference: string | null;
  status: string | null;
  created_at: string;
  /** The lowered name or e-mail a prefix probe orders by. */
  sort_value: string | null;
}

const probeKey = (p: Probe) => `${p.source.key}.${p.by}${'column' in p ? `.${p.column}` : ''}`;

const compareText = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** The smallest string greater than every string that starts with `prefix` (code point order). */
function prefixEnd(prefix: string): string {
  const points = [...prefix];
  const last = points.pop()!.codePointAt(0)!;
  return last === 0x10ffff ? `${prefix}\u{10ffff}` : points.join('') + String.fromCodePoint(last + 1);
}

function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeCursor(cursor: string, query: string): CursorState {
  try {
    const state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorState;
    if (state.q === query && typeof state.at === 'object' && state.at !== null) return state;
  } catch {
    // Falls through to the refusal below.
  }
  throw ValidationFailed.of('cursor', 'must be the next_cursor of a page of this same query (search and filters)');
}

export function accountDirectoryRepository(db: Kysely<Database>, dialect: DialectName, sources: readonly DirectorySource[]): AccountDirectoryRepository {
  // Byte order for the prefix ranges on both stores (the index is built with it too), whatever
  // the PostgreSQL database's collation: a prefix range is then exactly the prefix's matches.
  const binary = dialect === 'postgres' ? sql` collate "C"` : sql``;
  // SQLite's lower() folds ASCII only; the search is folded as the store folds the column.
  const fold = (text: string) => (dialect === 'postgres' ? text.toLowerCase() : text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase()));

  function select(source: Source, sortValue: RawBuilder<string | null>) {
    const column = (name: Column) => (source.columns[name] ? sql.ref(source.columns[name]) : sql`null`);
    return sql`select id, mode, ${column('name')} as name, ${column('email')} as email, ${column('external_reference')} as external_reference,
      ${source.status ? source.status.shown : sql`null`} as status, created_at, ${sortValue} as sort_value from ${sql.table(source.table)}`;
  }

  /** The probe's next rows after `position`, at most `limit`, through its index. */
  async function readProbe(tenantId: string, probe: Probe, query: DirectoryQuery, search: string, position: Position | undefined, limit: number): Promise<DirectoryRow[]> {
    const { source } = probe;
    const conditions = [sql`tenant_id = ${tenantId}`];
    if (query.mode) conditions.push(sql`mode = ${query.mode}`);
    if (query.status !== undefined && source.status) conditions.push(sql`${sql.ref(source.status.column)} = ${source.status.stored(query.status)}`);
    let sortValue: RawBuilder<string | null> = sql`null`;
    let order = sql`id desc`;
    if (probe.by === 'time') {
      if (typeof position === 'string') conditions.push(sql`id < ${position}`);
    } else if (probe.by === 'exact') {
      conditions.push(sql`${sql.ref(probe.column)} = ${search}`);
      if (typeof position === 'string') conditions.push(sql`id > ${position}`);
      order = sql`id asc`;
    } else {
      const foldedOf = (column: string) => sql<string>`lower(${sql.ref(column)})${binary}`;
      const folded = foldedOf(source.columns[probe.column]!);
      sortValue = folded;
      const prefix = fold(search);
      conditions.push(sql`${folded} >= ${prefix}`, sql`${folded} < ${prefixEnd(prefix)}`);
      // Each holder comes from one probe only, on every page: not an exact match again, nor a
      // match of this source's name probe when this is its e-mail probe.
      conditions.push(sql`id <> ${search}`);
      if (source.columns.external_reference) conditions.push(sql`${sql.ref(source.columns.external_reference)} <> ${search}`);
      if (probe.column === 'email') {
        const name = foldedOf(source.columns.name!);
        conditions.push(sql`not coalesce(${name} >= ${prefix} and ${name} < ${prefixEnd(prefix)}, false)`);
      }
      if (Array.isArray(position)) conditions.push(sql`(${folded} > ${position[0]} or (${folded} = ${position[0]} and id > ${position[1]}))`);
      order = sql`${folded} asc, id asc`;
    }
    const statement = sql<DirectoryRow>`${select(source, sortValue)} where ${sql.join(conditions, sql` and `)} order by ${order} limit ${limit}`;
    return (await statement.execute(db)).rows;
  }

  function entryOf(source: Source, row: DirectoryRow): DirectoryEntry {
    return {
      id: row.id,
      surface: source.surface,
      kind: source.kind,
      mode: row.mode as Mode,
      name: row.name,
      email: row.email,
      externalReference: row.external_reference,
      status: row.status,
      createdAt: row.created_at,
    };
  }

  /** The probes a query reads: its surface's sources, those with the filtered status, by search or by time. */
  function probesOf(query: DirectoryQuery, search: string): Probe[] {
    const wanted = sources.filter((s) => (query.surface === undefined || s.surface === query.surface) && (query.status === undefined || s.status?.values.includes(query.status)));
    if (search === '') return wanted.map((source) => ({ source, by: 'time' as const }));
    return wanted.flatMap((source) => [
      { source, by: 'exact' as const, column: 'id' as const },
      ...(source.columns.external_reference ? [{ source, by: 'exact' as const, column: 'external_reference' as const }] : []),
      ...(['name', 'email'] as const).filter((c) => source.columns[c]).map((column) => ({ source, by: 'prefix' as const, column })),
    ]);
  }

  return {
    async list(tenantId, query) {
      const search = (query.search ?? '').trim();
      const fingerprint = JSON.stringify([search, query.surface ?? null, query.mode ?? null, query.status ?? null]);
      const state: CursorState = query.cursor ? decodeCursor(query.cursor, fingerprint) : { q: fingerprint, at: {} };
      const probes = probesOf(query, search).filter((p) => state.at[probeKey(p)] !== 0);
      const read = await Promise.all(probes.map((p) => readProbe(tenantId, p, query, search, state.at[probeKey(p)], query.limit + 1)));

      // One ordered stream: exact matches, then by the matched value (search), or newest first.
      const candidates = probes.flatMap((probe, i) => read[i]!.map((row) => ({ probe, row, time: creationTimeOfId(row.id) })));
      candidates.sort((x, y) => {
        const rank = Number(x.probe.by !== 'exact') - Number(y.probe.by !== 'exact');
        if (rank !== 0) return rank;
        if (x.probe.by === 'time') return y.time - x.time || compareText(y.row.id, x.row.id);
        return compareText(x.row.sort_value ?? '', y.row.sort_value ?? '') || compareText(x.row.id, y.row.id);
      });
      const entries: DirectoryEntry[] = [];
      const consumed = new Map<Probe, { count: number; last: DirectoryRow }>();
      for (const { probe, row } of candidates.slice(0, query.limit)) {
        consumed.set(probe, { count: (consumed.get(probe)?.count ?? 0) + 1, last: row });
        entries.push(entryOf(probe.source, row));
      }
      const at: Record<string, Position> = { ...state.at };
      probes.forEach((probe, i) => {
        const rows = read[i]!;
        const taken = consumed.get(probe);
        if ((taken?.count ?? 0) === rows.length) at[probeKey(probe)] = 0;
        else if (taken) at[probeKey(probe)] = probe.by === 'prefix' ? [taken.last.sort_value ?? '', taken.last.id] : taken.last.id;
      });
      const more = probes.some((p) => at[probeKey(p)] !== 0);
      return { entries, nextCursor: more ? encodeCursor({ q: fingerprint, at }) : null };
    },

    async find(tenantId, id) {
      const found = await Promise.all(
        sources.map(async (source) => (await sql<DirectoryRow>`${select(source, sql`null`)} where tenant_id = ${tenantId} and id = ${id}`.execute(db)).rows.map((row) => entryOf(source, row))),
      );
      const all = found.flat();
      return all.find((e) => e.mode === 'live') ?? all[0];
    },

    async ledger(scope, holderId, page) {
      let query = db.selectFrom('ledger_entries').selectAll().where('tenant_id', '=', scope.tenantId).where('holder_id', '=', holderId).where('mode', '=', scope.mode);
      if (page.currency !== undefined) query = query.where('currency', '=', page.currency);
      if (page.afterId !== undefined) query = query.where('id', '<', page.afterId);
      const rows = await query.orderBy('id', 'desc').limit(page.limit + 1).execute();
      return { items: rows.slice(0, page.limit).map(rowToLedgerEntry), hasMore: rows.length > page.limit };
    },

    async balanceHistory(scope, holderId, limit) {
      const balances = await this.balances(scope, holderId);
      const chains = await Promise.all(
        balances.map((b) =>
          db
            .selectFrom('ledger_entries')
            .selectAll()
            .where('tenant_id', '=', scope.tenantId)
            .where('holder_id', '=', holderId)
            .where('currency', '=', b.currency)
            .where('mode', '=', scope.mode)
            .orderBy('sequence', 'desc')
            .limit(limit)
            .execute(),
        ),
      );
      return chains.flatMap((rows) => rows.reverse().map(rowToLedgerEntry));
    },

    async balances(scope, holderId) {
      const rows = await db.selectFrom('balances').selectAll().where('tenant_id', '=', scope.tenantId).where('holder_id', '=', holderId).where('mode', '=', scope.mode).orderBy('currency').execute();
      return rows.map(rowToBalance);
    },
  };
}
