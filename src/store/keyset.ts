import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Page, PageRequest } from '../core/model.js';
import type { Database } from './database.js';

type Listed = 'customers' | 'accounts' | 'ledger_entries';

/**
 * The one pagination helper: newest first by (created_at, id), a row-value comparison
 * against the cursor that both SQLite and PostgreSQL answer from the listing index.
 * Reads limit + 1 rows to know whether there is more.
 */
export async function keysetPage<T extends Listed, Row, Item>(
  query: SelectQueryBuilder<Database, T, Row>,
  page: PageRequest,
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  let q = query;
  if (page.createdGte !== undefined) q = q.where(sql<SqlBool>`created_at >= ${page.createdGte}`);
  if (page.createdLte !== undefined) q = q.where(sql<SqlBool>`created_at <= ${page.createdLte}`);
  const backwards = page.before !== undefined;
  if (page.after) q = q.where(sql<SqlBool>`(created_at, id) < (${page.after.createdAt}, ${page.after.id})`);
  if (page.before) q = q.where(sql<SqlBool>`(created_at, id) > (${page.before.createdAt}, ${page.before.id})`);
  const direction = backwards ? sql`asc` : sql`desc`;
  const rows = await q
    .orderBy(sql`created_at ${direction}`)
    .orderBy(sql`id ${direction}`)
    .limit(page.limit + 1)
    .execute();
  const hasMore = rows.length > page.limit;
  const items = rows.slice(0, page.limit).map(toItem);
  if (backwards) items.reverse();
  return { items, hasMore };
}
