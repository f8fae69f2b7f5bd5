/**
 * The row plan (one parse per field, checks and transform on the parsed values, fields by column position,
 * the input's own text as the result line start) changes no output: compared with the implementation before
 * it (test-support/before-row-plan, commit 5003058) row by row (errors, warnings, Float32 features, drift
 * counts) and byte by byte (result and errors files), on the Ames CSV, a dirty generated HouseTS file and
 * hostile rows.
 */
import * as path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { prepareDataset } from '../dataset/prepare';
import { buildDriftProfile } from '../drift/profile';
import { DriftCounter } from '../drift/counts';
import { fitFeatures } from '../features/fit';
import { buildSignature } from '../features/signature';
import { checkRecord } from '../features/validate';
import { transformInto } from '../features/transform';
import { writeHouseTsCsv } from '../generate';
import type { ModelManifest } from '../package/manifest';
import { loadSpec, targetColumn } from '../spec/load';
import { readCsv } from '../csv/reader';
import * as before from '../test-support/before-row-plan/score-csv';
import { checkRecord as checkBefore } from '../test-support/before-row-plan/validate';
import { transformInto as transformBefore } from '../test-support/before-row-plan/transform';
import { samplePackage } from '../test-support/package';
import { chunkedReadable, singleChunkReadable } from '../test-support/streams';
import { useTempDir, writeTempFile } from '../test-support/tmp';
import { scoreCsv, type FeaturePredictor, type ScoreOptions } from './score-csv';
import type { ScoredRow } from './scored-row';
import { monthReader, regionReader } from './row-labels';

const AMES_CSV = path.resolve(__dirname, '../../../data/ames/AmesHousing.csv');

/** A package of the spec fitted on the file (encoders, signature, drift profile; no ONNX needed). */
async function packageOf(specName: string, file: string): Promise<ModelManifest> {
  const spec = loadSpec(specName);
  const data = await prepareDataset(spec, file);
  const signature = buildSignature(data);
  const target = targetColumn(spec);
  return {
    ...samplePackage().manifest,
    spec,
    signature,
    features: fitFeatures(data),
    target: { column: target.name, transform: target.transform },
    drift: buildDriftProfile(data, signature),
    // Two calibration bins, so that the price range columns are written.
    intervals: {
      method: 'split-conformal',
      space: 'transformed',
      calibration: 'cv',
      level: 0.9,
      bins: [
        { upper: 12, halfWidth: 0.05, rows: 10 },
        { upper: null, halfWidth: 0.1, rows: 10 },
      ],
    },
  } as ModelManifest;
}

/** Prices that depend on every feature of the row (so that rows and prices cannot be misaligned), and the matrices seen. */
function recordingPredictor(width: number): FeaturePredictor & { matrix: () => Float32Array } {
  const chunks: Float32Array[] = [];
  return {
    async predict(features, rows) {
      chunks.push(features.slice(0, rows * width));
      const prices = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let h = 0;
        for (let f = 0; f < width; f++) {
          const x = features[r * width + f]!;
          h = (h * 31 + (Number.isNaN(x) ? 7 : Math.round(x * 1000))) % 1_000_003;
        }
        prices[r] = 50_000 + h / 3.7;
      }
      return prices;
    },
    matrix: () => {
      const all = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const chunk of chunks) all.set(chunk, (at += chunk.length) - chunk.length);
      return all;
    },
  };
}

function sink(): { stream: Writable; text: () => string } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, callback) {
      parts.push(chunk);
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(parts).toString() };
}

/** The first differing index of two Float32 matrices (NaN equal to NaN), -1 when equal. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

interface Run {
  output: string;
  errors: string;
  matrix: Float32Array;
  warnings: string[];
  drift: ReturnType<DriftCounter['take']>;
  rows: Record<string, string | undefined>[];
  resultLines: string[];
  resultHeader?: string;
}

/** Scores `input` with the implementation before the row plan or today's, recording what callers see. */
async function run(
  impl: 'before' | 'now',
  manifest: ModelManifest,
  input: () => string | NodeJS.ReadableStream,
  header: readonly string[],
  options: ScoreOptions = {},
): Promise<Run> {
  const predictor = recordingPredictor(manifest.features.names.length);
  const out = sink();
  const errors = sink();
  const counter = new DriftCounter(manifest.drift!, manifest.signature);
  const warnings: string[] = [];
  const rows: Record<string, string | undefined>[] = [];
  const resultLines: string[] = [];
  let resultHeader: string | undefined;
  const seen = (
    row: ScoredRow | Readonly<Record<string, unknown>>,
    price: number,
    w: readonly { kind: string; field: string; message: string }[],
  ) => {
    warnings.push(JSON.stringify(w));
    const get = (c: string) =>
      'get' in row && typeof row.get === 'function'
        ? (row as ScoredRow).get(c)
        : (row as Record<string, string>)[c];
    // Copied: a ScoredRow is only valid during the call.
    rows.push(Object.fromEntries(header.map((c) => [c, get(c)])));
    counter.add(row as ScoredRow, price);
  };
  if (impl === 'before') {
    await before.scoreCsv(manifest, predictor, input() as never, out.stream, errors.stream, {
      chunkRows: options.chunkRows,
      maxLineBytes: options.maxLineBytes,
      onScored: (record, price, _actual, w) => seen(record, price, w),
    });
  } else {
    await scoreCsv(manifest, predictor, input() as never, out.stream, errors.stream, {
      ...options,
      onScored: (row, price, _actual, w) => seen(row, price, w),
      onResultLine: (line) => resultLines.push(line),
      onResultHeader: (line) => (resultHeader = line),
    });
  }
  return {
    output: out.text(),
    errors: errors.text(),
    matrix: predictor.matrix(),
    warnings,
    drift: counter.take(),
    rows,
    resultLines,
    resultHeader,
  };
}

async function headerOf(input: string | NodeJS.ReadableStream): Promise<string[]> {
  let header: string[] = [];
  await readCsv(input as never, {
    header: (c) => void (header = c),
    row: () => undefined,
    rejected: () => undefined,
  });
  return header;
}

/** Scores with both implementations and expects the same files, features, warnings, rows and drift. */
async function expectSameAsBefore(
  manifest: ModelManifest,
  input: () => string | NodeJS.ReadableStream,
  options: ScoreOptions = {},
): Promise<{ then: Run; now: Run }> {
  const header = await headerOf(input());
  const then = await run('before', manifest, input, header, options);
  const now = await run('now', manifest, input, header, options);
  expect(now.output).toBe(then.output);
  expect(now.errors).toBe(then.errors);
  expect(firstDifference(now.matrix, then.matrix)).toBe(-1);
  expect(now.warnings).toEqual(then.warnings);
  expect(now.rows).toEqual(then.rows);
  expect(now.drift).toEqual(then.drift);
  // The lines given to onResultLine are the result file's lines.
  expect([now.resultHeader, ...now.resultLines].map((l) => `${l}\n`).join('')).toBe(now.output);
  return { then, now };
}

/** checkRecord and transformInto against the implementation before the row plan, for every record of a CSV. */
async function expectRecordsSameAsBefore(manifest: ModelManifest, file: string): Promise<number> {
  const width = manifest.features.names.length;
  const now = new Float32Array(width);
  const then = new Float32Array(width);
  let header: string[] = [];
  let rows = 0;
  await readCsv(file, {
    header: (c) => void (header = c),
    row: (fields, line) => {
      const record = Object.fromEntries(header.map((h, i) => [h, fields[i]]));
      expect({ line, ...checkRecord(record, manifest) }).toEqual({ line, ...checkBefore(record, manifest) });
      transformInto(record, manifest.features, now, 0);
      transformBefore(record, manifest.features, then, 0);
      expect({ line, at: firstDifference(now, then) }).toEqual({ line, at: -1 });
      rows++;
    },
  });
  return rows;
}

describe('the row plan gives the same results as the implementation before it', () => {
  const tmp = useTempDir('row-plan-parity-');

  describe('on the Ames CSV with the Ames spec', () => {
    let manifest: ModelManifest;
    beforeAll(async () => {
      expect(existsSync(AMES_CSV)).toBe(true);
      manifest = await packageOf('ames', AMES_CSV);
    });

    it('checks and transforms every record alike (checkRecord, transformInto)', async () => {
      expect(await expectRecordsSameAsBefore(manifest, AMES_CSV)).toBe(2930);
    });

    it('writes byte-identical result and errors files, with the same features, warnings and drift counts', async () => {
      const { now } = await expectSameAsBefore(manifest, () => AMES_CSV);
      expect(now.rows.length).toBeGreaterThan(2800);
      // Ames rows are written as they were read (no cell needs neutralising or quoting) and some warn.
      expect(now.warnings.some((w) => w !== '[]')).toBe(true);
    });

    it('reads months and regions from a ScoredRow as from the record', async () => {
      const spec = manifest.spec;
      const date = spec.columns.find((c) => c.role === 'date');
      if (date?.role !== 'date') throw new Error('Ames has a date column');
      const month = monthReader(date);
      const region = regionReader(spec)!;
      const regions = new Set<string>();
      let rows = 0;
      await scoreCsv(manifest, recordingPredictor(manifest.features.names.length), AMES_CSV, null, null, {
        onScored: (row) => {
          const record = Object.fromEntries(
            ['Yr Sold', 'Mo Sold', 'Neighborhood'].map((c) => [c, row.get(c)]),
          );
          expect(month(row)).toBe(`${row.get('Yr Sold')}-${String(row.get('Mo Sold')).padStart(2, '0')}`);
          expect(month(row)).toBe(month(record));
          expect(region(row)).toBe(region(record));
          regions.add(region(row));
          rows++;
        },
      });
      expect(rows).toBeGreaterThan(2800);
      expect(regions.size).toBe(28);
    });
  });

  describe('on a dirty generated HouseTS file', () => {
    let file: string;
    let manifest: ModelManifest;
    beforeAll(async () => {
      file = path.join(tmp(), 'housets.csv');
      await writeHouseTsCsv(file, { metros: 4, zipsPerMetro: 12, dirty: true, dirtRate: 0.03, seed: 11 });
      manifest = await packageOf('housets', file);
    });

    it('checks and transforms every record alike (checkRecord, transformInto)', async () => {
      expect(await expectRecordsSameAsBefore(manifest, file)).toBeGreaterThan(5_000);
    });

    it('writes byte-identical result and errors files, with the same features, warnings and drift counts', async () => {
      const { now } = await expectSameAsBefore(manifest, () => file, { chunkRows: 1000 });
      // Dirt makes rejected rows, warnings and re-quoted result lines.
      expect(now.errors.split('\n').length).toBeGreaterThan(10);
      expect(now.warnings.some((w) => w !== '[]')).toBe(true);
    });
  });

  describe('on hostile rows', () => {
    let manifest: ModelManifest;
    let header: string;
    beforeAll(async () => {
      manifest = await packageOf('ames', AMES_CSV);
      header = readFileSync(AMES_CSV, 'utf8')
        .split(/\r?\n/)[0]!
        .replace(/^\ufeff/, '');
    });

    /** Ames lines with one column's value replaced. */
    const amesLines = (replacements: [column: string, value: string][]) => {
      const lines = readFileSync(AMES_CSV, 'utf8')
        .split(/\r?\n/)
        .slice(1, replacements.length + 1);
      const columns = header.split(',');
      return lines.map((line, k) => {
        const fields = line.split(',');
        const [column, value] = replacements[k]!;
        fields[columns.indexOf(column)] = value;
        return fields.join(',');
      });
    };

    it('neutralises formulas and quotes what needs quotes exactly as before', async () => {
      const lines = amesLines([
        ['Neighborhood', "=cmd|' /C calc'!A0"],
        ['Neighborhood', '+SUM(1,2)'],
        ['Alley', '-2+3'],
        ['Alley', '@SUM(A1)'],
        ['Alley', '\tx'],
        ['Alley', '"quoted, with comma"'],
        ['Alley', '"say ""hi"""'],
        ['Alley', '"two\nlines"'],
        ['Alley', '"carriage\rreturn"'],
        ['Alley', 'x\ry'],
        ['Alley', 'nul\u0000byte'],
        ['Lot Area', '-5'],
        ['Lot Area', '+3.2'],
        ['Lot Area', '$1,234'],
        ['Lot Area', '"1,234"'],
        ['SalePrice', '=1+1'],
        ['SalePrice', '-12'],
        ['Alley', 'x'.repeat(50_000)],
        ['Alley', '"' + 'y,'.repeat(20_000) + '"'],
        ['Alley', '🏠'],
      ]);
      const input = [header, ...lines, 'too,few', '', ''].join('\r\n');
      const { now } = await expectSameAsBefore(manifest, () => singleChunkReadable(input));
      expect(now.output).toContain(`"'=cmd|' /C calc'!A0"`);
      expect(now.output).toContain(`"two\nlines"`);
      expect(now.errors).toContain('has 2 fields');
    });

    it('keeps the same for a too-long row and rows split across chunks', async () => {
      const lines = amesLines([
        ['Alley', 'z'.repeat(3000)],
        ['Alley', '"a,b"'],
        ['Alley', 'ok'],
      ]);
      const input = [header, ...lines].join('\n') + '\n';
      const file = writeTempFile(tmp(), input);
      const { now } = await expectSameAsBefore(manifest, () => file, { maxLineBytes: 2500 });
      expect(now.errors).toContain('longer than the 2500-byte limit');
    });
  });
});

describe('scoreCsv shards: firstLine and writeHeaders', () => {
  let manifest: ModelManifest;
  let header: string;
  let lines: string[];
  beforeAll(async () => {
    manifest = await packageOf('ames', AMES_CSV);
    const text = readFileSync(AMES_CSV, 'utf8').split(/\r?\n/);
    header = text[0]!.replace(/^\ufeff/, '');
    lines = text.slice(1, 41);
    // Two bad rows: one in each half.
    lines[5] = 'bad,row';
    const fields = lines[30]!.split(',');
    fields[header.split(',').indexOf('Lot Area')] = 'abc';
    lines[30] = fields.join(',');
  });

  const score = async (input: string, options: ScoreOptions) => {
    const out = sink();
    const errors = sink();
    const predictor = recordingPredictor(manifest.features.names.length);
    await scoreCsv(manifest, predictor, singleChunkReadable(input), out.stream, errors.stream, options);
    return { output: out.text(), errors: errors.text() };
  };

  it("a file scored as two shards gives the whole file's result and errors, with its line numbers", async () => {
    const whole = await score([header, ...lines].join('\n') + '\n', {});
    const first = await score([header, ...lines.slice(0, 20)].join('\n') + '\n', {});
    const second = await score([header, ...lines.slice(20)].join('\n') + '\n', {
      firstLine: 22,
      writeHeaders: false,
    });
    expect(first.output + second.output).toBe(whole.output);
    expect(first.errors + second.errors).toBe(whole.errors);
    expect(second.output.startsWith(header)).toBe(false);
    expect(second.errors.startsWith('line,reason,row')).toBe(false);
    // Line 1 is the header: data line k + 1 is lines[k - 1]... the bad rows are lines 7 and 32.
    expect(
      whole.errors
        .split('\n')
        .slice(1, -1)
        .map((l) => l.split(',')[0]),
    ).toEqual(['7', '32']);
    expect(second.errors.split(',')[0]).toBe('32');
  });

  it('calls onResultHeader even when the header is not written', async () => {
    let seen = '';
    const out = sink();
    await scoreCsv(
      manifest,
      recordingPredictor(manifest.features.names.length),
      singleChunkReadable([header, lines[0]].join('\n')),
      out.stream,
      null,
      {
        writeHeaders: false,
        onResultHeader: (line) => (seen = line),
      },
    );
    expect(seen).toBe(`${header},predicted_price,actual_price,warnings,price_low,price_high`);
    expect(out.text().startsWith(lines[0]!)).toBe(true);
  });
});

describe('scoreCsv runs at once in one process', () => {
  it('keep their own parsed rows: concurrent jobs and API checks between their chunks change no byte', async () => {
    const manifest = await packageOf('ames', AMES_CSV);
    const text = readFileSync(AMES_CSV, 'utf8');
    const score = async (seed: number, interleave: boolean) => {
      const out = sink();
      const errors = sink();
      // Drift counts read the parsed rows of a chunk after its prices are known, across awaits.
      const counter = new DriftCounter(manifest.drift!, manifest.signature);
      await scoreCsv(
        manifest,
        recordingPredictor(manifest.features.names.length),
        chunkedReadable(text, seed, 500, 5000),
        out.stream,
        errors.stream,
        {
          chunkRows: 64,
          // What the API does between a batch's chunks in the same process: checkRecord and transformInto
          // on the shared plans of the same manifest.
          onScored: (row, price) => {
            counter.add(row, price);
            if (!interleave) return;
            const record = { 'Lot Area': '1', Neighborhood: row.get('Neighborhood') };
            checkRecord(record, manifest);
            transformInto(record, manifest.features, new Float32Array(manifest.features.names.length));
          },
        },
      );
      return out.text() + errors.text() + JSON.stringify(counter.take());
    };
    const alone = await score(1, false);
    const together = await Promise.all([score(2, true), score(3, true), score(4, true)]);
    expect(together).toEqual([alone, alone, alone]);
  });
});
