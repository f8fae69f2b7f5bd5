import { detached } from '../clean/detached';
import type { EvaluationCell } from '../package/manifest';

/**
 * Actual vs predicted summed by (month, region): the one evaluation format of the platform (a package's
 * holdout, a batch job with actual prices, the monthly batch). Any filter on months and regions sums
 * cells into exact MAE, RMSE and MAPE. Memory grows with the number of (month, region) pairs, not rows.
 */
export class EvaluationCells {
  private readonly cells = new Map<string, EvaluationCell>();

  add(month: string, region: string, actual: number, predicted: number): void {
    if (!Number.isFinite(actual) || !Number.isFinite(predicted)) return;
    const key = `${month}\u0001${region}`;
    let cell = this.cells.get(key);
    if (!cell) {
      cell = {
        // Labels read from a CSV row are slices of its chunk: a cell keeps a copy, not the chunk.
        month: detached(month),
        region: detached(region),
        n: 0,
        sumActual: 0,
        sumPredicted: 0,
        sumAbsError: 0,
        sumSquaredError: 0,
        sumAbsPercentError: 0,
      };
      this.cells.set(key, cell);
    }
    const error = predicted - actual;
    cell.n++;
    cell.sumActual += actual;
    cell.sumPredicted += predicted;
    cell.sumAbsError += Math.abs(error);
    cell.sumSquaredError += error * error;
    cell.sumAbsPercentError += actual !== 0 ? Math.abs(error / actual) * 100 : 0;
  }

  get size(): number {
    return this.cells.size;
  }

  /** The cells, by month then region. */
  list(): EvaluationCell[] {
    return [...this.cells.values()].sort((a, b) =>
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
}

export interface CellMetrics {
  n: number;
  mae: number | null;
  rmse: number | null;
  /** Mean absolute percentage error, in percent. */
  mape: number | null;
  meanActual: number | null;
  meanPredicted: number | null;
}

/** Exact metrics of a set of cells (e.g. every cell, or those of one month or region). */
export function cellMetrics(cells: readonly EvaluationCell[]): CellMetrics {
  let n = 0;
  let abs = 0;
  let sq = 0;
  let pct = 0;
  let actual = 0;
  let predicted = 0;
  for (const c of cells) {
    n += c.n;
    abs += c.sumAbsError;
    sq += c.sumSquaredError;
    pct += c.sumAbsPercentError;
    actual += c.sumActual;
    predicted += c.sumPredicted;
  }
  if (n === 0) return { n, mae: null, rmse: null, mape: null, meanActual: null, meanPredicted: null };
  return {
    n,
    mae: abs / n,
    rmse: Math.sqrt(sq / n),
    mape: pct / n,
    meanActual: actual / n,
    meanPredicted: predicted / n,
  };
}
