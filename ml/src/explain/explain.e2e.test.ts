/**
 * TreeSHAP against XGBoost's own `pred_contribs` on models the real trainer fits for each shipped spec.
 *
 * The trainer runs as in production (trainModel → housing_trainer), wrapped by
 * test-support/xgb_explain_reference.py, which also writes the covers sidecar (trees.json, as the trainer
 * should) and XGBoost's contributions and margins for the parity fixture, holdout rows and holdout rows with
 * a third of their inputs blanked. The TypeScript engine reads model.onnx from the package written by
 * trainModel and must agree within 1e-4.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { trainModel } from '../train/train';
import { TRAINER_DIR } from '../train/trainer-process';
import { readPackage, type ModelPackage } from '../package/io';
import { withinTolerance } from '../package/manifest';
import { loadSpec } from '../spec/load';
import { writeHouseTsCsv } from '../generate';
import { californiaSample } from '../test-support/california';
import { useTempDir, writeTempFile } from '../test-support/tmp';
import { coversFromSidecar, parseTreeCovers } from './covers';
import { featureSources } from './group';
import { PackageExplainer } from './explainer';
import { predictMargin, readTreeEnsemble } from './onnx-trees';
import { TreeExplainer } from './treeshap';
import { FastTreeExplainer } from './fast-treeshap';

jest.setTimeout(300_000);

const TOLERANCE = 1e-4;

interface Reference {
  rows: number;
  width: number;
  parityRows: number;
  blankedFrom: number;
  x: (number | null)[];
  contribs: number[];
  margin: number[];
}

interface Trained {
  pkg: ModelPackage;
  covers: unknown;
  reference: Reference;
}

async function trainWithReference(dir: string, specName: string, csv: string): Promise<Trained> {
  const referenceDir = path.join(dir, 'reference');
  const wrapper = path.join(dir, 'trainer-with-reference.sh');
  const python = path.join(TRAINER_DIR, '.venv', 'bin', 'python');
  const script = path.resolve(__dirname, '..', 'test-support', 'xgb_explain_reference.py');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nEXPLAIN_REFERENCE_OUT='${referenceDir}' exec '${python}' '${script}' "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  const previous = process.env.ML_TRAINER_PYTHON;
  process.env.ML_TRAINER_PYTHON = wrapper;
  const outDir = path.join(dir, 'package');
  try {
    await trainModel({ spec: loadSpec(specName), csv, outDir, fast: true, version: 'explain' });
  } finally {
    if (previous === undefined) delete process.env.ML_TRAINER_PYTHON;
    else process.env.ML_TRAINER_PYTHON = previous;
  }
  const read = (file: string) => JSON.parse(readFileSync(path.join(referenceDir, file), 'utf8')) as unknown;
  return {
    pkg: readPackage(outDir),
    covers: read('trees.json'),
    reference: read('reference.json') as Reference,
  };
}

function describeAgreement(specName: string, get: () => Trained) {
  it(`${specName}: TreeSHAP equals xgboost pred_contribs within ${TOLERANCE}, bias included`, () => {
    const { pkg, covers, reference } = get();
    const ensemble = readTreeEnsemble(pkg.model);
    const width = pkg.manifest.features.names.length;
    expect(reference.width).toBe(width);
    const cover = coversFromSidecar(ensemble, parseTreeCovers(covers));
    const x = Float32Array.from(reference.x, (v) => (v === null ? NaN : v));
    const phi = new Float64Array(width + 1);
    for (const explainer of [
      new TreeExplainer(ensemble, cover, width),
      new FastTreeExplainer(ensemble, cover, width),
    ]) {
      let worst = 0;
      let worstMargin = 0;
      for (let r = 0; r < reference.rows; r++) {
        explainer.contributions(x, r * width, phi);
        let total = 0;
        for (let i = 0; i <= width; i++) {
          worst = Math.max(worst, Math.abs(phi[i]! - reference.contribs[r * (width + 1) + i]!));
          total += phi[i]!;
        }
        // Additivity: contributions + bias are the model's output, by our tree walk and by XGBoost.
        expect(Math.abs(total - predictMargin(ensemble, x, r * width))).toBeLessThan(1e-9);
        worstMargin = Math.max(worstMargin, Math.abs(total - reference.margin[r]!));
      }
      expect([explainer.constructor.name, worst < TOLERANCE, worstMargin < TOLERANCE]).toEqual([
        explainer.constructor.name,
        true,
        true,
      ]);
    }
    // The trees are real: hundreds of nodes, several features with non-zero contributions.
    expect(ensemble.mode.length).toBeGreaterThan(200);
    expect(reference.contribs.filter((c) => Math.abs(c) > 1e-3).length).toBeGreaterThan(reference.rows);
  });

  it(`${specName}: blanked inputs follow each split's default direction, as in XGBoost`, () => {
    const { pkg, covers, reference } = get();
    const width = pkg.manifest.features.names.length;
    const blanked = reference.x.slice(reference.blankedFrom * width).filter((v) => v === null).length;
    expect(blanked).toBeGreaterThan(0.2 * (reference.rows - reference.blankedFrom) * width);
    const ensemble = readTreeEnsemble(pkg.model);
    const explainer = new FastTreeExplainer(
      ensemble,
      coversFromSidecar(ensemble, parseTreeCovers(covers)),
      width,
    );
    const complete = reference.blankedFrom - (reference.rows - reference.blankedFrom);
    let changed = 0;
    for (let r = reference.blankedFrom; r < reference.rows; r++) {
      const row = Float32Array.from(reference.x.slice(r * width, (r + 1) * width), (v) =>
        v === null ? NaN : v,
      );
      const phi = explainer.contributions(row);
      for (let i = 0; i <= width; i++)
        expect(Math.abs(phi[i]! - reference.contribs[r * (width + 1) + i]!)).toBeLessThan(TOLERANCE);
      // Blanking moved the explanation away from that of the complete row it came from.
      const original = reference.contribs.slice(
        (complete + r - reference.blankedFrom) * (width + 1),
        (complete + r - reference.blankedFrom + 1) * (width + 1),
      );
      if (original.some((c, i) => Math.abs(c - phi[i]!) > 1e-3)) changed++;
    }
    expect(changed).toBeGreaterThan((reference.rows - reference.blankedFrom) / 2);
  });

  it(`${specName}: explains raw parity records in price terms, grouped by input column`, () => {
    const { pkg, covers, reference } = get();
    const { manifest } = pkg;
    const explainer = new PackageExplainer(manifest, pkg.model, covers);
    const width = manifest.features.names.length;
    const fields = [...new Set(featureSources(manifest.features).flat())].sort();
    manifest.parity.records.forEach((record, r) => {
      const e = explainer.explain(record);
      // Same model inputs as the trainer saw, so the same contributions as XGBoost's.
      e.features.forEach((f, i) => {
        expect(f.value).toBe(
          reference.x[r * width + i] === null ? null : Math.fround(reference.x[r * width + i]!),
        );
        expect(Math.abs(f.contribution - reference.contribs[r * (width + 1) + i]!)).toBeLessThan(TOLERANCE);
      });
      expect(withinTolerance(e.price, manifest.parity.predictions[r]!, manifest.parity.tolerance)).toBe(true);
      // The groups partition the model inputs and the record fields they read.
      expect(e.columns.flatMap((c) => c.features).sort()).toEqual([...manifest.features.names].sort());
      expect(e.columns.flatMap((c) => c.columns).sort()).toEqual(fields);
      const sum = (key: 'contribution' | 'priceContribution') => e.columns.reduce((s, c) => s + c[key], 0);
      expect(Math.abs(e.bias + sum('contribution') - e.margin)).toBeLessThan(1e-9);
      expect(Math.abs(sum('priceContribution') - (e.price - e.basePrice))).toBeLessThan(1e-6 * e.price);
      e.columns.forEach((c) => expect(Math.sign(c.priceContribution)).toBe(Math.sign(c.contribution)));
    });
  });
}

describe('TreeSHAP against xgboost: housets (generated tiny, dirty)', () => {
  const tmp = useTempDir('explain-housets-');
  let trained: Trained;
  beforeAll(async () => {
    const csv = path.join(tmp(), 'housets.csv');
    await writeHouseTsCsv(csv, { size: 'tiny', dirty: true, seed: 5 });
    trained = await trainWithReference(tmp(), 'housets', csv);
  });
  describeAgreement('housets', () => trained);

  it('housets: one group per input column, the date parts under the date column', () => {
    const e = new PackageExplainer(trained.pkg.manifest, trained.pkg.model, trained.covers).explain(
      trained.pkg.manifest.parity.records[0]!,
    );
    expect(e.columns.map((c) => c.source)).toEqual(
      trained.pkg.manifest.features.encoders.map((enc) => enc.column),
    );
    const date = e.columns.find((c) => c.source === 'date')!;
    expect(date.features).toEqual(['date_year', 'date_quarter', 'date_month']);
    expect(date.contribution).toBeCloseTo(
      e.features.filter((f) => f.feature.startsWith('date_')).reduce((s, f) => s + f.contribution, 0),
      12,
    );
  });
});

describe('TreeSHAP against xgboost: california-blocks', () => {
  const tmp = useTempDir('explain-california-');
  let trained: Trained;
  beforeAll(async () => {
    const csv = writeTempFile(tmp(), californiaSample(2000, 2024).csv, 'california.csv');
    trained = await trainWithReference(tmp(), 'california-blocks', csv);
  });
  describeAgreement('california-blocks', () => trained);

  it('california-blocks: one group per input column, the one-hot slots under ocean_proximity', () => {
    const e = new PackageExplainer(trained.pkg.manifest, trained.pkg.model, trained.covers).explain(
      trained.pkg.manifest.parity.records[0]!,
    );
    expect(e.columns.map((c) => c.source)).toEqual(
      trained.pkg.manifest.features.encoders.map((enc) => enc.column),
    );
    const ocean = e.columns.find((c) => c.source === 'ocean_proximity')!;
    expect(ocean.features.length).toBeGreaterThanOrEqual(5);
    expect(ocean.features.every((f) => f.startsWith('ocean_proximity='))).toBe(true);
  });
});

const REPO = path.resolve(__dirname, '..', '..', '..');
const AMES_CSV = [
  path.resolve(REPO, 'data', 'ames', 'AmesHousing.csv'),
  path.resolve(REPO, '..', 'shared', 'data', 'ames', 'AmesHousing.csv'),
  '/work/shared/data/ames/AmesHousing.csv',
].find((file) => existsSync(file));

describe('TreeSHAP against xgboost: Ames (real data, derived features)', () => {
  const tmp = useTempDir('explain-ames-');
  let trained: Trained;
  beforeAll(async () => {
    if (!AMES_CSV)
      throw new Error('AmesHousing.csv not found in data/ames, beside the repository nor in /work/shared');
    trained = await trainWithReference(tmp(), 'ames', AMES_CSV);
  });
  describeAgreement('ames', () => trained);

  it('ames: a derived feature is explained together with every field it reads', () => {
    const { manifest } = trained.pkg;
    const e = new PackageExplainer(manifest, trained.pkg.model, trained.covers).explain(
      manifest.parity.records[0]!,
    );
    const groupOf = (feature: string) => e.columns.find((c) => c.features.includes(feature))!;
    const derived = manifest.features.encoders.filter((enc) => enc.kind === 'derived');
    expect(derived.length).toBeGreaterThan(3);
    for (const enc of derived) {
      const group = groupOf(enc.column);
      for (const input of enc.inputs) {
        const fields =
          input.kind === 'date' && input.assemble
            ? [input.assemble.year, input.assemble.month]
            : [input.source ?? input.column];
        expect(group.columns).toEqual(expect.arrayContaining(fields));
      }
    }
    // The sale date's parts and the ages computed from it share a group with the construction years.
    expect(groupOf('sold_days').features).toEqual(expect.arrayContaining(['sold_days', 'sold_month']));
  });
});
