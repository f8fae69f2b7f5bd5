import type { ModelManifest, PredictionIntervals } from '../package/manifest';

export interface PriceInterval {
  low: number;
  high: number;
  /** Nominal coverage: the share of prices the range is calibrated to hold. */
  level: number;
}

const forward = (price: number, transform: 'none' | 'log') =>
  transform === 'log' ? Math.log1p(price) : price;
const inverse = (z: number, transform: 'none' | 'log') => (transform === 'log' ? Math.expm1(z) : z);

/** The calibration bin of a model output: the first whose upper edge is at or above it, else the last. */
export function intervalBin(intervals: PredictionIntervals, z: number): number {
  const { bins } = intervals;
  for (let i = 0; i < bins.length - 1; i++) if (z <= bins[i]!.upper!) return i;
  return bins.length - 1;
}

/**
 * The range a price is calibrated to fall in (the trainer's conformal.price_intervals): the bin's
 * half-width either side of the model output in its target space, read back as prices and never below
 * zero. Null for packages without intervals. Pure, so the API, batch and CLI give the same range.
 */
export function priceInterval(
  manifest: Pick<ModelManifest, 'intervals' | 'target'>,
  price: number,
): PriceInterval | null {
  const intervals = manifest.intervals;
  if (!intervals || !Number.isFinite(price)) return null;
  const { transform } = manifest.target;
  const z = forward(price, transform);
  const h = intervals.bins[intervalBin(intervals, z)]!.halfWidth;
  return {
    low: Math.max(0, inverse(z - h, transform)),
    high: inverse(z + h, transform),
    level: intervals.level,
  };
}
