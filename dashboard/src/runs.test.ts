import { describe, expect, it } from 'vitest';
import { cleaningLines, deltaText, flatMetrics, idsOf, metricText, paramText, progressText } from './runs';

describe('run helpers', () => {
  it('says where a run is: waiting, a phase with rows read, or trial n of N with the best so far', () => {
    expect(progressText({ status: 'queued', progress: null })).toBe('Waiting for a training worker');
    expect(progressText({ status: 'running', progress: { phase: 'load', rowsRead: 12000 } })).toBe(
      'Reading the CSV · 12,000 rows read',
    );
    expect(
      progressText({
        status: 'running',
        progress: { phase: 'trial', trial: { n: 3, of: 20, metric: 'rmse', score: 31234.5, best: 29000 } },
      }),
    ).toMatch(/^Trial 3 of 20 · rmse 31,234.5 · best 29,000$/);
    expect(progressText({ status: 'running', progress: { phase: 'some-new-stage' } })).toBe('some-new-stage');
  });

  it('reads a cleaning summary: counts, the largest reasons first (others summed), date ranges, no empty groups', () => {
    const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`col${i}`, i + 1]));
    const lines = cleaningLines({
      rowsRead: 100,
      dropped: { duplicate: 3, bad_date: 7, none: 0 },
      missing: many,
      invalid: {},
      ignoredColumns: ['extra'],
      dateRange: { from: '2012-01-31', to: '2023-12-31' },
    });
    expect(lines.map((l) => l.label)).toEqual([
      'Rows read',
      'Rows dropped',
      'Missing values',
      'Columns not in the spec',
      'Dates',
    ]);
    expect(lines[1]).toMatchObject({
      total: 10,
      entries: [
        { name: 'bad_date', count: 7 },
        { name: 'duplicate', count: 3 },
      ],
      more: 0,
    });
    expect(lines[2]!.entries).toHaveLength(8);
    expect(lines[2]!.entries[0]).toEqual({ name: 'col9', count: 10 });
    expect(lines[2]!.more).toBe(1 + 2);
    expect(lines[4]!.text).toBe('2012-01-31 to 2023-12-31');
  });

  it('flattens nested metrics in key order and rounds parameters to 4 significant digits', () => {
    expect(flatMetrics({ holdout: { rmse: 3, r2: 0.9 }, eval: { rmse: 2 }, note: 'x' })).toEqual([
      ['eval.rmse', 2],
      ['holdout.r2', 0.9],
      ['holdout.rmse', 3],
    ]);
    expect(paramText(0.0812345678)).toBe('0.08123');
    expect(paramText(600)).toBe('600');
    expect(paramText(null)).toBe('—');
    expect(paramText({ a: 1 })).toBe('{"a":1}');
    expect(metricText(143609.9823)).toBe('143,610');
    expect(metricText(235.067)).toBe('235.1');
    expect(metricText(0.0968712)).toBe('0.09687');
    expect(metricText(null)).toBe('—');
  });

  it('words a delta with its sign and percentage, better or worse by the metric’s direction', () => {
    expect(deltaText(-1500, -0.05, 'lower')).toEqual({ text: '−1,500 (−5.0 %)', tone: 'better' });
    expect(deltaText(0.02, 0.025, 'higher')).toEqual({ text: '+0.02 (+2.5 %)', tone: 'better' });
    expect(deltaText(1500, 0.05, 'lower').tone).toBe('worse');
    expect(deltaText(3, null, null)).toEqual({ text: '+3', tone: null });
    expect(deltaText(0, 0, 'lower')).toEqual({ text: '±0', tone: 'same' });
    expect(deltaText(null, null, 'lower')).toEqual({ text: '—', tone: null });
  });

  it('reads ?ids= as distinct trimmed ids, at most 10', () => {
    expect(idsOf(' a, b,,a ,c')).toEqual(['a', 'b', 'c']);
    expect(idsOf(['a,b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(idsOf(undefined)).toEqual([]);
    expect(idsOf(Array.from({ length: 12 }, (_, i) => `r${i}`).join(','))).toHaveLength(10);
  });
});
