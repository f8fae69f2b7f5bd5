import { fitFeatures, inverseTarget, transformTarget } from './fit';
import { buildSignature } from './signature';
import { checkRecord } from './validate';
import { encoderFeatureNames, type FeatureSet, type FittedEncoder } from './types';
import { prepareDataset, type PreparedDataset } from '../dataset/prepare';
import { validateSpec } from '../spec/load';
import type { DatasetSpec } from '../spec/schema';
import { useTempDir, writeTempFile } from '../test-support/tmp';

function fitSpec(
  transform: 'none' | 'log' = 'none',
  onehot: { minCount?: number; maxCategories?: number } = {},
): DatasetSpec {
  return validateSpec({
    name: 'fit-mini',
    columns: [
      { name: 'date', role: 'date', derive: ['year', 'month'] },
      { name: 'price', role: 'target', transform },
      { name: 'sqft', role: 'numeric', min: 0, missing: 'median' },
      { name: 'baths', role: 'numeric' },
      { name: 'zip', role: 'categorical', encoding: 'frequency' },
      { name: 'city', role: 'categorical', encoding: 'target', smoothing: 2 },
      { name: 'kind', role: 'categorical', encoding: 'onehot', minCount: 2, ...onehot },
    ],
    split: { kind: 'time', column: 'date', evalFrom: '2021-01-01', holdoutFrom: '2022-01-01' },
  });
}

const HEADER = 'date,price,sqft,baths,zip,city,kind';

interface Row {
  date: string;
  price: number;
  sqft: number | '';
  zip: string;
  city: string;
  kind: string;
}

/** The train split (2020), by hand. */
const TRAIN_ROWS: Row[] = [
  { date: '2020-01-31', price: 100, sqft: 1000, zip: 'A', city: 'X', kind: 'house' },
  { date: '2020-02-29', price: 250, sqft: 2000, zip: 'A', city: 'X', kind: 'condo' },
  { date: '2020-03-31', price: 300, sqft: '', zip: 'B', city: 'Y', kind: 'house' },
  { date: '2020-04-30', price: 420, sqft: 4000, zip: 'B', city: 'Y', kind: 'house' },
  { date: '2020-05-31', price: 500, sqft: 3000, zip: 'A', city: '', kind: 'condo' },
  { date: '2020-06-30', price: 610, sqft: 5000, zip: 'C', city: 'X', kind: 'loft' },
  { date: '2020-07-31', price: 700, sqft: 2500, zip: 'C', city: 'W', kind: 'house' },
];

/**
 * Eval and holdout rows that would move every fitted statistic if they leaked: huge prices and areas, train
 * categories in other proportions, and categories never seen in train (some frequent enough for one-hot).
 */
const LATER_ROWS_A: Row[] = [
  { date: '2022-03-31', price: 900000, sqft: 900000, zip: 'B', city: 'Y', kind: 'apartment' },
  { date: '2021-02-28', price: 800000, sqft: 800000, zip: 'A', city: 'X', kind: 'apartment' },
  { date: '2021-03-31', price: 700000, sqft: 700000, zip: 'B', city: 'Y', kind: 'apartment' },
  { date: '2021-04-30', price: 5, sqft: 1, zip: 'D', city: 'Z', kind: 'loft' },
  { date: '2022-01-31', price: 600000, sqft: '', zip: 'A', city: 'W', kind: 'loft' },
  { date: '2022-02-28', price: 1, sqft: 1, zip: 'D', city: 'Z', kind: 'apartment' },
];

/** The same dates with other prices, areas and categories. */
const LATER_ROWS_B: Row[] = LATER_ROWS_A.map((row, i) => ({
  ...row,
  price: 3 + i * 11,
  sqft: i * 7,
  zip: i % 2 ? 'E' : 'F',
  city: i % 2 ? 'V' : 'U',
  kind: i % 2 ? 'loft' : 'studio',
}));

const line = (r: Row, i: number) => `${r.date},${r.price},${r.sqft},${i % 3},${r.zip},${r.city},${r.kind}`;
const csv = (rows: Row[]) => [HEADER, ...rows.map(line)].join('\n') + '\n';

describe('fitFeatures', () => {
  const tmp = useTempDir('fit-test-');
  const prepare = (rows: Row[], spec = fitSpec()) => prepareDataset(spec, writeTempFile(tmp(), csv(rows)));
  let data: PreparedDataset;
  let fitted: FeatureSet;
  const encoder = <K extends FittedEncoder['kind']>(features: FeatureSet, column: string, kind: K) => {
    const found = features.encoders.find((e) => e.column === column);
    expect(found?.kind).toBe(kind);
    return found as Extract<FittedEncoder, { kind: K }>;
  };

  beforeAll(async () => {
    data = await prepare([...TRAIN_ROWS, ...LATER_ROWS_A]);
    fitted = fitFeatures(data);
  });

  it('sees the three splits in the data', () => {
    expect(data.summary.splits).toEqual({ train: 7, eval: 3, holdout: 3 });
  });

  it('fits frequencies on the train split only', () => {
    const n = TRAIN_ROWS.length;
    expect(encoder(fitted, 'zip', 'frequency').frequencies).toEqual({ A: 3 / n, B: 2 / n, C: 2 / n });
  });

  it('fits smoothed target means on the train split only: (sum + m * prior) / (count + m)', () => {
    const prices = TRAIN_ROWS.map((r) => r.price);
    const prior = prices.reduce((a, b) => a + b, 0) / prices.length;
    const m = 2;
    const smoothed = (city: string) => {
      const own = TRAIN_ROWS.filter((r) => r.city === city).map((r) => r.price);
      return (own.reduce((a, b) => a + b, 0) + m * prior) / (own.length + m);
    };
    const target = encoder(fitted, 'city', 'target');
    expect(target.prior).toBeCloseTo(prior, 10);
    expect(Object.keys(target.means).sort()).toEqual(['W', 'X', 'Y']);
    for (const city of ['W', 'X', 'Y']) expect(target.means[city]).toBeCloseTo(smoothed(city), 10);
    // Hand-computed for this table: prior 2880/7; X has 960 over 3 rows, Y 720 over 2, W 700 over 1.
    expect(target.means.X).toBeCloseTo((960 + 2 * (2880 / 7)) / 5, 10);
  });

  it('fits target means of the log1p target when the target is logged', async () => {
    const logged = fitFeatures(await prepare([...TRAIN_ROWS, ...LATER_ROWS_A], fitSpec('log')));
    const logs = TRAIN_ROWS.map((r) => Math.log1p(r.price));
    const prior = logs.reduce((a, b) => a + b, 0) / logs.length;
    const target = encoder(logged, 'city', 'target');
    expect(target.prior).toBeCloseTo(prior, 10);
    expect(target.means.W).toBeCloseTo((Math.log1p(700) + 2 * prior) / 3, 10);
    expect(transformTarget(700, 'log')).toBe(Math.log1p(700));
    expect(inverseTarget(Math.log1p(700), 'log')).toBeCloseTo(700, 9);
    expect(transformTarget(700, 'none')).toBe(700);
  });

  it('keeps one-hot categories seen at least minCount times in train, at most maxCategories', async () => {
    // Train: house 4, condo 2, loft 1; "apartment" is frequent only in eval and holdout.
    expect(encoder(fitted, 'kind', 'onehot').categories).toEqual(['condo', 'house']);
    const one = fitFeatures(
      await prepare([...TRAIN_ROWS, ...LATER_ROWS_A], fitSpec('none', { maxCategories: 1 })),
    );
    expect(encoder(one, 'kind', 'onehot').categories).toEqual(['house']);
    const all = fitFeatures(
      await prepare([...TRAIN_ROWS, ...LATER_ROWS_A], fitSpec('none', { minCount: 1 })),
    );
    expect(encoder(all, 'kind', 'onehot').categories).toEqual(['condo', 'house', 'loft']);
  });

  it('fills missing numbers with the train median, only where the spec asks for it', () => {
    // Train sqft: 1000, 2000, (missing), 4000, 3000, 5000, 2500 -> median (2500 + 3000) / 2; later rows ignored.
    expect(encoder(fitted, 'sqft', 'numeric')).toEqual({
      kind: 'numeric',
      column: 'sqft',
      min: 0,
      outliers: 'missing',
      fill: 2750,
    });
    expect(encoder(fitted, 'baths', 'numeric')).toEqual({
      kind: 'numeric',
      column: 'baths',
      outliers: 'missing',
    });
  });

  it('names the features in spec order, as wide as the encoders', () => {
    expect(fitted.names).toEqual([
      'date_year',
      'date_month',
      'sqft',
      'baths',
      'zip_frequency',
      'city_target_mean',
      'kind=condo',
      'kind=house',
      'kind=__other__',
    ]);
    expect(fitted.encoders.flatMap(encoderFeatureNames)).toEqual(fitted.names);
  });

  it('gives a byte-identical feature set when only eval and holdout rows change (file in date order)', async () => {
    const sorted = (rows: Row[]) => [...rows].sort((a, b) => (a.date < b.date ? -1 : 1));
    const a = fitFeatures(await prepare(sorted([...TRAIN_ROWS, ...LATER_ROWS_A])));
    const b = fitFeatures(await prepare(sorted([...TRAIN_ROWS, ...LATER_ROWS_B])));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a).toEqual(fitted);
  });

  it('gives a byte-identical feature set when only eval and holdout rows change (newest rows first)', async () => {
    // Exports are often sorted newest first: the eval and holdout rows come before the train rows.
    const newestFirst = (rows: Row[]) => [...rows].sort((a, b) => (a.date < b.date ? 1 : -1));
    const a = fitFeatures(await prepare(newestFirst([...TRAIN_ROWS, ...LATER_ROWS_A])));
    const b = fitFeatures(await prepare(newestFirst([...TRAIN_ROWS, ...LATER_ROWS_B])));
    expect(b).toEqual(a); // the same values...
    expect(JSON.stringify(b)).toBe(JSON.stringify(a)); // ...written the same way
  });
});

describe('buildSignature', () => {
  const tmp = useTempDir('signature-test-');

  it('describes every feature column from the train and eval rows the served model was refit on', async () => {
    const spec = fitSpec();
    const sign = async (later: Row[]) =>
      buildSignature(await prepareDataset(spec, writeTempFile(tmp(), csv([...TRAIN_ROWS, ...later]))));
    const a = await sign(LATER_ROWS_A);
    expect(a.map((f) => [f.name, f.type, f.required])).toEqual([
      ['date', 'date', true],
      ['sqft', 'number', true],
      ['baths', 'number', true],
      ['zip', 'string', true],
      ['city', 'string', true],
      ['kind', 'string', true],
    ]);
    const byName = Object.fromEntries(a.map((f) => [f.name, f]));
    // Eval (2021) widens every range and adds its categories; holdout (2022) rows never count.
    expect(byName.date!.observed).toEqual({ min: '2020-01-31', max: '2021-04-30' });
    expect(byName.sqft).toMatchObject({ min: 0, observed: { min: 1, max: 800000 } });
    expect(byName.zip!.categories).toEqual(['A', 'B', 'C', 'D']);
    expect(byName.city!.categories).toEqual(['X', 'Y', 'W', 'Z']);
    expect(byName.kind!.categories).toEqual(['house', 'apartment', 'condo', 'loft']);
    expect(byName.kind!.unknownCategory).toMatch(/other/);
    expect(byName.zip!.example).toBe('A');
    // Other holdout rows (same dates, so the same split) give the very same signature.
    const holdoutChanged = LATER_ROWS_A.map((row, i) =>
      row.date >= '2022-01-01' ? { ...row, sqft: 5 + i, zip: 'Q', city: 'Q', kind: 'studio' } : row,
    );
    expect(JSON.stringify(await sign(holdoutChanged))).toBe(JSON.stringify(a));
    // The encoders, though, are still fitted on train alone: eval's categories are unknown to them.
    const features = fitFeatures(
      await prepareDataset(spec, writeTempFile(tmp(), csv([...TRAIN_ROWS, ...LATER_ROWS_A]))),
    );
    const zip = features.encoders.find((e) => e.column === 'zip');
    expect(zip?.kind === 'frequency' && Object.keys(zip.frequencies).sort()).toEqual(['A', 'B', 'C']);
  });

  it('raises no out-of-range or unseen-category warning for values seen only in eval', async () => {
    const data = await prepareDataset(fitSpec(), writeTempFile(tmp(), csv([...TRAIN_ROWS, ...LATER_ROWS_A])));
    const signature = buildSignature(data);
    const features = fitFeatures(data);
    // 700000 sqft, zip D, city Z and kind apartment occur in eval rows only (train: 1000 to 5000, A-C, W-Y).
    const seenInEvalOnly = {
      date: '2021-03-31',
      sqft: 700000,
      baths: 1,
      zip: 'D',
      city: 'Z',
      kind: 'apartment',
    };
    expect(checkRecord(seenInEvalOnly, { signature, features }).warnings).toEqual([]);
    // A value beyond train and eval still warns, so the check itself is live.
    const beyond = checkRecord(
      { ...seenInEvalOnly, sqft: 900000, zip: 'Q' },
      { signature, features },
    ).warnings;
    expect(beyond.map((w) => [w.field, w.kind])).toEqual([
      ['sqft', 'out_of_range'],
      ['zip', 'unseen_category'],
    ]);
  });

  it('gives the train+eval median as the example value of a number', async () => {
    const signature = buildSignature(
      await prepareDataset(fitSpec(), writeTempFile(tmp(), csv([...TRAIN_ROWS, ...LATER_ROWS_A]))),
    );
    // Train sqft 1000, 2000, 4000, 3000, 5000, 2500 (one missing) and eval sqft 800000, 700000, 1: any value
    // from 2500 to 3000 is a median; the first row's 1000 is not a typical value, nor are eval's extremes.
    const example = signature.find((f) => f.name === 'sqft')!.example;
    expect(example).toBeGreaterThanOrEqual(2500);
    expect(example).toBeLessThanOrEqual(3000);
  });
});
