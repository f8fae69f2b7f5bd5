import type { PreparedDataset } from '../dataset/prepare';
import { HOLDOUT } from '../dataset/split';
import { formatDate } from '../clean/values';
import type { EvaluationCell, ModelEvaluation } from '../package/manifest';

const MAX_POINTS = 2000;

/** Month (YYYY-MM) and region of each row, for aggregating evaluations. */
export function rowLabels(data: PreparedDataset): {
  month: (i: number) => string;
  region: (i: number) => string;
} {
  const dateColumn = data.spec.columns.find((c) => c.role === 'date')?.name;
  const days = dateColumn ? data.dates[dateColumn]! : undefined;
  const monthText = new Map<number, string>();
  const regionColumn = data.spec.evaluation.regionColumn;
  const region = regionColumn ? data.categories[regionColumn] : undefined;
  return {
    month: (i) => {
      if (!days) return 'all';
      let text = monthText.get(days[i]!);
      if (text === undefined) monthText.set(days[i]!, (text = formatDate(days[i]!).slice(0, 7)));
      return text;
    },
    region: (i) => (region && region.codes[i]! >= 0 ? region.values[region.codes[i]!]! : 'all'),
  };
}

/** Aggregates holdout actual vs predicted by (month, region) plus a sample of points for scatter plots. */
export function buildEvaluation(
  data: PreparedDataset,
  holdoutPredictions: ArrayLike<number>,
  extra: Pick<ModelEvaluation, 'importances' | 'trials'>,
): ModelEvaluation {
  const labels = rowLabels(data);
  const cells = new Map<string, EvaluationCell>();
  const holdoutRows: number[] = [];
  for (let i = 0; i < data.rows; i++) if (data.split[i] === HOLDOUT) holdoutRows.push(i);
  if (holdoutRows.length !== holdoutPredictions.length) {
    throw new Error(
      `trainer returned ${holdoutPredictions.length} holdout predictions for ${holdoutRows.length} rows`,
    );
  }
  const points: ModelEvaluation['points'] = [];
  const step = Math.max(1, Math.floor(holdoutRows.length / MAX_POINTS));
  holdoutRows.forEach((row, k) => {
    const month = labels.month(row);
    const region = labels.region(row);
    const actual = data.target[row]!;
    const predicted = holdoutPredictions[k]!;
    const key = `${month}\u0001${region}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = {
        month,
        region,
        n: 0,
        sumActual: 0,
        sumPredicted: 0,
        sumAbsError: 0,
        sumSquaredError: 0,
        sumAbsPercentError: 0,
      };
      cells.set(key, cell);
    }
    const error = predicted - actual;
    cell.n++;
    cell.sumActual += actual;
    cell.sumPredicted += predicted;
    cell.sumAbsError += Math.abs(error);
    cell.sumSquaredError += error * error;
    cell.sumAbsPercentError += actual !== 0 ? Math.abs(error / actual) * 100 : 0;
    if (k % step === 0 && points.length < MAX_POINTS) points.push({ month, region, actual, predicted });
  });
  return {
    formatVersion: 1,
    split: 'holdout',
    regionColumn: data.spec.evaluation.regionColumn ?? null,
    cells: [...cells.values()].sort((a, b) => (a.month + a.region < b.month + b.region ? -1 : 1)),
    points,
    ...extra,
  };
}
