import { computed, type Ref } from 'vue';
import type { ErrorMetrics, EvaluationCell, EvaluationPoint, EvaluationSummary } from '../api/types';

/** A selection of the evaluation: null means "all". `month` is the month of the year, "01" to "12". */
export interface EvaluationFilter {
  year: string | null;
  month: string | null;
  region: string | null;
}

export type Granularity = 'month' | 'year';

const EVERYTHING: EvaluationFilter = { year: null, month: null, region: null };

export interface Summary {
  n: number;
  mae: number;
  rmse: number;
  /** Mean absolute percentage error, percent. */
  mape: number;
  meanActual: number;
  meanPredicted: number;
  /** Mean predicted minus mean actual, as a percentage of the mean actual: the bias. */
  biasPct: number;
}

export interface TrendPoint {
  /** `YYYY` or `YYYY-MM`. */
  period: string;
  n: number;
  meanActual: number;
  meanPredicted: number;
}

/** Whether a (month `YYYY-MM`, region) belongs to the selection. */
export function matches(month: string, region: string, filter: EvaluationFilter): boolean {
  return (
    (filter.year === null || month.slice(0, 4) === filter.year) &&
    (filter.month === null || month.slice(5, 7) === filter.month) &&
    (filter.region === null || region === filter.region)
  );
}

/**
 * Exact metrics of a set of cells from their sums: MAE = ΣabsErr/n, RMSE = √(ΣsqErr/n),
 * MAPE = ΣabsPctErr/n (the cells' percentage errors are already in percent). Null when no row matches.
 */
export function summarize(cells: readonly EvaluationCell[]): Summary | null {
  let n = 0;
  let sumActual = 0;
  let sumPredicted = 0;
  let sumAbs = 0;
  let sumSq = 0;
  let sumPct = 0;
  for (const c of cells) {
    n += c.n;
    sumActual += c.sumActual;
    sumPredicted += c.sumPredicted;
    sumAbs += c.sumAbsError;
    sumSq += c.sumSquaredError;
    sumPct += c.sumAbsPercentError;
  }
  if (n === 0) return null;
  const meanActual = sumActual / n;
  const meanPredicted = sumPredicted / n;
  return {
    n,
    mae: sumAbs / n,
    rmse: Math.sqrt(sumSq / n),
    mape: sumPct / n,
    meanActual,
    meanPredicted,
    biasPct: meanActual === 0 ? 0 : (100 * (meanPredicted - meanActual)) / meanActual,
  };
}

/** Average actual and predicted price per month or per year (cells of one region, or all). */
export function trend(
  cells: readonly EvaluationCell[],
  granularity: Granularity,
  region: string | null,
): TrendPoint[] {
  const groups = new Map<string, { n: number; actual: number; predicted: number }>();
  for (const c of cells) {
    if (region !== null && c.region !== region) continue;
    const period = granularity === 'year' ? c.month.slice(0, 4) : c.month.slice(0, 7);
    const g = groups.get(period) ?? { n: 0, actual: 0, predicted: 0 };
    g.n += c.n;
    g.actual += c.sumActual;
    g.predicted += c.sumPredicted;
    groups.set(period, g);
  }
  return [...groups.entries()]
    .filter(([, g]) => g.n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, g]) => ({ period, n: g.n, meanActual: g.actual / g.n, meanPredicted: g.predicted / g.n }));
}

export interface PeriodError {
  period: string;
  n: number;
  mae: number;
  /** Percent. */
  mape: number;
}

/** Error (MAE, MAPE) per month or year, from the cells of one region or all. */
export function errorByPeriod(
  cells: readonly EvaluationCell[],
  granularity: Granularity,
  region: string | null,
): PeriodError[] {
  const groups = new Map<string, EvaluationCell[]>();
  for (const c of cells) {
    if (region !== null && c.region !== region) continue;
    const period = granularity === 'year' ? c.month.slice(0, 4) : c.month.slice(0, 7);
    groups.set(period, [...(groups.get(period) ?? []), c]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([period, group]) => {
      const s = summarize(group);
      return s ? [{ period, n: s.n, mae: s.mae, mape: s.mape }] : [];
    });
}

export interface RegionRow extends Summary {
  region: string;
}

/** Every region's metrics over the selected period (the region filter is not applied), worst MAPE first. */
export function byRegion(cells: readonly EvaluationCell[], filter: EvaluationFilter): RegionRow[] {
  const groups = new Map<string, EvaluationCell[]>();
  for (const c of cells) {
    if (!matches(c.month, c.region, { ...filter, region: null })) continue;
    groups.set(c.region, [...(groups.get(c.region) ?? []), c]);
  }
  return [...groups.entries()]
    .flatMap(([region, group]) => {
      const s = summarize(group);
      return s ? [{ region, ...s }] : [];
    })
    .sort((a, b) => b.mape - a.mape || a.region.localeCompare(b.region));
}

/** Whether a trend period is (part of) the selected period. */
export function isSelectedPeriod(period: string, filter: EvaluationFilter): boolean {
  if (filter.year === null && filter.month === null) return false;
  if (period.length === 4) return filter.year !== null && period === filter.year;
  return matches(period, '', { ...filter, region: null });
}

export function filterOptions(cells: readonly { month: string; region: string }[]) {
  const years = new Set<string>();
  const months = new Set<string>();
  const regions = new Set<string>();
  for (const c of cells) {
    years.add(c.month.slice(0, 4));
    months.add(c.month.slice(5, 7));
    if (c.region) regions.add(c.region);
  }
  return { years: [...years].sort(), months: [...months].sort(), regions: [...regions].sort() };
}

/**
 * What Explore shows. A model's holdout evaluation has cells by (month, region) and sampled points; a
 * monthly batch run's summary has only marginals: metrics by month (every region) and by region (every
 * month), turned into cells here so the same sums give its metrics.
 */
export type EvaluationSource =
  | { kind: 'cells'; cells: readonly EvaluationCell[]; points: readonly EvaluationPoint[] }
  | { kind: 'marginals'; byMonth: readonly EvaluationCell[]; byRegion: readonly EvaluationCell[] };

/** Sums back from a group's metrics (n · MAE = Σ|err|, n · RMSE² = Σerr², n · MAPE = Σ|err %|). */
export function cellFromMetrics(month: string, region: string, m: ErrorMetrics): EvaluationCell {
  return {
    month,
    region,
    n: m.n,
    sumActual: m.meanActual * m.n,
    sumPredicted: m.meanPredicted * m.n,
    sumAbsError: m.mae * m.n,
    sumSquaredError: m.rmse * m.rmse * m.n,
    sumAbsPercentError: m.mape * m.n,
  };
}

export function sourceFromSummary(summary: EvaluationSummary): EvaluationSource {
  return {
    kind: 'marginals',
    byMonth: summary.byMonth.map((m) => cellFromMetrics(m.month, '', m)),
    byRegion: summary.byRegion.map((r) => cellFromMetrics('', r.region, r)),
  };
}

/** The selection's metrics, scatter points and trend, recomputed when the data or the filter change. */
export function useEvaluationMetrics(
  source: Ref<EvaluationSource | undefined>,
  filter: Ref<EvaluationFilter>,
  granularity: Ref<Granularity>,
) {
  const options = computed(() => {
    const s = source.value;
    if (!s) return filterOptions([]);
    if (s.kind === 'cells') return filterOptions(s.cells);
    return { ...filterOptions(s.byMonth), regions: filterOptions(s.byRegion).regions };
  });

  /** A batch summary cannot cross a period with a region: the region is then shown over every month. */
  const limitation = computed(() => {
    const f = filter.value;
    return source.value?.kind === 'marginals' && f.region !== null && (f.year !== null || f.month !== null)
      ? 'A batch summary is broken down by month or by region, not both: the figures for this region cover every month.'
      : null;
  });

  const selectedCells = computed(() => {
    const s = source.value;
    const f = filter.value;
    if (!s) return [];
    if (s.kind === 'cells') return s.cells.filter((c) => matches(c.month, c.region, f));
    if (f.region !== null) return s.byRegion.filter((c) => c.region === f.region);
    return s.byMonth.filter((c) => matches(c.month, c.region, { ...f, region: null }));
  });
  const summary = computed(() => summarize(selectedCells.value));
  const selectedPoints = computed(() => {
    const s = source.value;
    return s?.kind === 'cells' ? s.points.filter((p) => matches(p.month, p.region, filter.value)) : [];
  });
  const trendPoints = computed(() => {
    const s = source.value;
    if (!s) return [];
    return s.kind === 'cells'
      ? trend(s.cells, granularity.value, filter.value.region)
      : trend(s.byMonth, granularity.value, null);
  });
  const highlighted = computed(() =>
    trendPoints.value.map((p) => p.period).filter((period) => isSelectedPeriod(period, filter.value)),
  );
  const errors = computed(() => {
    const s = source.value;
    if (!s) return [];
    return s.kind === 'cells'
      ? errorByPeriod(s.cells, granularity.value, filter.value.region)
      : errorByPeriod(s.byMonth, granularity.value, null);
  });
  const regions = computed(() => {
    const s = source.value;
    if (!s) return [];
    // A batch summary has regions over every month only (see `limitation`).
    return s.kind === 'cells' ? byRegion(s.cells, filter.value) : byRegion(s.byRegion, EVERYTHING);
  });
  return {
    options,
    limitation,
    selectedCells,
    summary,
    selectedPoints,
    trendPoints,
    highlighted,
    errors,
    regions,
  };
}
