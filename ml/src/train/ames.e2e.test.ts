/**
 * Ames end to end: the shipped spec (assembled sale date, ordinal quality scales, "NA" meaning none,
 * derived features) trains with --fast on the real public file, and the package serves raw rows.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { trainModel } from './train';
import { InputError } from '../errors';
import { readPackage, type ModelPackage } from '../package/io';
import { checkParity, loadPackageModel } from '../package/verify';
import type { OnnxModel } from '../onnx/model';
import { loadSpec } from '../spec/load';
import { scoreCsv } from '../score/score-csv';
import { checkRecord } from '../features/validate';
import { parseCsv, parseCsvText } from '../test-support/streams';
import { csvLine } from '../csv/reader';
import { listDir, makeTempDir, removeDir, writeTempFile } from '../test-support/tmp';

jest.setTimeout(300_000);

const REPO = path.resolve(__dirname, '..', '..', '..');
/** Committed under data/ames (CI has only the repository); ../shared beside the clone and /work/shared are fallbacks. */
export const AMES_CSV = [
  path.resolve(REPO, 'data', 'ames', 'AmesHousing.csv'),
  path.resolve(REPO, '..', 'shared', 'data', 'ames', 'AmesHousing.csv'),
  '/work/shared/data/ames/AmesHousing.csv',
].find((file) => existsSync(file));

const sink = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

describe('Ames (the shipped spec, real data)', () => {
  let dir: string;
  let pkg: ModelPackage;
  let model: OnnxModel;

  beforeAll(async () => {
    if (!AMES_CSV)
      throw new Error(
        `AmesHousing.csv not found in data/ames, beside the repository (${path.resolve(REPO, '..', 'shared')}) nor in /work/shared`,
      );
    dir = makeTempDir('ames-e2e-');
    await trainModel({
      spec: loadSpec('ames'),
      csv: AMES_CSV,
      outDir: path.join(dir, 'pkg'),
      fast: true,
      seed: 42,
    });
    pkg = readPackage(path.join(dir, 'pkg'));
    model = await loadPackageModel(pkg.manifest, pkg.model);
  });
  afterAll(async () => {
    await model?.release();
    removeDir(dir);
  });

  it('keeps every sale and splits by sale year: train ≤ 2008, eval 2009, holdout 2010', () => {
    const m = pkg.manifest;
    expect(m.formatVersion).toBe(2);
    expect(m.lineage.rows).toMatchObject({ read: 2930, kept: 2930 });
    const { train, eval: evalRows, holdout } = m.lineage.rows;
    expect([train, evalRows, holdout]).toEqual([1941, 648, 341]);
  });

  it('prices the holdout within the reasonable error of a plain XGBoost script', () => {
    const { holdout, baseline } = pkg.manifest.metrics;
    expect(holdout.rows).toBe(341);
    expect(holdout.mape).toBeLessThan(13);
    expect(holdout.r2).toBeGreaterThan(0.85);
    expect(holdout.mape).toBeLessThan(baseline.holdout.mape / 2);
  });

  it('uses the derived, ordinal and date features the spec declares', () => {
    const names = pkg.manifest.features.names;
    for (const name of [
      'age_at_sale',
      'years_since_remodel',
      'total_sf',
      'quality_area',
      'Kitchen Qual',
      'Bsmt Qual',
      'sold_days',
      'sold_month',
    ]) {
      expect(names).toContain(name);
    }
    const signature = Object.fromEntries(pkg.manifest.signature.map((f) => [f.name, f]));
    expect(signature['Yr Sold']).toMatchObject({ type: 'number', required: true, partOf: 'sold' });
    expect(signature['Gr Liv Area']).toMatchObject({ required: true, outliers: 'missing' });
    expect(signature['Lot Frontage']!.required).toBe(false);
    expect(signature['Kitchen Qual']!.levels).toEqual(['Po', 'Fa', 'TA', 'Gd', 'Ex']);
    expect(signature.SalePrice).toBeUndefined();
  });

  it('verifies parity on raw source text (dirt and "NA" as in the file)', async () => {
    const records = pkg.manifest.parity.records;
    expect(records.length).toBeGreaterThanOrEqual(20);
    for (const record of records)
      for (const value of Object.values(record)) expect(typeof value).toBe('string');
    expect(records.some((r) => r['Alley'] === 'NA')).toBe(true);
    const report = await checkParity(pkg.manifest, model);
    expect(report.failures).toEqual([]);
  });

  it('refuses a CSV without a required column before scoring, naming it, and writes nothing', async () => {
    const parsed = await parseCsv(AMES_CSV!);
    const drop = ['Gr Liv Area', 'Overall Qual'];
    const keep = parsed.header.map((_, i) => i).filter((i) => !drop.includes(parsed.header[i]!));
    const lines = [
      csvLine(keep.map((i) => parsed.header[i]!)),
      ...parsed.rows.slice(0, 20).map((r) => csvLine(keep.map((i) => r.fields[i]!))),
    ];
    const file = writeTempFile(dir, lines.join('\n') + '\n', 'partial.csv');
    let written = '';
    const out = new Writable({
      write(chunk, _encoding, done) {
        written += String(chunk);
        done();
      },
    });
    const error = await scoreCsv(pkg.manifest, model, file, out, sink()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain('Overall Qual, Gr Liv Area');
    expect(written).toBe('');
    expect(listDir(dir)).toContain('partial.csv');
  });

  it('scores the raw file with warnings appended, and flags a sale far in the future', async () => {
    let text = '';
    const out = new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    });
    const result = await scoreCsv(pkg.manifest, model, AMES_CSV!, out, sink());
    expect(result.rowsRead).toBe(2930);
    const scored = await parseCsvText(text);
    expect(scored.header.slice(-5)).toEqual([
      'predicted_price',
      'actual_price',
      'warnings',
      'price_low',
      'price_high',
    ]);
    expect(scored.rows).toHaveLength(result.rowsScored);
    expect(result.warnings.imputed).toBeGreaterThan(0); // Lot Frontage is NA in 490 rows
    const record = Object.fromEntries(scored.header.map((h, i) => [h, scored.rows[0]!.fields[i]]));
    const future = checkRecord({ ...record, 'Yr Sold': '2030' }, pkg.manifest);
    expect(future.errors).toEqual([]);
    expect(future.warnings.map((w) => w.kind)).toContain('extrapolated_date');
  });
});
