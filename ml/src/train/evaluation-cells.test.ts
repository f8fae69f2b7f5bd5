import { cellMetrics, EvaluationCells } from './evaluation-cells';

describe('EvaluationCells', () => {
  it('sums by month and region, and any subset of cells gives exact metrics', () => {
    const cells = new EvaluationCells();
    const rows: [string, string, number, number][] = [
      ['2022-01', 'Austin', 100, 110],
      ['2022-01', 'Austin', 200, 190],
      ['2022-01', 'Boston', 400, 300],
      ['2022-02', 'Austin', 50, 75],
    ];
    for (const r of rows) cells.add(...r);
    cells.add('2022-02', 'Austin', NaN, 10); // no actual price: not counted
    expect(cells.size).toBe(3);
    const list = cells.list();
    expect(list.map((c) => [c.month, c.region, c.n])).toEqual([
      ['2022-01', 'Austin', 2],
      ['2022-01', 'Boston', 1],
      ['2022-02', 'Austin', 1],
    ]);
    const all = cellMetrics(list);
    const errors = rows.map(([, , a, p]) => p - a);
    expect(all.n).toBe(4);
    expect(all.mae).toBeCloseTo(errors.reduce((s, e) => s + Math.abs(e), 0) / 4, 10);
    expect(all.rmse).toBeCloseTo(Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / 4), 10);
    expect(all.mape).toBeCloseTo(((10 / 100 + 10 / 200 + 100 / 400 + 25 / 50) * 100) / 4, 10);
    const austin = cellMetrics(list.filter((c) => c.region === 'Austin'));
    expect(austin.mae).toBeCloseTo((10 + 10 + 25) / 3, 10);
    expect(cellMetrics([])).toEqual({
      n: 0,
      mae: null,
      rmse: null,
      mape: null,
      meanActual: null,
      meanPredicted: null,
    });
  });
});
