/**
 * Seeded, deterministic generator of HouseTS-shaped rows (one per zip and month).
 *
 * The price model, per zip z of metro m at month t (months since 2012-03):
 *   log price = log level_m + G_m(t)                      metro level and piecewise trend (boom 2020-06..2022-06)
 *             + premium_z                                  log-normal zip premium, driven by the census
 *                                                          Median Home Value / Per Capita Income and POI counts
 *             + drift_z * t/12                             small zip-specific trend
 *             + seasonality_m * cos(2pi (month - 6) / 12)  spring/summer up
 *             + metro AR(1) + zip AR(1) + white noise      a few % in all
 * Market tightness (days on market, sale-to-list, sold above list, ...) follows a smoothed growth rate ("heat").
 *
 * Every metro, zip and census year draws from its own stream (`hash32(seed, tag, indices)`), so a zip's rows do
 * not depend on how many other metros/zips are generated; rows come out zip by zip, chronologically.
 */
import { COL, HOUSETS_COLUMNS } from './columns';
import { csvLine } from './csv';
import {
  CLEAN_PRICE_MAX,
  CLEAN_PRICE_MIN,
  DIRT_KINDS,
  DirtInjector,
  type DirtKind,
  emptyDirtCounts,
} from './dirt';
import { MAX_ZIPS_PER_METRO, METROS, type Metro } from './metros';
import { Rng, hash32 } from './prng';

export type SampleSize = 'tiny' | 'demo' | 'full';

export const SAMPLE_SIZES: Record<SampleSize, { metros: number; zipsPerMetro: number }> = {
  tiny: { metros: 3, zipsPerMetro: 4 },
  demo: { metros: 8, zipsPerMetro: 25 },
  full: { metros: 30, zipsPerMetro: 208 },
};

export const DEFAULT_SIZE: SampleSize = 'demo';
export const DEFAULT_SEED = 42;
export const DEFAULT_DIRT_RATE = 0.01;
export const DEFAULT_FROM = '2012-03';
export const DEFAULT_TO = '2023-12';

export interface GenerateOptions {
  /** Preset size (default 'demo'); `metros` / `zipsPerMetro` override it. */
  size?: SampleSize;
  metros?: number;
  zipsPerMetro?: number;
  /** Default 42. */
  seed?: number;
  /** Inject dirt (default false). */
  dirty?: boolean;
  /** Per dirt kind, fraction of rows (default 0.01). */
  dirtRate?: number;
  /** First month, 'YYYY-MM' (default 2012-03). */
  from?: string;
  /** Last month, 'YYYY-MM' inclusive (default 2023-12). */
  to?: string;
}

export interface GenerateSummary {
  /** Data lines written, duplicates included (the header is not counted). */
  rows: number;
  columns: number;
  dirt: Record<DirtKind, number>;
}

export interface ResolvedOptions {
  metros: number;
  zipsPerMetro: number;
  seed: number;
  dirty: boolean;
  dirtRate: number;
  /** Absolute month numbers (year * 12 + month - 1), inclusive. */
  fromMonth: number;
  toMonth: number;
}

function parseYearMonth(value: string, name: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(value);
  const month = m ? Number(m[2]) : 0;
  const year = m ? Number(m[1]) : 0;
  if (!m || month < 1 || month > 12 || year < 1900 || year > 2199) {
    throw new RangeError(`${name} must be 'YYYY-MM' (1900..2199), got '${value}'`);
  }
  return year * 12 + month - 1;
}

function checkInt(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

export function resolveOptions(options: GenerateOptions = {}): ResolvedOptions {
  const sizeName = options.size ?? DEFAULT_SIZE;
  const size = SAMPLE_SIZES[sizeName];
  if (!Object.hasOwn(SAMPLE_SIZES, sizeName) || !size)
    throw new RangeError(`unknown size '${String(sizeName)}'`);
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const dirtRate = options.dirtRate ?? DEFAULT_DIRT_RATE;
  if (!(dirtRate >= 0 && dirtRate <= 1)) throw new RangeError(`dirtRate must be in [0, 1], got ${dirtRate}`);
  const fromMonth = parseYearMonth(options.from ?? DEFAULT_FROM, 'from');
  const toMonth = parseYearMonth(options.to ?? DEFAULT_TO, 'to');
  if (toMonth < fromMonth) throw new RangeError(`to (${options.to}) is before from (${options.from})`);
  return {
    metros: checkInt(options.metros ?? size.metros, 'metros', 1, METROS.length),
    zipsPerMetro: checkInt(options.zipsPerMetro ?? size.zipsPerMetro, 'zipsPerMetro', 1, MAX_ZIPS_PER_METRO),
    seed,
    dirty: options.dirty ?? false,
    dirtRate,
    fromMonth,
    toMonth,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Calendar

/** 2012-03, the origin of the model's time axis. */
const EPOCH = 2012 * 12 + 2;
const BOOM_START = 2020 * 12 + 5 - EPOCH; // 2020-06
const BOOM_END = 2022 * 12 + 5 - EPOCH; // 2022-06

interface MonthInfo {
  date: string;
  year: number;
  yearStr: string;
  month: number;
  /** Months since 2012-03. */
  t: number;
  /** cos(2pi (month - 6) / 12): +1 in June, -1 in December. */
  season: number;
  /** Sales-volume factor (the spring 2020 lockdown dip). */
  volume: number;
}

function buildMonths(fromMonth: number, toMonth: number): MonthInfo[] {
  const out: MonthInfo[] = [];
  for (let abs = fromMonth; abs <= toMonth; abs++) {
    const year = Math.floor(abs / 12);
    const month = (abs % 12) + 1;
    const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    out.push({
      date: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${lastDay}`,
      year,
      yearStr: String(year),
      month,
      t: abs - EPOCH,
      season: Math.cos((2 * Math.PI * (month - 6)) / 12),
      volume: year === 2020 && (month === 4 || month === 5) ? 0.7 : 1,
    });
  }
  return out;
}

/** Cumulative log growth of a metro's price level from 2012-03 to month t. */
export function metroGrowth(metro: Metro, t: number): number {
  return (
    (metro.trend / 12) * Math.min(t, BOOM_START) +
    ((metro.trend + metro.boom) / 12) * Math.min(Math.max(t - BOOM_START, 0), BOOM_END - BOOM_START) +
    (metro.postBoom / 12) * Math.max(t - BOOM_END, 0)
  );
}

function metroRate(metro: Metro, t: number): number {
  if (t < BOOM_START) return metro.trend;
  if (t < BOOM_END) return metro.trend + metro.boom;
  return metro.postBoom;
}

// ---------------------------------------------------------------------------------------------------------------
// Streams

const TAG_METRO = 1;
const TAG_ZIP = 2;
const TAG_ROWS = 3;
const TAG_CENSUS = 4;
const TAG_ZIPCODE = 5;

/** The k-th zip code of metro m (independent of the seed and of how many zips are generated). */
export function zipCodeFor(metroIndex: number, k: number): string {
  const metro = METROS[metroIndex];
  if (!metro) throw new RangeError(`no metro ${metroIndex}`);
  return String(metro.zipBase + 4 * k + (hash32(TAG_ZIPCODE, metroIndex, k) % 4)).padStart(5, '0');
}

interface MetroSeries {
  logIndex: Float64Array;
  heat: Float64Array;
}

const METRO_AR_PHI = 0.9;
const METRO_AR_SD = 0.006;

function metroSeries(seed: number, m: number, metro: Metro, months: readonly MonthInfo[]): MetroSeries {
  const rng = new Rng(hash32(seed, TAG_METRO, m));
  const logIndex = new Float64Array(months.length);
  const heat = new Float64Array(months.length);
  let ar = rng.normal(0, METRO_AR_SD / Math.sqrt(1 - METRO_AR_PHI ** 2));
  let ema = metroRate(metro, (months[0] as MonthInfo).t);
  const base = Math.log(metro.level2012);
  months.forEach((mo, i) => {
    ar = METRO_AR_PHI * ar + rng.normal(0, METRO_AR_SD);
    ema += (metroRate(metro, mo.t) - ema) * 0.2;
    const x = (ema - 0.045) / 0.08;
    logIndex[i] = base + metroGrowth(metro, mo.t) + ar;
    heat[i] = (x > 0 ? x : 0.5 * x) + 0.3 * mo.season + 6 * ar;
  });
  return { logIndex, heat };
}

const POI_BASE = [6, 25, 1.2, 1.5, 8, 45, 9, 1.5, 5]; // bank, bus, hospital, mall, park, restaurant, school, station, supermarket
const POI_EFFECT = [0.01, -0.008, 0.01, 0.01, 0.02, 0.015, 0.012, 0.025, 0.01]; // per log1p(count) above the base

interface ZipProfile {
  zipcode: string;
  /** Log price premium over the metro level. */
  premium: number;
  drift: number;
  heatBias: number;
  sqft: number;
  poi: string[];
  logMhvRel: number;
  logIncRel: number;
  pop0: number;
  popGrowth: number;
  age0: number;
  familiesPerPerson: number;
  povertyRate: number;
  unitsPerPerson: number;
  laborShare: number;
  unemploymentFactor: number;
  schoolAgeShare: number;
  enrollmentShare: number;
  rentRel: number;
  commute: number;
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

function zipProfile(seed: number, m: number, k: number, metro: Metro): ZipProfile {
  const rng = new Rng(hash32(seed, TAG_ZIP, m, k));
  const z = rng.normal(); // latent zip quality
  const logMhvRel = 0.32 * z + rng.normal(0, 0.07);
  const logIncRel = 0.26 * z + rng.normal(0, 0.1);
  const urban = rng.normal();
  const pop0 = clamp(Math.exp(rng.normal(Math.log(26_000), 0.45)), 3_000, 110_000);
  const scale = (pop0 / 26_000) ** 0.7 * Math.exp(0.35 * urban);
  let poiEffect = 0;
  const poi = POI_BASE.map((base, i) => {
    const n = rng.poisson(base * scale);
    poiEffect += (POI_EFFECT[i] as number) * (Math.log1p(n) - Math.log1p(base));
    return String(n);
  });
  const premium = clamp(0.8 * logMhvRel + 0.35 * logIncRel + poiEffect + rng.normal(0, 0.07), -1.1, 1.1);
  return {
    zipcode: zipCodeFor(m, k),
    premium,
    drift: rng.normal(0, 0.006),
    heatBias: rng.normal(0, 0.12),
    sqft: 1_750 * Math.exp(0.12 * z + rng.normal(0, 0.12)),
    poi,
    logMhvRel,
    logIncRel,
    pop0,
    popGrowth: rng.normal(0.008, 0.008),
    age0: clamp(rng.normal(38.5 + 1.5 * z, 4), 24, 62),
    familiesPerPerson: 0.25 * Math.exp(rng.normal(0, 0.08)),
    povertyRate: clamp(0.11 * Math.exp(-1.3 * logIncRel + rng.normal(0, 0.3)), 0.01, 0.45),
    unitsPerPerson: 0.4 * Math.exp(rng.normal(0, 0.08)),
    laborShare: clamp(0.52 * Math.exp(rng.normal(0, 0.05)), 0.35, 0.7),
    unemploymentFactor: Math.exp(-0.9 * logIncRel + rng.normal(0, 0.2)),
    schoolAgeShare: 0.17 * Math.exp(rng.normal(0, 0.12)),
    enrollmentShare: 0.25 * Math.exp(rng.normal(0, 0.12)),
    rentRel: Math.exp(0.5 * logMhvRel + rng.normal(0, 0.08)),
    commute: clamp(metro.commute + rng.normal(0, 2.5), 12, 60),
  };
}

// prettier-ignore
const UNEMPLOYMENT: Record<number, number> = {
  2012: 0.081, 2013: 0.074, 2014: 0.062, 2015: 0.053, 2016: 0.049, 2017: 0.044,
  2018: 0.039, 2019: 0.037, 2020: 0.081, 2021: 0.054, 2022: 0.036, 2023: 0.036,
};

interface Census {
  /** The 12 census columns, Total Population .. Median Commute Time, formatted. */
  fields: string[];
  housingUnits: number;
}

/** Census columns of a zip for one year: constant per zip with a small yearly drift. */
function censusFor(seed: number, m: number, k: number, metro: Metro, zip: ZipProfile, year: number): Census {
  const rng = new Rng(hash32(seed, TAG_CENSUS, m, k, year));
  const yrs = year - 2012;
  const pop = zip.pop0 * Math.exp(zip.popGrowth * yrs + rng.normal(0, 0.01));
  const units = pop * zip.unitsPerPerson * Math.exp(rng.normal(0, 0.01));
  const labor = pop * zip.laborShare * Math.exp(rng.normal(0, 0.01));
  const unemploymentRate = UNEMPLOYMENT[clamp(year, 2012, 2023)] as number;
  // ACS values lag the market: home values follow (damped) the metro level of the previous July.
  const mhv =
    metro.level2012 *
    0.92 *
    Math.exp(zip.logMhvRel + 0.65 * metroGrowth(metro, (year - 1) * 12 + 6 - EPOCH) + rng.normal(0, 0.015));
  const fields = [
    Math.round(pop),
    clamp(zip.age0 + 0.12 * yrs + rng.normal(0, 0.2), 18, 75).toFixed(1),
    Math.round(metro.income * Math.exp(zip.logIncRel + 0.028 * yrs + rng.normal(0, 0.015))),
    Math.round(pop * zip.familiesPerPerson * zip.povertyRate * Math.exp(rng.normal(0, 0.05))),
    Math.round(units),
    Math.round((metro.level2012 * 0.0042 + 350) * zip.rentRel * Math.exp(0.035 * yrs + rng.normal(0, 0.02))),
    Math.round(mhv),
    Math.round(labor),
    Math.round(
      labor * clamp(unemploymentRate * zip.unemploymentFactor * Math.exp(rng.normal(0, 0.08)), 0.005, 0.3),
    ),
    Math.round(pop * zip.schoolAgeShare * Math.exp(rng.normal(0, 0.02))),
    Math.round(pop * zip.enrollmentShare * Math.exp(rng.normal(0, 0.02))),
    clamp(zip.commute + 0.08 * yrs + rng.normal(0, 0.3), 10, 75).toFixed(1),
  ].map(String);
  return { fields, housingUnits: units };
}

// ---------------------------------------------------------------------------------------------------------------
// Rows

const ZIP_AR_PHI = 0.75;
const ZIP_AR_SD = 0.012;
const NOISE_SD = 0.015;

const I_POI = COL.bank as number;
const I_CENSUS = COL['Total Population'] as number;

function* emitLines(plan: ResolvedOptions, summary: GenerateSummary): Generator<string, void, undefined> {
  yield HOUSETS_COLUMNS.join(',');
  const months = buildMonths(plan.fromMonth, plan.toMonth);
  const dirt = plan.dirty ? new DirtInjector(plan.seed, plan.dirtRate, summary.dirt) : undefined;
  const width = HOUSETS_COLUMNS.length;
  for (let m = 0; m < plan.metros; m++) {
    const metro = METROS[m] as Metro;
    const series = metroSeries(plan.seed, m, metro, months);
    for (let k = 0; k < plan.zipsPerMetro; k++) {
      const zip = zipProfile(plan.seed, m, k, metro);
      const rng = new Rng(hash32(plan.seed, TAG_ROWS, m, k));
      let ar = rng.normal(0, ZIP_AR_SD / Math.sqrt(1 - ZIP_AR_PHI ** 2));
      let censusYear = Number.NaN;
      let census: Census | undefined;
      for (let i = 0; i < months.length; i++) {
        const mo = months[i] as MonthInfo;
        if (mo.year !== censusYear || !census) {
          census = censusFor(plan.seed, m, k, metro, zip, mo.year);
          censusYear = mo.year;
        }
        ar = ZIP_AR_PHI * ar + rng.normal(0, ZIP_AR_SD);
        const logPrice =
          (series.logIndex[i] as number) +
          zip.premium +
          (zip.drift * mo.t) / 12 +
          metro.seasonality * mo.season +
          ar +
          rng.normal(0, NOISE_SD);
        const price = Math.round(clamp(Math.exp(logPrice), CLEAN_PRICE_MIN, CLEAN_PRICE_MAX));
        const heat = (series.heat[i] as number) + zip.heatBias;

        const salePrice = Math.max(1_000, Math.round((price * Math.exp(rng.normal(0, 0.02))) / 500) * 500);
        const listPrice = Math.max(
          1_000,
          Math.round((price * Math.exp(0.012 - 0.01 * heat + rng.normal(0, 0.035))) / 100) * 100,
        );
        const ppsf = salePrice / (zip.sqft * Math.exp(rng.normal(0, 0.03)));
        const listPpsf = listPrice / (zip.sqft * Math.exp(rng.normal(0, 0.03)));
        const sold = Math.max(
          1,
          Math.round(
            census.housingUnits *
              0.0032 *
              (1 + 0.18 * mo.season) *
              mo.volume *
              Math.exp(0.12 * heat + rng.normal(0, 0.18)),
          ),
        );
        const pending = Math.max(0, Math.round(sold * Math.exp(0.05 * heat + rng.normal(0, 0.12))));
        const newListings = Math.max(
          0,
          Math.round(sold * Math.exp(0.08 - 0.05 * heat + rng.normal(0, 0.15))),
        );
        const inventory = Math.max(1, Math.round(sold * 2.8 * Math.exp(-0.45 * heat + rng.normal(0, 0.15))));
        const dom = Math.round(clamp(42 * Math.exp(-0.55 * heat + rng.normal(0, 0.15)), 4, 250));
        const saleToList = clamp(0.978 + 0.028 * heat + rng.normal(0, 0.006), 0.9, 1.1);
        const aboveList = clamp(0.22 + 0.28 * heat + rng.normal(0, 0.05), 0, 1);
        const offMarket = clamp(0.3 + 0.25 * heat + rng.normal(0, 0.06), 0, 1);

        const fields = new Array<string>(width);
        fields[0] = mo.date;
        fields[1] = String(salePrice);
        fields[2] = String(listPrice);
        fields[3] = ppsf.toFixed(2);
        fields[4] = listPpsf.toFixed(2);
        fields[5] = String(sold);
        fields[6] = String(pending);
        fields[7] = String(newListings);
        fields[8] = String(inventory);
        fields[9] = String(dom);
        fields[10] = saleToList.toFixed(4);
        fields[11] = aboveList.toFixed(4);
        fields[12] = offMarket.toFixed(4);
        fields[13] = metro.city;
        fields[14] = zip.zipcode;
        fields[15] = mo.yearStr;
        for (let p = 0; p < 9; p++) fields[I_POI + p] = zip.poi[p] as string;
        for (let c = 0; c < 12; c++) fields[I_CENSUS + c] = census.fields[c] as string;
        fields[37] = String(price);
        fields[38] = metro.cityFull;

        if (dirt) {
          dirt.apply(fields, { cityFull: metro.cityFull, price, year: mo.year, month: mo.month });
          const line = csvLine(fields);
          summary.rows++;
          yield line;
          if (dirt.duplicate()) {
            summary.rows++;
            yield line;
          }
        } else {
          summary.rows++;
          yield fields.join(','); // clean fields never need quoting
        }
      }
    }
  }
}

/**
 * The CSV lines (header first, no trailing newlines). Each iteration of `lines` regenerates the same lines from
 * scratch and refills `summary`, which is complete once the iteration has finished.
 */
export function generateHouseTsLines(options: GenerateOptions = {}): {
  lines: Iterable<string>;
  summary: GenerateSummary;
} {
  const plan = resolveOptions(options);
  const summary: GenerateSummary = { rows: 0, columns: HOUSETS_COLUMNS.length, dirt: emptyDirtCounts() };
  const lines: Iterable<string> = {
    [Symbol.iterator]() {
      summary.rows = 0;
      for (const kind of DIRT_KINDS) summary.dirt[kind] = 0;
      return emitLines(plan, summary);
    },
  };
  return { lines, summary };
}

/** Number of data rows (duplicates excluded) the options produce. */
export function expectedRows(options: GenerateOptions = {}): number {
  const plan = resolveOptions(options);
  return plan.metros * plan.zipsPerMetro * (plan.toMonth - plan.fromMonth + 1);
}
