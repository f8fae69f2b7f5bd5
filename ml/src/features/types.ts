import type { DatePart, TextNormalization } from '../spec/schema';

/**
 * A fitted feature encoder: everything needed to turn one raw field into model inputs. Encoders carry
 * their own cleaning rules, so `transform` needs nothing but the fitted feature set.
 */
export type FittedEncoder =
  | {
      kind: 'numeric';
      column: string;
      min?: number;
      max?: number;
      outliers: 'missing' | 'clip' | 'drop_row';
      /** Train median used for missing values; absent means missing stays NaN for XGBoost. */
      fill?: number;
    }
  | { kind: 'date'; column: string; parts: DatePart[] }
  | { kind: 'frequency'; column: string; normalize?: TextNormalization; frequencies: Record<string, number> }
  | {
      kind: 'target';
      column: string;
      normalize?: TextNormalization;
      /** Smoothed mean of the transformed target per category (train split only). */
      means: Record<string, number>;
      /** Unseen or missing categories get the train split's mean. */
      prior: number;
    }
  | { kind: 'onehot'; column: string; normalize?: TextNormalization; categories: string[] };

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
      return [encoder.column];
  }
}
