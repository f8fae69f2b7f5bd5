import { z } from 'zod';

const columnName = z.string().min(1, 'must not be empty');
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD');

/** How a text value is normalised before it is counted, encoded or looked up. */
export const textNormalizationSchema = z
  .object({
    trim: z.boolean().default(true),
    collapseWhitespace: z.boolean().default(true),
    unifyDashes: z.boolean().default(false),
    case: z.enum(['none', 'lower', 'upper', 'title']).default('none'),
    /** Applied after the rules above; keys and values in normalised form. */
    renames: z.record(z.string(), z.string()).default({}),
  })
  .strict();

const base = { name: columnName, description: z.string().optional() };

/**
 * What every input column (numeric, categorical, date) may say about where its value comes from and
 * what counts as missing. `source` lets several spec columns read one CSV column.
 */
const inputBase = {
  ...base,
  /** The CSV column (or JSON field) read; defaults to `name`. */
  source: columnName.optional(),
  /** Tokens meaning "no value" in this column (compared trimmed, case-insensitive); replaces the default list. */
  missingTokens: z.array(z.string()).max(100).optional(),
  /** Serving accepts a record without this field (the value is then missing and the prediction warns). */
  optional: z.boolean().default(false),
  /** false: read, cleaned and usable by derived features and the split, but not a model input itself. */
  feature: z.boolean().default(true),
};

export const targetColumnSchema = z
  .object({
    ...base,
    role: z.literal('target'),
    transform: z.enum(['none', 'log']).default('none'),
    /** Rows whose target falls outside [min, max] are outliers and are dropped from training. */
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .strict();

/** `days`: days since 1970-01-01, a continuous date. */
export const datePartSchema = z.enum([
  'year',
  'quarter',
  'month',
  'day_of_year',
  'months_since_2000',
  'days',
]);

/** A date assembled from part columns (e.g. "Yr Sold" + "Mo Sold"); a missing day is the 1st. */
export const dateAssemblySchema = z
  .object({ year: columnName, month: columnName, day: columnName.optional() })
  .strict();

export const dateColumnSchema = z
  .object({
    ...inputBase,
    role: z.literal('date'),
    derive: z.array(datePartSchema).min(1, 'must name at least one date part').default(['year', 'month']),
    assemble: dateAssemblySchema.optional(),
  })
  .strict();

export const numericColumnSchema = z
  .object({
    ...inputBase,
    /** Values that mean "no value" (e.g. 0 for a renovation year meaning never): read as missing. */
    sentinels: z.array(z.number()).max(100).optional(),
    role: z.literal('numeric'),
    /** Values outside [min, max] are treated as outliers according to `outliers`. */
    min: z.number().optional(),
    max: z.number().optional(),
    outliers: z.enum(['missing', 'clip', 'drop_row']).default('missing'),
    /** native: left missing for XGBoost's own handling; median: filled with the train split's median. */
    missing: z.enum(['native', 'median']).default('native'),
  })
  .strict();

export const categoricalColumnSchema = z
  .object({
    ...inputBase,
    role: z.literal('categorical'),
    /** ordinal: the position in `levels` (0 for the first), a number the model can order. */
    encoding: z.enum(['frequency', 'target', 'onehot', 'ordinal']),
    /** Ordinal: every accepted value, lowest first, in normalised form (e.g. ["Po", "Fa", "TA", "Gd", "Ex"]). */
    levels: z.array(z.string().min(1)).min(2).max(1000).optional(),
    normalize: textNormalizationSchema.optional(),
    /** Target encoding: weight of the prior (global mean) in the smoothed mean. */
    smoothing: z.number().nonnegative().default(10),
    /** One-hot: categories seen fewer times than this in train share the "other" column. */
    minCount: z.number().int().positive().default(1),
    /** One-hot: at most this many columns (most frequent first). */
    maxCategories: z.number().int().positive().default(50),
  })
  .strict();

/** A feature computed from other columns by an expression (see spec/expr.ts for the language). */
export const derivedColumnSchema = z
  .object({ ...base, role: z.literal('derived'), expr: z.string().min(1, 'must not be empty').max(2000) })
  .strict();

export const identifierColumnSchema = z.object({ ...base, role: z.literal('identifier') }).strict();

export const droppedColumnSchema = z
  .object({ ...base, role: z.literal('drop'), reason: z.string().min(1, 'say why the column is dropped') })
  .strict();

export const columnSchema = z.discriminatedUnion('role', [
  targetColumnSchema,
  dateColumnSchema,
  numericColumnSchema,
  categoricalColumnSchema,
  derivedColumnSchema,
  identifierColumnSchema,
  droppedColumnSchema,
]);

export const timeSplitSchema = z
  .object({ kind: z.literal('time'), column: columnName, evalFrom: isoDay, holdoutFrom: isoDay })
  .strict();

export const randomSplitSchema = z
  .object({
    kind: z.literal('random'),
    seed: z.number().int().default(42),
    evalFraction: z.number().gt(0).lt(1),
    holdoutFraction: z.number().gt(0).lt(1),
  })
  .strict();

/** How models are selected: the metric cross-validation minimises and the number of folds. */
export const TRAINING_METRICS = ['rmse', 'mae', 'mape', 'rmsle'] as const;
export const trainingSchema = z
  .object({
    /** Default: RMSE in the target's transformed space (rmsle for a log target, rmse otherwise). */
    metric: z.enum(TRAINING_METRICS).optional(),
    /** Cross-validation folds over train ∪ eval: expanding time windows (time split) or k-fold (random split). */
    folds: z.number().int().min(2).max(20).optional(),
    /** Nominal coverage of the prediction intervals (default 0.9). */
    intervalLevel: z.number().min(0.5).max(0.99).optional(),
  })
  .strict();

export const datasetSpecSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, - and _'),
    description: z.string().optional(),
    columns: z.array(columnSchema).min(2, 'needs at least a target and one feature'),
    cleaning: z
      .object({
        /** Rows with equal values in these columns are duplicates; the first is kept. Empty: exact duplicate lines. */
        dedupeKeys: z.array(columnName).default([]),
        /** A column with more unusable values than this fraction of rows is an error, not dirt. */
        maxInvalidFraction: z.number().min(0).max(1).default(0.05),
      })
      .strict()
      .default({ dedupeKeys: [], maxInvalidFraction: 0.05 }),
    split: z.discriminatedUnion('kind', [timeSplitSchema, randomSplitSchema]),
    evaluation: z.object({ regionColumn: columnName.optional() }).strict().default({}),
    training: trainingSchema.optional(),
  })
  .strict();

export type TextNormalization = z.infer<typeof textNormalizationSchema>;
export type DatasetSpec = z.infer<typeof datasetSpecSchema>;
export type ColumnSpec = z.infer<typeof columnSchema>;
export type TargetColumn = z.infer<typeof targetColumnSchema>;
export type DateColumn = z.infer<typeof dateColumnSchema>;
export type DatePart = z.infer<typeof datePartSchema>;
export type NumericColumn = z.infer<typeof numericColumnSchema>;
export type CategoricalColumn = z.infer<typeof categoricalColumnSchema>;
export type DerivedColumn = z.infer<typeof derivedColumnSchema>;
export type DateAssembly = z.infer<typeof dateAssemblySchema>;
/** Columns read from the input: what derived features and the split may refer to. */
export type InputColumn = DateColumn | NumericColumn | CategoricalColumn;
export const isInputColumn = (c: ColumnSpec): c is InputColumn =>
  c.role === 'date' || c.role === 'numeric' || c.role === 'categorical';
/** The input fields one column reads: its source, or the parts of an assembled date. */
export function sourceFields(c: InputColumn): string[] {
  if (c.role === 'date' && c.assemble)
    return [c.assemble.year, c.assemble.month, ...(c.assemble.day ? [c.assemble.day] : [])];
  return [c.source ?? c.name];
}
export type SplitRule = DatasetSpec['split'];
export type TrainingMetric = (typeof TRAINING_METRICS)[number];
