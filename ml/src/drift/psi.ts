import type { DriftCounts } from './counts';
import type { DriftProfile, FeatureDrift } from './profile';

/** Shares below this are raised to it, so an empty bin on either side gives a large, finite PSI. */
const FLOOR = 1e-4;

/**
 * Population stability index: Σ (actual − expected) × ln(actual / expected) over the bins. Under 0.1 is
 * usually read as no real change, 0.1–0.25 as a moderate shift, above 0.25 as a significant one.
 */
export function psi(expected: readonly number[], actualCounts: readonly number[]): number | null {
  const total = actualCounts.reduce((a, n) => a + n, 0);
  if (total === 0) return null;
  let sum = 0;
  expected.forEach((e, k) => {
    const a = Math.max(FLOOR, actualCounts[k]! / total);
    const x = Math.max(FLOOR, e);
    sum += (a - x) * Math.log(a / x);
  });
  return sum;
}

export interface DriftBin {
  label: string;
  expected: number;
  actual: number;
}

export interface FeatureDriftReport {
  feature: string;
  kind: FeatureDrift['kind'];
  psi: number | null;
  missingShare: number | null;
  unseenShare: number | null;
  outOfRangeShare: number | null;
  bins: DriftBin[];
}

export interface DriftReport {
  rows: number;
  features: FeatureDriftReport[];
  price: { psi: number | null; bins: DriftBin[] };
}

const fmt = (x: number) =>
  Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : String(Number(x.toPrecision(4)));

function numberLabels(edges: readonly number[]): string[] {
  if (edges.length === 0) return ['all'];
  return [
    `≤ ${fmt(edges[0]!)}`,
    ...edges.slice(1).map((e, i) => `${fmt(edges[i]!)} – ${fmt(e)}`),
    `> ${fmt(edges[edges.length - 1]!)}`,
  ];
}

function binLabels(feature: FeatureDrift): string[] {
  return feature.kind === 'number'
    ? [...numberLabels(feature.edges), 'missing']
    : [...feature.categories, 'other', 'missing'];
}

/** PSI per feature and for the predicted price, with the shares that explain it. */
export function driftReport(profile: DriftProfile, counts: DriftCounts): DriftReport {
  const share = (n: number) => (counts.rows > 0 ? n / counts.rows : null);
  const bins = (labels: string[], expected: readonly number[], actual: readonly number[]): DriftBin[] => {
    const total = actual.reduce((a, n) => a + n, 0);
    return labels.map((label, k) => ({
      label,
      expected: expected[k]!,
      actual: total > 0 ? actual[k]! / total : 0,
    }));
  };
  return {
    rows: counts.rows,
    features: profile.features.map((feature, f) => {
      const actual = counts.bins[f]!;
      return {
        feature: feature.field,
        kind: feature.kind,
        psi: psi(feature.expected, actual),
        missingShare: share(actual[actual.length - 1]!),
        unseenShare: feature.kind === 'category' ? share(counts.unseen[f]!) : null,
        outOfRangeShare: feature.kind === 'number' ? share(counts.outOfRange[f]!) : null,
        bins: bins(binLabels(feature), feature.expected, actual),
      };
    }),
    price: {
      psi: psi(profile.price.expected, counts.price),
      bins: bins(numberLabels(profile.price.edges), profile.price.expected, counts.price),
    },
  };
}
