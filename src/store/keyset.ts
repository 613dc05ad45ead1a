import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { ListCursor, Page, PageRequest } from '../core/model.js';
import type { Database } from './database.js';

/**
 * The one pagination helper: newest first, by (created_at, id) for objects (a row-value
 * comparison both SQLite and PostgreSQL answer from the listing index) or by id alone for a
 * holder's ledger entries (time-ordered ids; the (holder, id) index). Reads limit + 1 rows to
 * know whether there is more.
 */
export async function keysetPage<DB extends Database, T extends keyof DB & string, Row, Item>(
  query: SelectQueryBuilder<DB, T, Row>,
  page: PageRequest,
  toItem: (row: Row) => Item,
  order: 'created' | 'id' = 'created',
): Promise<Page<Item>> {
  const createdAt = sql.ref('created_at');
  const id = sql.ref('id');
  let q = query;
  if (page.createdGte !== undefined) q = q.where(sql<SqlBool>`${createdAt} >= ${page.createdGte}`);
  if (page.createdLte !== undefined) q = q.where(sql<SqlBool>`${createdAt} <= ${page.createdLte}`);
  const backwards = page.before !== undefined;
  const position = order === 'id' ? id : sql`(${createdAt}, ${id})`;
  const value = (cursor: ListCursor) => (order === 'id' ? sql`${cursor.id}` : sql`(${cursor.createdAt}, ${cursor.id})`);
  if (page.after) q = q.where(sql<SqlBool>`${position} < ${value(page.after)}`);
  if (page.before) q = q.where(sql<SqlBool>`${position} > ${value(page.before)}`);
  const direction = backwards ? sql`asc` : sql`desc`;
  const sorted = order === 'id' ? q.orderBy(sql`${id} ${direction}`) : q.orderBy(sql`${createdAt} ${direction}`).orderBy(sql`${id} ${direction}`);
  const rows = await sorted.limit(page.limit + 1).execute();
  const hasMore = rows.length > page.limit;
  const items = rows.slice(0, page.limit).map(toItem);
  if (backwards) items.reverse();
  return { items, hasMore };
}
