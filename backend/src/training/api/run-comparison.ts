import { cellMetrics, type EvaluationCell } from '@housing/ml';

/** One thing being compared (a training run or a registered version), reduced to what comparison reads. */
export interface ComparisonSubject {
  params: Record<string, unknown> | null;
  metrics: Record<string, unknown> | null;
  /** Tuning trials in order: the trial number and its score (null when the trial failed or was pruned). */
  trials: { n: number; score: number | null }[];
  /** Holdout evaluation cells of the registered version; null when there is none (not registered yet). */
  cells: EvaluationCell[] | null;
}

export interface MetricRow {
  key: string;
  better: 'lower' | 'higher' | null;
  values: (number | null)[];
  /** value − baseline's value (the first subject's); null where either is missing. */
  deltas: (number | null)[];
  /** delta / |baseline|; null where the baseline is missing or zero. */
  relativeDeltas: (number | null)[];
}

export interface ParamRow {
  key: string;
  values: unknown[];
  differs: boolean;
}

export interface ErrorValue {
  n: number;
  mae: number | null;
  rmse: number | null;
  mape: number | null;
}

export interface ErrorRow {
  month?: string;
  region?: string;
  values: (ErrorValue | null)[];
}

export interface TuningPoint {
  n: number;
  score: number | null;
  /** Best (lowest) score up to and including this trial. */
  best: number | null;
}

/** Nested numbers deeper than this are not metrics anyone compares (e.g. per-fold arrays). */
const MAX_METRIC_DEPTH = 3;
const HIGHER_IS_BETTER = /(^|\.)r2$/;
const LOWER_IS_BETTER = /(^|\.)(mae|rmse|mape|rmsle|score|selectionScore)$/;

/** `{holdout: {rmse: 3}}` → `{'holdout.rmse': 3}`: finite numbers only, arrays skipped. */
export function flattenMetrics(metrics: Record<string, unknown> | null, prefix = '', depth = 0): Map<string, number> {
  const out = new Map<string, number>();
  if (!metrics || depth >= MAX_METRIC_DEPTH) return out;
  for (const [key, value] of Object.entries(metrics)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'number' && Number.isFinite(value)) out.set(name, value);
    else if (value && typeof value === 'object' && !Array.isArray(value))
      for (const [k, v] of flattenMetrics(value as Record<string, unknown>, name, depth + 1)) out.set(k, v);
  }
  return out;
}

const betterOf = (key: string): MetricRow['better'] =>
  HIGHER_IS_BETTER.test(key) ? 'higher' : LOWER_IS_BETTER.test(key) ? 'lower' : null;

/** Every metric any subject has, with each subject's value and its delta against the first. */
export function compareMetrics(subjects: ComparisonSubject[]): MetricRow[] {
  const flat = subjects.map((s) => flattenMetrics(s.metrics));
  const keys = [...new Set(flat.flatMap((m) => [...m.keys()]))].sort();
  return keys.map((key) => {
    const values = flat.map((m) => m.get(key) ?? null);
    const base = values[0] ?? null;
    const deltas = values.map((v) => (v === null || base === null ? null : v - base));
    const relativeDeltas = deltas.map((d) => (d === null || !base ? null : d / Math.abs(base)));
    return { key, better: betterOf(key), values, deltas, relativeDeltas };
  });
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Parameters by key: the ones whose values differ between subjects, or every one with `all`. */
export function compareParams(subjects: ComparisonSubject[], all: boolean): ParamRow[] {
  const keys = [...new Set(subjects.flatMap((s) => Object.keys(s.params ?? {})))].sort();
  return keys
    .map((key) => {
      const values = subjects.map((s) => (s.params && key in s.params ? s.params[key] : null));
      return { key, values, differs: values.some((v) => !sameValue(v, values[0])) };
    })
    .filter((row) => all || row.differs);
}

const errorOf = (cells: EvaluationCell[]): ErrorValue | null => {
  if (cells.length === 0) return null;
  const { n, mae, rmse, mape } = cellMetrics(cells);
  return { n, mae, rmse, mape };
};

/** Holdout error grouped by `groupOf` (month, region or both), one value per subject (null: no cells there). */
export function compareErrors(
  subjects: ComparisonSubject[],
  groupOf: (cell: EvaluationCell) => { month?: string; region?: string },
): ErrorRow[] {
  const groups = new Map<string, { group: { month?: string; region?: string }; cells: EvaluationCell[][] }>();
  subjects.forEach((subject, index) => {
    for (const cell of subject.cells ?? []) {
      const group = groupOf(cell);
      const key = JSON.stringify([group.month, group.region]);
      let entry = groups.get(key);
      if (!entry) groups.set(key, (entry = { group, cells: subjects.map(() => []) }));
      entry.cells[index]!.push(cell);
    }
  });
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { group, cells }]) => ({ ...group, values: cells.map(errorOf) }));
}

/** Each trial's score and the best (lowest) so far: the tuning history a chart draws. */
export function tuningHistory(trials: ComparisonSubject['trials']): TuningPoint[] {
  let best: number | null = null;
  return [...trials]
    .sort((a, b) => a.n - b.n)
    .map(({ n, score }) => {
      if (score !== null && Number.isFinite(score) && (best === null || score < best)) best = score;
      return { n, score, best };
    });
}
