import * as path from 'node:path';
import { prepareDataset, type PreparedDataset } from './prepare';
import { loadSpec } from '../spec/load';
import { DIRT_KINDS, writeHouseTsCsv, type GenerateSummary } from '../generate';
import { dirtTruth, type DirtTruth, type DirtyLine } from '../test-support/housets-truth';
import { useTempDir } from '../test-support/tmp';

const SEED = 7;
const count = (lines: DirtyLine[], test: (line: DirtyLine) => boolean) => lines.filter(test).length;
const tally = (names: string[]) => {
  const out: Record<string, number> = {};
  for (const name of names) out[name] = (out[name] ?? 0) + 1;
  return out;
};

describe('prepareDataset on the generator’s tiny dirty HouseTS file', () => {
  const tmp = useTempDir('prepare-housets-');
  const spec = loadSpec('housets');
  const numericColumns = new Set(spec.columns.filter((c) => c.role === 'numeric').map((c) => c.name));
  let truth: DirtTruth;
  let written: GenerateSummary;
  let data: PreparedDataset;
  let kept: DirtyLine[];

  beforeAll(async () => {
    const file = path.join(tmp(), 'tiny-dirty.csv');
    written = await writeHouseTsCsv(file, { size: 'tiny', dirty: true, seed: SEED });
    truth = await dirtTruth({ size: 'tiny', seed: SEED });
    data = await prepareDataset(spec, file);
    kept = truth.lines.filter((l) => !l.duplicate && !l.outlier && !l.badDate);
  });

  it('starts from a file with every kind of dirt, which the ground truth accounts for line by line', () => {
    expect(written).toEqual(truth.summary);
    for (const kind of DIRT_KINDS) expect(written.dirt[kind]).toBeGreaterThan(0);
    const original = truth.lines.filter((l) => !l.duplicate);
    expect({
      missing_value: count(original, (l) => l.emptied.length > 0),
      duplicate_row: count(truth.lines, (l) => l.duplicate),
      city_spelling: count(original, (l) => l.citySpelling),
      outlier: count(original, (l) => l.outlier),
      bad_date: count(original, (l) => l.badDate),
      stray_characters: count(original, (l) => l.stray.length > 0),
    }).toEqual(written.dirt);
    expect(truth.lines).toHaveLength(written.rows);
  });

  it('drops outliers, bad dates and duplicates, and nothing else', () => {
    const dropped: Record<string, number> = {
      target_outlier: count(truth.lines, (l) => l.outlier),
      'bad_date:date': count(truth.lines, (l) => l.badDate && !l.outlier),
      duplicate: count(truth.lines, (l) => l.duplicate && !l.outlier && !l.badDate),
    };
    expect(dropped.target_outlier).toBeGreaterThan(0);
    expect(dropped['bad_date:date']).toBeGreaterThan(0);
    expect(dropped.duplicate).toBeGreaterThan(0);
    expect(data.summary.dropped).toEqual(dropped);
    expect(data.summary.rowsRead).toBe(written.rows);
    expect(data.summary.rowsKept).toBe(kept.length);
    expect([...data.lines]).toEqual(kept.map((l) => l.line));
    // The only rows kept are the clean file's rows without price or date dirt: each appears once.
    expect(new Set(kept.map((l) => `${l.clean[0]}|${l.clean[14]}`)).size).toBe(kept.length);
  });

  it('repairs every stray-character value of a feature column to the clean number', () => {
    const expected = tally(kept.flatMap((l) => l.stray.filter((c) => numericColumns.has(c))));
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    expect(data.summary.repaired).toEqual(expected);
    kept.forEach((l, i) => {
      for (const column of l.stray.filter((c) => numericColumns.has(c))) {
        const cleanValue = Number(l.clean[truth.header.indexOf(column)]);
        expect([l.line, column, data.numeric[column]![i]]).toEqual([l.line, column, Math.fround(cleanValue)]);
      }
    });
  });

  it('counts emptied feature values as missing and finds nothing unreadable or out of bounds', () => {
    expect(data.summary.missing).toEqual(
      tally(kept.flatMap((l) => l.emptied.filter((c) => numericColumns.has(c)))),
    );
    expect(data.summary.invalid).toEqual({});
    expect(data.summary.outliers).toEqual({});
    expect(data.summary.ignoredColumns).toEqual([]);
  });

  it('collapses every city spelling to the canonical metro name of its row', () => {
    const cityIndex = truth.header.indexOf('city_full');
    // The canonical names are those of the clean file: one per metro of the tiny sample.
    const canonical = [...new Set(truth.lines.map((l) => l.clean[cityIndex]!))].sort();
    expect(canonical).toHaveLength(3);
    const city = data.categories.city_full!;
    expect([...city.values].sort()).toEqual(canonical);
    const wrong = kept.filter((l, i) => city.values[city.codes[i]!] !== l.clean[cityIndex]);
    expect(wrong).toEqual([]);
    expect(data.summary.normalized).toEqual({ city_full: count(kept, (l) => l.citySpelling) });
    expect(data.summary.normalized.city_full).toBeGreaterThan(0);
  });

  it('splits by date: train before 2020, eval 2020-2021, holdout from 2022', () => {
    const dateIndex = truth.header.indexOf('date');
    const expected = { train: 0, eval: 0, holdout: 0 };
    for (const l of kept) {
      const date = l.fields[dateIndex]!;
      expected[date < '2020-01-01' ? 'train' : date < '2022-01-01' ? 'eval' : 'holdout']++;
    }
    expect(data.summary.splits).toEqual(expected);
    expect(data.summary.dateRange).toEqual({ from: '2012-03-31', to: '2023-12-31' });
  });
});
