import { describe, expect, it } from 'vitest';
import { ref } from 'vue';
import { cell, evaluation } from '../test/fixtures';
import {
  filterOptions,
  isSelectedPeriod,
  matches,
  summarize,
  trend,
  sourceFromSummary,
  useEvaluationMetrics,
  type EvaluationFilter,
  type EvaluationSource,
} from './useEvaluationMetrics';
import type { EvaluationSummary } from '../api/types';

const all: EvaluationFilter = { year: null, month: null, region: null };

describe('evaluation metrics from cell sums', () => {
  it('computes exact MAE, RMSE and MAPE over every row', () => {
    // Rows: Atlanta 2022-01 ×2 (err +10k on 200k), Dallas 2022-01 ×1 (−30k on 300k),
    // Atlanta 2022-02 ×1 (0), Atlanta 2023-01 ×1 (−10k on 250k): 5 rows.
    const s = summarize(evaluation.cells)!;
    expect(s.n).toBe(5);
    expect(s.mae).toBeCloseTo((2 * 10_000 + 30_000 + 0 + 10_000) / 5, 6);
    expect(s.rmse).toBeCloseTo(Math.sqrt((2 * 1e8 + 9e8 + 0 + 1e8) / 5), 6);
    expect(s.mape).toBeCloseTo((2 * 5 + 10 + 0 + 4) / 5, 6);
    expect(s.meanActual).toBeCloseTo((400_000 + 300_000 + 220_000 + 250_000) / 5, 6);
  });

  it('computes the metrics of a filtered selection from only its cells', () => {
    const filter: EvaluationFilter = { year: '2022', month: '01', region: null };
    const s = summarize(evaluation.cells.filter((c) => matches(c.month, c.region, filter)))!;
    expect(s.n).toBe(3);
    expect(s.mae).toBeCloseTo(50_000 / 3, 6);
    expect(s.rmse).toBeCloseTo(Math.sqrt(11e8 / 3), 6);
    expect(s.mape).toBeCloseTo(20 / 3, 6);
  });

  it('filters by month of the year across years, and by region', () => {
    const january = evaluation.cells.filter((c) => matches(c.month, c.region, { ...all, month: '01' }));
    expect(january.map((c) => c.month)).toEqual(['2022-01', '2022-01', '2023-01']);
    const dallas = summarize(
      evaluation.cells.filter((c) => matches(c.month, c.region, { ...all, region: 'Dallas' })),
    )!;
    expect(dallas).toMatchObject({ n: 1, mae: 30_000, rmse: 30_000 });
    expect(dallas.mape).toBeCloseTo(10, 9);
    expect(dallas.biasPct).toBeCloseTo(-10, 9);
  });

  it('answers null when no row matches', () => {
    expect(summarize([])).toBeNull();
    expect(summarize([cell('2022-01', 'X', 0, 1, 1)])).toBeNull();
  });

  it('averages actual and predicted per month and per year for the trend', () => {
    expect(trend(evaluation.cells, 'year', null)).toEqual([
      { period: '2022', n: 4, meanActual: 920_000 / 4, meanPredicted: (420_000 + 270_000 + 220_000) / 4 },
      { period: '2023', n: 1, meanActual: 250_000, meanPredicted: 240_000 },
    ]);
    const monthly = trend(evaluation.cells, 'month', 'Atlanta');
    expect(monthly.map((p) => [p.period, p.n])).toEqual([
      ['2022-01', 2],
      ['2022-02', 1],
      ['2023-01', 1],
    ]);
  });

  it('highlights the selected period in the trend', () => {
    const f: EvaluationFilter = { year: '2022', month: '01', region: null };
    expect(isSelectedPeriod('2022-01', f)).toBe(true);
    expect(isSelectedPeriod('2023-01', f)).toBe(false);
    expect(isSelectedPeriod('2022', f)).toBe(true);
    expect(isSelectedPeriod('2022-01', all)).toBe(false);
    expect(isSelectedPeriod('2023-01', { ...all, month: '01' })).toBe(true);
  });

  it('lists the years, months and regions present', () => {
    expect(filterOptions(evaluation.cells)).toEqual({
      years: ['2022', '2023'],
      months: ['01', '02'],
      regions: ['Atlanta', 'Dallas'],
    });
  });

  it('recomputes the selection when the filter changes', () => {
    const filter = ref<EvaluationFilter>({ ...all });
    const source = ref<EvaluationSource>({
      kind: 'cells',
      cells: evaluation.cells,
      points: evaluation.points,
    });
    const m = useEvaluationMetrics(source, filter, ref('month'));
    expect(m.summary.value?.n).toBe(5);
    expect(m.selectedPoints.value).toHaveLength(3);
    filter.value = { ...all, year: '2023' };
    expect(m.summary.value?.n).toBe(1);
    expect(m.selectedPoints.value).toEqual([evaluation.points[2]]);
    expect(m.highlighted.value).toEqual(['2023-01']);
  });

  it('gives exact metrics from a batch summary by month or by region, not both', () => {
    const metrics = (
      n: number,
      mae: number,
      rmse: number,
      mape: number,
      actual: number,
      predicted: number,
    ) => ({
      n,
      mae,
      rmse,
      mape,
      meanPctError: 0,
      meanActual: actual,
      meanPredicted: predicted,
    });
    const summary: EvaluationSummary = {
      dateColumn: 'date',
      regionColumn: 'city_full',
      overall: metrics(3, 20, Math.sqrt(600), 4, 300, 310),
      byMonth: [
        { month: '2022-01', ...metrics(1, 10, 10, 2, 300, 310) },
        { month: '2022-02', ...metrics(2, 25, Math.sqrt(650), 5, 300, 310) },
      ],
      byRegion: [{ region: 'Atlanta', ...metrics(3, 20, Math.sqrt(600), 4, 300, 310) }],
    };
    const filter = ref<EvaluationFilter>({ ...all });
    const m = useEvaluationMetrics(ref(sourceFromSummary(summary)), filter, ref('month'));
    expect(m.options.value).toEqual({ years: ['2022'], months: ['01', '02'], regions: ['Atlanta'] });
    // Both months together: MAE (10 + 2·25)/3 = 20, RMSE √((100 + 2·650)/3).
    expect(m.summary.value?.mae).toBeCloseTo(20, 9);
    expect(m.summary.value?.rmse).toBeCloseTo(Math.sqrt(1400 / 3), 9);
    filter.value = { ...all, month: '02' };
    expect(m.summary.value).toMatchObject({ n: 2, mae: 25, mape: 5 });
    expect(m.limitation.value).toBeNull();
    filter.value = { ...all, month: '02', region: 'Atlanta' };
    expect(m.summary.value?.n).toBe(3);
    expect(m.limitation.value).toMatch(/every month/);
    expect(m.selectedPoints.value).toEqual([]);
  });
});
