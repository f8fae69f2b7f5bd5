import { checkRecord, formatWarnings, validateRecord, type FieldError } from './validate';
import type { SignatureField } from './signature';
import { ACCEPTED_DATE_FORMATS } from '../clean/values';

const SIGNATURE: SignatureField[] = [
  { name: 'date', type: 'date', required: true },
  { name: 'sqft', type: 'number', required: false, min: 0, max: 10000 },
  { name: 'beds', type: 'number', required: false },
  { name: 'city', type: 'string', required: false },
];

const GOOD = { date: '2021-08-15', sqft: 1500, beds: 3, city: 'Austin' };

const json = (record: Record<string, unknown>) => validateRecord(record, SIGNATURE);
const text = (record: Record<string, unknown>) => validateRecord(record, SIGNATURE, { coerceText: true });
const fields = (errors: FieldError[]) => errors.map((e) => e.field);

describe('validateRecord', () => {
  it('accepts a good record, and one with only the required fields', () => {
    expect(json(GOOD)).toEqual([]);
    expect(json({ date: '2021-08-15' })).toEqual([]);
    expect(text({ date: '2021-08-15', sqft: '', beds: 'NA', city: '' })).toEqual([]);
  });

  it.each([undefined, null, '', '   '])('requires a required field (%p)', (date) => {
    expect(json({ ...GOOD, date })).toEqual([{ field: 'date', message: 'is required' }]);
  });

  it.each([
    [true, 'boolean'],
    [[1], 'array'],
    [{}, 'object'],
  ])('wants a number, not %p', (sqft, type) => {
    expect(json({ ...GOOD, sqft })).toEqual([{ field: 'sqft', message: `must be a number, got ${type}` }]);
  });

  it('rejects a non-finite JSON number', () => {
    expect(fields(json({ ...GOOD, sqft: NaN }))).toEqual(['sqft']);
    expect(fields(json({ ...GOOD, beds: Infinity }))).toEqual(['beds']);
  });

  it('reads numbers written as text, stray characters included, alike in JSON and CSV (one value reader)', () => {
    expect(text({ ...GOOD, sqft: '1500', beds: '3' })).toEqual([]);
    expect(text({ ...GOOD, sqft: '$1,500', beds: ' 3 ' })).toEqual([]);
    expect(text({ ...GOOD, sqft: '9,999*' })).toEqual([]);
    expect(json({ ...GOOD, sqft: '$1,500', beds: '3' })).toEqual([]);
    expect(json({ ...GOOD, sqft: '$12,000' })).toEqual(text({ ...GOOD, sqft: '$12,000' }));
  });

  it('rejects a non-numeric string with coerceText, quoting it', () => {
    expect(text({ ...GOOD, sqft: 'big' })).toEqual([
      { field: 'sqft', message: 'must be a number, got "big"' },
    ]);
    expect(text({ ...GOOD, sqft: true })).toEqual([
      { field: 'sqft', message: 'must be a number, got boolean' },
    ]);
  });

  it('checks the bounds: below min, above max, the bounds themselves allowed', () => {
    expect(json({ ...GOOD, sqft: -1 })).toEqual([{ field: 'sqft', message: 'must be at least 0, got -1' }]);
    expect(json({ ...GOOD, sqft: 10000.5 })).toEqual([
      { field: 'sqft', message: 'must be at most 10000, got 10000.5' },
    ]);
    expect(text({ ...GOOD, sqft: '$12,000' })).toEqual([
      { field: 'sqft', message: 'must be at most 10000, got 12000' },
    ]);
    expect(text({ ...GOOD, sqft: '-5' })).toEqual([{ field: 'sqft', message: 'must be at least 0, got -5' }]);
    expect(json({ ...GOOD, sqft: 0 })).toEqual([]);
    expect(json({ ...GOOD, sqft: 10000 })).toEqual([]);
    expect(json({ ...GOOD, beds: -1e9 })).toEqual([]);
  });

  it.each(['2019-02-29', '2021-13-01', '31/31/2019', 'yesterday'])('rejects the bad date %j', (date) => {
    expect(json({ ...GOOD, date })).toEqual([
      {
        field: 'date',
        message: `must be a date written ${ACCEPTED_DATE_FORMATS}, got ${JSON.stringify(date)}`,
      },
    ]);
  });

  it('rejects a date that is not a string', () => {
    expect(json({ ...GOOD, date: 20210815 })).toEqual([
      { field: 'date', message: `must be a date written ${ACCEPTED_DATE_FORMATS}, got 20210815` },
    ]);
    expect(fields(json({ ...GOOD, date: {} }))).toEqual(['date']);
  });

  it('accepts the other date formats the cleaning reads', () => {
    for (const date of ['2020-02-29', '2020/02/29', '2/29/2020', '2020-02'])
      expect(json({ ...GOOD, date })).toEqual([]);
  });

  it('refuses date-times and years outside 1900..2100 (one date rule for API, batch and training)', () => {
    for (const date of ['2020-02-29T10:00:00Z', '9999-12-31', '0000-01-01'])
      expect(json({ ...GOOD, date })).toHaveLength(1);
  });

  it('accepts strings and finite numbers as categories, nothing else', () => {
    expect(json({ ...GOOD, city: 78701 })).toEqual([]);
    expect(json({ ...GOOD, city: true })).toEqual([
      { field: 'city', message: 'must be a string, got boolean' },
    ]);
    expect(json({ ...GOOD, city: { name: 'Austin' } })).toEqual([
      { field: 'city', message: 'must be a string, got object' },
    ]);
    expect(json({ ...GOOD, city: ['Austin'] })).toEqual([
      { field: 'city', message: 'must be a string, got array' },
    ]);
    expect(fields(json({ ...GOOD, city: NaN }))).toEqual(['city']);
  });

  it('names every bad field at once, in signature order', () => {
    const errors = json({ city: false, beds: 'three', sqft: -4 });
    expect(errors).toEqual([
      { field: 'date', message: 'is required' },
      { field: 'sqft', message: 'must be at least 0, got -4' },
      { field: 'beds', message: 'must be a number, got "three"' },
      { field: 'city', message: 'must be a string, got boolean' },
    ]);
  });

  it('ignores fields the signature does not list', () => {
    expect(json({ ...GOOD, price: 'not a number', extra: { nested: true }, zip: null })).toEqual([]);
  });
});

describe('checkRecord: the outliers policy and warnings', () => {
  const signature: SignatureField[] = [
    {
      name: 'sqft',
      type: 'number',
      required: true,
      min: 0,
      max: 10000,
      outliers: 'missing',
      observed: { min: 500, max: 4000 },
    },
    { name: 'lot', type: 'number', required: true, min: 0, max: 100, outliers: 'clip' },
    { name: 'beds', type: 'number', required: true, min: 0, outliers: 'drop_row' },
    { name: 'city', type: 'string', required: false, categories: ['Austin', 'Dallas'] },
  ];
  const good = { sqft: 1500, lot: 50, beds: 3, city: 'Austin' };
  const check = (record: Record<string, unknown>) => checkRecord(record, { signature });

  it('accepts a usual record without warnings', () => {
    expect(check(good)).toEqual({ errors: [], warnings: [] });
  });

  it('follows the column policy out of bounds: missing and clip warn, drop_row rejects', () => {
    expect(check({ ...good, sqft: 20000 })).toEqual({
      errors: [],
      warnings: [
        {
          field: 'sqft',
          kind: 'imputed',
          message: '20000 is not at most 10000: treated as missing, as in training',
        },
      ],
    });
    expect(check({ ...good, lot: -3 }).warnings).toEqual([
      { field: 'lot', kind: 'out_of_range', message: '-3 is not at least 0: clipped, as in training' },
    ]);
    expect(check({ ...good, beds: -1 })).toEqual({
      errors: [{ field: 'beds', message: 'must be at least 0, got -1' }],
      warnings: [],
    });
  });

  it('warns about values outside the training range, unseen categories and missing optional fields', () => {
    expect(check({ ...good, sqft: '4,500', city: 'Houston' }).warnings).toEqual([
      { field: 'sqft', kind: 'out_of_range', message: '4500 is outside the training range 500 to 4000' },
      { field: 'city', kind: 'unseen_category', message: '"Houston" was not seen in training' },
    ]);
    expect(check({ sqft: 1500, lot: 1, beds: 1 }).warnings).toEqual([
      { field: 'city', kind: 'imputed', message: 'missing: the model treats it as unknown' },
    ]);
  });

  it('refuses a record without its required fields, naming each, and a missing token in one', () => {
    expect(check({ city: 'Austin', sqft: 'NA' }).errors).toEqual([
      { field: 'sqft', message: 'is required (got "NA", which means missing)' },
      { field: 'lot', message: 'is required' },
      { field: 'beds', message: 'is required' },
    ]);
  });

  it('joins warnings into one CSV cell', () => {
    expect(formatWarnings(check({ ...good, sqft: 4500, city: 'Houston' }).warnings)).toBe(
      'out_of_range sqft: 4500 is outside the training range 500 to 4000; unseen_category city: "Houston" was not seen in training',
    );
  });
});
