import type { EvaluationCell } from '@housing/ml';
import { compareErrors, compareMetrics, compareParams, flattenMetrics, tuningHistory, type ComparisonSubject } from './run-comparison';

const cell = (month: string, region: string, n: number, absError: number, sqError: number): EvaluationCell => ({
  month,
  region,
  n,
  sumActual: 100 * n,
  sumPredicted: 100 * n,
  sumAbsError: absError,
  sumSquaredError: sqError,
  sumAbsPercentError: absError,
});

const subject = (over: Partial<ComparisonSubject>): ComparisonSubject => ({
  params: null,
  metrics: null,
  trials: [],
  cells: null,
  ...over,
});

describe('run comparison', () => {
  it('flattens nested finite metrics with dotted keys and skips arrays and non-numbers', () => {
    const flat = flattenMetrics({ holdout: { rmse: 3, r2: 0.5, name: 'x' }, folds: [1, 2], rows: 10, bad: NaN });
    expect([...flat.entries()]).toEqual([
      ['holdout.rmse', 3],
      ['holdout.r2', 0.5],
      ['rows', 10],
    ]);
  });

  it('gives each metric its deltas against the first subject, absolute and relative, and which way is better', () => {
    const rows = compareMetrics([
      subject({ metrics: { holdout: { rmse: 200, r2: 0.8 } } }),
      subject({ metrics: { holdout: { rmse: 150, r2: 0.9 } } }),
      subject({ metrics: { holdout: { r2: 0 } } }),
    ]);
    const rmse = rows.find((r) => r.key === 'holdout.rmse')!;
    expect(rmse).toEqual({
      key: 'holdout.rmse',
      better: 'lower',
      values: [200, 150, null],
      deltas: [0, -50, null],
      relativeDeltas: [0, -0.25, null],
    });
    const r2 = rows.find((r) => r.key === 'holdout.r2')!;
    expect(r2.better).toBe('higher');
    expect(r2.deltas[2]).toBeCloseTo(-0.8);
  });

  it('leaves the relative delta empty when the baseline is zero', () => {
    const [row] = compareMetrics([subject({ metrics: { x: 0 } }), subject({ metrics: { x: 2 } })]);
    expect(row).toMatchObject({ deltas: [0, 2], relativeDeltas: [null, null], better: null });
  });

  it('keeps only the parameters that differ unless asked for all (a missing one differs)', () => {
    const subjects = [
      subject({ params: { max_depth: 6, eta: 0.1, tree_method: 'hist', extra: { a: 1 } } }),
      subject({ params: { max_depth: 8, eta: 0.1, tree_method: 'hist', extra: { a: 1 } } }),
      subject({ params: { max_depth: 6, eta: 0.1, extra: { a: 1 } } }),
    ];
    expect(compareParams(subjects, false)).toEqual([
      { key: 'max_depth', values: [6, 8, 6], differs: true },
      { key: 'tree_method', values: ['hist', 'hist', null], differs: true },
    ]);
    expect(compareParams(subjects, true).map((r) => [r.key, r.differs])).toEqual([
      ['eta', false],
      ['extra', false],
      ['max_depth', true],
      ['tree_method', true],
    ]);
  });

  it('sums exact error per month across regions, with null where a subject has no rows there', () => {
    const subjects = [
      subject({ cells: [cell('2022-01', 'A', 2, 20, 200), cell('2022-01', 'B', 2, 40, 1400), cell('2022-02', 'A', 1, 5, 25)] }),
      subject({ cells: [cell('2022-01', 'A', 4, 4, 4)] }),
      subject({ cells: null }),
    ];
    const byMonth = compareErrors(subjects, (c) => ({ month: c.month }));
    expect(byMonth.map((r) => r.month)).toEqual(['2022-01', '2022-02']);
    expect(byMonth[0]!.values[0]).toEqual({ n: 4, mae: 15, rmse: 20, mape: 15 });
    expect(byMonth[0]!.values[1]).toEqual({ n: 4, mae: 1, rmse: 1, mape: 1 });
    expect(byMonth[0]!.values[2]).toBeNull();
    expect(byMonth[1]!.values).toEqual([{ n: 1, mae: 5, rmse: 5, mape: 5 }, null, null]);
    const byCell = compareErrors(subjects, ({ month, region }) => ({ month, region }));
    expect(byCell.map((r) => `${r.month}/${r.region}`)).toEqual(['2022-01/A', '2022-01/B', '2022-02/A']);
  });

  it('draws the tuning history in trial order with the best (lowest) so far, failed trials keeping it', () => {
    expect(
      tuningHistory([
        { n: 2, score: 5 },
        { n: 0, score: 7 },
        { n: 1, score: null },
        { n: 3, score: 6 },
      ]),
    ).toEqual([
      { n: 0, score: 7, best: 7 },
      { n: 1, score: null, best: 7 },
      { n: 2, score: 5, best: 5 },
      { n: 3, score: 6, best: 5 },
    ]);
  });
});
