import { inverseTarget } from '../features/fit';
import { encoderFeatureNames, type ExprInput, type FeatureSet, type FittedEncoder } from '../features/types';

/** Maps a model input (by name and index) to the raw input column(s) it is computed from. */
export type SourceOf = (feature: string, index: number) => string | readonly string[];

export interface GroupContribution {
  /** The group's name: its columns joined by " + ". */
  source: string;
  /** Raw input columns of the group (more than one only when a feature is derived from several). */
  columns: string[];
  /** Model inputs whose contributions the group sums. */
  features: string[];
  /** Sum of the features' contributions, in model (margin) space. */
  contribution: number;
}

/** The record fields an encoder reads: its source (or column), the year/month/day of an assembled date. */
function encoderFields(encoder: FittedEncoder | ExprInput): string[] {
  if (encoder.kind === 'derived') return [...new Set(encoder.inputs.flatMap(encoderFields))];
  if (encoder.kind === 'date' && encoder.assemble) {
    const { year, month, day } = encoder.assemble;
    return day ? [year, month, day] : [year, month];
  }
  return [encoder.source ?? encoder.column];
}

/**
 * The raw input field(s) each model input of a fitted feature set comes from: date parts and one-hot slots map
 * to their column, a renamed column to the field it reads, an assembled date to its year/month/day fields, a
 * derived feature to every field its expression reads.
 */
export function featureSources(features: FeatureSet): string[][] {
  const sources: string[][] = [];
  for (const encoder of features.encoders) {
    const fields = encoderFields(encoder);
    for (let i = encoderFeatureNames(encoder).length; i > 0; i--) sources.push(fields);
  }
  return sources;
}

/** A SourceOf reading a per-index list such as featureSources()'s. */
export const sourceByIndex =
  (sources: readonly (string | readonly string[])[]): SourceOf =>
  (_feature, index) =>
    sources[index] ?? [];

/**
 * Sums per-feature contributions by source column. A feature derived from several columns joins them into
 * one group (columns linked through any shared feature form a single group), because a SHAP value of a joint
 * feature cannot be split exactly between its sources; the sum of a set of features' SHAP values is exact.
 * Groups come in order of their first feature. `contributions` may hold the bias as an extra last entry; it
 * is ignored.
 */
export function groupBy(
  contributions: ArrayLike<number>,
  featureNames: readonly string[],
  sourceOf: SourceOf,
): GroupContribution[] {
  const parent = new Map<string, string>();
  const find = (c: string): string => {
    let root = c;
    while (parent.get(root) !== root) root = parent.get(root)!;
    return root;
  };
  const columnsOf = featureNames.map((name, i) => {
    const raw = sourceOf(name, i);
    const columns = typeof raw === 'string' ? [raw] : [...raw];
    // A feature with no source stands for itself.
    return columns.length ? columns : [name];
  });
  for (const columns of columnsOf) {
    for (const c of columns) if (!parent.has(c)) parent.set(c, c);
    for (const c of columns.slice(1)) {
      const a = find(columns[0]!);
      const b = find(c);
      if (a !== b) parent.set(b, a);
    }
  }
  const groups = new Map<string, GroupContribution>();
  featureNames.forEach((name, i) => {
    const root = find(columnsOf[i]![0]!);
    let group = groups.get(root);
    if (!group) groups.set(root, (group = { source: '', columns: [], features: [], contribution: 0 }));
    group.features.push(name);
    group.contribution += contributions[i]!;
    for (const c of columnsOf[i]!) if (!group.columns.includes(c)) group.columns.push(c);
  });
  for (const group of groups.values()) group.source = group.columns.join(' + ');
  return [...groups.values()];
}

/**
 * Price terms of a margin-space explanation. For a log target (price = expm1(margin)), the price change from
 * the base price (expm1(bias)) to the predicted price is shared out in proportion to the margin
 * contributions: priceContribution_i = contribution_i / (margin − bias) × (price − basePrice). Signs and
 * ranking are kept and the parts sum to price − basePrice exactly; it is an attribution convention, not a
 * Shapley value of the price function (which the log transform makes non-additive). When margin ≈ bias the
 * ratio tends to exp(bias), the derivative, which is used instead. For an untransformed target the factor is 1.
 */
export function priceScale(
  bias: number,
  margin: number,
  transform: 'none' | 'log',
): { basePrice: number; price: number; scale: number } {
  const basePrice = inverseTarget(bias, transform);
  const price = inverseTarget(margin, transform);
  if (transform === 'none') return { basePrice, price, scale: 1 };
  const delta = margin - bias;
  const scale = Math.abs(delta) > 1e-9 ? (price - basePrice) / delta : Math.exp(bias + delta / 2);
  return { basePrice, price, scale };
}

/** The k entries with the largest absolute contribution, largest first (stable for ties). */
export function topContributions<T extends { contribution: number }>(entries: readonly T[], k: number): T[] {
  return entries
    .map((entry, i) => ({ entry, i }))
    .sort((a, b) => Math.abs(b.entry.contribution) - Math.abs(a.entry.contribution) || a.i - b.i)
    .slice(0, Math.max(0, k))
    .map(({ entry }) => entry);
}
