import { readCategory, readDate, readNumber, datePart, ValueStatus } from '../clean/values';
import type { TextNormalization } from '../spec/schema';
import type { FeatureSet, FittedEncoder } from './types';

/** A raw record as it arrives from a CSV row or a JSON request body: field name → value. */
export type RawRecord = Readonly<Record<string, unknown>>;

type Step = (record: RawRecord, out: Float32Array, offset: number) => void;

const CACHE_LIMIT = 50_000;

/** Memoises a per-distinct-value cleaning function; bounded so a stream of unique values cannot grow it. */
function memoize<T>(fn: (raw: unknown) => T): (raw: unknown) => T {
  const cache = new Map<unknown, T>();
  return (raw) => {
    let value = cache.get(raw);
    if (value === undefined && !cache.has(raw)) {
      value = fn(raw);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(raw, value);
    }
    return value as T;
  };
}

const categoryReader = (rule: TextNormalization | undefined) => memoize((raw) => readCategory(raw, rule));

function compileEncoder(encoder: FittedEncoder, position: number): Step {
  const column = encoder.column;
  switch (encoder.kind) {
    case 'numeric': {
      const { min = -Infinity, max = Infinity, outliers, fill } = encoder;
      const scratch = { value: NaN };
      return (record, out, offset) => {
        const status = readNumber(record[column], scratch);
        let value = status === ValueStatus.Ok || status === ValueStatus.Repaired ? scratch.value : NaN;
        if (value < min || value > max) value = outliers === 'clip' ? Math.min(max, Math.max(min, value)) : NaN;
        out[offset + position] = Number.isNaN(value) && fill !== undefined ? fill : value;
      };
    }
    case 'date': {
      const parts = encoder.parts;
      const readParts = memoize((raw) => {
        const days = readDate(raw);
        return parts.map((part) => (Number.isNaN(days) ? NaN : datePart(days, part)));
      });
      return (record, out, offset) => {
        const values = readParts(record[column]);
        for (let i = 0; i < values.length; i++) out[offset + position + i] = values[i]!;
      };
    }
    case 'frequency': {
      const table = new Map(Object.entries(encoder.frequencies));
      const read = categoryReader(encoder.normalize);
      return (record, out, offset) => {
        const category = read(record[column]);
        // A category never seen in training occurred 0 times there.
        out[offset + position] = category === undefined ? 0 : (table.get(category) ?? 0);
      };
    }
    case 'target': {
      const table = new Map(Object.entries(encoder.means));
      const read = categoryReader(encoder.normalize);
      const prior = encoder.prior;
      return (record, out, offset) => {
        const category = read(record[column]);
        out[offset + position] = category === undefined ? prior : (table.get(category) ?? prior);
      };
    }
    case 'onehot': {
      const index = new Map(encoder.categories.map((c, i) => [c, i]));
      const width = encoder.categories.length + 1;
      const read = categoryReader(encoder.normalize);
      return (record, out, offset) => {
        const start = offset + position;
        out.fill(0, start, start + width);
        const category = read(record[column]);
        if (category !== undefined) out[start + (index.get(category) ?? width - 1)] = 1;
      };
    }
  }
}

function width(encoder: FittedEncoder): number {
  if (encoder.kind === 'date') return encoder.parts.length;
  if (encoder.kind === 'onehot') return encoder.categories.length + 1;
  return 1;
}

const compiled = new WeakMap<FeatureSet, Step[]>();

function stepsFor(features: FeatureSet): Step[] {
  let steps = compiled.get(features);
  if (!steps) {
    steps = [];
    let position = 0;
    for (const encoder of features.encoders) {
      steps.push(compileEncoder(encoder, position));
      position += width(encoder);
    }
    if (position !== features.names.length) {
      throw new Error(`feature set is inconsistent: encoders produce ${position} values, names list ${features.names.length}`);
    }
    compiled.set(features, steps);
  }
  return steps;
}

/**
 * Writes the model inputs for one record into `out` at `offset` (features.names.length values).
 * This is the only implementation of the feature transform: training export, batch scoring and the
 * online API all call it. Missing or unusable numbers become NaN (XGBoost's missing value) unless the
 * encoder fills them; unseen categories are encoded as the encoder defines.
 */
export function transformInto(record: RawRecord, features: FeatureSet, out: Float32Array, offset = 0): void {
  const steps = stepsFor(features);
  for (let i = 0; i < steps.length; i++) steps[i]!(record, out, offset);
}

/** The feature transform for one record: `transform(record, manifest) → Float32Array`. */
export function transform(record: RawRecord, manifest: { features: FeatureSet }): Float32Array {
  const out = new Float32Array(manifest.features.names.length);
  transformInto(record, manifest.features, out, 0);
  return out;
}
