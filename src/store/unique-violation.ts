/** SQLite and PostgreSQL report a unique-constraint violation differently. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Runs an insert, turning a unique violation into the core error `onDuplicate` builds. */
export async function insertUnique(insert: () => Promise<unknown>, onDuplicate: () => Error): Promise<void> {
  try {
    await insert();
  } catch (error) {
    throw isUniqueViolation(error) ? onDuplicate() : error;
  }
}
