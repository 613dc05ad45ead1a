import { CompiledQuery, type DatabaseConnection, type QueryResult } from 'kysely';
import type { DialectName } from './dialects.js';
import { isUniqueViolation } from './unique-violation.js';

/**
 * The text of one parameterized write, generated once per table and column list. Identifiers
 * come from our own code, never from a request; values are always parameters.
 */
export class WriteStatement {
  private readonly texts = new Map<string, string>();

  private constructor(
    readonly kind: 'insert' | 'update',
    readonly table: string,
    readonly parameterCount: number,
    private readonly render: (placeholder: (i: number) => string) => string,
  ) {}

  static insert(table: string, columns: readonly string[]): WriteStatement {
    return new WriteStatement('insert', table, columns.length, (p) =>
      `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values (${columns.map((_, i) => p(i)).join(', ')})`,
    );
  }

  /** `update table set <set…> where <key…> = …`: values are the set values, then the key values. */
  static update(table: string, setColumns: readonly string[], keyColumns: readonly string[]): WriteStatement {
    return new WriteStatement('update', table, setColumns.length + keyColumns.length, (p) => {
      const sets = setColumns.map((c, i) => `${quote(c)} = ${p(i)}`).join(', ');
      const keys = keyColumns.map((c, i) => `${quote(c)} = ${p(setColumns.length + i)}`).join(' and ');
      return `update ${quote(table)} set ${sets} where ${keys}`;
    });
  }

  /** Tells statements apart in the cache of multi-write texts. */
  readonly id = nextStatementId++;

  /** The text for `dialect`, its parameters numbered from `first` (PostgreSQL's `$n`). */
  text(dialect: DialectName, first = 1): string {
    const cacheKey = dialect === 'sqlite' ? 's' : String(first);
    let text = this.texts.get(cacheKey);
    if (text === undefined) {
      text = this.render(dialect === 'sqlite' ? () => '?' : (i) => `$${first + i}`);
      this.texts.set(cacheKey, text);
      if (dialect === 'postgres' && first === 1) namePreparable(text);
    }
    return text;
  }
}

let nextStatementId = 0;

/** At most this many write texts get a server-side prepared statement (per connection). */
const MAX_PREPARED = 1000;
const preparedNames = new Map<string, string>();

function namePreparable(text: string): void {
  if (preparedNames.size < MAX_PREPARED && !preparedNames.has(text)) preparedNames.set(text, `subledger_write_${preparedNames.size}`);
}

/**
 * The name under which PostgreSQL may keep `text` prepared, if it is one of our generated
 * writes. Parsing and planning a chain of six inserts costs PostgreSQL more than running it
 * (pgbench: ~2,800 tps unprepared against ~5,900 prepared); a write returns no rows, so a
 * migration that changes a table cannot break a prepared write's result type.
 */
export function preparedWriteName(text: string): string | undefined {
  return preparedNames.get(text);
}

const quote = (identifier: string) => `"${identifier}"`;

/** A write nobody reads the result of: it can wait for the transaction's next read or its end. */
export interface PendingWrite {
  statement: WriteStatement;
  values: readonly unknown[];
  /** The core error a unique violation of this write means (otherwise the database's error). */
  onUniqueViolation?: () => Error;
  /** For an update: the key of the row it changes (absent: it may change any row of its table). */
  rowKey?: string;
}

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
 * A unique violation raised by a queued write is reported as that write's own core error,
 * when the statement that ran it finishes (at the latest when the transaction commits).
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
  let text: string;
  let values: unknown[];
  if (writes.length === 1) {
    text = writes[0]!.statement.text(dialect);
    values = writes[0]!.values as unknown[];
  } else {
    values = [];
    for (const write of writes) for (const value of write.values) values.push(value);
    text = chainText(writes.map((w) => w.statement));
  }
  try {
    await connection.executeQuery(CompiledQuery.raw(text, values));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // One write per statement on SQLite; PostgreSQL names the table in the error's own field.
    const table = writes.length === 1 ? writes[0]!.statement.table : (error as { table?: string }).table;
    const culprit = writes.find((w) => w.statement.table === table && w.onUniqueViolation);
    throw culprit?.onUniqueViolation ? culprit.onUniqueViolation() : error;
  }
}

const chainTexts = new Map<string, string>();

/** Several writes as one PostgreSQL statement: `with w0 as (…), w1 as (…) <last>`. */
function chainText(statements: WriteStatement[]): string {
  const cacheKey = statements.map((s) => s.id).join(',');
  let text = chainTexts.get(cacheKey);
  if (text === undefined) {
    const parts: string[] = [];
    let first = 1;
    for (const statement of statements) {
      parts.push(statement.text('postgres', first));
      first += statement.parameterCount;
    }
    const last = parts.pop()!;
    text = `with ${parts.map((part, i) => `w${i} as (${part})`).join(', ')} ${last}`;
    // Shapes are few (one per kind of command); a pathological caller must not grow this forever.
    if (chainTexts.size < MAX_PREPARED) chainTexts.set(cacheKey, text);
    namePreparable(text);
  }
  return text;
}

const insertStatements = new Map<string, WriteStatement>();

/** The insert of `row` into `table`, its statement made once per table and column list. */
export function insertOf(table: string, row: object): PendingWrite {
  const columns = Object.keys(row);
  const cacheKey = `${table}(${columns.join(',')})`;
  let statement = insertStatements.get(cacheKey);
  if (!statement) {
    statement = WriteStatement.insert(table, columns);
    insertStatements.set(cacheKey, statement);
  }
  return { statement, values: Object.values(row) };
}
