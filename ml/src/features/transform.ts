import { transformPlan, RowPlan } from './row-plan';
import type {
  DateEncoder,
  ExprInput,
  FeatureSet,
  FittedEncoder,
  NumericEncoder,
  OrdinalEncoder,
} from './types';

/** A raw record as it arrives from a CSV row or a JSON request body: field name → value. */
export type RawRecord = Readonly<Record<string, unknown>>;

type Reader = (record: RawRecord) => number;

/**
 * A record's value of one encoder input (a number, a date's days, an ordinal level, a derived value),
 * read by a row plan of its own: the one implementation of the transform.
 */
function singleValueReader(encoder: ExprInput | Extract<FittedEncoder, { kind: 'derived' }>): Reader {
  const plan = new RowPlan({ signature: [] }, { check: false, transform: false });
  const read = plan.valueReader(encoder);
  return (record) => {
    plan.loadRecord(record);
    return read(0);
  };
}

/** A numeric column's value: read, sentinels and bounds applied (NaN when missing), before any fill. */
export function numberReader(encoder: Omit<NumericEncoder, 'fill'>): Reader {
  return singleValueReader({ ...encoder, kind: 'numeric' });
}

/** A date column's value in days since 1970-01-01 (NaN when missing or unreadable). */
export function dateReader(encoder: DateEncoder): Reader {
  return singleValueReader(encoder);
}

/** An ordinal column's level (0 for the first), NaN when missing or not a level. */
export function ordinalReader(encoder: OrdinalEncoder): Reader {
  return singleValueReader(encoder);
}

export function inputReader(input: ExprInput): Reader {
  return singleValueReader(input);
}

/** Compiles a derived encoder's expression against its inputs; the columns are read in slot order. */
export function derivedReader(encoder: Extract<FittedEncoder, { kind: 'derived' }>): Reader {
  return singleValueReader(encoder);
}

/**
 * Writes the model inputs for one record into `out` at `offset` (features.names.length values).
 * This is the only implementation of the feature transform: training export, batch scoring and the
 * online API all call it. Missing or unusable numbers become NaN (XGBoost's missing value) unless the
 * encoder fills them; unseen categories are encoded as the encoder defines.
 */
export function transformInto(record: RawRecord, features: FeatureSet, out: Float32Array, offset = 0): void {
  const plan = transformPlan(features);
  plan.loadRecord(record);
  plan.transform(0, out, offset);
}

/** The feature transform for one record: `transform(record, manifest) → Float32Array`. */
export function transform(record: RawRecord, manifest: { features: FeatureSet }): Float32Array {
  const out = new Float32Array(manifest.features.names.length);
  transformInto(record, manifest.features, out, 0);
  return out;
}
