import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type pg from 'pg';
import { connectFailureOf, postgresFailureOf } from './driver-failures.js';
import type { StatementQuery } from './statements.js';

/**
 * Kysely's PostgreSQL dialect with our driver: a statement that carries a `preparedName` (our
 * statement definitions and their chains, statements.ts) runs as that named server-side prepared
 * statement, and a connection failure is reported as StoreUnavailable (driver-failures.ts).
 *
 * Parsing and planning a chain of six inserts costs PostgreSQL more than running it (pgbench:
 * ~2,800 tps unprepared against ~5,900 prepared). Only writes are named: they return no rows, so
 * a migration that changes a table cannot break a prepared write's result type.
 */
export function postgresDialect(pool: pg.Pool, connectTimeoutMs: number, serverAnswers: () => Promise<boolean>): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new PostgresStoreDriver(pool, connectTimeoutMs, serverAnswers),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}

class PostgresStoreDriver implements Driver {
  private readonly connections = new WeakMap<pg.PoolClient, PostgresStoreConnection>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectTimeoutMs: number,
    private readonly serverAnswers: () => Promise<boolean>,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const startedAt = performance.now();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw await postgresFailureOf(connectFailureOf(error, performance.now() - startedAt, this.connectTimeoutMs), this.serverAnswers);
    }
    let connection = this.connections.get(client);
    if (!connection) {
      connection = new PostgresStoreConnection(client, this.serverAnswers);
      this.connections.set(client, connection);
    }
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let text = settings.isolationLevel || settings.accessMode ? 'start transaction' : 'begin';
    if (settings.isolationLevel) text += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode) text += ` ${settings.accessMode}`;
    await connection.executeQuery(CompiledQuery.raw(text));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PostgresStoreConnection).client.release();
  }

  async destroy(): Promise<void> {
    await this.pool.end();
  }
}

const RESULT_COMMANDS: ReadonlySet<string> = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PostgresStoreConnection implements DatabaseConnection {
  constructor(
    readonly client: pg.PoolClient,
    private readonly serverAnswers: () => Promise<boolean>,
  ) {}

  async executeQuery<R>(query: StatementQuery<R>): Promise<QueryResult<R>> {
    let result: pg.QueryResult;
    try {
      const values = query.parameters as unknown[];
      result = await (query.preparedName ? this.client.query({ name: query.preparedName, text: query.sql, values }) : this.client.query(query.sql, values));
    } catch (error) {
      throw await postgresFailureOf(error, this.serverAnswers);
    }
    return {
      numAffectedRows: RESULT_COMMANDS.has(result.command) ? BigInt(result.rowCount ?? 0) : undefined,
      rows: (result.rows ?? []) as R[],
    };
  }

  streamQuery(): never {
    throw new Error('streaming queries are not supported');
  }
}
