import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadSpec, readCsv, validateSpec, type DatasetSpec } from '@housing/ml';
import { UNDATED_MONTH, monthReader, regionReader } from './monthly-grouping';

const AMES_CSV = path.resolve(__dirname, '../../../../data/ames/AmesHousing.csv');

const dateColumnOf = (spec: DatasetSpec) => {
  const column = spec.columns.find((c) => c.role === 'date');
  if (column?.role !== 'date') throw new Error('no date column');
  return column;
};

describe('monthly grouping follows the spec, not the raw column names', () => {
  it('groups every Ames row by its assembled sale month (Yr Sold + Mo Sold) and its neighborhood', async () => {
    expect(existsSync(AMES_CSV)).toBe(true);
    const spec = loadSpec('ames');
    const monthOf = monthReader(dateColumnOf(spec));
    const regionOf = regionReader(spec)!;
    const months = new Map<string, number>();
    const regions = new Set<string>();
    let header: string[] = [];
    let rows = 0;
    await readCsv(AMES_CSV, {
      header: (columns) => void (header = columns),
      row: (fields) => {
        const record = Object.fromEntries(header.map((h, i) => [h, fields[i]]));
        const month = monthOf(record);
        // The month is the row's own Yr Sold and Mo Sold, whatever "sold" (not a CSV column) holds.
        expect(month).toBe(`${record['Yr Sold']}-${String(record['Mo Sold']).padStart(2, '0')}`);
        months.set(month, (months.get(month) ?? 0) + 1);
        regions.add(regionOf(record));
        rows++;
      },
      rejected: () => undefined,
    });
    expect(rows).toBe(2930);
    // Ames sales run from January 2006 to July 2010: 55 months, none undated or NaN.
    expect([...months.keys()].sort()[0]).toBe('2006-01');
    expect([...months.keys()].sort().at(-1)).toBe('2010-07');
    expect(months.size).toBe(55);
    expect(months.has(UNDATED_MONTH)).toBe(false);
    expect(regions.size).toBe(28);
    expect(regions.has('unknown')).toBe(false);
  });

  it('reads a date and a region through their source columns and missing tokens', () => {
    const spec = validateSpec({
      name: 'sourced',
      columns: [
        { name: 'price', role: 'target' },
        { name: 'sale', role: 'date', source: 'Sale Date', missingTokens: ['unknown'], optional: true },
        {
          name: 'area',
          role: 'categorical',
          encoding: 'frequency',
          source: 'Area Name',
          missingTokens: ['n.a.'],
        },
        { name: 'size', role: 'numeric' },
      ],
      split: { kind: 'time', column: 'sale', evalFrom: '2020-01-01', holdoutFrom: '2021-01-01' },
      evaluation: { regionColumn: 'area' },
    });
    const monthOf = monthReader(dateColumnOf(spec));
    const regionOf = regionReader(spec)!;
    expect(monthOf({ 'Sale Date': '3/15/2021', sale: 'ignored' })).toBe('2021-03');
    expect(monthOf({ 'Sale Date': 'unknown' })).toBe(UNDATED_MONTH);
    expect(regionOf({ 'Area Name': ' North ', area: 'ignored' })).toBe('North');
    expect(regionOf({ 'Area Name': 'n.a.' })).toBe('unknown');
  });
});
