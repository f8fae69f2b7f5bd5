import type { PreparedDataset } from '../dataset/prepare';
import { HOLDOUT, TRAIN } from '../dataset/split';
import { isInputColumn, type CategoricalColumn, type InputColumn } from '../spec/schema';
import { compileExpr } from '../spec/expr';
import { targetColumn } from '../spec/load';
import { encoderFeatureNames, type ExprInput, type FeatureSet, type FittedEncoder } from './types';

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

function fitCategorical(
  data: PreparedDataset,
  column: CategoricalColumn & { encoding: 'frequency' | 'target' | 'onehot' },
  transform: 'none' | 'log',
): FittedEncoder {
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
    if (column.role === 'derived') {
      encoders.push({
        kind: 'derived',
        column: column.name,
        expr: column.expr,
        inputs: exprInputs(data, column.expr),
      });
      continue;
    }
    if (!isInputColumn(column) || !column.feature) continue;
    if (column.role === 'numeric') {
      let fill: number | undefined;
      if (column.missing === 'median') {
        const values = data.numeric[column.name]!;
        const train: number[] = [];
        for (let i = 0; i < data.rows; i++)
          if (data.split[i] === TRAIN && !Number.isNaN(values[i]!)) train.push(values[i]!);
        fill = median(train);
      }
      encoders.push({
        ...inputEncoder(data, column),
        ...(fill !== undefined && !Number.isNaN(fill) && { fill }),
      } as FittedEncoder);
    } else if (column.role === 'date' || column.encoding === 'ordinal') {
      encoders.push(inputEncoder(data, column));
    } else {
      const categorical = column as CategoricalColumn & { encoding: 'frequency' | 'target' | 'onehot' };
      encoders.push({ ...fitCategorical(data, categorical, transform), ...reading(column) } as FittedEncoder);
    }
  }
  return { names: encoders.flatMap(encoderFeatureNames), encoders };
}

/** Where a column is read from and its missing tokens, as encoders store them (only when not the default). */
function reading(column: InputColumn) {
  return {
    ...(column.source !== undefined && column.source !== column.name && { source: column.source }),
    ...(column.missingTokens && { missingTokens: column.missingTokens }),
  };
}

/** Range of a date column over the rows the final model is fit on (train and eval). */
function fittedRange(data: PreparedDataset, name: string): { min: number; max: number } | undefined {
  const days = data.dates[name]!;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.rows; i++) {
    if (data.split[i] === HOLDOUT) continue;
    if (days[i]! < min) min = days[i]!;
    if (days[i]! > max) max = days[i]!;
  }
  return Number.isFinite(min) ? { min, max } : undefined;
}

/** The encoder of a numeric, date or ordinal column, without fitted statistics. */
function inputEncoder(data: PreparedDataset, column: InputColumn): ExprInput {
  if (column.role === 'numeric') {
    return {
      kind: 'numeric',
      column: column.name,
      ...reading(column),
      ...(column.min !== undefined && { min: column.min }),
      ...(column.max !== undefined && { max: column.max }),
      outliers: column.outliers,
      ...(column.sentinels && column.sentinels.length > 0 && { sentinels: column.sentinels }),
    };
  }
  if (column.role === 'date') {
    const fitted = fittedRange(data, column.name);
    return {
      kind: 'date',
      column: column.name,
      ...reading(column),
      parts: column.feature ? column.derive : [],
      ...(column.assemble && { assemble: column.assemble }),
      ...(fitted && { fitted }),
    };
  }
  return {
    kind: 'ordinal',
    column: column.name,
    ...reading(column),
    ...(column.normalize && { normalize: column.normalize }),
    levels: column.levels ?? [],
  };
}

/** The columns a derived expression reads, each with its cleaning rules. */
function exprInputs(data: PreparedDataset, expr: string): ExprInput[] {
  const byName = new Map(data.spec.columns.filter(isInputColumn).map((c) => [c.name, c]));
  const compiled = compileExpr(expr, (name) => {
    const column = byName.get(name);
    return column ? (column.role === 'date' ? 'date' : 'number') : undefined;
  });
  return compiled.inputs.map(
    (name) =>
      ({
        ...inputEncoder(data, byName.get(name)!),
        ...(byName.get(name)!.role === 'date' && { parts: [] }),
      }) as ExprInput,
  );
}
