// Test oracle: ml/src/features/transform.ts as it was before the row plan (commit 5003058), with its imports pointed here. The parity tests (score/row-plan-parity.test.ts) compare today's code with it, row by row and byte by byte. Not used by anything else.
import {
  readCategory,
  readDateField,
  readDateParts,
  readNumber,
  datePart,
  missingTokenSet,
  ValueStatus,
} from './values';
import type { TextNormalization } from '../../spec/schema';
import { compileExpr } from '../../spec/expr';
import type {
  DateEncoder,
  ExprInput,
  FeatureSet,
  FittedEncoder,
  NumericEncoder,
  OrdinalEncoder,
} from '../../features/types';

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

const categoryReader = (rule: TextNormalization | undefined, tokens?: string[]) => {
  const missing = missingTokenSet(tokens);
  return memoize((raw) => readCategory(raw, rule, missing));
};

type Reader = (record: RawRecord) => number;

/** A numeric column's value: read, sentinels and bounds applied (NaN when missing), before any fill. */
export function numberReader(encoder: Omit<NumericEncoder, 'fill'>): Reader {
  const field = encoder.source ?? encoder.column;
  const { min = -Infinity, max = Infinity, outliers } = encoder;
  const missing = missingTokenSet(encoder.missingTokens);
  const sentinels =
    encoder.sentinels && encoder.sentinels.length > 0 ? new Set(encoder.sentinels) : undefined;
  const scratch = { value: NaN };
  return (record) => {
    const status = readNumber(record[field], scratch, missing);
    let value = status === ValueStatus.Ok || status === ValueStatus.Repaired ? scratch.value : NaN;
    if (sentinels?.has(value)) return NaN;
    if (value < min || value > max) value = outliers === 'clip' ? Math.min(max, Math.max(min, value)) : NaN;
    return value;
  };
}

/** A date column's value in days since 1970-01-01 (NaN when missing or unreadable). */
export function dateReader(encoder: DateEncoder): Reader {
  const missing = missingTokenSet(encoder.missingTokens);
  const assemble = encoder.assemble;
  if (assemble) {
    const hasDay = assemble.day !== undefined;
    return (record) =>
      readDateParts(
        record[assemble.year],
        record[assemble.month],
        hasDay ? record[assemble.day!] : undefined,
        hasDay,
        missing,
      ).days;
  }
  const field = encoder.source ?? encoder.column;
  const read = memoize((raw) => readDateField(raw, missing).days);
  return (record) => read(record[field]);
}

/** An ordinal column's level (0 for the first), NaN when missing or not a level. */
export function ordinalReader(encoder: OrdinalEncoder): Reader {
  const field = encoder.source ?? encoder.column;
  const index = new Map(encoder.levels.map((level, i) => [level, i]));
  const read = categoryReader(encoder.normalize, encoder.missingTokens);
  return (record) => {
    const category = read(record[field]);
    return category === undefined ? NaN : (index.get(category) ?? NaN);
  };
}

export function inputReader(input: ExprInput): Reader {
  return input.kind === 'date'
    ? dateReader(input)
    : input.kind === 'ordinal'
      ? ordinalReader(input)
      : numberReader(input);
}

/** Compiles a derived encoder's expression against its inputs; the columns are read in slot order. */
export function derivedReader(encoder: Extract<FittedEncoder, { kind: 'derived' }>): Reader {
  const byColumn = new Map(encoder.inputs.map((input) => [input.column, input]));
  const compiled = compileExpr(encoder.expr, (name) => {
    const input = byColumn.get(name);
    return input ? (input.kind === 'date' ? 'date' : 'number') : undefined;
  });
  const readers = compiled.inputs.map((name) => inputReader(byColumn.get(name)!));
  const slots = new Float64Array(readers.length);
  return (record) => {
    for (let i = 0; i < readers.length; i++) slots[i] = readers[i]!(record);
    return compiled.evaluate(slots);
  };
}

function compileEncoder(encoder: FittedEncoder, position: number): Step {
  switch (encoder.kind) {
    case 'numeric': {
      const read = numberReader(encoder);
      const fill = encoder.fill;
      return (record, out, offset) => {
        const value = read(record);
        out[offset + position] = Number.isNaN(value) && fill !== undefined ? fill : value;
      };
    }
    case 'date': {
      const parts = encoder.parts;
      const toParts = (days: number) =>
        parts.map((part) => (Number.isNaN(days) ? NaN : datePart(days, part)));
      const write = (values: number[], out: Float32Array, offset: number) => {
        for (let i = 0; i < values.length; i++) out[offset + position + i] = values[i]!;
      };
      if (encoder.assemble) {
        const read = dateReader(encoder);
        return (record, out, offset) => write(toParts(read(record)), out, offset);
      }
      // Parts are computed once per distinct date text: a file holds few distinct dates.
      const field = encoder.source ?? encoder.column;
      const missing = missingTokenSet(encoder.missingTokens);
      const readParts = memoize((raw) => toParts(readDateField(raw, missing).days));
      return (record, out, offset) => write(readParts(record[field]), out, offset);
    }
    case 'ordinal':
    case 'derived': {
      const read = encoder.kind === 'ordinal' ? ordinalReader(encoder) : derivedReader(encoder);
      return (record, out, offset) => {
        out[offset + position] = read(record);
      };
    }
    case 'frequency': {
      const column = encoder.source ?? encoder.column;
      const table = new Map(Object.entries(encoder.frequencies));
      const read = categoryReader(encoder.normalize, encoder.missingTokens);
      return (record, out, offset) => {
        const category = read(record[column]);
        // A category never seen in training occurred 0 times there.
        out[offset + position] = category === undefined ? 0 : (table.get(category) ?? 0);
      };
    }
    case 'target': {
      const column = encoder.source ?? encoder.column;
      const table = new Map(Object.entries(encoder.means));
      const read = categoryReader(encoder.normalize, encoder.missingTokens);
      const prior = encoder.prior;
      return (record, out, offset) => {
        const category = read(record[column]);
        out[offset + position] = category === undefined ? prior : (table.get(category) ?? prior);
      };
    }
    case 'onehot': {
      const column = encoder.source ?? encoder.column;
      const index = new Map(encoder.categories.map((c, i) => [c, i]));
      const width = encoder.categories.length + 1;
      const read = categoryReader(encoder.normalize, encoder.missingTokens);
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
      throw new Error(
        `feature set is inconsistent: encoders produce ${position} values, names list ${features.names.length}`,
      );
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
