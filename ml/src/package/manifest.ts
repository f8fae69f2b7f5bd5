import { z } from 'zod';
import { datasetSpecSchema } from '../spec/schema';
import type { FeatureSet } from '../features/types';
import type { SignatureField } from '../features/signature';
import type { CleaningSummary } from '../dataset/prepare';
import type { TrainingRecord } from '../train/selection';

/**
 * 2: spec-derived features (derived, ordinal, assembled dates, sources, missing tokens, sentinels), a
 * signature whose fields are required unless optional and carry the outliers policy, raw-text parity
 * records. Version 1 packages still load and serve as before.
 */
export const MANIFEST_FORMAT_VERSION = 2;
export const SUPPORTED_FORMAT_VERSIONS = [1, 2] as const;

/**
 * The one rule for model names, at registration and in every route: the name is a path segment of
 * artifact keys and of URLs, so letters, digits, ".", "_" and "-", starting with a letter or digit.
 */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
export const MODEL_NAME_RULE =
  'letters, digits, ".", "_" or "-", starting with a letter or digit, at most 200 characters';

/**
 * Limits on what a package may hold: every file is read whole into memory and parsed, so each has a
 * ceiling (the upload is refused when a file exceeds it, before the file is read).
 */
export const PACKAGE_LIMITS = {
  modelBytes: 512 * 1024 * 1024,
  manifestBytes: 16 * 1024 * 1024,
  evaluationBytes: 64 * 1024 * 1024,
  /** trees.json, the covers sidecar for TreeSHAP: five numbers per node of every tree. */
  coversBytes: 256 * 1024 * 1024,
  /** The parity fixture is reproduced at registration and at every load: about 50 records are written. */
  parityRecords: 1000,
  evaluationCells: 200_000,
  evaluationPoints: 20_000,
  importances: 10_000,
  trials: 10_000,
} as const;

/** A short label stored in a database column: no control characters (Postgres text cannot hold NUL). */
// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;
const label = (max: number) =>
  z.string().min(1).max(max).regex(NO_CONTROL_CHARACTERS, 'must not contain control characters');

const metricsSchema = z.object({
  mae: z.number(),
  rmse: z.number(),
  r2: z.number(),
  mape: z.number(),
  /** Added with cross-validated selection; absent in older packages. */
  rmsle: z.number().nullable().optional(),
  rows: z.number().int(),
});
export type Metrics = z.infer<typeof metricsSchema>;

const encoderSchema = z
  .object({
    kind: z.enum(['numeric', 'date', 'frequency', 'target', 'onehot', 'ordinal', 'derived']),
    column: z.string(),
  })
  .passthrough();

const finite = z.number().finite();

/**
 * Conformal prediction intervals (the trainer's conformal.py): calibration rows binned by predicted value
 * in the model's target space, each bin with its half-width; a prediction's range is its bin's
 * half-width either side of it, read back in price terms. Optional: packages trained before intervals
 * existed serve without a range.
 */
export const intervalsSchema = z
  .object({
    method: z.literal('split-conformal'),
    space: z.literal('transformed'),
    calibration: z.string().max(50),
    level: z.number().gt(0).lt(1),
    bins: z
      .array(
        z.object({
          upper: finite.nullable(),
          halfWidth: finite.nonnegative(),
          rows: z.number().int().nonnegative(),
        }),
      )
      .min(1)
      .max(100),
    calibrationRows: z.number().int().nonnegative(),
    holdout: z.object({
      rows: z.number().int().nonnegative(),
      coverage: z.number().min(0).max(1).nullable(),
      meanWidth: finite.nullable(),
      medianWidth: finite.nullable(),
      meanRelativeWidth: finite.nullable(),
    }),
  })
  .refine(
    ({ bins }) =>
      bins.every((b, i) =>
        i === bins.length - 1
          ? b.upper === null
          : b.upper !== null && (i === 0 || b.upper >= bins[i - 1]!.upper!),
      ),
    {
      message: 'every bin but the last has an upper edge, in ascending order; the last has none',
      path: ['bins'],
    },
  );
export type PredictionIntervals = z.infer<typeof intervalsSchema>;

const share = z.number().min(0).max(1);

/** The training distribution of the model inputs (drift/profile.ts); absent in packages trained before drift. */
export const driftProfileSchema = z.object({
  formatVersion: z.literal(1),
  rows: z.number().int().nonnegative(),
  features: z
    .array(
      z.discriminatedUnion('kind', [
        z.object({
          field: z.string().max(500),
          kind: z.literal('number'),
          edges: z.array(finite).max(100),
          expected: z.array(share).max(102),
          observed: z.object({ min: finite, max: finite }).nullable(),
        }),
        z.object({
          field: z.string().max(500),
          kind: z.literal('category'),
          categories: z.array(z.string().max(1000)).max(100),
          expected: z.array(share).max(102),
        }),
      ]),
    )
    .max(5000)
    .refine(
      (features) =>
        features.every(
          (f) => f.expected.length === (f.kind === 'number' ? f.edges.length : f.categories.length) + 2,
        ),
      {
        message:
          'every feature has one expected share per bin (the bins, "other" or the last numeric bin, missing)',
      },
    ),
  price: z
    .object({ edges: z.array(finite).max(100), expected: z.array(share).max(101) })
    .refine((p) => p.expected.length === p.edges.length + 1, { message: 'one expected share per price bin' }),
});

/** Schema of manifest.json, checked whenever a package is read or registered. */
export const manifestSchema = z.object({
  formatVersion: z.union([z.literal(1), z.literal(MANIFEST_FORMAT_VERSION)]),
  model: z.object({
    name: z.string().regex(MODEL_NAME_PATTERN, `must be a model name: ${MODEL_NAME_RULE}`),
    version: label(100),
    createdAt: label(100),
  }),
  spec: datasetSpecSchema.refine((spec) => spec.name.length <= 200, {
    message: 'spec name must be at most 200 characters',
    path: ['name'],
  }),
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
  /** How the model was selected (metric, CV folds, seeds and their spread); absent in older packages. */
  training: z
    .object({ metric: z.string(), selectedBy: z.enum(['cv', 'eval']), servedSeed: z.number().int() })
    .passthrough()
    .optional(),
  /**
   * Exact TreeSHAP explanations: the covers sidecar (trees.json, pinned by its checksum) and XGBoost's own
   * contributions for the parity records, which the TypeScript explainer must reproduce. Absent in
   * packages trained before explanations: those serve without them.
   */
  explain: z
    .object({
      covers: z.object({ file: z.literal('trees.json'), sha256: z.string().length(64) }),
      /** Per parity record: one value per feature, then the bias (model space), from pred_contribs. */
      parityContributions: z.array(z.array(finite)).max(PACKAGE_LIMITS.parityRecords),
      tolerance: z.number().positive().max(1e-2),
    })
    .optional(),
  drift: driftProfileSchema.optional(),
  /** Conformal calibration of prediction intervals; absent in packages trained before intervals. */
  intervals: intervalsSchema.nullable().optional(),
  lineage: z.object({
    datasetSha256: z.string(),
    datasetFile: z.string(),
    rows: z.object({
      read: z.number(),
      kept: z.number(),
      train: z.number(),
      eval: z.number(),
      holdout: z.number(),
    }),
    gitCommit: z.string().nullable(),
    createdAt: z.string(),
    cleaning: z.record(z.string(), z.unknown()),
  }),
  parity: z.object({
    records: z.array(z.record(z.string(), z.unknown())).min(1).max(PACKAGE_LIMITS.parityRecords),
    predictions: z.array(z.number()).max(PACKAGE_LIMITS.parityRecords),
    tolerance: z.object({ relative: z.number().positive(), absolute: z.number().nonnegative() }),
    onnxCheck: z.object({ rowsChecked: z.number(), maxAbsDiff: z.number(), maxRelDiff: z.number() }),
  }),
});

/** manifest.json, typed with the richer shapes the schema only checks loosely. */
export type ModelManifest = Omit<
  z.infer<typeof manifestSchema>,
  'features' | 'signature' | 'lineage' | 'training'
> & {
  features: FeatureSet;
  training?: TrainingRecord;
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

const month = z.string().max(20);
const region = z.string().max(500);

/** Schema of evaluation.json (checked at registration; what the API serves is what passed it). */
export const evaluationSchema = z.object({
  formatVersion: z.literal(1),
  split: z.literal('holdout'),
  regionColumn: z.string().max(200).nullable(),
  cells: z
    .array(
      z.object({
        month,
        region,
        n: z.number().int().nonnegative(),
        sumActual: z.number(),
        sumPredicted: z.number(),
        sumAbsError: z.number(),
        sumSquaredError: z.number(),
        sumAbsPercentError: z.number(),
      }),
    )
    .max(PACKAGE_LIMITS.evaluationCells),
  points: z
    .array(z.object({ month, region, actual: z.number(), predicted: z.number() }))
    .max(PACKAGE_LIMITS.evaluationPoints),
  importances: z
    .array(z.object({ feature: z.string().max(500), gain: z.number(), weight: z.number() }))
    .max(PACKAGE_LIMITS.importances),
  trials: z
    .array(
      z.object({
        number: z.number().int(),
        params: z.record(z.string(), z.unknown()),
        eval_rmse: z.number().nullable(),
        seconds: z.number(),
        state: z.string().max(100),
      }),
    )
    .max(PACKAGE_LIMITS.trials),
});

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
  trials: {
    number: number;
    params: Record<string, unknown>;
    eval_rmse: number | null;
    seconds: number;
    state: string;
  }[];
}
