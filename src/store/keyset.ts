import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { ListCursor, Page, PageRequest } from '../core/model.js';
import type { Database } from './database.js';

type Listed = 'customers' | 'accounts' | 'ledger_entries';

/**
 * The one pagination helper: newest first, by (created_at, id) for objects (a row-value
 * comparison both SQLite and PostgreSQL answer from the listing index) or by a holder's
 * ledger `sequence`. Reads limit + 1 rows to know whether there is more.
 */
export async function keysetPage<T extends Listed, Row, Item>(
  query: SelectQueryBuilder<Database, T, Row>,
  page: PageRequest,
  toItem: (row: Row) => Item,
  order: 'created' | 'sequence' = 'created',
): Promise<Page<Item>> {
  let q = query;
  if (page.createdGte !== undefined) q = q.where(sql<SqlBool>`created_at >= ${page.createdGte}`);
  if (page.createdLte !== undefined) q = q.where(sql<SqlBool>`created_at <= ${page.createdLte}`);
  const backwards = page.before !== undefined;
  const position = order === 'sequence' ? sql`sequence` : sql`(created_at, id)`;
  const value = (cursor: ListCursor) =>
    order === 'sequence' ? sql`${cursor.sequence ?? 0}` : sql`(${cursor.createdAt}, ${cursor.id})`;
  if (page.after) q = q.where(sql<SqlBool>`${position} < ${value(page.after)}`);
  if (page.before) q = q.where(sql<SqlBool>`${position} > ${value(page.before)}`);
  const direction = backwards ? sql`asc` : sql`desc`;
  const sorted = order === 'sequence' ? q.orderBy(sql`sequence ${direction}`) : q.orderBy(sql`created_at ${direction}`).orderBy(sql`id ${direction}`);
  const rows = await sorted.limit(page.limit + 1).execute();
  const hasMore = rows.length > page.limit;
  const items = rows.slice(0, page.limit).map(toItem);
  if (backwards) items.reverse();
  return { items, hasMore };
}
