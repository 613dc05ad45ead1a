import { sql, type Kysely } from 'kysely';
import type { StoreKind } from '../support/stores.js';

/**
 * Row counts and committed changes per table, kept by triggers in the test database: reading
 * them is one query, however many rows the tables hold. (The fuzzer read every row of every
 * watched table before and after each request, which made it quadratic: most of its minutes.)
 *
 * Each watched table gets triggers that, in the writing transaction, add to its row count on
 * INSERT and DELETE and to its change count on INSERT, DELETE and on an UPDATE that changes a
 * watched column (all columns unless named). A rolled-back transaction rolls its counts back
 * with it, so equal counts before and after a request mean it committed no change to a watched
 * column of any watched table.
 */
export interface WatchedTable {
  name: string;
  /** Columns whose change counts; `'all'`: every column; `'none'`: inserts and deletes only. */
  columns: readonly string[] | 'all' | 'none';
}

export interface TableCounts {
  rows: Record<string, number>;
  changes: Record<string, number>;
}

const COUNTER_TABLE = 'test_change_counts';
const identifier = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier: ${name}`);
  return name;
};

export async function installChangeCounters(db: Kysely<any>, kind: StoreKind, tables: readonly WatchedTable[]): Promise<void> {
  const run = (text: string) => sql.raw(text).execute(db);
  await run(`CREATE TABLE ${COUNTER_TABLE} (table_name TEXT PRIMARY KEY, row_count BIGINT NOT NULL, changes BIGINT NOT NULL)`);
  if (kind === 'postgres') {
    await run(`CREATE FUNCTION ${COUNTER_TABLE}_count() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE ${COUNTER_TABLE}
           SET row_count = row_count + CASE TG_OP WHEN 'INSERT' THEN 1 WHEN 'DELETE' THEN -1 ELSE 0 END,
               changes = changes + 1
         WHERE table_name = TG_TABLE_NAME;
        RETURN NULL;
      END $$`);
  }
  for (const table of tables) {
    const name = identifier(table.name);
    await run(`INSERT INTO ${COUNTER_TABLE} (table_name, row_count, changes) SELECT '${name}', COUNT(*), 0 FROM ${name}`);
    if (kind === 'postgres') {
      await run(`CREATE TRIGGER ${name}_counted AFTER INSERT OR DELETE ON ${name} FOR EACH ROW EXECUTE FUNCTION ${COUNTER_TABLE}_count()`);
      if (table.columns === 'none') continue;
      const differs = table.columns === 'all' ? 'OLD.* IS DISTINCT FROM NEW.*' : table.columns.map((c) => `OLD.${identifier(c)} IS DISTINCT FROM NEW.${identifier(c)}`).join(' OR ');
      await run(`CREATE TRIGGER ${name}_changed AFTER UPDATE ON ${name} FOR EACH ROW WHEN (${differs}) EXECUTE FUNCTION ${COUNTER_TABLE}_count()`);
    } else {
      for (const [event, delta] of [['INSERT', 1], ['DELETE', -1]] as const) {
        await run(`CREATE TRIGGER ${name}_counted_${event.toLowerCase()} AFTER ${event} ON ${name} BEGIN
          UPDATE ${COUNTER_TABLE} SET row_count = row_count + ${delta}, changes = changes + 1 WHERE table_name = '${name}'; END`);
      }
      if (table.columns === 'none') continue;
      const columns = table.columns === 'all' ? (await sql<{ name: string }>`SELECT name FROM pragma_table_info(${name})`.execute(db)).rows.map((c) => c.name) : table.columns;
      const differs = columns.map((c) => `OLD.${identifier(c)} IS NOT NEW.${identifier(c)}`).join(' OR ');
      await run(`CREATE TRIGGER ${name}_changed AFTER UPDATE ON ${name} WHEN ${differs} BEGIN
        UPDATE ${COUNTER_TABLE} SET changes = changes + 1 WHERE table_name = '${name}'; END`);
    }
  }
}

export async function readChangeCounters(db: Kysely<any>): Promise<TableCounts> {
  const { rows } = await sql<{ table_name: string; row_count: number | string | bigint; changes: number | string | bigint }>`SELECT table_name, row_count, changes FROM ${sql.table(COUNTER_TABLE)} ORDER BY table_name`.execute(db);
  const counts: TableCounts = { rows: {}, changes: {} };
  for (const row of rows) {
    counts.rows[row.table_name] = Number(row.row_count);
    counts.changes[row.table_name] = Number(row.changes);
  }
  return counts;
}
