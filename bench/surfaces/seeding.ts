import type { DirectConnection } from '../stores.js';
import type { Scope } from './surface.js';

// What every surface's scale section does the same way: run its seeding statements in one
// transaction, and count and sample the seeded table.

/** The same query on either store: `?` placeholders for SQLite, `$n` for PostgreSQL. */
export async function queryRows<T>(connection: DirectConnection, sqliteText: string, pgText: string, values: (string | number)[]): Promise<T[]> {
  if (connection.kind === 'sqlite') return connection.sqlite.prepare(sqliteText).all(...values) as T[];
  return (await connection.pg.query(pgText, values)).rows as T[];
}

/**
 * Runs a surface's seeding statements for rows from..to in one transaction; each statement takes
 * (tenant id, mode, from, to) as its four positional parameters.
 */
export async function runSeedStatements(connection: DirectConnection, scope: Scope, from: number, to: number, statementsOf: (kind: 'sqlite' | 'postgres') => string[]): Promise<void> {
  if (connection.kind === 'sqlite') {
    const statements = statementsOf('sqlite').map((text) => connection.sqlite.prepare(text));
    connection.sqlite.transaction(() => {
      for (const statement of statements) statement.run(scope.tenantId, scope.mode, from, to);
    })();
    return;
  }
  await connection.pg.query('begin');
  try {
    for (const text of statementsOf('postgres')) await connection.pg.query(text, [scope.tenantId, scope.mode, from, to]);
    await connection.pg.query('commit');
  } catch (error) {
    await connection.pg.query('rollback').catch(() => {});
    throw error;
  }
}

/** `count` and `sampleIds` of a scale section whose seeded rows are `table`'s (keyed by tenant_id, mode, id). */
export function sampledTable(table: string) {
  return {
    async count(connection: DirectConnection, scope: Scope): Promise<number> {
      const [row] = await queryRows<{ n: number | string }>(
        connection,
        `select count(*) as n from ${table} where tenant_id = ? and mode = ?`,
        `select count(*) as n from ${table} where tenant_id = $1 and mode = $2`,
        [scope.tenantId, scope.mode],
      );
      return Number(row!.n);
    },
    async sampleIds(connection: DirectConnection, scope: Scope, size: number): Promise<string[]> {
      const rows = await queryRows<{ id: string }>(
        connection,
        `select id from ${table} where tenant_id = ? and mode = ? order by random() limit ?`,
        `select id from ${table} where tenant_id = $1 and mode = $2 order by random() limit $3`,
        [scope.tenantId, scope.mode, size],
      );
      return rows.map((row) => row.id);
    },
  };
}
