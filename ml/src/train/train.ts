import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { prepareDataset, type PreparedDataset } from '../dataset/prepare';
import { compactRecord, recordReader } from '../dataset/records';
import { HOLDOUT, SPLIT_NAMES } from '../dataset/split';
import { InputError } from '../errors';
import { fitFeatures } from '../features/fit';
import { buildSignature } from '../features/signature';
import { transform, transformInto } from '../features/transform';
import { checkRecord } from '../features/validate';
import type { SignatureField } from '../features/signature';
import type { FeatureSet } from '../features/types';
import { NpyWriter, readNpy } from '../npy';
import {
  MANIFEST_FORMAT_VERSION,
  PARITY_TOLERANCE,
  intervalsSchema,
  type Metrics,
  type ModelManifest,
} from '../package/manifest';
import { coversBytes, sha256, writePackage } from '../package/io';
import { checkExplanations, checkParity, loadPackageModel } from '../package/verify';
import { targetColumn } from '../spec/load';
import type { DatasetSpec, TrainingMetric } from '../spec/schema';
import { buildEvaluation } from './evaluation';
import { buildDriftProfile } from '../drift/profile';
import { runTrainer, type TrainerEvent } from './trainer-process';
import { selectionConfig, trainingRecord, writeTimeKeys } from './selection';

export type TrainProgress =
  | { stage: 'load'; rows: number; bytes: number }
  | {
      stage: 'prepared';
      summary: PreparedDataset['summary'];
      fills?: Record<string, number>;
      spec?: DatasetSpec;
    }
  | { stage: 'features'; rows: number; of: number }
  | { stage: 'trainer'; event: TrainerEvent }
  | { stage: 'parity'; rows: number; maxRelDiff: number }
  | { stage: 'package'; dir: string };

export interface TrainOptions {
  spec: DatasetSpec;
  /** A CSV path, or a stream with `datasetName` naming it in the lineage. */
  csv: string | Readable;
  datasetName?: string;
  /** Final package directory; must not exist yet. */
  outDir: string;
  modelName?: string;
  version?: string;
  trials?: number;
  /** Fixed, quick parameters and no tuning: for demos and tests. */
  fast?: boolean;
  /** Fixed XGBoost parameters (no tuning), e.g. for benchmarks. */
  fixedParams?: Record<string, unknown>;
  seed?: number;
  /** Metric the cross-validated selection minimises; default: the spec's, else RMSE in the target's transformed space. */
  metric?: TrainingMetric;
  /** Whole selection + refit once per seed (seed, seed + 1, …); the best CV score is served. */
  seeds?: number;
  /** Nominal coverage of the prediction intervals; default: the spec's, else 0.9. */
  intervalLevel?: number;
  maxRounds?: number;
  /** CPU threads of the Python trainer (XGBoost, onnxruntime); 0 or unset: every core. */
  threads?: number;
  parityRows?: number;
  /** Keep the trainer's working directory (feature matrices) for inspection. */
  keepWorkDir?: boolean;
  onProgress?(progress: TrainProgress): void;
}

export const FAST_PARAMS = {
  max_depth: 6,
  learning_rate: 0.1,
  subsample: 0.9,
  colsample_bytree: 0.9,
  min_child_weight: 1,
};

const CHUNK_ROWS = 8192;

/** Largest difference (model space) allowed between TreeSHAP here and XGBoost's pred_contribs. */
export const EXPLANATION_TOLERANCE = 1e-4;

/** Writes X_{split}.npy and y_{split}.npy through the shared transform, chunk by chunk. */
export function writeFeatureMatrices(
  data: PreparedDataset,
  features: FeatureSet,
  dir: string,
  onProgress?: (rows: number) => void,
): void {
  const width = features.names.length;
  const read = recordReader(data);
  const record: Record<string, unknown> = {};
  SPLIT_NAMES.forEach((name, split) => {
    let rows = 0;
    for (let i = 0; i < data.rows; i++) if (data.split[i] === split) rows++;
    const x = new NpyWriter(path.join(dir, `X_${name}.npy`), '<f4', [rows, width]);
    const y = new NpyWriter(path.join(dir, `y_${name}.npy`), '<f8', [rows]);
    const xChunk = new Float32Array(CHUNK_ROWS * width);
    const yChunk = new Float64Array(CHUNK_ROWS);
    let filled = 0;
    const flush = () => {
      x.write(xChunk.subarray(0, filled * width));
      y.write(yChunk.subarray(0, filled));
      onProgress?.(filled);
      filled = 0;
    };
    for (let i = 0; i < data.rows; i++) {
      if (data.split[i] !== split) continue;
      transformInto(read(i, record), features, xChunk, filled * width);
      yChunk[filled++] = data.target[i]!;
      if (filled === CHUNK_ROWS) flush();
    }
    flush();
    x.close();
    y.close();
  });
}

/**
 * The parity fixture: evenly spaced holdout rows as they appear in the source file (dirt included), so
 * that verifying a package exercises the parsing path too. Only rows serving accepts are used. Every
 * chosen row must give the very features training computed from its cleaned values, or the serving
 * path would not be the training path: that is an error naming the feature.
 */
export function rawParityRecords(
  data: PreparedDataset,
  features: FeatureSet,
  signature: SignatureField[],
  count: number,
): Record<string, unknown>[] {
  const candidates = data.rawSample.filter(
    ({ record }) => checkRecord(record, { signature, features }).errors.length === 0,
  );
  if (candidates.length === 0) return parityRecords(data, count);
  const step = Math.max(1, candidates.length / count);
  const chosen = [];
  for (let k = 0; k < count && Math.floor(k * step) < candidates.length; k++)
    chosen.push(candidates[Math.floor(k * step)]!);
  const read = recordReader(data);
  for (const { row, record } of chosen) {
    const served = transform(record, { features });
    const trained = transform(read(row), { features });
    const i = served.findIndex(
      (v, j) => !Object.is(v, trained[j]) && !(Number.isNaN(v) && Number.isNaN(trained[j]!)),
    );
    if (i >= 0) {
      throw new Error(
        `feature "${features.names[i]}" of source line ${data.lines[row]} is ${served[i]} from the raw record but ${trained[i]} in training: ${JSON.stringify(record)}`,
      );
    }
  }
  return chosen.map(({ record }) => record);
}

/** Evenly spaced holdout rows as cleaned records: the parity fixture when no raw sample was kept. */
export function parityRecords(data: PreparedDataset, count: number): Record<string, unknown>[] {
  const holdout: number[] = [];
  for (let i = 0; i < data.rows; i++) if (data.split[i] === HOLDOUT) holdout.push(i);
  const step = Math.max(1, holdout.length / count);
  const read = recordReader(data);
  const records: Record<string, unknown>[] = [];
  for (let k = 0; k < count && Math.floor(k * step) < holdout.length; k++) {
    records.push(compactRecord(read(holdout[Math.floor(k * step)]!)));
  }
  return records;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: __dirname, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

const readJson = <T>(dir: string, file: string): T =>
  JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as T;

/** intervals.json of the trainer (null when the eval split was too small to calibrate on). */
function readIntervals(out: string): ModelManifest['intervals'] {
  const raw = readJson<unknown>(out, 'intervals.json');
  if (raw === null) return null;
  const parsed = intervalsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`trainer wrote invalid intervals.json: ${parsed.error.message}`);
  return parsed.data;
}

export function defaultVersion(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '.').slice(0, 15);
}

/**
 * Trains a model package from a CSV: prepare, fit encoders on train, export matrices through the shared
 * transform, run the Python trainer, verify that TypeScript + onnxruntime-node reproduce the native
 * predictions, and write the package atomically. Nothing is left behind on failure.
 */
export async function trainModel(options: TrainOptions): Promise<{ dir: string; manifest: ModelManifest }> {
  const { spec, onProgress } = options;
  if (existsSync(options.outDir))
    throw new InputError(`${options.outDir} already exists; choose another output directory`);
  const parityRows = options.parityRows ?? 50;
  const data = await prepareDataset(spec, options.csv, {
    onProgress: (rows, bytes) => onProgress?.({ stage: 'load', rows, bytes }),
    rawSample: parityRows,
  });
  const features = fitFeatures(data);
  const fills = Object.fromEntries(
    features.encoders.flatMap((e) =>
      e.kind === 'numeric' && e.fill !== undefined ? [[e.column, e.fill]] : [],
    ),
  );
  onProgress?.({ stage: 'prepared', summary: data.summary, fills, spec });
  const signature = buildSignature(data);
  const target = targetColumn(spec);

  const work = mkdtempSync(path.join(os.tmpdir(), 'ml-train-'));
  try {
    let done = 0;
    writeFeatureMatrices(data, features, work, (rows) =>
      onProgress?.({ stage: 'features', rows: (done += rows), of: data.rows }),
    );
    const records = rawParityRecords(data, features, signature, parityRows);
    const parityX = new Float32Array(records.length * features.names.length);
    records.forEach((record, i) => transformInto(record, features, parityX, i * features.names.length));
    const px = new NpyWriter(path.join(work, 'X_parity.npy'), '<f4', [records.length, features.names.length]);
    px.write(parityX);
    px.close();
    writeTimeKeys(data, work);
    writeFileSync(
      path.join(work, 'config.json'),
      JSON.stringify({
        feature_names: features.names,
        target_transform: target.transform,
        seed: options.seed ?? 42,
        trials: options.fast || options.fixedParams ? 0 : (options.trials ?? 20),
        fixed_params: options.fixedParams ?? (options.fast ? FAST_PARAMS : null),
        max_rounds: options.maxRounds ?? (options.fast ? 300 : 2000),
        early_stopping_rounds: 50,
        timeout_seconds: null,
        threads: options.threads ?? 0,
        onnx_tolerance: PARITY_TOLERANCE,
        ...selectionConfig(spec, {
          metric: options.metric,
          seeds: options.seeds,
          intervalLevel: options.intervalLevel,
        }),
      }),
    );

    const out = path.join(work, 'out');
    await runTrainer(work, out, (event) => onProgress?.({ stage: 'trainer', event }));

    const metrics = readJson<{
      train: Metrics;
      eval: Metrics;
      holdout: Metrics;
      baseline: { eval: Metrics; holdout: Metrics };
    }>(out, 'metrics.json');
    const params = readJson<{
      best_params: Record<string, unknown>;
      best_iteration: number;
      n_estimators: number;
    }>(out, 'params.json');
    const onnxInfo = readJson<{ input: string; output: string; opset?: number }>(out, 'onnx.json');
    const onnxCheck = readJson<{ rows_checked: number; max_abs_diff: number; max_rel_diff: number }>(
      out,
      'onnx_check.json',
    );
    const parity = readJson<{ predictions: number[] }>(out, 'parity.json');
    const model = new Uint8Array(readFileSync(path.join(out, 'model.onnx')));
    const covers = readJson<unknown>(out, 'trees.json');
    const contributions = readJson<{ parity: number[][] }>(out, 'contributions.json');
    const now = new Date();

    const manifest: ModelManifest = {
      formatVersion: MANIFEST_FORMAT_VERSION,
      model: {
        name: options.modelName ?? `${spec.name}-xgboost`,
        version: options.version ?? defaultVersion(now),
        createdAt: now.toISOString(),
      },
      spec,
      signature,
      features,
      target: { column: target.name, transform: target.transform },
      onnx: {
        file: 'model.onnx',
        input: onnxInfo.input,
        output: onnxInfo.output,
        ...(onnxInfo.opset !== undefined && { opset: onnxInfo.opset }),
        outputSpace: 'transformed',
        sha256: sha256(model),
      },
      hyperparameters: {
        ...params.best_params,
        n_estimators: params.n_estimators,
        best_iteration: params.best_iteration,
      },
      metrics,
      training: trainingRecord(readJson(out, 'selection.json')),
      intervals: readIntervals(out),
      drift: buildDriftProfile(data, signature),
      explain: {
        covers: { file: 'trees.json', sha256: sha256(coversBytes({ covers })) },
        parityContributions: contributions.parity,
        tolerance: EXPLANATION_TOLERANCE,
      },
      lineage: {
        datasetSha256: data.sha256,
        datasetFile:
          options.datasetName ?? (typeof options.csv === 'string' ? path.basename(options.csv) : 'stream'),
        rows: { read: data.summary.rowsRead, kept: data.summary.rowsKept, ...data.summary.splits },
        gitCommit: gitCommit(),
        createdAt: now.toISOString(),
        cleaning: data.summary,
      },
      parity: {
        records,
        predictions: parity.predictions,
        tolerance: PARITY_TOLERANCE,
        onnxCheck: {
          rowsChecked: onnxCheck.rows_checked,
          maxAbsDiff: onnxCheck.max_abs_diff,
          maxRelDiff: onnxCheck.max_rel_diff,
        },
      },
    };

    // The package is only written if the serving path (TS transform + onnxruntime-node) reproduces it.
    const session = await loadPackageModel(manifest, model);
    const report = await checkParity(manifest, session).finally(() => session.release());
    onProgress?.({ stage: 'parity', rows: report.rows, maxRelDiff: report.maxRelDiff });
    if (report.failures.length > 0) {
      const f = report.failures[0]!;
      throw new Error(
        `parity check failed for ${report.failures.length} of ${report.rows} records (record ${f.index}: native ${f.expected}, served ${f.actual})`,
      );
    }

    // ...and only if TreeSHAP in TypeScript reproduces XGBoost's own contributions for the parity records.
    const explained = checkExplanations({ manifest, model, covers })!;
    if (explained.failures.length > 0) {
      const f = explained.failures[0]!;
      throw new Error(
        `explanations not reproduced for ${explained.failures.length} values (record ${f.index}, ${f.feature}: xgboost ${f.expected}, TreeSHAP ${f.actual})`,
      );
    }

    const holdoutPredictions = readNpy(path.join(out, 'predictions_holdout.npy')).data;
    const evaluation = buildEvaluation(data, holdoutPredictions, {
      importances: readJson(out, 'importances.json'),
      trials: readJson(out, 'trials.json'),
    });
    mkdirSync(path.dirname(path.resolve(options.outDir)), { recursive: true });
    writePackage(options.outDir, { manifest, model, evaluation, covers });
    onProgress?.({ stage: 'package', dir: options.outDir });
    return { dir: options.outDir, manifest };
  } finally {
    if (!options.keepWorkDir) rmSync(work, { recursive: true, force: true });
  }
}
