import type { PendingWrite } from './statements.js';

/** SQLite and PostgreSQL report a unique-constraint violation differently. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * The domain error a unique violation raised by `writes` (one statement) means, or undefined
 * when no write declares the violated constraint (the driver's error then stands).
 *
 * PostgreSQL names the constraint (`error.constraint`: the name the migrations gave it). SQLite
 * names none, but runs one write per statement, so the write is known, and its code says
 * whether the primary key or the write's one other declared constraint was violated. When one
 * PostgreSQL statement holds several writes declaring the same constraint, the first is
 * reported (the error does not say which row collided, and no message is parsed).
 */
export function domainErrorOf(error: unknown, writes: readonly PendingWrite[]): Error | undefined {
  if (!isUniqueViolation(error)) return undefined;
  const failure = error as { code: string; constraint?: unknown };
  for (const write of writes) {
    const constraint = write.statement.unique.find((u) =>
      failure.code === '23505' ? u.name === failure.constraint : writes.length === 1 && u.primaryKey === (failure.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'),
    );
    if (constraint) return constraint.error(write.row, write.context);
  }
  return undefined;
}
