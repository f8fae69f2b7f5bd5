import { cleaningReport } from './report';
import type { CleaningSummary } from './prepare';
import { validateSpec } from '../spec/load';

const SPEC = validateSpec({
  name: 'report',
  columns: [
    { name: 'date', role: 'date' },
    { name: 'price', role: 'target' },
    { name: 'sqft', role: 'numeric', min: 0, missing: 'median' },
    { name: 'beds', role: 'numeric', min: 0, max: 20, outliers: 'clip' },
    { name: 'built', role: 'numeric', sentinels: [0] },
    { name: 'city', role: 'categorical', encoding: 'target' },
  ],
  split: { kind: 'random', evalFraction: 0.2, holdoutFraction: 0.2 },
});

const SUMMARY: CleaningSummary = {
  rowsRead: 100,
  rowsKept: 95,
  dropped: { duplicate: 2, 'bad_date:date': 1, target_outlier: 1, 'outlier_row:sqft': 1 },
  repaired: { sqft: 2 },
  missing: { sqft: 1, city: 3 },
  sentinels: { built: 4 },
  invalid: { sqft: 1 },
  outliers: { sqft: 1, beds: 1 },
  normalized: { city: 7 },
  ignoredColumns: ['extra'],
  splits: { train: 57, eval: 19, holdout: 19 },
};

describe('cleaningReport', () => {
  it('says per column what happened: repaired, missing kept, filled with the train median, clipped', () => {
    expect(cleaningReport(SUMMARY, SPEC, { sqft: 1750 })).toEqual([
      'dropped 2 rows that repeated an earlier row',
      'dropped 1 row with an unreadable or missing date in "date"',
      'dropped 1 row with a target outside its bounds',
      'dropped 1 row with "sqft" outside its bounds (outliers: drop_row)',
      'in the 95 rows kept:',
      '  sqft: 2 values repaired (stray characters removed); 1 value missing; 1 value unreadable, read as missing; 1 value outside the bounds set missing; all 3 are filled with the train median 1750',
      '  beds: 1 value outside the bounds clipped to them',
      "  built: 4 sentinel values read as missing; all 4 are left missing for the model (XGBoost's native missing value)",
      '  city: 7 values normalised (spelling, case, spaces); 3 values missing; all 3 are encoded as the prior (the train mean), as an unseen category is',
      'ignored 1 column the spec does not list: extra',
    ]);
  });
});

describe('cleaningReport on categorical encodings', () => {
  const spec = (encoding: 'frequency' | 'onehot') =>
    validateSpec({
      name: 'report',
      columns: [
        { name: 'price', role: 'target' },
        { name: 'city', role: 'categorical', encoding },
      ],
      split: { kind: 'random', evalFraction: 0.2, holdoutFraction: 0.2 },
    });
  const summary: CleaningSummary = { ...SUMMARY, dropped: { duplicate: 1 }, ignoredColumns: [] };

  it('says what a missing value becomes under each encoding, as the transform encodes it', () => {
    expect(cleaningReport(summary, spec('onehot'))).toEqual([
      'dropped 1 row that repeated an earlier row',
      'in the 95 rows kept:',
      '  city: 7 values normalised (spelling, case, spaces); 3 values missing; all 3 are encoded as no category (every one-hot column 0; an unseen category sets "other" instead)',
    ]);
    expect(cleaningReport(summary, spec('frequency')).at(-1)).toBe(
      '  city: 7 values normalised (spelling, case, spaces); 3 values missing; all 3 are encoded as frequency 0, as an unseen category is',
    );
  });
});
