import { missingTokenSet, readCategory, readNumber, type ValueStatus } from '../clean/values';
import { numberCleaner } from '../features/row-plan';
import type { PreparedDataset } from '../dataset/prepare';
import { recordReader } from '../dataset/records';
import { EVAL, TRAIN } from '../dataset/split';
import type { SignatureField } from '../features/signature';

/**
 * The training distribution of every model input, for drift: what share of the rows the model was fit on
 * (train ∪ eval, the refit's rows) fell in each bin. Numbers get decile bins, categories their most frequent
 * values and one "other" bin; every feature has a last bin for missing values. Serving puts what it scores
 * into the same bins (DriftCounts), and PSI compares the two.
 */
export const DRIFT_PROFILE_VERSION = 1;
const NUMBER_QUANTILES = 10;
const TOP_CATEGORIES = 30;
/** Rows read to build the profile: an evenly spaced sample of train ∪ eval above this. */
const PROFILE_ROWS = 200_000;

export interface NumberDrift {
  field: string;
  kind: 'number';
  /** Upper edges of every bin but the last numeric one: a value v falls in the first bin with v <= edge. */
  edges: number[];
  /** Shares of the training rows per bin: edges.length + 1 numeric bins, then missing. */
  expected: number[];
  /** Range seen in training: values outside it count as out of range. */
  observed: { min: number; max: number } | null;
}

export interface CategoryDrift {
  field: string;
  kind: 'category';
  /** The most frequent training categories; the bins after them are "other" and missing. */
  categories: string[];
  expected: number[];
}

export type FeatureDrift = NumberDrift | CategoryDrift;

export interface DriftProfile {
  formatVersion: typeof DRIFT_PROFILE_VERSION;
  rows: number;
  features: FeatureDrift[];
  /** Prices of the training rows in decile bins, to compare predicted prices with (no missing bin). */
  price: { edges: number[]; expected: number[] };
}

/** Bin of a number: the first edge at or above it, else the last numeric bin. */
export function numberBin(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Decile edges of sorted values, duplicates removed (a discrete column has fewer bins). */
export function quantileEdges(sorted: readonly number[], quantiles = NUMBER_QUANTILES): number[] {
  const edges: number[] = [];
  if (sorted.length === 0) return edges;
  for (let q = 1; q < quantiles; q++) {
    const edge = sorted[Math.min(sorted.length - 1, Math.floor((q * sorted.length) / quantiles))]!;
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  // The largest value needs no edge: it falls in the last numeric bin.
  while (edges.length > 0 && edges[edges.length - 1]! >= sorted[sorted.length - 1]!) edges.pop();
  return edges;
}

/** Reads a record's value of a drift field as serving reads it: a number, a category, or undefined (missing). */
export function driftReader(field: SignatureField): (value: unknown) => number | string | undefined {
  const missing = missingTokenSet(field.missingTokens);
  const scratch = { value: NaN };
  if (field.type === 'number') {
    const clean = driftNumberCleaner(field);
    return (value) => clean(readNumber(value, scratch, missing), scratch.value);
  }
  return (value) => readCategory(value, field.normalize, missing);
}

/**
 * A drift number from readNumber's status and value: sentinels are missing, out-of-bounds values become
 * what training made of them (the outliers policy: clipped, else missing); undefined when missing.
 */
export function driftNumberCleaner(
  field: SignatureField,
): (status: ValueStatus, value: number) => number | undefined {
  const clean = numberCleaner({ ...field, outliers: field.outliers === 'clip' ? 'clip' : 'missing' });
  return (status, value) => {
    const x = clean(status, value);
    return Number.isNaN(x) ? undefined : x;
  };
}

/** The fields drift is measured on: numbers and categories (dates move on by nature; their extrapolation is a warning). */
export function driftFields(signature: readonly SignatureField[]): SignatureField[] {
  return signature.filter((f) => f.type !== 'date' && f.partOf === undefined);
}

const shares = (counts: ArrayLike<number>, total: number) =>
  Array.from(counts, (c) => (total > 0 ? c / total : 0));

/** Builds the profile from the rows the served model was fit on (train ∪ eval). */
export function buildDriftProfile(data: PreparedDataset, signature: readonly SignatureField[]): DriftProfile {
  const rows: number[] = [];
  for (let i = 0; i < data.rows; i++) if (data.split[i] === TRAIN || data.split[i] === EVAL) rows.push(i);
  const stride = Math.max(1, rows.length / PROFILE_ROWS);
  const sample: number[] = [];
  for (let k = 0; Math.floor(k * stride) < rows.length; k++) sample.push(rows[Math.floor(k * stride)]!);

  const read = recordReader(data);
  const fields = driftFields(signature);
  const readers = fields.map(driftReader);
  const values: (number | string | undefined)[][] = fields.map(
    () => new Array<number | string | undefined>(sample.length),
  );
  const record: Record<string, unknown> = {};
  sample.forEach((row, r) => {
    read(row, record);
    fields.forEach((field, f) => (values[f]![r] = readers[f]!(record[field.name])));
  });

  const features = fields.map((field, f): FeatureDrift => {
    const column = values[f]!;
    if (field.type === 'number') {
      const present = (column.filter((v) => typeof v === 'number') as number[]).sort((a, b) => a - b);
      const edges = quantileEdges(present);
      const counts = new Float64Array(edges.length + 2);
      for (const v of column) counts[typeof v === 'number' ? numberBin(edges, v) : edges.length + 1]!++;
      return {
        field: field.name,
        kind: 'number',
        edges,
        expected: shares(counts, column.length),
        observed: present.length ? { min: present[0]!, max: present[present.length - 1]! } : null,
      };
    }
    const frequency = new Map<string, number>();
    for (const v of column) if (typeof v === 'string') frequency.set(v, (frequency.get(v) ?? 0) + 1);
    const categories = [...frequency.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP_CATEGORIES)
      .map(([c]) => c);
    const index = new Map(categories.map((c, i) => [c, i]));
    const counts = new Float64Array(categories.length + 2);
    for (const v of column)
      counts[v === undefined ? categories.length + 1 : (index.get(v as string) ?? categories.length)]!++;
    return { field: field.name, kind: 'category', categories, expected: shares(counts, column.length) };
  });

  const prices = sample
    .map((row) => data.target[row]!)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const priceEdges = quantileEdges(prices);
  const priceCounts = new Float64Array(priceEdges.length + 1);
  for (const p of prices) priceCounts[numberBin(priceEdges, p)]!++;
  return {
    formatVersion: DRIFT_PROFILE_VERSION,
    rows: sample.length,
    features,
    price: { edges: priceEdges, expected: shares(priceCounts, prices.length) },
  };
}
