import type { ValueStatus } from '../clean/values';
import { ParsedRow, type RowPlan } from '../features/row-plan';
import type { SignatureField } from '../features/signature';
import type { ScoredRow } from '../score/scored-row';
import { driftNumberCleaner, driftReader, numberBin, type DriftProfile, type FeatureDrift } from './profile';

/** Reads a drift feature's value from a parsed row (row `row` of the plan's slots). */
type ParsedReader = (row: ParsedRow) => number | string | undefined;

/** What was scored in one window, in the profile's bins. Plain arrays: they add up across processes. */
export interface DriftCounts {
  rows: number;
  /** Per profile feature: a count per bin (the profile's bins, missing last). */
  bins: number[][];
  /** Per feature: categories never seen in training. */
  unseen: number[];
  /** Per feature: numbers outside the training range. */
  outOfRange: number[];
  /** Predicted prices in the profile's price bins. */
  price: number[];
}

const binCount = (feature: FeatureDrift) =>
  feature.kind === 'number' ? feature.edges.length + 2 : feature.categories.length + 2;

export function emptyCounts(profile: DriftProfile): DriftCounts {
  return {
    rows: 0,
    bins: profile.features.map((f) => new Array<number>(binCount(f)).fill(0)),
    unseen: profile.features.map(() => 0),
    outOfRange: profile.features.map(() => 0),
    price: new Array<number>(profile.price.edges.length + 1).fill(0),
  };
}

/**
 * Adds scored records into the profile's bins, reading each value as serving reads it. Memory is the
 * counts alone, whatever the number of records: no record is kept.
 */
export class DriftCounter {
  private counts: DriftCounts;
  private readonly readers: ((value: unknown) => number | string | undefined)[];
  private readonly seen: (ReadonlySet<string> | undefined)[];
  private readonly index: (Map<string, number> | undefined)[];
  private readonly fields: SignatureField[];
  /** The parsed readers of the last plan seen (a scorer's rows all come from one plan). */
  private parsed?: { plan: RowPlan; readers: ParsedReader[] };

  constructor(
    readonly profile: DriftProfile,
    signature: readonly SignatureField[],
  ) {
    const byName = new Map(signature.map((f) => [f.name, f]));
    const fieldOf = (feature: FeatureDrift): SignatureField =>
      byName.get(feature.field) ?? {
        name: feature.field,
        type: feature.kind === 'number' ? 'number' : 'string',
        required: false,
      };
    this.fields = profile.features.map(fieldOf);
    this.readers = this.fields.map((field) => driftReader(field));
    this.seen = profile.features.map((f) => {
      const categories = fieldOf(f).categories;
      return f.kind === 'category' ? new Set(categories ?? f.categories) : undefined;
    });
    this.index = profile.features.map((f) =>
      f.kind === 'category' ? new Map(f.categories.map((c, i) => [c, i])) : undefined,
    );
    this.counts = emptyCounts(profile);
  }

  get rows(): number {
    return this.counts.rows;
  }

  /**
   * Counts one scored row: a record (each field read as serving reads it), or a row scoreCsv has already
   * parsed (the ScoredRow of its onScored), whose parsed values are counted without reading the fields again.
   */
  add(record: Readonly<Record<string, unknown>> | ScoredRow, predictedPrice: number): void {
    const c = this.counts;
    c.rows++;
    // Plain loops: this runs for every record the API or a batch job scores.
    const features = this.profile.features;
    if (record instanceof ParsedRow) {
      const readers = this.parsedReaders(record.plan);
      for (let f = 0; f < features.length; f++) this.count(f, readers[f]!(record));
    } else {
      const values = record as Readonly<Record<string, unknown>>;
      for (let f = 0; f < features.length; f++) this.count(f, this.readers[f]!(values[features[f]!.field]));
    }
    if (Number.isFinite(predictedPrice)) c.price[numberBin(this.profile.price.edges, predictedPrice)]!++;
  }

  private count(f: number, value: number | string | undefined): void {
    const c = this.counts;
    const feature = this.profile.features[f]!;
    const bins = c.bins[f]!;
    if (value === undefined) {
      bins[bins.length - 1]!++;
    } else if (feature.kind === 'number') {
      const x = value as number;
      bins[numberBin(feature.edges, x)]!++;
      if (feature.observed && (x < feature.observed.min || x > feature.observed.max)) c.outOfRange[f]!++;
    } else {
      const category = value as string;
      bins[this.index[f]!.get(category) ?? feature.categories.length]!++;
      if (!this.seen[f]!.has(category)) c.unseen[f]!++;
    }
  }

  /** Readers of the plan's parsed values, built once per plan; a field the plan does not parse the same way is read from its raw value. */
  private parsedReaders(plan: RowPlan): ParsedReader[] {
    if (this.parsed?.plan === plan) return this.parsed.readers;
    const slots = plan.slots;
    const readers = this.fields.map((field, f): ParsedReader => {
      if (this.profile.features[f]!.kind === 'number') {
        const slot = slots.findNumber(field.name, field.missingTokens);
        if (slot >= 0) {
          const clean = driftNumberCleaner(field);
          return ({ row }) => {
            const at = row * slots.numberCount + slot;
            return clean(slots.status[at] as ValueStatus, slots.value[at]!);
          };
        }
      } else {
        const slot = slots.findCategory(field.name, field.normalize, field.missingTokens);
        if (slot >= 0) return ({ row }) => slots.category[row * slots.categoryCount + slot];
      }
      // Not parsed by the plan (a field outside its signature): read from the row's raw value.
      const read = this.readers[f]!;
      return (parsed) => read(parsed.get(field.name));
    });
    this.parsed = { plan, readers };
    return readers;
  }

  /** The counts so far, and a fresh start (what a flush sends on). */
  take(): DriftCounts {
    const taken = this.counts;
    this.counts = emptyCounts(this.profile);
    return taken;
  }
}

/** Adds `b` into `a` (same profile). */
export function addCounts(a: DriftCounts, b: DriftCounts): DriftCounts {
  a.rows += b.rows;
  b.bins.forEach((bins, f) => bins.forEach((n, k) => (a.bins[f]![k]! += n)));
  b.unseen.forEach((n, f) => (a.unseen[f]! += n));
  b.outOfRange.forEach((n, f) => (a.outOfRange[f]! += n));
  b.price.forEach((n, k) => (a.price[k]! += n));
  return a;
}

/** Non-zero counts as flat fields ("n", "b3.7", "u3", "o3", "p4"), e.g. for Redis HINCRBY. */
export function countsToFields(counts: DriftCounts): Record<string, number> {
  const out: Record<string, number> = {};
  if (counts.rows) out.n = counts.rows;
  counts.bins.forEach((bins, f) => bins.forEach((n, k) => n && (out[`b${f}.${k}`] = n)));
  counts.unseen.forEach((n, f) => n && (out[`u${f}`] = n));
  counts.outOfRange.forEach((n, f) => n && (out[`o${f}`] = n));
  counts.price.forEach((n, k) => n && (out[`p${k}`] = n));
  return out;
}

/** Reads countsToFields' fields back (unknown or out-of-range fields are ignored). */
export function countsFromFields(
  profile: DriftProfile,
  fields: Record<string, string | number>,
): DriftCounts {
  const counts = emptyCounts(profile);
  for (const [key, raw] of Object.entries(fields)) {
    const n = Number(raw);
    if (!Number.isFinite(n)) continue;
    const m = /^(?:(n)|b(\d+)\.(\d+)|u(\d+)|o(\d+)|p(\d+))$/.exec(key);
    if (!m) continue;
    if (m[1]) counts.rows += n;
    else if (m[2] !== undefined) {
      const bins = counts.bins[Number(m[2])];
      if (bins && Number(m[3]) < bins.length) bins[Number(m[3])]! += n;
    } else if (m[4] !== undefined && Number(m[4]) < counts.unseen.length) counts.unseen[Number(m[4])]! += n;
    else if (m[5] !== undefined && Number(m[5]) < counts.outOfRange.length)
      counts.outOfRange[Number(m[5])]! += n;
    else if (m[6] !== undefined && Number(m[6]) < counts.price.length) counts.price[Number(m[6])]! += n;
  }
  return counts;
}
