import { featureSources, groupBy, priceScale, sourceByIndex, topContributions } from './group';
import { encoderFeatureNames, type FeatureSet } from '../features/types';

const FEATURES: FeatureSet = {
  encoders: [
    { kind: 'date', column: 'date', parts: ['year', 'month'] },
    { kind: 'numeric', column: 'sqft', outliers: 'missing' },
    { kind: 'onehot', column: 'city', categories: ['A', 'B'] },
    { kind: 'frequency', column: 'zip', frequencies: { '1': 3 } },
  ],
  names: [],
};
FEATURES.names = FEATURES.encoders.flatMap(encoderFeatureNames);

describe('grouping contributions by raw column', () => {
  it('maps date parts, one-hot slots and encoded categories back to their column', () => {
    expect(featureSources(FEATURES)).toEqual([
      ['date'],
      ['date'],
      ['sqft'],
      ['city'],
      ['city'],
      ['city'],
      ['zip'],
    ]);
    const groups = groupBy(
      [0.1, 0.2, -0.5, 0.01, 0.02, 0.03, 1, /* bias */ 12],
      FEATURES.names,
      sourceByIndex(featureSources(FEATURES)),
    );
    expect(groups.map((g) => [g.source, g.features.length])).toEqual([
      ['date', 2],
      ['sqft', 1],
      ['city', 3],
      ['zip', 1],
    ]);
    expect(groups[0]!.contribution).toBeCloseTo(0.3, 15);
    expect(groups[2]!.contribution).toBeCloseTo(0.06, 15);
    expect(groups[2]!.features).toEqual(['city=A', 'city=B', 'city=__other__']);
  });

  it('reads renamed columns, assembled dates and derived expressions back to the fields a record carries', () => {
    const features: FeatureSet = {
      encoders: [
        { kind: 'numeric', column: 'living_area', source: 'Gr Liv Area', outliers: 'missing' },
        {
          kind: 'date',
          column: 'sold',
          parts: ['year', 'month'],
          assemble: { year: 'Yr Sold', month: 'Mo Sold' },
        },
        {
          kind: 'derived',
          column: 'age',
          expr: 'year(sold) - built',
          inputs: [
            { kind: 'date', column: 'sold', parts: [], assemble: { year: 'Yr Sold', month: 'Mo Sold' } },
            { kind: 'numeric', column: 'built', source: 'Year Built', outliers: 'missing' },
          ],
        },
        { kind: 'ordinal', column: 'Kitchen Qual', levels: ['Po', 'Fa', 'TA', 'Gd', 'Ex'] },
      ],
      names: [],
    };
    features.names = features.encoders.flatMap(encoderFeatureNames);
    expect(featureSources(features)).toEqual([
      ['Gr Liv Area'],
      ['Yr Sold', 'Mo Sold'],
      ['Yr Sold', 'Mo Sold'],
      ['Yr Sold', 'Mo Sold', 'Year Built'],
      ['Kitchen Qual'],
    ]);
    // The sale date and the age derived from it form one group: their fields overlap.
    const groups = groupBy([1, 2, 3, 4, 5], features.names, sourceByIndex(featureSources(features)));
    expect(groups.map((g) => [g.source, g.features, g.contribution])).toEqual([
      ['Gr Liv Area', ['living_area'], 1],
      ['Yr Sold + Mo Sold + Year Built', ['sold_year', 'sold_month', 'age'], 9],
      ['Kitchen Qual', ['Kitchen Qual'], 5],
    ]);
  });

  it('joins the sources of a feature derived from several columns into one group', () => {
    const names = ['sqft', 'lot', 'price_per_sqft', 'year', 'age'];
    const sources: Record<string, string[]> = {
      sqft: ['sqft'],
      lot: ['lot'],
      price_per_sqft: ['list_price', 'sqft'],
      year: ['date'],
      age: ['date', 'year_built'],
    };
    const groups = groupBy([1, 2, 4, 8, 16], names, (feature) => sources[feature]!);
    expect(groups.map((g) => [g.source, g.contribution])).toEqual([
      ['sqft + list_price', 5],
      ['lot', 2],
      ['date + year_built', 24],
    ]);
    // A feature without a source stands for itself; the total is always kept.
    const own = groupBy([1, 2], ['a', 'b'], () => []);
    expect(own.map((g) => g.source)).toEqual(['a', 'b']);
  });
});

describe('priceScale', () => {
  it('shares the price change of a log target in proportion to the margin contributions', () => {
    const bias = Math.log1p(200_000);
    const margin = Math.log1p(260_000);
    const { basePrice, price, scale } = priceScale(bias, margin, 'log');
    expect(basePrice).toBeCloseTo(200_000, 6);
    expect(price).toBeCloseTo(260_000, 6);
    const parts = [0.7, 0.3].map((share) => share * (margin - bias) * scale);
    expect(parts[0]! + parts[1]!).toBeCloseTo(60_000, 6);
    expect(parts[0]).toBeCloseTo(42_000, 6);
  });

  it('uses the derivative when the margin equals the bias, and 1 for an untransformed target', () => {
    expect(priceScale(Math.log(1000), Math.log(1000), 'log').scale).toBeCloseTo(1000, 9);
    const near = priceScale(Math.log(1000), Math.log(1000) + 1e-7, 'log').scale;
    expect(near).toBeCloseTo(1000, 3);
    expect(priceScale(100, 130, 'none')).toEqual({ basePrice: 100, price: 130, scale: 1 });
  });
});

describe('topContributions', () => {
  it('orders by absolute contribution, ties in input order', () => {
    const entries = [
      { id: 'a', contribution: 0.1 },
      { id: 'b', contribution: -0.5 },
      { id: 'c', contribution: 0.5 },
      { id: 'd', contribution: 0 },
    ];
    expect(topContributions(entries, 3).map((e) => e.id)).toEqual(['b', 'c', 'a']);
    expect(topContributions(entries, 0)).toEqual([]);
    expect(topContributions(entries, 10)).toHaveLength(4);
  });
});
