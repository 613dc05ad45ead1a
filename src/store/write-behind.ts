import { CompiledQuery, PostgresQueryCompiler, type DatabaseConnection, type QueryResult } from 'kysely';
import type { DialectName } from './database.js';
import { statementOf, type PendingWrite, type StatementQuery } from './statements.js';
import { domainErrorOf } from './unique-violation.js';

export type { PendingWrite };

/** Where repositories send their writes. */
export interface WriteSink {
  write(write: PendingWrite): Promise<void>;
  /** A locking read follows: the transaction must have begun (no-op outside a transaction). */
  beginTransaction(): Promise<void>;
}

/** How a unit of work begins, commits and rolls back on its connection. */
export interface UnitProtocol {
  dialect: DialectName;
  begin: CompiledQuery[];
  commit: CompiledQuery[];
  rollback: CompiledQuery[];
}

export const POSTGRES_TRANSACTION: UnitProtocol = {
  dialect: 'postgres',
  begin: [CompiledQuery.raw('begin')],
  commit: [CompiledQuery.raw('commit')],
  rollback: [CompiledQuery.raw('rollback')],
};

/** A unit of an SQLite group commit: a savepoint inside the batch's transaction. */
export const SQLITE_UNIT: UnitProtocol = {
  dialect: 'sqlite',
  begin: [CompiledQuery.raw('savepoint unit_of_work')],
  commit: [CompiledQuery.raw('release unit_of_work')],
  rollback: [CompiledQuery.raw('rollback to unit_of_work'), CompiledQuery.raw('release unit_of_work')],
};

/**
 * One transaction's connection, with its writes held back ("write-behind").
 *
 * Inserts and updates whose results the command does not read are queued and sent together
 * just before the transaction's next read, or at its end. On PostgreSQL they go as one
 * statement (a chain of data-modifying CTEs), so a create that only inserts costs one round
 * trip and needs no BEGIN/COMMIT at all: a single statement is atomic by itself. The
 * transaction is begun lazily, by the first statement that needs one (a write, a locking read
 * announced by beginTransaction, or a read after writes); plain reads before that see committed data exactly as they would
 * in a READ COMMITTED transaction. On SQLite the unit is a savepoint of the group commit.
 *
 * Writes are statement definitions (statements.ts): Kysely-compiled once per dialect, each
 * call supplying only values. A unique violation raised by a queued write is reported as the
 * domain error its definition declares for the violated constraint (unique-violation.ts), when
 * the statement that ran it finishes (at the latest when the transaction commits).
 */
export class WriteBehindConnection implements DatabaseConnection, WriteSink {
  private pending: PendingWrite[] = [];
  private begun = false;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly inner: DatabaseConnection,
    private readonly protocol: UnitProtocol,
  ) {}

  write(write: PendingWrite): Promise<void> {
    // Two changes of one row in one statement would be applied only once by PostgreSQL: send
    // the earlier one first. (A transfer's two balances are different rows: they can share one.)
    const sameRow = (p: PendingWrite) => p.statement.table === write.statement.table && (write.rowKey === undefined || p.rowKey === undefined || p.rowKey === write.rowKey);
    if (write.statement.kind === 'update' && this.pending.some(sameRow)) {
      return this.serialized(async () => {
        await this.flush(true);
        this.pending.push(write);
      });
    }
    this.pending.push(write);
    return Promise.resolve();
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.serialized(async () => {
      if (this.pending.length > 0) await this.flush(true);
      // Plain reads before the first write see committed data, as they would inside a READ
      // COMMITTED transaction; a locking read says so first (beginTransaction).
      if (query.query.kind !== 'SelectQueryNode') await this.begin();
      return this.inner.executeQuery<R>(query);
    });
  }

  beginTransaction(): Promise<void> {
    return this.serialized(() => this.begin());
  }

  streamQuery(): never {
    throw new Error('streaming queries are not supported inside a transaction');
  }

  /** Sends what is queued and ends the transaction. @throws the first failing write's error */
  commit(): Promise<void> {
    return this.serialized(async () => {
      if (!this.begun) {
        // One statement is atomic by itself: no transaction needed.
        if (this.statementsFor(this.pending) <= 1) return this.flush(false);
        await this.begin();
      }
      await this.flush(false);
      for (const query of this.protocol.commit) await this.inner.executeQuery(query);
    });
  }

  rollback(): Promise<void> {
    this.pending = [];
    return this.serialized(async () => {
      if (!this.begun) return;
      this.begun = false;
      for (const query of this.protocol.rollback) await this.inner.executeQuery(query);
    });
  }

  private async begin(): Promise<void> {
    if (this.begun) return;
    this.begun = true;
    for (const query of this.protocol.begin) await this.inner.executeQuery(query);
  }

  private statementsFor(writes: PendingWrite[]): number {
    if (writes.length === 0) return 0;
    return this.protocol.dialect === 'postgres' ? 1 : writes.length;
  }

  /** `continuing`: more statements follow in this transaction, so it must be begun first. */
  private async flush(continuing: boolean): Promise<void> {
    const writes = this.pending;
    if (writes.length === 0) return;
    this.pending = [];
    if (continuing) await this.begin();
    if (this.protocol.dialect === 'sqlite') {
      for (const write of writes) await runWrite(this.inner, 'sqlite', [write]);
    } else {
      await runWrite(this.inner, 'postgres', writes);
    }
  }

  /** Statements of one transaction go one at a time, as on Kysely's own transaction connection. */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.busy.then(work);
    this.busy = result.catch(() => {});
    return result;
  }
}

/** Writes at once, outside any transaction of ours (the store's non-transactional side). */
export class ImmediateWrites implements WriteSink {
  constructor(
    private readonly execute: (query: CompiledQuery) => Promise<unknown>,
    private readonly dialect: DialectName,
  ) {}

  async write(write: PendingWrite): Promise<void> {
    await runWrite({ executeQuery: this.execute } as DatabaseConnection, this.dialect, [write]);
  }

  async beginTransaction(): Promise<void> {}
}

/** Runs `writes` as one statement (several only on PostgreSQL, as a CTE chain). */
async function runWrite(connection: DatabaseConnection, dialect: DialectName, writes: PendingWrite[]): Promise<void> {
  const query = writes.length === 1 ? statementOf(writes[0]!, dialect) : chainOf(writes);
  try {
    await connection.executeQuery(query);
  } catch (error) {
    throw domainErrorOf(error, writes) ?? error;
  }
}

/** Compiles a query's node again with its parameters numbered from `$first` (a write inside a chain). */
class ChainedPartCompiler extends PostgresQueryCompiler {
  constructor(private readonly first: number) {
    super();
  }
  protected override getCurrentParameterPlaceholder(): string {
    return `$${this.numParameters + this.first - 1}`;
  }
}

/** At most this many chain shapes are kept, each with its PostgreSQL prepared statement. */
const MAX_CHAINS = 1000;
const chains = new Map<string, { sql: string; name: string }>();

/**
 * Several writes as one PostgreSQL statement: `with w0 as (…), w1 as (…) <last>`, assembled
 * from the writes' compiled queries. Its text and prepared name are kept per sequence of write
 * definitions (one per kind of command).
 */
function chainOf(writes: PendingWrite[]): StatementQuery {
  const shape = writes.map((w) => w.statement.id).join(',');
  let chain = chains.get(shape);
  if (chain === undefined) {
    const parts: string[] = [];
    let first = 1;
    for (const write of writes) {
      const compiled = write.statement.query('postgres', write.row);
      parts.push(new ChainedPartCompiler(first).compileQuery(compiled.query, compiled.queryId).sql);
      first += compiled.parameters.length;
    }
    const last = parts.pop()!;
    chain = { sql: `with ${parts.map((part, i) => `w${i} as (${part})`).join(', ')} ${last}`, name: `subledger_chain_${chains.size + 1}` };
    // Shapes are few (one per kind of command); a pathological caller must not grow this forever.
    if (chains.size < MAX_CHAINS) chains.set(shape, chain);
    else chain = { sql: chain.sql, name: '' };
  }
  const parameters: unknown[] = [];
  for (const write of writes) for (const value of write.statement.parametersOf(write.row)) parameters.push(value);
  const query = CompiledQuery.raw(chain.sql, parameters);
  return chain.name ? { ...query, preparedName: chain.name } : query;
}
