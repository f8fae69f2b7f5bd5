import type { DateAssembly, DatePart, TextNormalization } from '../spec/schema';

/** Where an encoder reads its value and what counts as missing there (absent: the defaults). */
interface Reading {
  /** The spec column; also the feature name's stem. */
  column: string;
  /** The record field read when it differs from `column`. */
  source?: string;
  /** The column's own missing tokens (replacing the default list). */
  missingTokens?: string[];
}

export type NumericEncoder = Reading & {
  kind: 'numeric';
  min?: number;
  max?: number;
  outliers: 'missing' | 'clip' | 'drop_row';
  /** Values read as missing (e.g. 0 meaning "never"). */
  sentinels?: number[];
  /** Train median used for missing values; absent means missing stays NaN for XGBoost. */
  fill?: number;
};

export type DateEncoder = Reading & {
  kind: 'date';
  parts: DatePart[];
  /** Read from year, month and day fields instead of one date field. */
  assemble?: DateAssembly;
  /** Days since 1970-01-01 of the first and last dates the final model was fit on (train + eval). */
  fitted?: { min: number; max: number };
};

export type OrdinalEncoder = Reading & {
  kind: 'ordinal';
  normalize?: TextNormalization;
  /** Accepted values, lowest first: the encoded value is the index. */
  levels: string[];
};

/** A column as a derived expression reads it: a number, a date (days) or an ordinal level. */
export type ExprInput = Omit<NumericEncoder, 'fill'> | DateEncoder | OrdinalEncoder;

/**
 * A fitted feature encoder: everything needed to turn one raw field into model inputs. Encoders carry
 * their own cleaning rules, so `transform` needs nothing but the fitted feature set.
 */
export type FittedEncoder =
  | NumericEncoder
  | DateEncoder
  | OrdinalEncoder
  | (Reading & { kind: 'frequency'; normalize?: TextNormalization; frequencies: Record<string, number> })
  | (Reading & {
      kind: 'target';
      normalize?: TextNormalization;
      /** Smoothed mean of the transformed target per category (train split only). */
      means: Record<string, number>;
      /** Unseen or missing categories get the train split's mean. */
      prior: number;
    })
  | (Reading & { kind: 'onehot'; normalize?: TextNormalization; categories: string[] })
  | {
      kind: 'derived';
      /** The derived column's name: its feature name. */
      column: string;
      /** The spec's expression, compiled once per loaded feature set. */
      expr: string;
      /** The columns the expression reads, with their cleaning rules. */
      inputs: ExprInput[];
    };

/** The fitted feature set stored in a model manifest. `names[i]` is the name of model input column i. */
export interface FeatureSet {
  names: string[];
  encoders: FittedEncoder[];
}

export const ONEHOT_OTHER = '__other__';

export function encoderFeatureNames(encoder: FittedEncoder): string[] {
  switch (encoder.kind) {
    case 'date':
      return encoder.parts.map((part) => `${encoder.column}_${part}`);
    case 'onehot':
      return [...encoder.categories, ONEHOT_OTHER].map((c) => `${encoder.column}=${c}`);
    case 'frequency':
      return [`${encoder.column}_frequency`];
    case 'target':
      return [`${encoder.column}_target_mean`];
    case 'numeric':
    case 'ordinal':
    case 'derived':
      return [encoder.column];
  }
}
