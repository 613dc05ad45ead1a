import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Page, PageRequest } from '../ledger/model.js';
import type { Database } from './database.js';

/**
 * The one pagination helper: newest first, by id. Ids carry their creation time, so id order
 * is creation order, and the index a list runs through is the one its keyed reads use
 * (billing's customers and accounts: their primary key; a holder's ledger entries: the
 * (holder, id) index); no listing index is written on every create. Reads limit + 1 rows to
 * know whether there is more.
 */
export async function keysetPage<DB extends Database, T extends keyof DB & string, Row, Item>(
  query: SelectQueryBuilder<DB, T, Row>,
  page: PageRequest,
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  const createdAt = sql.ref('created_at');
  const id = sql.ref('id');
  let q = query;
  if (page.createdGte !== undefined) q = q.where(sql<SqlBool>`${createdAt} >= ${page.createdGte}`);
  if (page.createdLte !== undefined) q = q.where(sql<SqlBool>`${createdAt} <= ${page.createdLte}`);
  if (page.idAtLeast !== undefined) q = q.where(sql<SqlBool>`${id} >= ${page.idAtLeast}`);
  if (page.idBelow !== undefined) q = q.where(sql<SqlBool>`${id} < ${page.idBelow}`);
  if (page.after) q = q.where(sql<SqlBool>`${id} < ${page.after.id}`);
  if (page.before) q = q.where(sql<SqlBool>`${id} > ${page.before.id}`);
  const backwards = page.before !== undefined;
  const rows = await q.orderBy(sql`${id} ${backwards ? sql`asc` : sql`desc`}`).limit(page.limit + 1).execute();
  const hasMore = rows.length > page.limit;
  const items = rows.slice(0, page.limit).map(toItem);
  if (backwards) items.reverse();
  return { items, hasMore };
}
