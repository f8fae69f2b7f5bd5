import type { PreparedDataset } from '../dataset/prepare';
import { TRAIN } from '../dataset/split';
import type { CategoricalColumn } from '../spec/schema';
import { targetColumn } from '../spec/load';
import { encoderFeatureNames, type FeatureSet, type FittedEncoder } from './types';

/** The target as the model sees it: log1p for the log transform, as the trainer fits it. */
export function transformTarget(y: number, transform: 'none' | 'log'): number {
  return transform === 'log' ? Math.log1p(y) : y;
}

export function inverseTarget(value: number, transform: 'none' | 'log'): number {
  return transform === 'log' ? Math.expm1(value) : value;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/** Per-category train counts and transformed-target sums of one categorical column. */
function categoryStats(data: PreparedDataset, name: string, transform: 'none' | 'log') {
  const { codes, values } = data.categories[name]!;
  const counts = new Float64Array(values.length);
  const sums = new Float64Array(values.length);
  let trainRows = 0;
  let targetSum = 0;
  for (let i = 0; i < data.rows; i++) {
    if (data.split[i] !== TRAIN) continue;
    const t = transformTarget(data.target[i]!, transform);
    trainRows++;
    targetSum += t;
    const code = codes[i]!;
    if (code < 0) continue;
    counts[code]!++;
    sums[code]! += t;
  }
  return { values, counts, sums, trainRows, prior: targetSum / Math.max(1, trainRows) };
}

function fitCategorical(data: PreparedDataset, column: CategoricalColumn, transform: 'none' | 'log'): FittedEncoder {
  const { values, counts, sums, trainRows, prior } = categoryStats(data, column.name, transform);
  const normalize = column.normalize;
  // Sorted, so the fitted tables (and the manifest's bytes) depend on the train rows only, not on file order.
  const seen = values
    .map((value, code) => ({ value, code }))
    .filter(({ code }) => counts[code]! > 0)
    .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  switch (column.encoding) {
    case 'frequency':
      return {
        kind: 'frequency',
        column: column.name,
        ...(normalize && { normalize }),
        frequencies: Object.fromEntries(seen.map(({ value, code }) => [value, counts[code]! / trainRows])),
      };
    case 'target': {
      const m = column.smoothing;
      return {
        kind: 'target',
        column: column.name,
        ...(normalize && { normalize }),
        means: Object.fromEntries(
          seen.map(({ value, code }) => [value, (sums[code]! + m * prior) / (counts[code]! + m)]),
        ),
        prior,
      };
    }
    case 'onehot': {
      const categories = seen
        .filter(({ code }) => counts[code]! >= column.minCount)
        .sort((a, b) => counts[b.code]! - counts[a.code]! || (a.value < b.value ? -1 : 1))
        .slice(0, column.maxCategories)
        .map(({ value }) => value)
        .sort();
      return { kind: 'onehot', column: column.name, ...(normalize && { normalize }), categories };
    }
  }
}

/**
 * Fits every encoder of the spec on the train split only: frequencies, target means and medians never
 * see an eval or holdout row, so the evaluation measures what serving will do.
 */
export function fitFeatures(data: PreparedDataset): FeatureSet {
  const spec = data.spec;
  const transform = targetColumn(spec).transform;
  const encoders: FittedEncoder[] = [];
  for (const column of spec.columns) {
    switch (column.role) {
      case 'date':
        encoders.push({ kind: 'date', column: column.name, parts: column.derive });
        break;
      case 'numeric': {
        let fill: number | undefined;
        if (column.missing === 'median') {
          const values = data.numeric[column.name]!;
          const train: number[] = [];
          for (let i = 0; i < data.rows; i++) if (data.split[i] === TRAIN && !Number.isNaN(values[i]!)) train.push(values[i]!);
          fill = median(train);
        }
        encoders.push({
          kind: 'numeric',
          column: column.name,
          ...(column.min !== undefined && { min: column.min }),
          ...(column.max !== undefined && { max: column.max }),
          outliers: column.outliers,
          ...(fill !== undefined && !Number.isNaN(fill) && { fill }),
        });
        break;
      }
      case 'categorical':
        encoders.push(fitCategorical(data, column, transform));
        break;
    }
  }
  return { names: encoders.flatMap(encoderFeatureNames), encoders };
}
