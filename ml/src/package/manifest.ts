import { z } from 'zod';
import { datasetSpecSchema } from '../spec/schema';
import type { FeatureSet } from '../features/types';
import type { SignatureField } from '../features/signature';
import type { CleaningSummary } from '../dataset/prepare';

/**
 * 2: spec-derived features (derived, ordinal, assembled dates, sources, missing tokens, sentinels), a
 * signature whose fields are required unless optional and carry the outliers policy, raw-text parity
 * records. Version 1 packages still load and serve as before.
 */
export const MANIFEST_FORMAT_VERSION = 2;
export const SUPPORTED_FORMAT_VERSIONS = [1, 2] as const;

const metricsSchema = z.object({
  mae: z.number(),
  rmse: z.number(),
  r2: z.number(),
  mape: z.number(),
  rows: z.number().int(),
});
export type Metrics = z.infer<typeof metricsSchema>;

const encoderSchema = z
  .object({ kind: z.enum(['numeric', 'date', 'frequency', 'target', 'onehot', 'ordinal', 'derived']), column: z.string() })
  .passthrough();

/** Schema of manifest.json, checked whenever a package is read or registered. */
export const manifestSchema = z.object({
  formatVersion: z.union([z.literal(1), z.literal(MANIFEST_FORMAT_VERSION)]),
  model: z.object({ name: z.string().min(1), version: z.string().min(1), createdAt: z.string() }),
  spec: datasetSpecSchema,
  signature: z.array(
    z
      .object({ name: z.string(), type: z.enum(['number', 'string', 'date']), required: z.boolean() })
      .passthrough(),
  ),
  features: z.object({ names: z.array(z.string()).min(1), encoders: z.array(encoderSchema).min(1) }),
  target: z.object({ column: z.string(), transform: z.enum(['none', 'log']) }),
  onnx: z.object({
    file: z.literal('model.onnx'),
    input: z.string(),
    output: z.string(),
    opset: z.number().int().optional(),
    outputSpace: z.literal('transformed'),
    sha256: z.string().length(64),
  }),
  hyperparameters: z.record(z.string(), z.unknown()),
  metrics: z.object({
    eval: metricsSchema,
    holdout: metricsSchema,
    train: metricsSchema.optional(),
    baseline: z.object({ eval: metricsSchema, holdout: metricsSchema }),
  }),
  lineage: z.object({
    datasetSha256: z.string(),
    datasetFile: z.string(),
    rows: z.object({ read: z.number(), kept: z.number(), train: z.number(), eval: z.number(), holdout: z.number() }),
    gitCommit: z.string().nullable(),
    createdAt: z.string(),
    cleaning: z.record(z.string(), z.unknown()),
  }),
  parity: z.object({
    records: z.array(z.record(z.string(), z.unknown())).min(1),
    predictions: z.array(z.number()),
    tolerance: z.object({ relative: z.number().positive(), absolute: z.number().nonnegative() }),
    onnxCheck: z.object({ rowsChecked: z.number(), maxAbsDiff: z.number(), maxRelDiff: z.number() }),
  }),
});

/** manifest.json, typed with the richer shapes the schema only checks loosely. */
export type ModelManifest = Omit<z.infer<typeof manifestSchema>, 'features' | 'signature' | 'lineage'> & {
  features: FeatureSet;
  signature: SignatureField[];
  lineage: Omit<z.infer<typeof manifestSchema>['lineage'], 'cleaning'> & { cleaning: CleaningSummary };
};

/** Prediction tolerance between the native model and ONNX, and for reproducing the parity fixture. */
export const PARITY_TOLERANCE = { relative: 1e-4, absolute: 1 };

/** True when `actual` is within tolerance of `expected` (either bound suffices). */
export function withinTolerance(actual: number, expected: number, tolerance = PARITY_TOLERANCE): boolean {
  const diff = Math.abs(actual - expected);
  return diff <= tolerance.absolute || diff <= tolerance.relative * Math.abs(expected);
}

/** evaluation.json: what the dashboard plots for a model version. */
export interface EvaluationCell {
  month: string;
  region: string;
  n: number;
  sumActual: number;
  sumPredicted: number;
  sumAbsError: number;
  sumSquaredError: number;
  sumAbsPercentError: number;
}

export interface ModelEvaluation {
  formatVersion: 1;
  split: 'holdout';
  regionColumn: string | null;
  /** Holdout aggregated by (month, region): any filter on year, month and region sums exact metrics. */
  cells: EvaluationCell[];
  /** A deterministic sample of holdout rows for scatter plots. */
  points: { month: string; region: string; actual: number; predicted: number }[];
  importances: { feature: string; gain: number; weight: number }[];
  trials: { number: number; params: Record<string, unknown>; eval_rmse: number | null; seconds: number; state: string }[];
}
