import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv';
import { dateError, parseIsoDate } from './dates';
import { breakableName } from './format';

describe('CSV export', () => {
  it('quotes cells with commas, quotes or line breaks, and defuses spreadsheet formulas', () => {
    expect(csvCell('Dallas-Fort Worth, TX')).toBe('"Dallas-Fort Worth, TX"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(-12.5)).toBe('-12.5');
    expect(csvCell(null)).toBe('');
    expect(toCsv(['a', 'b'], [[1, 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n');
  });
});

describe('dates', () => {
  it('takes real calendar dates written YYYY-MM-DD only', () => {
    expect(parseIsoDate(' 2022-06-30 ')).toBe('2022-06-30');
    expect(parseIsoDate('2022-02-30')).toBeNull();
    expect(parseIsoDate('62022-06-30')).toBeNull();
    expect(parseIsoDate('30/06/2022')).toBeNull();
  });

  it('names the accepted format and the likely reading of a day-first date', () => {
    expect(dateError('2022-06-30')).toBeNull();
    expect(dateError('30/06/2022')).toContain('2022-06-30');
    expect(dateError('2022-02-30')).toContain('not a real date');
    expect(dateError('next week')).toContain('YYYY-MM-DD');
  });
});

describe('file names', () => {
  it('break after their separators only', () => {
    expect(breakableName('sales_june-2022.final.csv')).toEqual(['sales_', 'june-', '2022.', 'final.', 'csv']);
    expect(breakableName('plain')).toEqual(['plain']);
  });
});
