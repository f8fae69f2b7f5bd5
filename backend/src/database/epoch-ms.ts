/**
 * Timestamps are stored as epoch milliseconds in `bigint` columns, the same on SQLite and Postgres;
 * Postgres hands bigints back as strings, so they are read back as numbers here.
 */
export const epochMs = { to: (v: number) => v, from: (v: string | number) => Number(v) };

export const nullableEpochMs = {
  to: (v: number | null | undefined) => v ?? null,
  from: (v: string | number | null) => (v === null ? null : Number(v)),
};
