/**
 * Dirt injection for `dirty: true` output: each kind hits about `dirtRate` of the rows, independently, and is
 * counted. The dirt stream has its own seed, so a dirty file is the clean file plus the injected dirt.
 */
import { COL, DIRTABLE_COLUMNS } from './columns';
import { LEGACY_NAMES } from './metros';
import { Rng, hash32 } from './prng';

export type DirtKind =
  'missing_value' | 'duplicate_row' | 'city_spelling' | 'outlier' | 'bad_date' | 'stray_characters';

export const DIRT_KINDS: readonly DirtKind[] = Object.freeze([
  'missing_value',
  'duplicate_row',
  'city_spelling',
  'outlier',
  'bad_date',
  'stray_characters',
]);

export function emptyDirtCounts(): Record<DirtKind, number> {
  return {
    missing_value: 0,
    duplicate_row: 0,
    city_spelling: 0,
    outlier: 0,
    bad_date: 0,
    stray_characters: 0,
  };
}

/** Clean prices lie in this range... */
export const CLEAN_PRICE_MIN = 30_000;
export const CLEAN_PRICE_MAX = 5_000_000;
/** ...and outliers land strictly outside this one. */
export const PLAUSIBLE_PRICE_MIN = 10_000;
export const PLAUSIBLE_PRICE_MAX = 20_000_000;

/**
 * Misspellings of a canonical metro name that the platform's normalisation (`normaliseCityFull`) maps back to it.
 * Every variant differs from the canonical name.
 */
export function citySpellingVariants(cityFull: string): string[] {
  const out = [cityFull.toLowerCase(), cityFull.toUpperCase(), `  ${cityFull} `, ` ${cityFull}`];
  if (cityFull.includes('-')) {
    out.push(
      cityFull.replaceAll('-', ' - '),
      cityFull.replaceAll('-', '\u2013'),
      cityFull.replaceAll('-', '\u2014'),
      cityFull.replaceAll('-', ' \u2013 '),
    );
  }
  if (cityFull.includes(' ')) out.push(cityFull.replace(' ', '  '), cityFull.replaceAll(' ', '   '));
  out.push(...(LEGACY_NAMES[cityFull] ?? []));
  return out.filter((v) => v !== cityFull);
}

function groupThousands(value: string): string {
  const dot = value.indexOf('.');
  const intPart = dot < 0 ? value : value.slice(0, dot);
  const rest = dot < 0 ? '' : value.slice(dot);
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + rest;
}

/** Ways to write a clean number with stray characters; none of them is a plain number any more. */
export function strayVariants(value: string): string[] {
  const grouped = groupThousands(value);
  const out = [`$${grouped}`, ` ${value} `, `${value}*`, `${value} `];
  if (grouped !== value) out.push(grouped);
  return out;
}

/** Unparsable dates (`Date.parse` gives NaN for every one). */
export function badDates(year: number, month: number): string[] {
  const mm = String(month).padStart(2, '0');
  return [`${year}-13-45`, 'not a date', `31/31/${year}`, `${year}-00-00`, `${year}-${mm}-32`];
}

const DIRTABLE_INDICES: readonly number[] = DIRTABLE_COLUMNS.map((c) => COL[c] as number);
const TAG_DIRT = 0xd1a7;

export interface RowContext {
  cityFull: string;
  price: number;
  year: number;
  month: number;
}

export class DirtInjector {
  private readonly rng: Rng;

  constructor(
    seed: number,
    private readonly rate: number,
    private readonly counts: Record<DirtKind, number>,
  ) {
    this.rng = new Rng(hash32(seed, TAG_DIRT));
  }

  /** Dirty the row's fields in place (numbers already formatted as clean strings). */
  apply(fields: string[], row: RowContext): void {
    const rng = this.rng;
    const rate = this.rate;
    let missingCol = -1;
    if (rng.next() < rate) {
      missingCol = rng.pick(DIRTABLE_INDICES);
      fields[missingCol] = '';
      this.counts.missing_value++;
    }
    if (rng.next() < rate) {
      let col = rng.pick(DIRTABLE_INDICES);
      while (col === missingCol) col = rng.pick(DIRTABLE_INDICES);
      fields[col] = rng.pick(strayVariants(fields[col] as string));
      this.counts.stray_characters++;
    }
    if (rng.next() < rate) {
      fields[COL.city_full as number] = rng.pick(citySpellingVariants(row.cityFull));
      this.counts.city_spelling++;
    }
    if (rng.next() < rate) {
      const up = row.price > PLAUSIBLE_PRICE_MAX / 100; // x100 lands above the plausible range
      const down = row.price < PLAUSIBLE_PRICE_MIN * 100; // /100 lands below it
      const multiply = up && down ? rng.next() < 0.5 : up;
      fields[COL.price as number] = multiply ? String(row.price * 100) : (row.price / 100).toFixed(2);
      this.counts.outlier++;
    }
    if (rng.next() < rate) {
      fields[COL.date as number] = rng.pick(badDates(row.year, row.month));
      this.counts.bad_date++;
    }
  }

  /** Whether to emit the line just written once more (counted). */
  duplicate(): boolean {
    if (this.rng.next() < this.rate) {
      this.counts.duplicate_row++;
      return true;
    }
    return false;
  }
}
