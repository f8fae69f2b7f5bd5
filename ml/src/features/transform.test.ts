import { transform, transformInto } from './transform';
import { encoderFeatureNames, ONEHOT_OTHER, type FeatureSet, type FittedEncoder } from './types';
import { daysFromCivil } from '../clean/values';
import { textNormalizationSchema } from '../spec/schema';

const ENCODERS: FittedEncoder[] = [
  { kind: 'numeric', column: 'sqft', min: 0, max: 10000, outliers: 'missing' },
  { kind: 'numeric', column: 'lot', min: 0, max: 100, outliers: 'clip' },
  { kind: 'numeric', column: 'beds', min: 0, outliers: 'missing', fill: 3 },
  { kind: 'numeric', column: 'age', outliers: 'drop_row' },
  { kind: 'date', column: 'sold', parts: ['year', 'quarter', 'month', 'day_of_year', 'months_since_2000'] },
  { kind: 'frequency', column: 'zip', frequencies: { '10001': 0.25, '20002': 0.5 } },
  {
    kind: 'target',
    column: 'city',
    normalize: textNormalizationSchema.parse({ unifyDashes: true, case: 'title' }),
    means: { Austin: 12.5, 'Dallas-Fort Worth': 13.25 },
    prior: 11,
  },
  {
    kind: 'onehot',
    column: 'type',
    normalize: textNormalizationSchema.parse({ case: 'lower' }),
    categories: ['condo', 'house'],
  },
];

function featureSet(encoders: FittedEncoder[] = ENCODERS): FeatureSet {
  return { names: encoders.flatMap(encoderFeatureNames), encoders };
}

const FEATURES = featureSet();
const NAMES = [
  'sqft',
  'lot',
  'beds',
  'age',
  'sold_year',
  'sold_quarter',
  'sold_month',
  'sold_day_of_year',
  'sold_months_since_2000',
  'zip_frequency',
  'city_target_mean',
  'type=condo',
  'type=house',
  `type=${ONEHOT_OTHER}`,
];

const FULL = {
  sqft: 1500,
  lot: 50,
  beds: 4,
  age: 12,
  sold: '2021-08-15',
  zip: '10001',
  city: 'Austin',
  type: 'house',
};

/** transform() as a name → value map, for readable assertions. */
function named(record: Record<string, unknown>, features = FEATURES): Record<string, number> {
  const out = transform(record, { features });
  expect(out).toBeInstanceOf(Float32Array);
  expect(out).toHaveLength(features.names.length);
  return Object.fromEntries(features.names.map((name, i) => [name, out[i]!]));
}

describe('transform', () => {
  it('writes one value per feature name, in order', () => {
    expect(FEATURES.names).toEqual(NAMES);
    expect(named(FULL)).toEqual({
      sqft: 1500,
      lot: 50,
      beds: 4,
      age: 12,
      sold_year: 2021,
      sold_quarter: 3,
      sold_month: 8,
      sold_day_of_year: 227,
      sold_months_since_2000: 259,
      zip_frequency: 0.25,
      city_target_mean: 12.5,
      'type=condo': 0,
      'type=house': 1,
      [`type=${ONEHOT_OTHER}`]: 0,
    });
  });

  it('writes NaN for missing or unreadable numbers without a fill, the fill otherwise', () => {
    for (const missing of [undefined, null, '', 'NA', 'garbage', NaN, true]) {
      const out = named({ ...FULL, sqft: missing, beds: missing, age: missing });
      expect([missing, out.sqft, out.age]).toEqual([missing, NaN, NaN]);
      expect([missing, out.beds]).toEqual([missing, 3]);
    }
  });

  it('handles numeric outliers as the encoder says: missing, clip, or fill', () => {
    expect(named({ ...FULL, sqft: 10001 }).sqft).toBeNaN();
    expect(named({ ...FULL, sqft: -1 }).sqft).toBeNaN();
    expect(named({ ...FULL, sqft: 10000 }).sqft).toBe(10000);
    expect(named({ ...FULL, sqft: 0 }).sqft).toBe(0);
    expect(named({ ...FULL, lot: 250 }).lot).toBe(100);
    expect(named({ ...FULL, lot: -3 }).lot).toBe(0);
    expect(named({ ...FULL, lot: '' }).lot).toBeNaN();
    expect(named({ ...FULL, beds: -2 }).beds).toBe(3);
  });

  it('writes float32 values', () => {
    expect(named({ ...FULL, sqft: 0.1 }).sqft).toBe(Math.fround(0.1));
  });

  it('gives the same features for numbers written as text with stray characters', () => {
    const asText = { ...FULL, sqft: '$1,500', lot: ' 50 ', beds: '4*', age: '12' };
    expect(transform(asText, { features: FEATURES })).toEqual(transform(FULL, { features: FEATURES }));
    expect(named({ ...FULL, sqft: '1,234' }).sqft).toBe(1234);
  });

  it('derives date parts from every accepted date format, NaN for a bad date', () => {
    const parts = (sold: unknown) => {
      const out = named({ ...FULL, sold });
      return [
        out.sold_year,
        out.sold_quarter,
        out.sold_month,
        out.sold_day_of_year,
        out.sold_months_since_2000,
      ];
    };
    const expected = [2020, 1, 2, 60, 241];
    for (const sold of ['2020-02-29', '2020/02/29', '2/29/2020'])
      expect([sold, parts(sold)]).toEqual([sold, expected]);
    expect(parts('2020-02')).toEqual([2020, 1, 2, 32, 241]);
    for (const bad of [
      '2019-02-29',
      '2020-02-29T12:00:00Z',
      '9999-12-31',
      'soon',
      '',
      undefined,
      daysFromCivil(2020, 2, 29),
    ]) {
      expect([bad, parts(bad)]).toEqual([bad, [NaN, NaN, NaN, NaN, NaN]]);
    }
  });

  it('encodes frequencies: seen categories by their train frequency, unseen and missing as 0', () => {
    expect(named({ ...FULL, zip: '20002' }).zip_frequency).toBe(0.5);
    expect(named({ ...FULL, zip: ' 10001 ' }).zip_frequency).toBe(0.25);
    expect(named({ ...FULL, zip: 10001 }).zip_frequency).toBe(0.25);
    expect(named({ ...FULL, zip: '99999' }).zip_frequency).toBe(0);
    for (const missing of [undefined, null, '', 'NA'])
      expect(named({ ...FULL, zip: missing }).zip_frequency).toBe(0);
  });

  it('encodes target means after normalising; unseen and missing get the prior', () => {
    expect(named({ ...FULL, city: '  AUSTIN ' }).city_target_mean).toBe(12.5);
    expect(named({ ...FULL, city: 'dallas \u2013 fort worth' }).city_target_mean).toBe(13.25);
    expect(named({ ...FULL, city: 'Houston' }).city_target_mean).toBe(11);
    for (const missing of [undefined, null, '', '  ', 'n/a'])
      expect(named({ ...FULL, city: missing }).city_target_mean).toBe(11);
  });

  it('one-hot encodes: a known category sets its column, an unseen one "other", a missing one nothing', () => {
    const onehot = (type: unknown) => {
      const out = named({ ...FULL, type });
      return [out['type=condo'], out['type=house'], out[`type=${ONEHOT_OTHER}`]];
    };
    expect(onehot('condo')).toEqual([1, 0, 0]);
    expect(onehot(' HOUSE ')).toEqual([0, 1, 0]);
    expect(onehot('castle')).toEqual([0, 0, 1]);
    expect(onehot(undefined)).toEqual([0, 0, 0]);
    expect(onehot('')).toEqual([0, 0, 0]);
  });

  it('ignores fields the feature set does not know', () => {
    expect(transform({ ...FULL, price: 'n/a', extra: {} }, { features: FEATURES })).toEqual(
      transform(FULL, { features: FEATURES }),
    );
  });

  it('rejects a feature set whose names do not match the encoders’ width', () => {
    const broken: FeatureSet = { names: NAMES.slice(1), encoders: ENCODERS };
    expect(() => transform(FULL, { features: broken })).toThrow(/encoders produce 14 values, names list 13/);
  });
});

describe('transformInto', () => {
  const width = NAMES.length;

  it('writes only its own slice of a shared buffer', () => {
    const buffer = new Float32Array(width * 3).fill(777);
    const record = { ...FULL, type: 'castle', city: undefined };
    transformInto(record, FEATURES, buffer, width);
    expect([...buffer.subarray(0, width)]).toEqual(new Array(width).fill(777));
    expect([...buffer.subarray(2 * width)]).toEqual(new Array(width).fill(777));
    expect([...buffer.subarray(width, 2 * width)]).toEqual([...transform(record, { features: FEATURES })]);
  });

  it('overwrites everything in its slice, also one-hot zeros and NaN for missing values', () => {
    const buffer = new Float32Array(width).fill(5);
    transformInto({}, FEATURES, buffer);
    const expected = named({});
    expect([...buffer]).toEqual(NAMES.map((n) => expected[n]));
    expect(expected['type=condo']).toBe(0);
    expect(expected.sqft).toBeNaN();
  });

  it('gives each record of a batch the same features as on its own', () => {
    const records = [
      FULL,
      { ...FULL, zip: '20002', lot: '200' },
      {},
      { ...FULL, sold: '2012-03-31', type: 'CONDO' },
    ];
    const batch = new Float32Array(records.length * width);
    records.forEach((r, i) => transformInto(r, FEATURES, batch, i * width));
    records.forEach((r, i) =>
      expect([...batch.subarray(i * width, (i + 1) * width)]).toEqual([
        ...transform(r, { features: FEATURES }),
      ]),
    );
  });
});
