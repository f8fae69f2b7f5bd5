import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { prepareDataset, type PreparedDataset } from './prepare';
import { EVAL, HOLDOUT, TRAIN } from './split';
import { InputError } from '../errors';
import { daysFromCivil } from '../clean/values';
import { validateSpec } from '../spec/load';
import type { DatasetSpec } from '../spec/schema';
import { chunkedReadable } from '../test-support/streams';
import { useTempDir, writeTempFile } from '../test-support/tmp';

function miniSpec(
  overrides: { maxInvalidFraction?: number; split?: unknown; dedupeKeys?: string[] } = {},
): DatasetSpec {
  return validateSpec({
    name: 'mini-houses',
    columns: [
      { name: 'date', role: 'date', derive: ['year', 'month'] },
      { name: 'price', role: 'target', min: 1000, max: 10_000_000 },
      { name: 'sqft', role: 'numeric', min: 0 },
      { name: 'beds', role: 'numeric', min: 0, max: 20, outliers: 'clip' },
      { name: 'zip', role: 'categorical', encoding: 'frequency' },
      {
        name: 'city',
        role: 'categorical',
        encoding: 'target',
        normalize: { unifyDashes: true, case: 'title', renames: { Nyc: 'New York' } },
      },
      { name: 'note', role: 'drop', reason: 'free text' },
    ],
    cleaning: {
      dedupeKeys: overrides.dedupeKeys ?? ['date', 'zip'],
      maxInvalidFraction: overrides.maxInvalidFraction ?? 0.2,
    },
    split: overrides.split ?? {
      kind: 'time',
      column: 'date',
      evalFrom: '2021-01-01',
      holdoutFrom: '2022-01-01',
    },
  });
}

const HEADER = 'date,price,sqft,beds,zip,city,note,extra';

/** Line 2 onwards; the comment says what cleaning must do with each row. */
const DIRTY_ROWS = [
  '2020-01-31,300000,1500,3,10001,New York,a,x', //               L2  kept (train)
  '2020-02-29,310000,"$1,600",3,10001,new york,,x', //           L3  sqft repaired, city normalised
  '2020-03-31,320000,1700, 4 ,10001,NEW  YORK,,x', //            L4  beds repaired, city normalised
  '2020-03-31,999999,1700,4, 10001 ,New York,,x', //             L5  duplicate of L4 (date + cleaned zip)
  '2020-04-31,330000,1800,4,10001,New York,,x', //               L6  bad date
  '2020-05-31,50,1800,4,10001,New York,,x', //                   L7  target outlier
  '2020-06-30,,1800,4,10001,New York,,x', //                     L8  target missing
  '2020-07-31,340000,1800,4,10001', //                           L9  malformed row
  '2020-08-31,350000,NA,4,20002,Austin,,x', //                   L10 sqft missing
  '2020-09-30,360000,abc,4,20002,austin,,x', //                  L11 sqft invalid, city normalised
  '2020-10-31,370000,-5,4,20002,AUSTIN,,x', //                   L12 sqft outlier (set missing), city normalised
  '2020-11-30,380000,1900,25,20002,Austin,,x', //                L13 beds outlier (clipped to 20)
  '2020-12-31,"$390,000",2000,3,20002,Nyc,,x', //                L14 target repaired, city renamed
  '2021-01-31,400000,2100,3,10001,New York,,x', //               L15 eval
  '2021-06-30,410000,2100,3,20002,Austin \u2013 Round Rock,,x', // L16 eval, city normalised
  '2022-01-31,420000,2200,3,10001,New York,,x', //               L17 holdout
  '2022-02-28,430000,12*,3,20002,Austin,,x', //                  L18 holdout, sqft repaired
  '2022-02-28,430000,12*,3,20002,Austin,,x', //                  L19 duplicate of L18
  '2020-01-31,300000,1500,3,30003,"Dallas, TX",,"quoted, extra"', // L20 kept, city normalised
];

const day = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number);
  return daysFromCivil(y!, m!, d!);
};

function csv(header: string, rows: string[]): string {
  return [header, ...rows].join('\n') + '\n';
}

async function prepareError(spec: DatasetSpec, file: string): Promise<InputError> {
  const error = await prepareDataset(spec, file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

/** Rows for error tests: `n` clean rows spread over train, eval and holdout. */
function cleanRows(n: number): string[] {
  const dates = ['2020-01-31', '2020-02-29', '2020-03-31', '2021-02-28', '2022-03-31'];
  return Array.from(
    { length: n },
    (_, i) => `${dates[i % dates.length]},${200000 + i},${1000 + i},3,${10000 + i},Austin,,x`,
  );
}

describe('prepareDataset on a hand-built dirty CSV', () => {
  const tmp = useTempDir('prepare-test-');
  let file: string;
  let data: PreparedDataset;

  beforeAll(async () => {
    file = writeTempFile(tmp(), csv(HEADER, DIRTY_ROWS), 'dirty.csv');
    data = await prepareDataset(miniSpec(), file);
  });

  it('counts every kind of dirt exactly', () => {
    expect(data.summary).toEqual({
      rowsRead: 19,
      rowsKept: 13,
      dropped: { duplicate: 2, 'bad_date:date': 1, target_outlier: 1, target_missing: 1, malformed_row: 1 },
      repaired: { sqft: 2, beds: 1 },
      missing: { sqft: 1 },
      invalid: { sqft: 1 },
      outliers: { sqft: 1, beds: 1 },
      normalized: { city: 7 },
      ignoredColumns: ['extra'],
      splits: { train: 9, eval: 2, holdout: 2 },
      dateRange: { from: '2020-01-31', to: '2022-02-28' },
    });
  });

  it('keeps the right rows with cleaned values', () => {
    const kept = [2, 3, 4, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20];
    expect(data.rows).toBe(kept.length);
    expect([...data.lines]).toEqual(kept);
    expect([...data.target]).toEqual([
      300000, 310000, 320000, 350000, 360000, 370000, 380000, 390000, 400000, 410000, 420000, 430000, 300000,
    ]);
    expect([...data.numeric.sqft!]).toEqual([
      1500,
      1600,
      1700,
      NaN,
      NaN,
      NaN,
      1900,
      2000,
      2100,
      2100,
      2200,
      12,
      1500,
    ]);
    expect([...data.numeric.beds!]).toEqual([3, 3, 4, 4, 4, 4, 20, 3, 3, 3, 3, 3, 3]);
    expect([...data.dates.date!]).toEqual(
      [
        '2020-01-31',
        '2020-02-29',
        '2020-03-31',
        '2020-08-31',
        '2020-09-30',
        '2020-10-31',
        '2020-11-30',
        '2020-12-31',
        '2021-01-31',
        '2021-06-30',
        '2022-01-31',
        '2022-02-28',
        '2020-01-31',
      ].map(day),
    );
    expect([...data.split]).toEqual([
      TRAIN,
      TRAIN,
      TRAIN,
      TRAIN,
      TRAIN,
      TRAIN,
      TRAIN,
      TRAIN,
      EVAL,
      EVAL,
      HOLDOUT,
      HOLDOUT,
      TRAIN,
    ]);
    expect(Object.keys(data.numeric).sort()).toEqual(['beds', 'sqft']);
    expect(Object.keys(data.categories).sort()).toEqual(['city', 'zip']);
  });

  it('normalises categories (case, spaces, dashes, renames) before coding them', () => {
    const city = data.categories.city!;
    expect([...city.values].sort()).toEqual(['Austin', 'Austin-Round Rock', 'Dallas, Tx', 'New York']);
    expect([...city.codes].map((c) => city.values[c])).toEqual([
      'New York',
      'New York',
      'New York',
      'Austin',
      'Austin',
      'Austin',
      'Austin',
      'New York',
      'New York',
      'Austin-Round Rock',
      'New York',
      'Austin',
      'Dallas, Tx',
    ]);
    const zip = data.categories.zip!;
    expect([...zip.codes].map((c) => zip.values[c])).toEqual([
      '10001',
      '10001',
      '10001',
      '20002',
      '20002',
      '20002',
      '20002',
      '20002',
      '10001',
      '20002',
      '10001',
      '20002',
      '30003',
    ]);
  });

  it('hashes the file and counts its bytes', () => {
    const bytes = readFileSync(file);
    expect(data.bytes).toBe(bytes.length);
    expect(data.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('gives the same result from a stream fed in tiny pieces', async () => {
    const streamed = await prepareDataset(miniSpec(), chunkedReadable(readFileSync(file), 3));
    expect(streamed.summary).toEqual(data.summary);
    expect([...streamed.lines]).toEqual([...data.lines]);
    expect(streamed.sha256).toBe(data.sha256);
  });

  it('reports progress', async () => {
    const calls: [number, number][] = [];
    await prepareDataset(miniSpec(), file, { onProgress: (rows, bytes) => calls.push([rows, bytes]) });
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.at(-1)).toEqual([19, readFileSync(file).length]);
  });
});

describe('prepareDataset cleaning rules', () => {
  const tmp = useTempDir('prepare-rules-');

  it('drops a row whose numeric value is out of bounds when the column says drop_row', async () => {
    const spec = validateSpec({
      name: 'drop-rows',
      columns: [
        { name: 'price', role: 'target' },
        { name: 'lot', role: 'numeric', min: 0, max: 100, outliers: 'drop_row' },
      ],
      split: { kind: 'random', seed: 1, evalFraction: 0.3, holdoutFraction: 0.3 },
    });
    const rows = Array.from({ length: 30 }, (_, i) => `${100 + i},${i === 7 ? 500 : i === 9 ? -1 : i}`);
    const data = await prepareDataset(spec, writeTempFile(tmp(), csv('price,lot', rows)));
    expect(data.summary.dropped).toEqual({ 'outlier_row:lot': 2 });
    expect(data.summary.outliers).toEqual({});
    expect([...data.lines]).not.toContain(9);
    expect([...data.lines]).not.toContain(11);
    expect(data.rows).toBe(28);
  });

  it('without dedupe keys, drops exact duplicate lines only', async () => {
    const spec = validateSpec({
      name: 'no-keys',
      columns: [
        { name: 'price', role: 'target' },
        { name: 'x', role: 'numeric' },
        { name: 'c', role: 'categorical', encoding: 'frequency' },
      ],
      split: { kind: 'random', seed: 3, evalFraction: 0.25, holdoutFraction: 0.25 },
    });
    const base = Array.from({ length: 24 }, (_, i) => `${1000 + i},${i},c${i % 3}`);
    const rows = [...base, base[0]!, base[5]!, base[5]!, '1000,0,c0 ', '1000, 0,c0', '1001,0,c0'];
    const data = await prepareDataset(spec, writeTempFile(tmp(), csv('price,x,c', rows)));
    expect(data.summary.dropped).toEqual({ duplicate: 3 });
    expect(data.rows).toBe(27);
  });

  it('assigns a random split deterministically, by the seed', async () => {
    const spec = (seed: number) =>
      validateSpec({
        name: 'random',
        columns: [
          { name: 'price', role: 'target' },
          { name: 'x', role: 'numeric' },
        ],
        split: { kind: 'random', seed, evalFraction: 0.2, holdoutFraction: 0.1 },
      });
    const file = writeTempFile(
      tmp(),
      csv(
        'price,x',
        Array.from({ length: 5000 }, (_, i) => `${i + 1},${i}`),
      ),
    );
    const a = await prepareDataset(spec(5), file);
    const b = await prepareDataset(spec(5), file);
    const c = await prepareDataset(spec(6), file);
    expect([...a.split]).toEqual([...b.split]);
    expect([...a.split]).not.toEqual([...c.split]);
    expect(a.summary.splits.train + a.summary.splits.eval + a.summary.splits.holdout).toBe(5000);
    expect(a.summary.splits.eval / 5000).toBeCloseTo(0.2, 1);
    expect(a.summary.splits.holdout / 5000).toBeCloseTo(0.1, 1);
    expect(a.summary.dateRange).toBeUndefined();
  });
});

describe('prepareDataset errors', () => {
  const tmp = useTempDir('prepare-errors-');

  it('lists the required columns the CSV lacks', async () => {
    const file = writeTempFile(tmp(), csv('date,price,sqft,note', ['2020-01-31,1000,1,a']));
    const error = await prepareError(miniSpec(), file);
    expect(error.message).toBe('CSV is missing 3 required columns of spec "mini-houses": beds, zip, city');
    expect(error.details).toEqual({ missingColumns: ['beds', 'zip', 'city'] });
  });

  it('does not require dropped or identifier columns, but does require dedupe keys', async () => {
    const ok = writeTempFile(
      tmp(),
      csv(
        'date,price,sqft,beds,zip,city',
        cleanRows(20).map((r) => r.replace(/,,x$/, '')),
      ),
    );
    await expect(prepareDataset(miniSpec(), ok)).resolves.toMatchObject({ rows: 20 });
    const spec = validateSpec({
      name: 'with-id',
      columns: [
        { name: 'id', role: 'identifier' },
        { name: 'price', role: 'target' },
        { name: 'x', role: 'numeric' },
      ],
      cleaning: { dedupeKeys: ['id'] },
      split: { kind: 'random', evalFraction: 0.2, holdoutFraction: 0.2 },
    });
    const error = await prepareError(spec, writeTempFile(tmp(), csv('price,x', ['1,2'])));
    expect(error.details).toEqual({ missingColumns: ['id'] });
  });

  it('names a mostly unreadable numeric column, with the count and the first bad line', async () => {
    const rows = cleanRows(10).map((row, i) =>
      i >= 1 && i <= 8 ? row.replace(',3,', i === 1 ? ',abc,' : ',??x,') : row,
    );
    const error = await prepareError(miniSpec(), writeTempFile(tmp(), csv(HEADER, rows)));
    expect(error.message).toContain(
      'column "beds" is not a number: 8 of 10 rows (80.0%) (first at line 3: "abc")',
    );
    expect(error.details.problems).toHaveLength(1);
  });

  it('allows exactly maxInvalidFraction of bad values, not one more', async () => {
    const withBad = (bad: number) =>
      writeTempFile(
        tmp(),
        csv(
          HEADER,
          cleanRows(10).map((row, i) => (i < bad ? row.replace(',3,', ',oops,') : row)),
        ),
      );
    const ok = await prepareDataset(miniSpec({ maxInvalidFraction: 0.2 }), withBad(2));
    expect(ok.summary.invalid).toEqual({ beds: 2 });
    const error = await prepareError(miniSpec({ maxInvalidFraction: 0.2 }), withBad(3));
    expect(error.message).toContain(
      'column "beds" is not a number: 3 of 10 rows (30.0%) (first at line 2: "oops")',
    );
  });

  it('rejects a file with too many unparsable dates', async () => {
    const rows = cleanRows(10).map((row, i) => (i % 3 === 1 ? row.replace(/^[^,]+/, '2020-02-30') : row));
    const error = await prepareError(miniSpec(), writeTempFile(tmp(), csv(HEADER, rows)));
    expect(error.message).toContain(
      'column "date" is not a parsable date: 3 of 10 rows (30.0%) (first at line 3: "2020-02-30")',
    );
  });

  it('rejects a file whose target is mostly not a number, or whose rows mostly have the wrong width', async () => {
    const target = cleanRows(10).map((row, i) => (i < 4 ? row.replace(/^([^,]+),[^,]+/, '$1,price?') : row));
    expect((await prepareError(miniSpec(), writeTempFile(tmp(), csv(HEADER, target)))).message).toContain(
      'column "price" is not a number: 4 of 10 rows',
    );
    const widths = cleanRows(10).map((row, i) => (i < 4 ? `${row},surplus` : row));
    expect((await prepareError(miniSpec(), writeTempFile(tmp(), csv(HEADER, widths)))).message).toContain(
      'rows with the wrong number of fields: 4 of 10 rows (40.0%) (first at line 2: "9 fields, header has 8")',
    );
  });

  it('names an empty split, with the rule and the dates found', async () => {
    const rows = cleanRows(10).map((row) => row.replace('2022-03-31', '2021-03-31'));
    const error = await prepareError(miniSpec(), writeTempFile(tmp(), csv(HEADER, rows)));
    expect(error.message).toMatch(
      /^split "holdout" is empty after cleaning \(10 rows kept; rule: .*holdout from then on/,
    );
    expect(error.message).toContain('dates in the file run 2020-01-31 to 2021-03-31');
    expect(error.details).toEqual({ emptySplits: ['holdout'], splits: { train: 6, eval: 4, holdout: 0 } });

    const onlyTrain = cleanRows(10).map((row) => row.replace(/^20(21|22)/, '2020'));
    const both = await prepareError(miniSpec(), writeTempFile(tmp(), csv(HEADER, onlyTrain)));
    expect(both.message).toMatch(/^split "eval", "holdout" are empty/);
  });

  it('rejects a CSV with a header and no rows, and one where no row survives', async () => {
    expect((await prepareError(miniSpec(), writeTempFile(tmp(), csv(HEADER, [])))).message).toContain(
      'the CSV has a header but no data rows',
    );
    const noTargets = cleanRows(5).map((row) => row.replace(/^([^,]+),[^,]+/, '$1,'));
    expect((await prepareError(miniSpec(), writeTempFile(tmp(), csv(HEADER, noTargets)))).message).toContain(
      'no row survived cleaning (dropped: {"target_missing":5})',
    );
  });
});
