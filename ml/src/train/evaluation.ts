import type { PreparedDataset } from '../dataset/prepare';
import { HOLDOUT } from '../dataset/split';
import { formatDate } from '../clean/values';
import type { ModelEvaluation } from '../package/manifest';
import { EvaluationCells } from './evaluation-cells';

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
  const cells = new EvaluationCells();
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
    cells.add(month, region, actual, predicted);
    if (k % step === 0 && points.length < MAX_POINTS) points.push({ month, region, actual, predicted });
  });
  return {
    formatVersion: 1,
    split: 'holdout',
    regionColumn: data.spec.evaluation.regionColumn ?? null,
    cells: cells.list(),
    points,
    ...extra,
  };
}
