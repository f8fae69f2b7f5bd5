/**
 *
 * End to end on tiny data: the Python trainer (ml/trainer/.venv) fits XGBoost and exports ONNX; TypeScript
 * prepares the data, writes the package and serves it through onnxruntime-node. Each dataset is trained
 * once (beforeAll) and shared by the tests of its describe block.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { trainModel } from './train';
import { main } from '../cli/main';
import { InputError } from '../errors';
import { csvLine } from '../csv/reader';
import { prepareDataset, type PreparedDataset } from '../dataset/prepare';
import { HOLDOUT, TRAIN } from '../dataset/split';
import { transform, transformInto } from '../features/transform';
import { readPackage, type ModelPackage } from '../package/io';
import { checkExplanations, checkParity, loadPackageModel } from '../package/verify';
import { withinTolerance, type ModelManifest } from '../package/manifest';
import type { OnnxModel } from '../onnx/model';
import { loadSpec } from '../spec/load';
import { scoreCsv } from '../score/score-csv';
import { CITY_RENAMES, HOUSETS_COLUMNS, writeHouseTsCsv, type GenerateSummary } from '../generate';
import { californiaSample, type CaliforniaSample } from '../test-support/california';
import { dirtTruth, type DirtTruth } from '../test-support/housets-truth';
import { chunkedReadable, parseCsv, parseCsvText } from '../test-support/streams';
import { listDir, makeTempDir, removeDir, useTempDir, writeTempFile } from '../test-support/tmp';

jest.setTimeout(180_000);

/** Runs `fn` with stderr muted (the CLI's progress lines). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}

/** Checks the parts of a package every spec shares: parity, metrics vs baseline, signature, evaluation. */
function describeCommonPackageChecks(
  get: () => { pkg: ModelPackage; model: OnnxModel; data: PreparedDataset },
) {
  it('reproduces the parity fixture through the TypeScript transform and onnxruntime-node', async () => {
    const { pkg, model } = get();
    expect(pkg.manifest.parity.records.length).toBeGreaterThanOrEqual(20);
    const report = await checkParity(pkg.manifest, model);
    expect(report.rows).toBe(pkg.manifest.parity.records.length);
    expect(report.failures).toEqual([]);
    expect(report.maxRelDiff).toBeLessThan(pkg.manifest.parity.tolerance.relative);
  });

  it('records metrics for eval, holdout and the baseline, the model beating the baseline’s MAPE', () => {
    const { pkg, data } = get();
    const m = pkg.manifest.metrics;
    expect(m.eval.rows).toBe(data.summary.splits.eval);
    expect(m.holdout.rows).toBe(data.summary.splits.holdout);
    expect(m.baseline.eval.rows).toBe(data.summary.splits.eval);
    expect(m.baseline.holdout.rows).toBe(data.summary.splits.holdout);
    expect(m.holdout.mape).toBeLessThan(m.baseline.holdout.mape);
    expect(m.eval.mape).toBeLessThan(m.baseline.eval.mape);
    expect(m.holdout.r2).toBeGreaterThan(m.baseline.holdout.r2);
  });

  it('records the dataset’s cleaning summary and row counts in the lineage', () => {
    const { pkg, data } = get();
    expect(pkg.manifest.lineage.cleaning).toEqual(data.summary);
    expect(pkg.manifest.lineage.rows).toEqual({
      read: data.summary.rowsRead,
      kept: data.summary.rowsKept,
      ...data.summary.splits,
    });
    expect(pkg.manifest.lineage.datasetSha256).toBe(data.sha256);
  });

  it('lists every feature column in the signature, in spec order', () => {
    const { pkg } = get();
    const featureColumns = pkg.manifest.spec.columns
      .filter((c) => ['date', 'numeric', 'categorical'].includes(c.role))
      .map((c) => c.name);
    expect(pkg.manifest.signature.map((f) => f.name)).toEqual(featureColumns);
    expect(pkg.manifest.features.encoders.map((e) => e.column)).toEqual(featureColumns);
    expect(pkg.manifest.signature.some((f) => f.name === pkg.manifest.target.column)).toBe(false);
  });

  it('aggregates the holdout in evaluation.json: cells sum to the holdout rows and agree with the metrics', () => {
    const { pkg, data } = get();
    const cells = pkg.evaluation.cells;
    const n = cells.reduce((sum, c) => sum + c.n, 0);
    expect(n).toBe(data.summary.splits.holdout);
    let actual = 0;
    for (let i = 0; i < data.rows; i++) if (data.split[i] === HOLDOUT) actual += data.target[i]!;
    expect(cells.reduce((sum, c) => sum + c.sumActual, 0)).toBeCloseTo(actual, 0);
    const mae = cells.reduce((sum, c) => sum + c.sumAbsError, 0) / n;
    const mape = cells.reduce((sum, c) => sum + c.sumAbsPercentError, 0) / n;
    expect(Math.abs(mae / pkg.manifest.metrics.holdout.mae - 1)).toBeLessThan(1e-6);
    expect(Math.abs(mape / pkg.manifest.metrics.holdout.mape - 1)).toBeLessThan(1e-6);
    expect(new Set(cells.map((c) => `${c.month}|${c.region}`)).size).toBe(cells.length);
  });
}

describe('trainModel end to end: HouseTS tiny dirty sample', () => {
  const tmp = useTempDir('e2e-housets-');
  const SEED = 11;
  const spec = loadSpec('housets');
  let csvFile: string;
  let generated: GenerateSummary;
  let outDir: string;
  let manifest: ModelManifest;
  let pkg: ModelPackage;
  let model: OnnxModel;
  let data: PreparedDataset;
  let truth: DirtTruth;
  /** The canonical metro names: those of the clean file of the same seed. */
  let canonical: string[];
  const events: string[] = [];

  beforeAll(async () => {
    csvFile = path.join(tmp(), 'housets-tiny.csv');
    generated = await writeHouseTsCsv(csvFile, { size: 'tiny', dirty: true, seed: SEED });
    truth = await dirtTruth({ size: 'tiny', seed: SEED });
    const city = HOUSETS_COLUMNS.indexOf('city_full');
    canonical = [...new Set(truth.lines.map((l) => l.clean[city]!))].sort();
    outDir = path.join(tmp(), 'packages', 'housets-tiny');
    const result = await trainModel({
      spec,
      csv: csvFile,
      outDir,
      fast: true,
      version: 'e2e',
      onProgress: (p) => events.push(p.stage),
    });
    manifest = result.manifest;
    pkg = readPackage(outDir);
    model = await loadPackageModel(pkg.manifest, pkg.model);
    data = await prepareDataset(spec, csvFile);
  });

  afterAll(async () => {
    await model?.release();
  });

  it('writes a complete package and nothing else next to it', () => {
    expect(listDir(outDir)).toEqual(['evaluation.json', 'manifest.json', 'model.onnx', 'trees.json']);
    expect(listDir(path.dirname(outDir))).toEqual(['housets-tiny']);
    expect(pkg.manifest).toEqual(JSON.parse(JSON.stringify(manifest)));
    expect(pkg.manifest.model).toMatchObject({ name: 'housets-xgboost', version: 'e2e' });
    expect(pkg.manifest.lineage.datasetSha256).toBe(
      createHash('sha256').update(readFileSync(csvFile)).digest('hex'),
    );
    expect(pkg.manifest.lineage.datasetFile).toBe('housets-tiny.csv');
    expect(pkg.manifest.lineage.rows.read).toBe(generated.rows);
    expect(events).toEqual(
      expect.arrayContaining(['load', 'prepared', 'features', 'trainer', 'parity', 'package']),
    );
  });

  describeCommonPackageChecks(() => ({ pkg, model, data }));

  it('evaluates the holdout by month and canonical metro name', () => {
    const cells = pkg.evaluation.cells;
    expect(pkg.evaluation.regionColumn).toBe('city_full');
    expect(canonical).toHaveLength(3);
    expect([...new Set(cells.map((c) => c.region))].sort()).toEqual(canonical);
    for (const cell of cells) expect(cell.month >= '2022-01' && cell.month <= '2023-12').toBe(true);
    expect(pkg.evaluation.points.length).toBeGreaterThan(0);
    expect(pkg.evaluation.importances.length).toBeGreaterThan(0);
  });

  it('chooses the rounds by expanding-window CV over train ∪ eval on the default metric (RMSLE for a log target)', () => {
    const training = pkg.manifest.training!;
    expect(training).toMatchObject({ metric: 'rmsle', selectedBy: 'cv', servedSeed: 42 });
    expect(training.cv).toMatchObject({ kind: 'time', folds: 4 });
    const folds = training.cv!.foldRows;
    // expanding windows: each fold trains on the previous fold's training and validation rows
    for (let i = 1; i < folds.length; i++)
      expect(folds[i]!.trainRows).toBe(folds[i - 1]!.trainRows + folds[i - 1]!.validRows);
    expect(folds.at(-1)!.trainRows + folds.at(-1)!.validRows).toBe(
      data.summary.splits.train + data.summary.splits.eval,
    );
    expect(training.seeds).toHaveLength(1);
    expect(training.seeds[0]!.holdout.mape).toBeCloseTo(pkg.manifest.metrics.holdout.mape, 6);
    expect(pkg.manifest.hyperparameters.n_estimators).toBe(training.seeds[0]!.nEstimators);
    expect(training.spread.holdout.mape!.std).toBe(0);
  });

  it('calibrates 90 % prediction intervals on out-of-fold residuals and reports their holdout coverage', () => {
    const intervals = pkg.manifest.intervals!;
    expect(intervals).toMatchObject({ method: 'split-conformal', calibration: 'cv', level: 0.9 });
    // every CV fold's validation rows, predicted by a model that never saw them
    const validRows = pkg.manifest.training!.cv!.foldRows.reduce((n, f) => n + f.validRows, 0);
    expect(intervals.calibrationRows).toBe(validRows);
    expect(intervals.bins.reduce((n, b) => n + b.rows, 0)).toBe(validRows);
    expect(intervals.holdout.rows).toBe(pkg.manifest.metrics.holdout.rows);
    // a loose sanity bound on a small holdout; the measured coverage is in bench/results/intervals.md
    expect(intervals.holdout.coverage).toBeGreaterThan(0.7);
    expect(intervals.holdout.meanRelativeWidth).toBeGreaterThan(0);
  });

  it('ships TreeSHAP’s covers and XGBoost’s parity contributions, which the TypeScript explainer reproduces', () => {
    const explain = pkg.manifest.explain!;
    expect(explain.covers.file).toBe('trees.json');
    expect(explain.parityContributions).toHaveLength(pkg.manifest.parity.records.length);
    const report = checkExplanations(pkg)!;
    expect(report.failures).toEqual([]);
    expect(report.maxAbsDiff).toBeLessThan(1e-4);
    // the contributions add up to the model output of each parity record
    const width = pkg.manifest.features.names.length;
    explain.parityContributions.forEach((row, i) => {
      const margin = row.reduce((a, v) => a + v, 0);
      expect(Math.expm1(margin)).toBeCloseTo(pkg.manifest.parity.predictions[i]!, -1);
      expect(row).toHaveLength(width + 1);
    });
  });

  it('fits the city_full target encoder on canonical names only', () => {
    const encoder = pkg.manifest.features.encoders.find((e) => e.column === 'city_full');
    expect(encoder?.kind).toBe('target');
    if (encoder?.kind !== 'target') return;
    expect(Object.keys(encoder.means).sort()).toEqual(canonical);
  });

  describe('the CLI predict command', () => {
    let dataCsv: string;
    let outCsv: string;
    let errorsCsv: string;
    let firstAppended: number;
    let output: Awaited<ReturnType<typeof parseCsv>>;
    let legacySpelling: string;

    beforeAll(async () => {
      const template = truth.lines.find(
        (l) =>
          !l.duplicate &&
          !l.outlier &&
          !l.badDate &&
          !l.citySpelling &&
          l.emptied.length === 0 &&
          l.stray.length === 0,
      )!;
      const col = (name: string) => HOUSETS_COLUMNS.indexOf(name);
      const withFields = (changes: Record<string, string>) => {
        const fields = [...template.clean];
        for (const [name, value] of Object.entries(changes)) fields[col(name)] = value;
        return csvLine(fields);
      };
      // A legacy name of one of the sample's metros, badly spelt.
      const [legacy, current] = Object.entries(CITY_RENAMES).find(([, name]) => canonical.includes(name))!;
      legacySpelling = ` ${legacy.toLowerCase().replaceAll('-', ' - ')} `;
      firstAppended = truth.lines.at(-1)!.line + 1;
      const appended = [
        withFields({ date: '2023-02-30' }), // bad date
        withFields({ city_full: 'Bad\nCity', median_list_price: 'abc' }), // two lines, not a number
        withFields({ homes_sold: '-5' }), // below min
        '2023-01-31,1,2', // wrong width
        withFields({ date: '2023-06-30', city_full: legacySpelling }), // legacy name, valid
        withFields({ date: '2023-06-30', city_full: current }), // its current name, valid
      ];
      dataCsv = writeTempFile(
        tmp(),
        readFileSync(csvFile, 'utf8') + appended.join('\n') + '\n',
        'predict-input.csv',
      );
      outCsv = path.join(tmp(), 'scored', 'out.csv');
      errorsCsv = path.join(tmp(), 'scored', 'out.errors.csv');
      const code = await quietly(() =>
        main(['predict', '--model', outDir, '--data', dataCsv, '--out', outCsv, '--errors', errorsCsv]),
      );
      expect(code).toBe(0);
      output = await parseCsv(outCsv);
    });

    /** Lines a model refuses: unreadable dates, and a required field emptied by the dirt. */
    const refusedLines = () => {
      const required = new Set(pkg.manifest.signature.filter((f) => f.required).map((f) => f.name));
      return truth.lines
        .filter((l) => l.badDate || l.emptied.some((c) => required.has(c)))
        .map((l) => l.line);
    };

    it('writes one row per valid input row: the input columns, predicted_price, actual_price and warnings', async () => {
      const input = await parseCsv(dataCsv);
      const bad = new Set([...refusedLines(), firstAppended, firstAppended + 1, firstAppended + 4]);
      const valid = input.rows.filter((r) => !bad.has(r.line));
      expect(valid.length).toBe(input.rows.length - bad.size);
      expect(output.header).toEqual([
        ...HOUSETS_COLUMNS,
        'predicted_price',
        'actual_price',
        'warnings',
        'price_low',
        'price_high',
      ]);
      expect(output.rows.length).toBe(valid.length);
      output.rows.forEach((row, i) => {
        expect(row.fields.slice(0, HOUSETS_COLUMNS.length)).toEqual(valid[i]!.fields);
        expect(row.fields.at(-4)).toBe(valid[i]!.fields[HOUSETS_COLUMNS.indexOf('price')]);
      });
      // Below the spec's min, homes_sold is treated as missing as in training, and the row says so.
      const belowMin = output.rows[valid.findIndex((r) => r.line === firstAppended + 3)]!;
      expect(belowMin.fields.at(-3)).toBe(
        'imputed homes_sold: -5 is not at least 0: treated as missing, as in training',
      );
      const predicted = output.rows.map((r) => Number(r.fields[HOUSETS_COLUMNS.length]));
      expect(predicted.every((p) => Number.isFinite(p) && p > 0)).toBe(true);
      // every price comes with its calibrated range around it
      output.rows.forEach((row, i) => {
        const [low, high] = row.fields.slice(-2).map(Number);
        expect(low).toBeLessThan(predicted[i]!);
        expect(high).toBeGreaterThan(predicted[i]!);
      });
      expect(listDir(path.dirname(outCsv))).toEqual(['out.csv', 'out.errors.csv']);
    });

    it('predicts each output row from its own input row', async () => {
      const width = pkg.manifest.features.names.length;
      const features = new Float32Array(output.rows.length * width);
      output.rows.forEach((row, i) => {
        const record = Object.fromEntries(HOUSETS_COLUMNS.map((name, k) => [name, row.fields[k]]));
        transformInto(record, pkg.manifest.features, features, i * width);
      });
      const expected = await model.predict(features, output.rows.length);
      const mismatched = output.rows.filter(
        (row, i) => Number(row.fields[HOUSETS_COLUMNS.length]) !== Math.round(expected[i]! * 100) / 100,
      );
      expect(mismatched).toEqual([]);
    });

    it('scoreCsv writes the same files in small prediction chunks from a stream read in odd pieces', async () => {
      const collect = () => {
        const chunks: string[] = [];
        const stream = new Writable({
          write(chunk: Buffer, _encoding, done) {
            chunks.push(chunk.toString('utf8'));
            done();
          },
        });
        return { stream, text: () => chunks.join('') };
      };
      const out = collect();
      const errors = collect();
      const progress: number[] = [];
      const result = await scoreCsv(
        pkg.manifest,
        model,
        chunkedReadable(readFileSync(dataCsv), 3, 50, 3000),
        out.stream,
        errors.stream,
        {
          chunkRows: 7,
          onChunk: (p) => {
            progress.push(p.rowsScored);
          },
        },
      );
      // Everything but predicted_price is byte-identical. The prices agree within the parity tolerance, not to
      // the cent: onnxruntime sums the trees of a small batch (≤ 50 rows, > 80 trees) in per-thread partial sums,
      // a large batch tree by tree, so the float32 rounding differs (about 1e-6 relative).
      const chunked = await parseCsvText(out.text());
      const whole = await parseCsv(outCsv);
      const priceColumn = whole.header.indexOf('predicted_price');
      expect(priceColumn).toBeGreaterThan(0);
      expect(chunked.header).toEqual(whole.header);
      expect(chunked.rows.length).toBe(whole.rows.length);
      chunked.rows.forEach((row, i) => {
        const other = whole.rows[i]!.fields;
        expect(row.fields.filter((_, k) => k !== priceColumn)).toEqual(
          other.filter((_, k) => k !== priceColumn),
        );
        expect(withinTolerance(Number(row.fields[priceColumn]), Number(other[priceColumn]))).toBe(true);
      });
      expect(errors.text()).toBe(readFileSync(errorsCsv, 'utf8'));
      expect(result.rowsScored).toBe(output.rows.length);
      expect(result.rowsRead).toBe(truth.lines.length + 6);
      expect(result.rowsFailed).toBe(result.rowsRead - result.rowsScored);
      expect(progress.at(-1)).toBe(result.rowsScored);
    });

    it('normalises a legacy city name at serving time like at training time', () => {
      const legacy = output.rows.at(-2)!;
      const current = output.rows.at(-1)!;
      const city = HOUSETS_COLUMNS.indexOf('city_full');
      expect(legacy.fields[city]).toBe(legacySpelling);
      expect(legacy.fields[HOUSETS_COLUMNS.length]).toBe(current.fields[HOUSETS_COLUMNS.length]);
      // The city matters: an unknown one is encoded differently (as the prior).
      const record = (cityName: string) =>
        Object.fromEntries(
          HOUSETS_COLUMNS.map((name, k) => [name, k === city ? cityName : current.fields[k]]),
        );
      const cityFeature = pkg.manifest.features.names.indexOf('city_full_target_mean');
      const encoded = (cityName: string) => transform(record(cityName), pkg.manifest)[cityFeature];
      expect(encoded(legacySpelling)).toBe(encoded(current.fields[city]!));
      expect(encoded('Nowhere')).not.toBe(encoded(current.fields[city]!));
    });

    it('writes the rejected rows with their line numbers, reasons and rows to the errors file', async () => {
      const errors = await parseCsv(errorsCsv);
      expect(errors.header).toEqual(['line', 'reason', 'row']);
      const rowOf = new Map(errors.rows.map((r) => [Number(r.fields[0]), r.fields[2]!]));
      expect(rowOf.get(firstAppended + 4)).toBe('2023-01-31,1,2');
      // The two-line row comes back as one CSV cell holding its quoted line break.
      expect(rowOf.get(firstAppended + 1)).toContain('"Bad\nCity"');
      const byLine = new Map(errors.rows.map((r) => [Number(r.fields[0]), r.fields[1]!]));
      const badDates = truth.lines.filter((l) => l.badDate).map((l) => l.line);
      const emptied = truth.lines.filter((l) => !l.badDate && refusedLines().includes(l.line));
      expect(badDates.length).toBeGreaterThan(0);
      expect(emptied.length).toBeGreaterThan(0);
      expect([...byLine.keys()]).toEqual([
        ...refusedLines(),
        firstAppended,
        firstAppended + 1,
        firstAppended + 4,
      ]);
      for (const line of badDates)
        expect(byLine.get(line)).toMatch(
          /^date must be a date written YYYY-MM-DD, YYYY-MM, YYYY\/MM\/DD or M\/D\/YYYY \(a date without a time of day, year 1900 to 2100\)/,
        );
      const required = new Set(pkg.manifest.signature.filter((f) => f.required).map((f) => f.name));
      for (const l of emptied)
        expect(byLine.get(l.line)).toContain(`${l.emptied.find((c) => required.has(c))} is required`);
      expect(byLine.get(firstAppended)).toBe(
        'date must be a date written YYYY-MM-DD, YYYY-MM, YYYY/MM/DD or M/D/YYYY (a date without a time of day, year 1900 to 2100), got "2023-02-30"',
      );
      expect(byLine.get(firstAppended + 1)).toBe('median_list_price must be a number, got "abc"');
      expect(byLine.get(firstAppended + 4)).toBe('has 3 fields, header has 39');
    });
  });

  it('CLI: predict names the errors file after the output, evaluate reports metrics of the labelled rows', async () => {
    const good = truth.lines.filter((l) => !l.duplicate && !l.outlier && !l.badDate).slice(0, 3);
    const badDate = truth.lines.find((l) => l.badDate)!;
    const small = writeTempFile(
      tmp(),
      [csvLine(HOUSETS_COLUMNS), ...[...good, badDate].map((l) => csvLine(l.fields))].join('\n') + '\n',
      'small.csv',
    );
    const dir = path.join(tmp(), 'small-out');
    await quietly(() =>
      main(['predict', '--model', outDir, '--data', small, '--out', path.join(dir, 'scored.csv')]),
    );
    expect(listDir(dir)).toEqual(['scored.csv', 'scored.errors.csv']);
    expect((await parseCsv(path.join(dir, 'scored.csv'))).rows).toHaveLength(3);
    expect((await parseCsv(path.join(dir, 'scored.errors.csv'))).rows.map((r) => r.fields[0])).toEqual(['5']);

    let stdout = '';
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    try {
      await quietly(() => main(['evaluate', '--model', outDir, '--data', small]));
    } finally {
      spy.mockRestore();
    }
    const report = JSON.parse(stdout);
    expect(report.rowsRejected).toBe(1);
    expect(report.metrics.rows).toBe(3);
    expect(report.metrics.mape).toBeGreaterThan(0);
  });

  it('CLI: predict on a CSV without a required column fails and leaves no output files', async () => {
    const text = readFileSync(csvFile, 'utf8').replace(/^date,/, 'month,');
    const input = writeTempFile(tmp(), text, 'no-date.csv');
    const dir = path.join(tmp(), 'no-date-out');
    const error = await quietly(() =>
      main(['predict', '--model', outDir, '--data', input, '--out', path.join(dir, 'scored.csv')]),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('CSV is missing required column: date');
    expect(existsSync(dir) ? listDir(dir) : []).toEqual([]);
  });

  it('leaves no package behind when the CSV lacks a required column', async () => {
    const parent = path.join(tmp(), 'missing-column');
    const text = readFileSync(csvFile, 'utf8');
    const file = writeTempFile(tmp(), text.replace(',zipcode,', ',zip_code,'), 'no-zipcode.csv');
    const error = await trainModel({ spec, csv: file, outDir: path.join(parent, 'pkg'), fast: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).details).toEqual({ missingColumns: ['zipcode'] });
    expect(existsSync(parent)).toBe(false);
  });

  it('refuses an output directory that already exists', async () => {
    await expect(trainModel({ spec, csv: csvFile, outDir, fast: true })).rejects.toThrow(/already exists/);
    expect(listDir(outDir)).toEqual(['evaluation.json', 'manifest.json', 'model.onnx', 'trees.json']);
  });

  it('leaves neither a package nor a work directory behind when the trainer fails', async () => {
    const scratch = makeTempDir('e2e-tmpdir-');
    const saved = { python: process.env.ML_TRAINER_PYTHON, tmpdir: process.env.TMPDIR };
    process.env.ML_TRAINER_PYTHON = '/bin/false';
    process.env.TMPDIR = scratch;
    try {
      const pkgDir = path.join(tmp(), 'trainer-fails', 'pkg');
      await expect(trainModel({ spec, csv: csvFile, outDir: pkgDir, fast: true })).rejects.toThrow(
        /trainer exited with code 1/,
      );
      expect(existsSync(path.dirname(pkgDir))).toBe(false);
      expect(listDir(scratch)).toEqual([]);
    } finally {
      for (const [key, value] of [
        ['ML_TRAINER_PYTHON', saved.python],
        ['TMPDIR', saved.tmpdir],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      removeDir(scratch);
    }
  });
});

describe('trainModel end to end: california-blocks (no date, random split, one-hot)', () => {
  const tmp = useTempDir('e2e-california-');
  const spec = loadSpec('california-blocks');
  let sample: CaliforniaSample;
  let pkg: ModelPackage;
  let model: OnnxModel;
  let data: PreparedDataset;

  beforeAll(async () => {
    sample = californiaSample(2000, 2024);
    const file = writeTempFile(tmp(), sample.csv, 'california.csv');
    const outDir = path.join(tmp(), 'california-pkg');
    await trainModel({ spec, csv: file, outDir, fast: true });
    pkg = readPackage(outDir);
    model = await loadPackageModel(pkg.manifest, pkg.model);
    data = await prepareDataset(spec, file);
  });

  afterAll(async () => {
    await model?.release();
  });

  it('keeps every row and counts the empty bedrooms and the dirty spellings', () => {
    expect(sample.dirtySpellings).toBeGreaterThan(50);
    expect(sample.emptyBedrooms).toBeGreaterThan(20);
    expect(data.summary.rowsKept).toBe(2000);
    expect(data.summary.dropped).toEqual({});
    expect(data.summary.missing).toEqual({ total_bedrooms: sample.emptyBedrooms });
    expect(data.summary.normalized).toEqual({ ocean_proximity: sample.dirtySpellings });
    expect(data.summary.splits.train + data.summary.splits.eval + data.summary.splits.holdout).toBe(2000);
    expect(data.summary.dateRange).toBeUndefined();
  });

  describeCommonPackageChecks(() => ({ pkg, model, data }));

  it('normalises ocean_proximity to upper case before one-hot encoding it', () => {
    const encoder = pkg.manifest.features.encoders.find((e) => e.column === 'ocean_proximity');
    expect(encoder?.kind).toBe('onehot');
    if (encoder?.kind !== 'onehot') return;
    // Train has every common category; the rare ISLAND may or may not fall into train.
    expect(encoder.categories.filter((c) => c !== 'ISLAND')).toEqual([
      '<1H OCEAN',
      'INLAND',
      'NEAR BAY',
      'NEAR OCEAN',
    ]);
    const codes = data.categories.ocean_proximity!;
    expect([...codes.values].sort()).toEqual([...new Set(sample.ocean)].sort());
    expect([...codes.codes].map((c) => codes.values[c])).toEqual(sample.ocean);
    const signature = pkg.manifest.signature.find((f) => f.name === 'ocean_proximity')!;
    for (const category of signature.categories!) expect(category).toBe(category.toUpperCase().trim());
    expect(pkg.manifest.features.names).toEqual(
      expect.arrayContaining(['ocean_proximity=INLAND', 'ocean_proximity=__other__']),
    );
  });

  it('serves dirty spellings like the canonical ones', async () => {
    const record = { ...pkg.manifest.parity.records[0]!, ocean_proximity: 'INLAND' };
    const width = pkg.manifest.features.names.length;
    const variants = ['INLAND', ' inland ', 'Inland', 'in land'];
    const features = new Float32Array(variants.length * width);
    variants.forEach((ocean_proximity, i) =>
      transformInto({ ...record, ocean_proximity }, pkg.manifest.features, features, i * width),
    );
    const [canonical, spaced, titled, other] = await model.predict(features, variants.length);
    expect(spaced).toBe(canonical);
    expect(titled).toBe(canonical);
    const otherColumn = pkg.manifest.features.names.indexOf('ocean_proximity=__other__');
    expect(features[3 * width + otherColumn]).toBe(1);
    expect(Number.isFinite(other)).toBe(true);
  });

  it('fills missing total_bedrooms with the train median', () => {
    const encoder = pkg.manifest.features.encoders.find((e) => e.column === 'total_bedrooms');
    const train: number[] = [];
    const values = data.numeric.total_bedrooms!;
    for (let i = 0; i < data.rows; i++)
      if (data.split[i] === TRAIN && !Number.isNaN(values[i]!)) train.push(values[i]!);
    train.sort((a, b) => a - b);
    const mid = train.length >> 1;
    const median = train.length % 2 ? train[mid]! : (train[mid - 1]! + train[mid]!) / 2;
    expect(encoder).toMatchObject({ kind: 'numeric', fill: median });
  });

  it('selects by seeded 5-fold CV for a random split', () => {
    expect(pkg.manifest.training).toMatchObject({
      metric: 'rmsle',
      selectedBy: 'cv',
      cv: { kind: 'kfold', folds: 5 },
    });
    const rows = pkg.manifest.training!.cv!.foldRows.reduce((sum, f) => sum + f.validRows, 0);
    expect(rows).toBe(data.summary.splits.train + data.summary.splits.eval);
  });

  it('evaluates by region only (no date column)', () => {
    const regions = new Set(pkg.evaluation.cells.map((c) => c.region));
    for (const cell of pkg.evaluation.cells) expect(cell.month).toBe('all');
    for (const region of regions) expect(sample.ocean).toContain(region);
    expect(regions.has('INLAND')).toBe(true);
  });
});
