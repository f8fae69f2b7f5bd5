import { describe, expect, it } from 'vitest';
import { currentModel } from '../test/fixtures';
import { buildRecord, checkField, outsideObserved } from './useRecordForm';

const field = (name: string) => currentModel.signature.find((f) => f.name === name)!;

describe('client-side checks mirror the signature', () => {
  it('requires required fields and leaves empty optional ones out', () => {
    expect(checkField(field('date'), '  ')).toEqual({ error: 'Required.' });
    expect(checkField(field('median_list_price'), '')).toEqual({});
  });

  it('checks numbers and their min/max', () => {
    expect(checkField(field('median_list_price'), '389000')).toEqual({ value: 389000 });
    expect(checkField(field('median_list_price'), '389,000')).toEqual({ value: 389000 });
    expect(checkField(field('median_list_price'), '1e5')).toEqual({ value: 100000 });
    expect(checkField(field('median_list_price'), 'abc').error).toMatch(/number/);
    expect(checkField(field('median_list_price'), '12abc').error).toMatch(/number/);
    expect(checkField(field('median_list_price'), '-5').error).toBe('Must be at least 0.');
    expect(checkField(field('avg_sale_to_list'), '3.5').error).toBe('Must be at most 3.');
    expect(checkField(field('avg_sale_to_list'), '3')).toEqual({ value: 3 });
  });

  it('checks dates are real calendar dates written YYYY-MM-DD', () => {
    expect(checkField(field('date'), '2022-06-30')).toEqual({ value: '2022-06-30' });
    expect(checkField(field('date'), '2022-02-30').error).toMatch(/YYYY-MM-DD/);
    expect(checkField(field('date'), '30/06/2022').error).toMatch(/YYYY-MM-DD/);
  });

  it('accepts any text for categories (unknown ones too)', () => {
    expect(checkField(field('zipcode'), ' 99999 ')).toEqual({ value: '99999' });
  });

  it('builds the record with typed values and collects every error', () => {
    const { record, errors } = buildRecord(currentModel.signature, {
      date: '2022-06-30',
      median_list_price: '250000',
      avg_sale_to_list: '',
      zipcode: '30014',
    });
    expect(record).toEqual({ date: '2022-06-30', median_list_price: 250000, zipcode: '30014' });
    expect(errors).toEqual({});
    const bad = buildRecord(currentModel.signature, {
      date: '',
      median_list_price: 'x',
      avg_sale_to_list: '9',
    });
    expect(Object.keys(bad.errors).sort()).toEqual(['avg_sale_to_list', 'date', 'median_list_price']);
  });

  it('flags valid values outside the range seen in training', () => {
    expect(outsideObserved(field('median_list_price'), '5000000')).toBe(true);
    expect(outsideObserved(field('median_list_price'), '300000')).toBe(false);
    expect(outsideObserved(field('date'), '2022-06-30')).toBe(false);
    expect(outsideObserved(field('median_list_price'), 'abc')).toBe(false);
  });
});
