import { intervalBin, priceInterval } from './price-interval';
import type { PredictionIntervals } from '../package/manifest';
import { intervalsSchema } from '../package/manifest';

const intervals: PredictionIntervals = {
  method: 'split-conformal',
  space: 'transformed',
  calibration: 'eval',
  level: 0.9,
  bins: [
    { upper: 12, halfWidth: 0.1, rows: 300 },
    { upper: 13, halfWidth: 0.15, rows: 300 },
    { upper: null, halfWidth: 0.3, rows: 300 },
  ],
  calibrationRows: 900,
  holdout: { rows: 10, coverage: 0.9, meanWidth: 1, medianWidth: 1, meanRelativeWidth: 0.2 },
};

describe('priceInterval', () => {
  it('finds the first bin whose upper edge is at or above the model output (as numpy searchsorted left)', () => {
    expect([11, 12, 12.5, 13, 13.01, 99].map((z) => intervalBin(intervals, z))).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('reads a log model’s range back as prices, relative to the price', () => {
    const price = 100_000; // log1p ≈ 11.51: the first bin
    const range = priceInterval({ intervals, target: { column: 'price', transform: 'log' } }, price)!;
    expect(range.level).toBe(0.9);
    expect(range.low).toBeCloseTo(Math.expm1(Math.log1p(price) - 0.1), 6);
    expect(range.high).toBeCloseTo(Math.expm1(Math.log1p(price) + 0.1), 6);
    // a dear house falls in a wider bin: its range is wider relative to its price too
    const dear = 2_000_000; // log1p ≈ 14.5: the last bin
    const wide = priceInterval({ intervals, target: { column: 'price', transform: 'log' } }, dear)!;
    expect((wide.high - wide.low) / dear).toBeGreaterThan((range.high - range.low) / price);
  });

  it('never goes below zero for an untransformed target', () => {
    const plain: PredictionIntervals = {
      ...intervals,
      bins: [{ upper: null, halfWidth: 50_000, rows: 100 }],
    };
    expect(priceInterval({ intervals: plain, target: { column: 'p', transform: 'none' } }, 30_000)).toEqual({
      low: 0,
      high: 80_000,
      level: 0.9,
    });
  });

  it('is null for a package without intervals or a price that is not finite', () => {
    expect(priceInterval({ target: { column: 'p', transform: 'log' } }, 1)).toBeNull();
    expect(priceInterval({ intervals: null, target: { column: 'p', transform: 'log' } }, 1)).toBeNull();
    expect(priceInterval({ intervals, target: { column: 'p', transform: 'log' } }, NaN)).toBeNull();
  });
});

describe('intervalsSchema', () => {
  it('accepts what the trainer writes', () => {
    expect(intervalsSchema.safeParse(intervals).success).toBe(true);
  });

  it.each([
    ['a level of 1', { level: 1 }],
    ['a negative half-width', { bins: [{ upper: null, halfWidth: -1, rows: 1 }] }],
    ['a last bin with an edge', { bins: [{ upper: 1, halfWidth: 1, rows: 1 }] }],
    [
      'edges out of order',
      {
        bins: [
          { upper: 2, halfWidth: 1, rows: 1 },
          { upper: 1, halfWidth: 1, rows: 1 },
          { upper: null, halfWidth: 1, rows: 1 },
        ],
      },
    ],
    ['no bins', { bins: [] }],
    ['too many bins', { bins: Array.from({ length: 101 }, () => ({ upper: null, halfWidth: 1, rows: 1 })) }],
  ])('refuses %s', (_name, change) => {
    expect(intervalsSchema.safeParse({ ...intervals, ...change }).success).toBe(false);
  });
});
