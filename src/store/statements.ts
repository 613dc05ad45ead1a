import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type Dialect,
} from 'kysely';
import type { Database } from './database.js';
import type { DialectName } from './database.js';
import { forUpdate, type Session } from './row-locks.js';
import type { WriteSink } from './write-behind.js';

// Statement definitions: the store's hot keyed reads and its queued writes, each declared once
// in code (a module-level `const`), built with Kysely over the typed `Database` and compiled
// once per dialect on first use. A call supplies only its values. Building and compiling a
// Kysely query costs more CPU than SQLite takes to run a keyed read (docs/decisions.md).

export type TableName = keyof Database & string;
export type ColumnOf<T extends TableName> = keyof Database[T] & string;

/** A query compiled for a dialect, with the name PostgreSQL may keep it prepared under. */
export interface StatementQuery<R = unknown> extends CompiledQuery<R> {
  readonly preparedName?: string;
}

const compileOnly = (dialect: Omit<Dialect, 'createDriver'>): Kysely<Database> => new Kysely<Database>({ dialect: { ...dialect, createDriver: () => new DummyDriver() } });

/** Kysely instances that only build and compile (no connection): a definition compiles on these. */
const COMPILERS: Record<DialectName, Kysely<Database>> = {
  sqlite: compileOnly({ createAdapter: () => new SqliteAdapter(), createIntrospector: (db) => new SqliteIntrospector(db), createQueryCompiler: () => new SqliteQueryCompiler() }),
  postgres: compileOnly({ createAdapter: () => new PostgresAdapter(), createIntrospector: (db) => new PostgresIntrospector(db), createQueryCompiler: () => new PostgresQueryCompiler() }),
};

let definitions = 0;
/** Every unique constraint a write definition declares (a test checks them against the migrated schemas). */
const declaredConstraints: { table: string; name: string; primaryKey: boolean }[] = [];

/** The unique constraints the store maps to domain errors, with the tables they belong to. */
export function uniqueConstraintsDeclared(): readonly { table: string; name: string; primaryKey: boolean }[] {
  return declaredConstraints;
}

/** Compiles once per dialect, checking that the query's parameters are exactly the values it was built from, in order. */
function compileChecked(build: (db: Kysely<Database>) => { compile(): CompiledQuery }, dialect: DialectName, values: readonly unknown[], what: string): CompiledQuery {
  const compiled = build(COMPILERS[dialect]).compile();
  if (compiled.parameters.length !== values.length || compiled.parameters.some((value, i) => !Object.is(value, values[i]))) {
    throw new Error(`${what} compiled to ${compiled.parameters.length} parameters other than its ${values.length} values: ${compiled.sql}`);
  }
  return compiled;
}

/**
 * A read of one row by a whole primary key or unique constraint (`select * … where k1 = ? and …`),
 * and its locking variant (`for update` on PostgreSQL: row-locks.ts). Values come in `key` order.
 */
export class KeyedRead<T extends TableName> {
  private readonly compiled: Partial<Record<`${DialectName}/${'read' | 'lock'}`, CompiledQuery<Database[T]>>> = {};

  constructor(
    readonly table: T,
    readonly key: readonly ColumnOf<T>[],
  ) {}

  /** The query for `values`, compiled on the first call for this dialect and variant. */
  query(dialect: DialectName, locking: boolean, values: readonly unknown[]): CompiledQuery<Database[T]> {
    const slot = `${dialect}/${locking ? 'lock' : 'read'}` as const;
    let compiled = this.compiled[slot];
    if (compiled === undefined) {
      compiled = compileChecked(
        (db) => {
          // The table's own columns: Kysely's builder cannot follow a table chosen by a type parameter.
          let query = db.selectFrom(this.table as 'balances').selectAll();
          this.key.forEach((column, i) => (query = query.where(column as 'holder_id', '=', values[i] as string)));
          return locking ? forUpdate(query, dialect) : query;
        },
        dialect,
        values,
        `keyed read of ${this.table}`,
      ) as CompiledQuery<Database[T]>;
      this.compiled[slot] = compiled;
    }
    return { ...compiled, parameters: values };
  }
}

export function defineKeyedRead<T extends TableName>(table: T, key: readonly ColumnOf<T>[]): KeyedRead<T> {
  return new KeyedRead(table, key);
}

/**
 * What a unique constraint's violation means to the domain: the constraint's name as the
 * migrations create it on PostgreSQL (which reports it in the error), whether it is the table's
 * primary key (SQLite reports only that: SQLITE_CONSTRAINT_PRIMARYKEY or _UNIQUE), and the
 * domain error, made from the rejected row and the context its write was queued with.
 */
export interface UniqueConstraint<Row, Context> {
  name: string;
  primaryKey: boolean;
  error(row: Row, context: Context): Error;
}

/** A write nobody reads the result of: it can wait for the transaction's next read or its end. */
export interface PendingWrite {
  readonly statement: WriteDefinition<TableName, object, unknown>;
  readonly row: object;
  readonly context: unknown;
  /** For an update: the key of the row it changes (same-row updates are never merged into one statement). */
  readonly rowKey?: string;
}

/** An insert or an update, declared once; `write(row)` makes one queued write of it. */
export abstract class WriteDefinition<T extends TableName, Row extends object, Context> {
  /** Tells definitions apart (chains of writes are cached by their definitions' ids). */
  readonly id = ++definitions;
  /** PostgreSQL keeps it prepared under this name (one per definition, on every connection). */
  readonly name: string;
  private readonly compiled: Partial<Record<DialectName, CompiledQuery>> = {};
  protected columns: readonly string[] | undefined;
  readonly unique: readonly UniqueConstraint<Row, Context>[];

  constructor(
    readonly kind: 'insert' | 'update',
    readonly table: T,
    unique: readonly UniqueConstraint<Row, Context>[],
  ) {
    this.name = `subledger_${kind}_${table}_${this.id}`;
    // SQLite names no constraint: a write may declare at most its primary key and one other.
    for (const primaryKey of [true, false]) {
      if (unique.filter((u) => u.primaryKey === primaryKey).length > 1) throw new Error(`${this.name}: more than one ${primaryKey ? 'primary key' : 'unique constraint'} declared`);
    }
    this.unique = unique;
    for (const { name, primaryKey } of unique) declaredConstraints.push({ table, name, primaryKey });
  }

  write(row: Row, ...context: Context extends undefined ? [] : [Context]): PendingWrite {
    return { statement: this, row, context: context[0], rowKey: this.rowKeyOf(row) };
  }

  /** The compiled statement for `row` (compiled with the first row written on this dialect). */
  query(dialect: DialectName, row: object): CompiledQuery {
    let compiled = this.compiled[dialect];
    if (compiled === undefined) {
      // One column order for every dialect: parametersOf serves them all.
      const columns = (this.columns ??= this.columnsOf(row));
      compiled = compileChecked((db) => this.build(db, row, columns), dialect, this.parametersOf(row), this.name);
      this.compiled[dialect] = compiled;
    }
    return compiled;
  }

  /** `row`'s values in the compiled statement's parameter order. */
  parametersOf(row: object): unknown[] {
    this.readParameters ??= parameterReaderOf(this.name, this.columns!);
    return this.readParameters(row);
  }

  private readParameters: ((row: object) => unknown[]) | undefined;

  protected abstract columnsOf(row: object): readonly string[];
  protected abstract build(db: Kysely<Database>, row: object, columns: readonly string[]): { compile(): CompiledQuery };
  protected abstract rowKeyOf(row: Row): string | undefined;
}

class InsertDefinition<T extends TableName, Context> extends WriteDefinition<T, Database[T], Context> {
  protected columnsOf(row: object): readonly string[] {
    return Object.keys(row);
  }
  protected build(db: Kysely<Database>, row: object, columns: readonly string[]) {
    const values = row as Record<string, unknown>;
    return db.insertInto(this.table).values(Object.fromEntries(columns.map((c) => [c, values[c]])) as never);
  }
  protected rowKeyOf(): undefined {
    return undefined;
  }
}

/** At most this many narrowed variants per update definition (writeChanges); past them the whole update is written. */
const MAX_NARROWED = 64;

class UpdateDefinition<T extends TableName, S extends ColumnOf<T>, K extends ColumnOf<T>, Context> extends WriteDefinition<T, Pick<Database[T], S | K>, Context> {
  /** Variants that set only some of `set`, by the columns they set. */
  private readonly narrowed = new Map<string, UpdateDefinition<T, S, K, Context>>();

  constructor(
    table: T,
    private readonly set: readonly S[],
    private readonly key: readonly K[],
    unique: readonly UniqueConstraint<Pick<Database[T], S | K>, Context>[],
  ) {
    super('update', table, unique);
  }

  /**
   * The update of only those columns of `row` that differ from `before`, the row as this
   * transaction last read or wrote it; null when none does. An index none of whose columns is
   * set is then left alone: SQLite rewrites the entries of every index on a column the
   * statement sets, changed or not (an account's balance written with its whole row also
   * rewrote its reference, customer and name indexes: 39 against 13 µs, issue 25).
   * PostgreSQL compares indexed values itself: there it only shortens the statement. Without
   * `before`, every column is set.
   */
  writeChanges(row: Pick<Database[T], S | K>, before: Pick<Database[T], S | K> | undefined, ...context: Context extends undefined ? [] : [Context]): PendingWrite | null {
    if (before === undefined) return this.write(row, ...context);
    const values = row as Record<string, unknown>;
    const old = before as Record<string, unknown>;
    const changed = this.set.filter((column) => !sameValue(values[column], old[column]));
    if (changed.length === 0) return null;
    if (changed.length === this.set.length) return this.write(row, ...context);
    const signature = changed.join(',');
    let variant = this.narrowed.get(signature);
    if (variant === undefined) {
      if (this.narrowed.size >= MAX_NARROWED) return this.write(row, ...context);
      variant = new UpdateDefinition<T, S, K, Context>(this.table, changed, this.key, this.unique);
      this.narrowed.set(signature, variant);
    }
    return variant.write(row, ...context);
  }

  /** The row's key, as writeChanges' caller keeps the rows it compares with (RowsOfTransaction). */
  keyOf(row: Pick<Database[T], S | K>): string {
    return this.rowKeyOf(row);
  }

  protected columnsOf(): readonly string[] {
    return [...this.set, ...this.key];
  }
  protected build(db: Kysely<Database>, row: object) {
    const values = row as Record<string, unknown>;
    let query = db.updateTable(this.table as 'balances').set(Object.fromEntries(this.set.map((c) => [c, values[c]])));
    for (const column of this.key) query = query.where(column as 'holder_id', '=', values[column] as string);
    return query;
  }
  protected rowKeyOf(row: Pick<Database[T], S | K>): string {
    const values = row as Record<string, unknown>;
    return this.key.map((column) => String(values[column])).join('/');
  }
}

/**
 * A function that reads `columns` of a row, in order, into an array (a missing one throws).
 * Generated per definition, so that each property is read at a site of its own that only ever
 * sees this definition's rows: one loop reading every table's rows by column name went
 * megamorphic, V8's slowest property lookup (3% of a billing create's CPU in perf, issue 25).
 * The columns are the definition's own (names from our code, quoted with JSON.stringify).
 */
function parameterReaderOf(definition: string, columns: readonly string[]): (row: object) => unknown[] {
  const missing = (column: string): never => {
    throw new Error(`${definition}: no value for ${column}`);
  };
  const reads = columns.map((column, i) => `const v${i} = row[${JSON.stringify(column)}]; if (v${i} === undefined) missing(${JSON.stringify(column)});`);
  const body = `return function readParameters(row) { ${reads.join(' ')} return [${columns.map((_, i) => `v${i}`).join(', ')}]; };`;
  return new Function('missing', body)(missing) as (row: object) => unknown[];
}

/** Column values as the store keeps them: text, numbers, BigInt, null (bytes compared by content). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // A BigInt column may come back as a number from one driver and a BigInt from the other.
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) return BigInt(a) === BigInt(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return false;
}

/** `insert into <table> (<the row's columns>) values (…)`. */
export function defineInsert<T extends TableName, Context = undefined>(table: T, unique: readonly UniqueConstraint<Database[T], Context>[] = []): WriteDefinition<T, Database[T], Context> {
  return new InsertDefinition<T, Context>('insert', table, unique);
}

/** `update <table> set <set…> where <key…>`: one row, by its whole key. */
export function defineUpdate<T extends TableName, S extends ColumnOf<T>, K extends ColumnOf<T>, Context = undefined>(
  table: T,
  columns: { set: readonly S[]; key: readonly K[] },
  unique: readonly UniqueConstraint<Pick<Database[T], S | K>, Context>[] = [],
): UpdateStatement<T, S, K, Context> {
  return new UpdateDefinition<T, S, K, Context>(table, columns.set, columns.key, unique);
}

/** An update definition: `write` sets every column it names, `writeChanges` only those that changed. */
export type UpdateStatement<T extends TableName, S extends ColumnOf<T>, K extends ColumnOf<T>, Context = undefined> = Pick<UpdateDefinition<T, S, K, Context>, 'write' | 'writeChanges' | 'keyOf' | 'id' | 'name' | 'table' | 'kind'>;

/**
 * The rows of one table that a transaction read under their lock or wrote, by key, so that an
 * update sets only the columns that changed since (UpdateStatement.writeChanges). Made by a
 * repository, which lives as long as its transaction.
 */
export class RowsOfTransaction<T extends TableName, S extends ColumnOf<T>, K extends ColumnOf<T>> {
  private readonly rows = new Map<string, Pick<Database[T], S | K>>();

  constructor(
    private readonly update: UpdateStatement<T, S, K>,
    private readonly writes: WriteSink,
  ) {}

  /** Keeps a row as read under its lock; answers it. */
  read<R extends Pick<Database[T], S | K> | undefined>(row: R): R {
    if (row) this.rows.set(this.update.keyOf(row), row);
    return row;
  }

  /** Writes what of `row` differs from the row as last read or written (all of it when never read). */
  async write(row: Pick<Database[T], S | K>): Promise<void> {
    const key = this.update.keyOf(row);
    const write = this.update.writeChanges(row, this.rows.get(key));
    this.rows.set(key, row);
    if (write) await this.writes.write(write);
  }
}

/** The compiled query of one write, with its values and its prepared name. */
export function statementOf(write: PendingWrite, dialect: DialectName): StatementQuery {
  const compiled = write.statement.query(dialect, write.row);
  return { ...compiled, parameters: write.statement.parametersOf(write.row), preparedName: write.statement.name };
}

/** Reads the row `read` keys with `values`, and holds its write lock until the transaction ends. */
export async function lockRow<T extends TableName>(handle: Session, read: KeyedRead<T>, values: readonly unknown[]): Promise<Database[T] | undefined> {
  await handle.writes.beginTransaction();
  const { rows } = await handle.db.executeQuery(read.query(handle.dialect, true, values));
  return rows[0];
}

/** Reads the row `read` keys with `values` (no lock). */
export async function findRow<T extends TableName>(handle: Omit<Session, 'writes'>, read: KeyedRead<T>, values: readonly unknown[]): Promise<Database[T] | undefined> {
  const { rows } = await handle.db.executeQuery(read.query(handle.dialect, false, values));
  return rows[0];
}
