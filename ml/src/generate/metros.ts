import { normalizeText } from '../clean/values';
import { loadSpec } from '../spec/load';
/**
 * The 30 metros of the sample data and the platform's city-name normalisation.
 *
 * Canonical `cityFull` names are fixed points of `normaliseCityFull`: title-cased word by word (no inner capitals),
 * plain `-` between principal cities, no commas.
 */

export interface Metro {
  /** Short lowercase slug written to the `city` column. */
  city: string;
  /** Canonical full metro name written to `city_full`. */
  cityFull: string;
  /** First zip code of the metro's block; zips are allocated upwards from here (see `zipCodeFor`). */
  zipBase: number;
  /** Typical home value in 2012-03, dollars. */
  level2012: number;
  /** Underlying annual growth (log), 2012 to mid-2020. */
  trend: number;
  /** Extra annual growth (log) during the 2020-06 .. 2022-06 boom. */
  boom: number;
  /** Annual growth (log) after 2022-06: flat or slightly down. */
  postBoom: number;
  /** Metro per-capita income in 2012, dollars. */
  income: number;
  /** Metro median commute, minutes. */
  commute: number;
  /** Amplitude (log) of the monthly seasonality of prices. */
  seasonality: number;
}

type Row = [string, string, number, number, number, number, number, number, number, number];

// prettier-ignore
const ROWS: Row[] = [
  // city, cityFull, zipBase, level2012, trend, boom, postBoom, income, commute, seasonality
  ['atlanta', 'Atlanta-Sandy Springs-Alpharetta', 30000, 165_000, 0.045, 0.10, -0.005, 29_000, 31.5, 0.018],
  ['new_york', 'New York-Newark-Jersey City', 10000, 420_000, 0.035, 0.07, 0.005, 38_000, 36.5, 0.015],
  ['dallas', 'Dallas-Fort Worth-Arlington', 75000, 175_000, 0.05, 0.11, -0.02, 30_000, 28.5, 0.02],
  ['los_angeles', 'Los Angeles-Long Beach-Anaheim', 90000, 430_000, 0.048, 0.09, 0.0, 30_000, 30.5, 0.012],
  ['chicago', 'Chicago-Naperville-Elgin', 60000, 200_000, 0.03, 0.07, 0.01, 33_000, 31.0, 0.022],
  ['houston', 'Houston-The Woodlands-Sugar Land', 77000, 170_000, 0.04, 0.08, -0.01, 30_000, 29.5, 0.018],
  ['washington', 'Washington-Arlington-Alexandria', 20000, 360_000, 0.03, 0.07, 0.005, 44_000, 34.0, 0.017],
  ['philadelphia', 'Philadelphia-Camden-Wilmington', 19000, 220_000, 0.03, 0.08, 0.01, 34_000, 29.0, 0.022],
  ['miami', 'Miami-Fort Lauderdale-Pompano Beach', 33000, 190_000, 0.05, 0.12, 0.01, 28_000, 29.5, 0.012],
  ['boston', 'Boston-Cambridge-Newton', 2000, 380_000, 0.045, 0.09, 0.005, 43_000, 31.0, 0.022],
  ['phoenix', 'Phoenix-Mesa-Chandler', 85000, 160_000, 0.05, 0.15, -0.03, 27_000, 26.5, 0.014],
  ['san_francisco', 'San Francisco-Oakland-Berkeley', 94000, 520_000, 0.05, 0.07, -0.03, 50_000, 34.0, 0.02],
  ['riverside', 'Riverside-San Bernardino-Ontario', 92800, 220_000, 0.045, 0.13, -0.01, 23_000, 32.5, 0.014],
  ['detroit', 'Detroit-Warren-Dearborn', 48000, 150_000, 0.05, 0.08, 0.0, 28_000, 27.0, 0.024],
  ['seattle', 'Seattle-Tacoma-Bellevue', 98000, 300_000, 0.05, 0.12, -0.025, 40_000, 30.0, 0.02],
  ['minneapolis', 'Minneapolis-St. Paul-Bloomington', 55000, 210_000, 0.04, 0.07, -0.005, 36_000, 25.5, 0.024],
  ['san_diego', 'San Diego-Chula Vista-Carlsbad', 91900, 400_000, 0.048, 0.12, 0.005, 33_000, 27.0, 0.012],
  ['tampa', 'Tampa-St. Petersburg-Clearwater', 33900, 150_000, 0.05, 0.15, -0.02, 27_000, 27.5, 0.012],
  ['denver', 'Denver-Aurora-Lakewood', 80000, 250_000, 0.05, 0.10, -0.02, 36_000, 27.5, 0.02],
  ['baltimore', 'Baltimore-Columbia-Towson', 21000, 240_000, 0.025, 0.07, 0.005, 37_000, 31.0, 0.02],
  ['st_louis', 'St. Louis', 63000, 150_000, 0.03, 0.08, 0.005, 31_000, 25.5, 0.022],
  ['charlotte', 'Charlotte-Concord-Gastonia', 28000, 160_000, 0.045, 0.13, -0.005, 29_000, 26.5, 0.016],
  ['orlando', 'Orlando-Kissimmee-Sanford', 32100, 150_000, 0.05, 0.13, -0.01, 25_000, 28.5, 0.012],
  ['san_antonio', 'San Antonio-New Braunfels', 78000, 155_000, 0.04, 0.11, -0.03, 25_000, 26.5, 0.016],
  ['portland', 'Portland-Vancouver-Hillsboro', 97000, 250_000, 0.05, 0.09, -0.02, 33_000, 27.0, 0.02],
  ['sacramento', 'Sacramento-Roseville-Folsom', 95600, 230_000, 0.05, 0.12, -0.03, 29_000, 27.0, 0.016],
  ['pittsburgh', 'Pittsburgh', 15000, 150_000, 0.03, 0.07, 0.01, 31_000, 27.5, 0.024],
  ['austin', 'Austin-Round Rock-Georgetown', 78900, 220_000, 0.05, 0.15, -0.04, 34_000, 27.0, 0.018],
  ['las_vegas', 'Las Vegas-Henderson-Paradise', 89000, 150_000, 0.05, 0.14, -0.02, 26_000, 25.5, 0.012],
  ['cincinnati', 'Cincinnati', 45000, 150_000, 0.035, 0.09, 0.01, 30_000, 25.0, 0.022],
];

export const METROS: readonly Metro[] = Object.freeze(
  ROWS.map(([city, cityFull, zipBase, level2012, trend, boom, postBoom, income, commute, seasonality]) =>
    Object.freeze({
      city,
      cityFull,
      zipBase,
      level2012,
      trend,
      boom,
      postBoom,
      income,
      commute,
      seasonality,
    }),
  ),
);

/** Most zip codes a metro can have: zips are `zipBase + 4k + (0..3)`, and metro blocks are >= 900 apart. */
export const MAX_ZIPS_PER_METRO = 220;

/**
 * Legacy / alternative metro names (OMB delineations before the 2013 and 2018 revisions) -> canonical `cityFull`.
 * The HouseTS spec's city_full rule is their one source: the generator writes what the platform must clean.
 */
const CITY_RULE = (() => {
  const column = loadSpec('housets').columns.find((c) => c.name === 'city_full');
  if (column?.role !== 'categorical' || !column.normalize)
    throw new Error('housets spec: city_full has no normalize rule');
  return column.normalize;
})();

export const CITY_RENAMES: Readonly<Record<string, string>> = Object.freeze({ ...CITY_RULE.renames });

/** Legacy names per canonical name (the inverse of CITY_RENAMES). */
export const LEGACY_NAMES: Readonly<Record<string, readonly string[]>> = (() => {
  const out: Record<string, string[]> = {};
  for (const [legacy, canonical] of Object.entries(CITY_RENAMES)) (out[canonical] ??= []).push(legacy);
  return Object.freeze(out);
})();

/** The platform's city-name normalisation: the spec's rule applied by the shared cleaning code. */
export function normaliseCityFull(raw: string): string {
  return normalizeText(raw, CITY_RULE);
}
