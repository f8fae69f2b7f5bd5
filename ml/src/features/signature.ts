import type { PreparedDataset } from '../dataset/prepare';
import { TRAIN } from '../dataset/split';
import { formatDate } from '../clean/values';
import { shortestFloat32 } from '../dataset/records';

/** One raw input field a model accepts, as the API validates it and the dashboard renders it. */
export interface SignatureField {
  name: string;
  type: 'number' | 'string' | 'date';
  required: boolean;
  description?: string;
  /** Numbers: the spec's bounds (values outside them are outliers). */
  min?: number;
  max?: number;
  /** Range seen in the train split (numbers and dates). */
  observed?: { min: number | string; max: number | string };
  /** Categories seen in the train split, most frequent first. */
  categories?: string[];
  /** What happens to a category never seen in training. */
  unknownCategory?: string;
  /** A typical value (train median or most frequent category), used to prefill forms. */
  example?: number | string;
}

const UNKNOWN: Record<string, string> = {
  frequency: 'accepted; encoded as frequency 0',
  target: "accepted; encoded as the train split's mean target",
  onehot: 'accepted; encoded as the "other" category',
};

const MEDIAN_SAMPLE = 20_000;

/** Train range and (approximate, from an evenly spaced sample of train values) median. */
function numberStats(values: Float32Array | Int32Array, split: Uint8Array) {
  let lo = Infinity;
  let hi = -Infinity;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (split[i] !== TRAIN || Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    count++;
  }
  const stride = Math.max(1, Math.floor(count / MEDIAN_SAMPLE));
  const sample: number[] = [];
  for (let i = 0, k = 0; i < values.length; i++) {
    const v = values[i]!;
    if (split[i] !== TRAIN || Number.isNaN(v)) continue;
    if (k++ % stride === 0) sample.push(v);
  }
  sample.sort((a, b) => a - b);
  return { lo, hi, median: sample[sample.length >> 1] };
}

/** The raw fields a model takes, in spec order, with what training saw of each. */
export function buildSignature(data: PreparedDataset): SignatureField[] {
  const fields: SignatureField[] = [];
  for (const column of data.spec.columns) {
    const description = column.description ? { description: column.description } : {};
    if (column.role === 'date') {
      const { lo, hi, median } = numberStats(data.dates[column.name]!, data.split);
      fields.push({
        name: column.name,
        type: 'date',
        required: true,
        ...description,
        observed: { min: formatDate(lo), max: formatDate(hi) },
        ...(median !== undefined && { example: formatDate(median) }),
      });
    } else if (column.role === 'numeric') {
      const { lo, hi, median } = numberStats(data.numeric[column.name]!, data.split);
      fields.push({
        name: column.name,
        type: 'number',
        required: false,
        ...description,
        ...(column.min !== undefined && { min: column.min }),
        ...(column.max !== undefined && { max: column.max }),
        ...(Number.isFinite(lo) && { observed: { min: shortestFloat32(lo), max: shortestFloat32(hi) } }),
        ...(median !== undefined && { example: shortestFloat32(median) }),
      });
    } else if (column.role === 'categorical') {
      const { codes, values } = data.categories[column.name]!;
      const counts = new Float64Array(values.length);
      for (let i = 0; i < data.rows; i++) if (data.split[i] === TRAIN && codes[i]! >= 0) counts[codes[i]!]!++;
      const categories = values
        .map((value, code) => ({ value, n: counts[code]! }))
        .filter((c) => c.n > 0)
        .sort((a, b) => b.n - a.n || (a.value < b.value ? -1 : 1))
        .map((c) => c.value);
      fields.push({
        name: column.name,
        type: 'string',
        required: false,
        ...description,
        categories,
        unknownCategory: UNKNOWN[column.encoding]!,
        ...(categories[0] !== undefined && { example: categories[0] }),
      });
    }
  }
  return fields;
}
