import { createHash } from 'node:crypto';
import { loadSpec } from '../spec/load';
import {
  MANIFEST_FORMAT_VERSION,
  PARITY_TOLERANCE,
  type Metrics,
  type ModelEvaluation,
  type ModelManifest,
} from '../package/manifest';
import type { ModelPackage } from '../package/io';

const metrics = (rows: number): Metrics => ({ mae: 1, rmse: 2, r2: 0.5, mape: 3, rows });

/**
 * A small, schema-valid model package for tests of package IO. The model bytes are not a real ONNX model:
 * reading a package checks their checksum, not their content.
 */
export function samplePackage(
  model: Uint8Array = new Uint8Array([8, 1, 18, 4, 116, 101, 115, 116]),
): ModelPackage {
  const spec = loadSpec('california-blocks');
  const manifest: ModelManifest = {
    formatVersion: MANIFEST_FORMAT_VERSION,
    model: { name: 'sample', version: '1', createdAt: '2024-01-01T00:00:00.000Z' },
    spec,
    signature: [{ name: 'median_income', type: 'number', required: false, min: 0 }],
    features: {
      names: ['median_income'],
      encoders: [{ kind: 'numeric', column: 'median_income', min: 0, outliers: 'missing' }],
    },
    target: { column: 'median_house_value', transform: 'log' },
    onnx: {
      file: 'model.onnx',
      input: 'features',
      output: 'variable',
      outputSpace: 'transformed',
      sha256: createHash('sha256').update(model).digest('hex'),
    },
    hyperparameters: { max_depth: 3 },
    metrics: {
      eval: metrics(10),
      holdout: metrics(10),
      baseline: { eval: metrics(10), holdout: metrics(10) },
    },
    lineage: {
      datasetSha256: 'f'.repeat(64),
      datasetFile: 'sample.csv',
      rows: { read: 50, kept: 50, train: 30, eval: 10, holdout: 10 },
      gitCommit: null,
      createdAt: '2024-01-01T00:00:00.000Z',
      cleaning: {
        rowsRead: 50,
        rowsKept: 50,
        dropped: {},
        repaired: {},
        missing: {},
        invalid: {},
        outliers: {},
        normalized: {},
        ignoredColumns: [],
        splits: { train: 30, eval: 10, holdout: 10 },
      },
    },
    parity: {
      records: [{ median_income: 3.5 }, { median_income: 8 }],
      predictions: [150000, 400000],
      tolerance: PARITY_TOLERANCE,
      onnxCheck: { rowsChecked: 22, maxAbsDiff: 0.01, maxRelDiff: 1e-7 },
    },
  };
  const evaluation: ModelEvaluation = {
    formatVersion: 1,
    split: 'holdout',
    regionColumn: 'ocean_proximity',
    cells: [
      {
        month: 'all',
        region: 'INLAND',
        n: 10,
        sumActual: 1,
        sumPredicted: 1,
        sumAbsError: 0,
        sumSquaredError: 0,
        sumAbsPercentError: 0,
      },
    ],
    points: [{ month: 'all', region: 'INLAND', actual: 1, predicted: 1 }],
    importances: [{ feature: 'median_income', gain: 1, weight: 1 }],
    trials: [],
  };
  return { manifest, model, evaluation };
}
