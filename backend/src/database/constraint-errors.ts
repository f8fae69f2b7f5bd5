import { QueryFailedError } from 'typeorm';

const driverError = (error: unknown) =>
  error instanceof QueryFailedError
    ? ((error.driverError ?? {}) as { code?: string; message?: string })
    : undefined;

/** A foreign key refused the statement: Postgres 23503; SQLite SQLITE_CONSTRAINT_FOREIGNKEY (or the message). */
export function isForeignKeyViolation(error: unknown): boolean {
  const driver = driverError(error);
  if (!driver) return false;
  return (
    driver.code === '23503' ||
    driver.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' ||
    /FOREIGN KEY constraint failed/.test(driver.message ?? (error as Error).message)
  );
}

/** A unique index refused the statement: Postgres 23505; SQLite SQLITE_CONSTRAINT_UNIQUE (or the message). */
export function isUniqueViolation(error: unknown): boolean {
  const driver = driverError(error);
  if (!driver) return false;
  return (
    driver.code === '23505' ||
    driver.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(driver.message ?? (error as Error).message)
  );
}
