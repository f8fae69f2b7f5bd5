import type { ErrorMetrics, EvaluationSummary } from './batch-evaluation.entity';

/** Running sums for one group of rows with actual prices. */
class ErrorSums {
  n = 0;
  sumAbs = 0;
  sumSq = 0;
  sumActual = 0;
  sumPredicted = 0;
  pctN = 0;
  sumAbsPct = 0;
  sumPct = 0;

  add(actual: number, predicted: number): void {
    const error = predicted - actual;
    this.n++;
    this.sumAbs += Math.abs(error);
    this.sumSq += error * error;
    this.sumActual += actual;
    this.sumPredicted += predicted;
    if (actual !== 0) {
      this.pctN++;
      this.sumAbsPct += Math.abs(error / actual);
      this.sumPct += error / actual;
    }
  }

  metrics(): ErrorMetrics {
    const n = Math.max(1, this.n);
    const pctN = Math.max(1, this.pctN);
    return {
      n: this.n,
      mae: this.sumAbs / n,
      rmse: Math.sqrt(this.sumSq / n),
      mape: (100 * this.sumAbsPct) / pctN,
      meanPctError: (100 * this.sumPct) / pctN,
      meanActual: this.sumActual / n,
      meanPredicted: this.sumPredicted / n,
    };
  }
}

/**
 * Actual vs predicted aggregated overall, by month and by region, in constant memory per group:
 * MAE, RMSE, mean absolute % error and mean signed % error (bias). Rows without an actual price are
 * not counted.
 */
export class EvaluationAccumulator {
  private readonly overall = new ErrorSums();
  private readonly months = new Map<string, ErrorSums>();
  private readonly regions = new Map<string, ErrorSums>();

  add(month: string, region: string | undefined, actual: number, predicted: number): void {
    if (!Number.isFinite(actual) || !Number.isFinite(predicted)) return;
    this.overall.add(actual, predicted);
    let m = this.months.get(month);
    if (!m) this.months.set(month, (m = new ErrorSums()));
    m.add(actual, predicted);
    if (region !== undefined) {
      let r = this.regions.get(region);
      if (!r) this.regions.set(region, (r = new ErrorSums()));
      r.add(actual, predicted);
    }
  }

  get rows(): number {
    return this.overall.n;
  }

  summary(dateColumn: string, regionColumn: string | null): EvaluationSummary {
    const sorted = <T>(map: Map<string, T>) =>
      [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      dateColumn,
      regionColumn,
      overall: this.overall.metrics(),
      byMonth: sorted(this.months).map(([month, sums]) => ({ month, ...sums.metrics() })),
      byRegion: sorted(this.regions).map(([region, sums]) => ({ region, ...sums.metrics() })),
    };
  }
}
