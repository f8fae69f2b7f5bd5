import type { EvaluationCell } from '@housing/ml';

/** Adds up evaluation cells of the same (month, region) from several parts (a job's shards). */
export function mergeCells(parts: ReadonlyArray<readonly EvaluationCell[]>): EvaluationCell[] {
  const merged = new Map<string, EvaluationCell>();
  for (const cells of parts)
    for (const cell of cells) {
      const key = `${cell.month}\u0001${cell.region}`;
      const into = merged.get(key);
      if (!into) {
        merged.set(key, { ...cell });
        continue;
      }
      into.n += cell.n;
      into.sumActual += cell.sumActual;
      into.sumPredicted += cell.sumPredicted;
      into.sumAbsError += cell.sumAbsError;
      into.sumSquaredError += cell.sumSquaredError;
      into.sumAbsPercentError += cell.sumAbsPercentError;
    }
  return [...merged.values()].sort((a, b) =>
    a.month !== b.month
      ? a.month < b.month
        ? -1
        : 1
      : a.region < b.region
        ? -1
        : a.region > b.region
          ? 1
          : 0,
  );
}
