import type { CompiledQuery, Compilable, Kysely, QueryResult } from 'kysely';
import type { Database } from './database.js';
import type { DialectName } from './dialects.js';

/** Stands for the n-th parameter while a precompiled query is built. */
export type Placeholder = (n: number) => string;

/**
 * A query that is built and compiled once per dialect; each call supplies only its parameters.
 * Building and compiling a Kysely query costs more than SQLite takes to run a keyed read, and
 * the hottest reads (an object by id) run on every request.
 */
export function precompiled<R>(build: (db: Kysely<Database>, p: Placeholder) => Compilable<R>) {
  const compiled = new Map<DialectName, CompiledQuery<R>>();
  return (db: Kysely<Database>, dialect: DialectName, parameters: readonly unknown[]): Promise<QueryResult<R>> => {
    let query = compiled.get(dialect);
    if (!query) {
      query = build(db, placeholder).compile();
      // The query's parameters must be exactly the placeholders, in order, or calls would misplace values.
      const expected = parameters.map((_, i) => placeholder(i));
      if (query.parameters.length !== expected.length || query.parameters.some((value, i) => value !== expected[i])) {
        throw new Error(`precompiled query takes ${JSON.stringify(query.parameters)}, not ${JSON.stringify(expected)}: ${query.sql}`);
      }
      compiled.set(dialect, query);
    }
    return db.executeQuery<R>({ ...query, parameters });
  };
}

const placeholder: Placeholder = (n) => `\u0000parameter ${n}`;
