import { regressionMetrics } from '@housing/ml';
import { EvaluationAccumulator } from './evaluation-summary';

describe('EvaluationAccumulator', () => {
  it('gives the same MAE, RMSE and MAPE as the training metrics, overall and per group', () => {
    const rows = [
      { month: '2022-01', region: 'A', actual: 100_000, predicted: 110_000 },
      { month: '2022-01', region: 'B', actual: 200_000, predicted: 190_000 },
      { month: '2022-02', region: 'A', actual: 300_000, predicted: 330_000 },
      { month: '2022-02', region: 'B', actual: 400_000, predicted: 400_000 },
      { month: '2022-02', region: 'B', actual: 500_000, predicted: 450_000 },
    ];
    const acc = new EvaluationAccumulator();
    for (const r of rows) acc.add(r.month, r.region, r.actual, r.predicted);
    acc.add('2022-03', 'A', NaN, 1); // no actual: not counted
    const summary = acc.summary('date', 'city_full');
    const expected = regressionMetrics(
      rows.map((r) => r.actual),
      rows.map((r) => r.predicted),
    );
    expect(summary.overall.n).toBe(5);
    expect(summary.overall.mae).toBeCloseTo(expected.mae, 6);
    expect(summary.overall.rmse).toBeCloseTo(expected.rmse, 6);
    expect(summary.overall.mape).toBeCloseTo(expected.mape, 6);
    expect(summary.byMonth.map((m) => [m.month, m.n])).toEqual([
      ['2022-01', 2],
      ['2022-02', 3],
    ]);
    const feb = rows.filter((r) => r.month === '2022-02');
    expect(summary.byMonth[1]!.rmse).toBeCloseTo(
      regressionMetrics(
        feb.map((r) => r.actual),
        feb.map((r) => r.predicted),
      ).rmse,
      6,
    );
    expect(summary.byRegion.map((r) => [r.region, r.n])).toEqual([
      ['A', 2],
      ['B', 3],
    ]);
    // Region A: +10% and +10% → bias +10%.
    expect(summary.byRegion[0]!.meanPctError).toBeCloseTo(10, 6);
    expect(summary.byRegion[0]!.meanActual).toBe(200_000);
  });
});
