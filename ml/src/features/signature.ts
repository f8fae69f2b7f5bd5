import type { PreparedDataset } from '../dataset/prepare';
import { HOLDOUT } from '../dataset/split';
import { formatDate } from '../clean/values';
import { shortestFloat32 } from '../dataset/records';
import { isInputColumn, sourceFields, type DatasetSpec, type TextNormalization } from '../spec/schema';
import { compileExpr } from '../spec/expr';

/** One raw input field a model accepts, as the API validates it and the dashboard renders it. */
export interface SignatureField {
  name: string;
  type: 'number' | 'string' | 'date';
  required: boolean;
  description?: string;
  /** Numbers: the spec's bounds (values outside them are outliers). */
  min?: number;
  max?: number;
  /** Range seen in the rows the served model was fitted on: train and eval (numbers and dates). */
  observed?: { min: number | string; max: number | string };
  /** Categories seen in train and eval rows, most frequent first. */
  categories?: string[];
  /** What happens to a category never seen in training. */
  unknownCategory?: string;
  /** A typical value (train+eval median or most frequent category), used to prefill forms. */
  example?: number | string;
  /** Numbers: what serving does with a value outside [min, max], as training did (absent: rejected). */
  outliers?: 'missing' | 'clip' | 'drop_row';
  /** Numbers: values read as missing. */
  sentinels?: number[];
  /** The field's own missing tokens (absent: the default list). */
  missingTokens?: string[];
  /** Ordinal fields: the only accepted values, lowest first. */
  levels?: string[];
  /** Strings: the normalisation applied before categories are compared. */
  normalize?: TextNormalization;
  /** A part (year, month or day) of the assembled date named here. */
  partOf?: string;
}

const UNKNOWN: Record<string, string> = {
  ordinal: 'rejected: the value must be one of the levels',
  frequency: 'accepted; encoded as frequency 0',
  target: "accepted; encoded as the train split's mean target",
  onehot: 'accepted; encoded as the "other" category',
};

const MEDIAN_SAMPLE = 20_000;

/**
 * Rows "seen in training" as the signature describes it: the trainer refits the served model on train and
 * eval together, so a value seen only in eval was seen by the served model. Encoders are still fitted on
 * the train split alone (fit.ts), so nothing leaks into the selection on eval.
 */
const seenByServedModel = (split: number) => split !== HOLDOUT;

/** Train+eval range and (approximate, from an evenly spaced sample of those values) median. */
function numberStats(values: Float32Array | Int32Array, split: Uint8Array) {
  let lo = Infinity;
  let hi = -Infinity;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!seenByServedModel(split[i]!) || Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    count++;
  }
  const stride = Math.max(1, Math.floor(count / MEDIAN_SAMPLE));
  const sample: number[] = [];
  for (let i = 0, k = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!seenByServedModel(split[i]!) || Number.isNaN(v)) continue;
    if (k++ % stride === 0) sample.push(v);
  }
  sample.sort((a, b) => a - b);
  return { lo, hi, median: sample[sample.length >> 1] };
}

/** Spec columns the model reads: features, and columns that derived features read. */
export function usedColumns(spec: DatasetSpec): Set<string> {
  const used = new Set<string>();
  const byName = new Map(spec.columns.filter(isInputColumn).map((c) => [c.name, c]));
  for (const column of spec.columns) {
    if (isInputColumn(column) && column.feature) used.add(column.name);
    if (column.role !== 'derived') continue;
    const compiled = compileExpr(column.expr, (name) =>
      byName.has(name) ? (byName.get(name)!.role === 'date' ? 'date' : 'number') : undefined,
    );
    for (const name of compiled.inputs) used.add(name);
  }
  return used;
}

/** The raw fields a model takes, in spec order, with what training saw of each. */
export function buildSignature(data: PreparedDataset): SignatureField[] {
  const fields = new Map<string, SignatureField>();
  const used = usedColumns(data.spec);
  const add = (field: SignatureField) => {
    const existing = fields.get(field.name);
    // A field several columns read is required when any of them requires it.
    if (existing) existing.required ||= field.required;
    else fields.set(field.name, field);
  };
  for (const column of data.spec.columns) {
    if (!isInputColumn(column) || !used.has(column.name)) continue;
    const name = column.source ?? column.name;
    const base = {
      required: !column.optional,
      ...(column.description && { description: column.description }),
      ...(column.missingTokens && { missingTokens: column.missingTokens }),
    };
    if (column.role === 'date' && column.assemble) {
      for (const part of sourceFields(column))
        add({ name: part, type: 'number', ...base, partOf: column.name });
    } else if (column.role === 'date') {
      const { lo, hi, median } = numberStats(data.dates[column.name]!, data.split);
      add({
        name,
        type: 'date',
        ...base,
        ...(Number.isFinite(lo) && { observed: { min: formatDate(lo), max: formatDate(hi) } }),
        ...(median !== undefined && { example: formatDate(median) }),
      });
    } else if (column.role === 'numeric') {
      const { lo, hi, median } = numberStats(data.numeric[column.name]!, data.split);
      add({
        name,
        type: 'number',
        ...base,
        ...(column.min !== undefined && { min: column.min }),
        ...(column.max !== undefined && { max: column.max }),
        outliers: column.outliers,
        ...(column.sentinels && column.sentinels.length > 0 && { sentinels: column.sentinels }),
        ...(Number.isFinite(lo) && { observed: { min: shortestFloat32(lo), max: shortestFloat32(hi) } }),
        ...(median !== undefined && { example: shortestFloat32(median) }),
      });
    } else {
      const { codes, values } = data.categories[column.name]!;
      const counts = new Float64Array(values.length);
      for (let i = 0; i < data.rows; i++)
        if (seenByServedModel(data.split[i]!) && codes[i]! >= 0) counts[codes[i]!]!++;
      const categories = values
        .map((value, code) => ({ value, n: counts[code]! }))
        .filter((c) => c.n > 0)
        .sort((a, b) => b.n - a.n || (a.value < b.value ? -1 : 1))
        .map((c) => c.value);
      add({
        name,
        type: 'string',
        ...base,
        categories,
        ...(column.encoding === 'ordinal' && { levels: column.levels ?? [] }),
        ...(column.normalize && { normalize: column.normalize }),
        unknownCategory: UNKNOWN[column.encoding]!,
        ...(categories[0] !== undefined && { example: categories[0] }),
      });
    }
  }
  return [...fields.values()];
}
