import { prepareDataset, type PreparedDataset } from './prepare';
import { recordReader } from './records';
import { HOLDOUT, TRAIN } from './split';
import { daysFromCivil } from '../clean/values';
import { fitFeatures } from '../features/fit';
import { buildSignature } from '../features/signature';
import { transform } from '../features/transform';
import type { FeatureSet } from '../features/types';
import { checkRecord } from '../features/validate';
import { validateSpec } from '../spec/load';
import { useTempDir, writeTempFile } from '../test-support/tmp';

/** A spec with every new column feature: sources, assembled and split-only dates, ordinal, sentinels, tokens, derived. */
const SPEC = validateSpec({
  name: 'spec-features',
  columns: [
    { name: 'price', role: 'target', transform: 'log' },
    { name: 'sold', role: 'date', assemble: { year: 'yr', month: 'mo' }, derive: ['year', 'days'] },
    { name: 'listed', role: 'date', feature: false, description: 'only splits' },
    { name: 'built', role: 'numeric', source: 'yr_built', min: 1800, max: 2100, feature: false },
    { name: 'renovated', role: 'numeric', source: 'yr_renovated', sentinels: [0], optional: true },
    { name: 'sqft', role: 'numeric', min: 0, missingTokens: ['unknown'] },
    { name: 'sqft_band', role: 'categorical', source: 'sqft', encoding: 'frequency' },
    {
      name: 'quality',
      role: 'categorical',
      encoding: 'ordinal',
      levels: ['NA', 'Po', 'Fa', 'TA', 'Gd', 'Ex'],
      missingTokens: [''],
    },
    { name: 'alley', role: 'categorical', encoding: 'onehot', missingTokens: [''] },
    { name: 'age_at_sale', role: 'derived', expr: 'year(sold) - built' },
    { name: 'since_work', role: 'derived', expr: 'year(sold) - coalesce(renovated, built)' },
    { name: 'sqft_per_quality', role: 'derived', expr: 'sqft / quality' },
  ],
  cleaning: { maxInvalidFraction: 0.2 },
  split: { kind: 'time', column: 'listed', evalFrom: '2009-01-01', holdoutFrom: '2010-01-01' },
});

const HEADER = 'price,yr,mo,listed,yr_built,yr_renovated,sqft,quality,alley,extra';
const ROWS = [
  '200000,2008,5,5/1/2008,1960,0,1500,TA,NA,x', //            L2 train; renovated 0 → missing (sentinel)
  '"$210,000",2008,7,2008-07-01,1970,1995,"1,600",Gd,Pave,x', // L3 train; repaired price and sqft
  '220000,2008,9,2008-09-01,1980,0,unknown,Ex,NA,x', //         L4 train; sqft "unknown" is missing
  '230000,2008,10,2008-10-01,1990,2000,1700,NA,Grvl,x', //      L5 train; quality NA is the lowest level
  '240000,2008,11,2008-11-01,1990,0,1800,Excellent,NA,x', //    L6 train; ordinal value not a level → invalid
  '250000,2009,2,2009-02-01,1950,0,1900,TA,NA,x', //            L7 eval
  '260000,2009,13,2009-03-01,1950,0,1900,TA,NA,x', //           L8 dropped: month 13 is no date
  '270000,2010,1,2010-01-15,1955,2005,2000,Po,,x', //           L9 holdout; alley empty → missing
  '280000,2010,3,3/1/2010,1965,0,$2100,Fa,NA,x', //             L10 holdout; dirt in the raw text
];

describe('spec features: sources, assembled and split-only dates, ordinal, sentinels, missing tokens, derived', () => {
  const tmp = useTempDir('spec-features-');
  let data: PreparedDataset;
  let features: FeatureSet;

  beforeAll(async () => {
    const file = writeTempFile(tmp(), [HEADER, ...ROWS].join('\n') + '\n', 'features.csv');
    data = await prepareDataset(SPEC, file, { rawSample: 10 });
    features = fitFeatures(data);
  });

  it('cleans each column by its own rules and counts what it did', () => {
    expect(data.summary).toMatchObject({
      rowsRead: 9,
      rowsKept: 8,
      dropped: { 'bad_date:sold': 1 },
      repaired: { sqft: 2 },
      missing: { sqft: 1, alley: 1 },
      sentinels: { renovated: 5 },
      invalid: { quality: 1 },
      ignoredColumns: ['extra'],
      splits: { train: 5, eval: 1, holdout: 2 },
    });
    expect([...data.numeric.renovated!]).toEqual([NaN, 1995, NaN, 2000, NaN, NaN, 2005, NaN]);
    const quality = data.categories.quality!;
    expect([...quality.codes].map((c) => (c < 0 ? null : quality.values[c]))).toEqual([
      'TA',
      'Gd',
      'Ex',
      'NA',
      null,
      'TA',
      'Po',
      'Fa',
    ]);
    const alley = data.categories.alley!;
    expect([...alley.codes].map((c) => (c < 0 ? null : alley.values[c]))).toEqual([
      'NA',
      'Pave',
      'NA',
      'Grvl',
      'NA',
      'NA',
      null,
      'NA',
    ]);
  });

  it('assembles the sale date from year and month, and splits on the split-only date', () => {
    expect(data.dates.sold![0]).toBe(daysFromCivil(2008, 5, 1));
    expect(data.dates.sold![7]).toBe(daysFromCivil(2010, 3, 1));
    expect([...data.split]).toEqual([TRAIN, TRAIN, TRAIN, TRAIN, TRAIN, 1, HOLDOUT, HOLDOUT]);
  });

  it('makes features of feature columns and derived columns only, one source feeding two features', () => {
    expect(features.names).toEqual([
      'sold_year',
      'sold_days',
      'renovated',
      'sqft',
      'sqft_band_frequency',
      'quality',
      'alley=Grvl',
      'alley=NA',
      'alley=Pave',
      'alley=__other__',
      'age_at_sale',
      'since_work',
      'sqft_per_quality',
    ]);
  });

  it('computes derived features from the cleaned inputs, missing when an input is missing', () => {
    const read = recordReader(data);
    const row = (i: number) => {
      const out = transform(read(i), { features });
      return Object.fromEntries(features.names.map((n, k) => [n, out[k]!]));
    };
    expect(row(0)).toMatchObject({
      sold_year: 2008,
      sold_days: daysFromCivil(2008, 5, 1),
      renovated: NaN,
      quality: 3,
      age_at_sale: 48,
      since_work: 48,
      sqft_per_quality: 500,
    });
    expect(row(1)).toMatchObject({
      renovated: 1995,
      sqft: 1600,
      quality: 4,
      since_work: 13,
      sqft_per_quality: 400,
    });
    expect(row(2)).toMatchObject({ sqft: NaN, sqft_per_quality: NaN });
    // Level 0 ("NA": none) divides by zero: missing, not Infinity.
    expect(row(3)).toMatchObject({ quality: 0, sqft_per_quality: NaN });
    expect(row(4)).toMatchObject({ quality: NaN, sqft_per_quality: NaN });
  });

  it('gives the same features from the raw text of a row as from its cleaned values', () => {
    expect(data.rawSample.map((s) => s.row)).toEqual([6, 7]);
    expect(data.rawSample[1]!.record).toEqual({
      yr: '2010',
      mo: '3',
      listed: '3/1/2010',
      yr_built: '1965',
      yr_renovated: '0',
      sqft: '$2100',
      quality: 'Fa',
      alley: 'NA',
    });
    const read = recordReader(data);
    for (const { row, record } of data.rawSample) {
      expect([...transform(record, { features })]).toEqual([...transform(read(row), { features })]);
    }
  });

  it('signs the raw fields the model reads, required unless optional; the split-only date is not one', () => {
    const signature = buildSignature(data);
    expect(signature.map((f) => [f.name, f.type, f.required])).toEqual([
      ['yr', 'number', true],
      ['mo', 'number', true],
      ['yr_built', 'number', true],
      ['yr_renovated', 'number', false],
      ['sqft', 'number', true],
      ['quality', 'string', true],
      ['alley', 'string', true],
    ]);
    expect(signature.find((f) => f.name === 'quality')!.levels).toEqual(['NA', 'Po', 'Fa', 'TA', 'Gd', 'Ex']);
    const manifest = { signature, features };
    const good = { yr: 2009, mo: 12, yr_built: 1965, sqft: '$2,100', quality: 'Fa', alley: 'NA' };
    expect(checkRecord(good, manifest)).toEqual({
      errors: [],
      warnings: [
        { field: 'yr_renovated', kind: 'imputed', message: 'missing: the model treats it as unknown' },
        // the signature describes train ∪ eval (what the served model is refit on): 1900 is an eval row's
        { field: 'sqft', kind: 'out_of_range', message: '2100 is outside the training range 1500 to 1900' },
      ],
    });
    expect(checkRecord({ ...good, yr_renovated: 1999, sqft: 1600 }, manifest)).toEqual({
      errors: [],
      warnings: [],
    });
    // A sentinel (0: never renovated) is read as missing, like a missing token, and says so.
    expect(checkRecord({ ...good, yr_renovated: '0', sqft: 1600 }, manifest)).toEqual({
      errors: [],
      warnings: [
        {
          field: 'yr_renovated',
          kind: 'imputed',
          message: '0 means missing (a sentinel of this column): the model treats it as unknown',
        },
      ],
    });
    // The one date rule: an assembled date's year is 1900 to 2100, like a date written whole.
    for (const yr of [9999, 1899, 2101, '0'])
      expect(checkRecord({ ...good, yr, sqft: 1600, yr_renovated: 1999 }, manifest).errors).toEqual([
        {
          field: 'yr',
          message: `with mo does not form a date from 1900 to 2100 (${JSON.stringify(yr)}, 12)`,
        },
      ]);
    for (const yr of [1900, 2100])
      expect(checkRecord({ ...good, yr, sqft: 1600, yr_renovated: 1999 }, manifest).errors).toEqual([]);
    expect(
      checkRecord(
        { yr: 2010, mo: 13, quality: 'Excellent', alley: 'Paved', sqft: 1600, yr_renovated: 'NA' },
        manifest,
      ),
    ).toEqual({
      errors: [
        { field: 'yr_built', message: 'is required' },
        { field: 'quality', message: 'must be one of NA, Po, Fa, TA, Gd, Ex, got "Excellent"' },
        { field: 'yr', message: 'with mo does not form a date from 1900 to 2100 (2010, 13)' },
      ],
      warnings: [],
    });
    const unusual = checkRecord(
      { ...good, yr: 2030, alley: 'Paved', yr_renovated: 1999, sqft: 1600, yr_built: 2200 },
      manifest,
    );
    expect(unusual.warnings.map((w) => [w.field, w.kind])).toEqual([
      ['yr_built', 'imputed'],
      ['alley', 'unseen_category'],
      ['yr', 'extrapolated_date'],
    ]);
  });
});
