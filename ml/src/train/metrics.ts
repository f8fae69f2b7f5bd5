import type { Metrics } from '../package/manifest';

/** MAE, RMSE, R² and MAPE (percent; rows with a zero actual are left out of MAPE). */
export function regressionMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): Metrics {
  const n = actual.length;
  let sumAbs = 0;
  let sumSq = 0;
  let sumPct = 0;
  let pctRows = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i]!;
  mean /= Math.max(1, n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const err = predicted[i]! - actual[i]!;
    sumAbs += Math.abs(err);
    sumSq += err * err;
    total += (actual[i]! - mean) ** 2;
    if (actual[i] !== 0) {
      sumPct += Math.abs(err / actual[i]!);
      pctRows++;
    }
  }
  return {
    mae: sumAbs / Math.max(1, n),
    rmse: Math.sqrt(sumSq / Math.max(1, n)),
    r2: total > 0 ? 1 - sumSq / total : 0,
    mape: (100 * sumPct) / Math.max(1, pctRows),
    rows: n,
  };
}
