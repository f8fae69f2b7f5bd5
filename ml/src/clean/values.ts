import type { TextNormalization, DatePart } from '../spec/schema';

/** Outcome of reading one raw value: usable as is, usable after repair, absent, or unusable. */
export const ValueStatus = { Ok: 0, Missing: 1, Repaired: 2, Invalid: 3 } as const;
export type ValueStatus = (typeof ValueStatus)[keyof typeof ValueStatus];

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Text meaning "no value" unless a column declares its own `missingTokens` (compared trimmed, lower-case). */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ['', 'na', 'n/a', 'nan', 'null', 'none', '-', '?'];
const MISSING_TOKENS: ReadonlySet<string> = new Set(DEFAULT_MISSING_TOKENS);

/** A column's missing tokens as a lookup set; the default set when the column declares none. */
export function missingTokenSet(tokens: readonly string[] | undefined): ReadonlySet<string> {
  // The empty string always means missing: a blank cell carries no value.
  return tokens ? new Set(['', ...tokens.map((t) => t.trim().toLowerCase())]) : MISSING_TOKENS;
}
const STRAY = /[$€£\s*%_']/g;
/** Commas are read only as thousands separators: "1,234.5" yes, "1.234,56" or "1,2,3" no. */
const THOUSANDS = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/;

/** Exact powers of ten as doubles (10^0 to 10^15). */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * The value of an unsigned plain decimal of at most 15 digits ("134500", "85.07", ".5", "5."), NaN for any
 * other text: what Number() gives for it, without its general parser (most CSV numbers are such). Exact:
 * the digits form an integer below 2^53 and 10^k is exact, so one correctly rounded division gives the
 * double nearest the decimal, as Number() does (Clinger's fast path).
 */
function plainDecimal(text: string, start = 0, end = text.length): number {
  const length = end - start;
  if (length <= 0 || length > 16) return NaN;
  let mantissa = 0;
  let dot = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) mantissa = mantissa * 10 + (c - 48);
    else if (c === 46 && dot < 0) dot = i;
    else return NaN;
  }
  if (dot < 0) return length <= 15 ? mantissa : NaN;
  // A lone "." has no digit.
  if (length === 1) return NaN;
  return mantissa / POWERS_OF_TEN[end - dot - 1]!;
}

/**
 * readNumber of text.slice(start, end), without making the string when it is a plain decimal (a CSV
 * field read in place).
 */
export function readNumberIn(
  text: string,
  start: number,
  end: number,
  out: { value: number },
  missing: ReadonlySet<string> = MISSING_TOKENS,
): ValueStatus {
  const plain = plainDecimal(text, start, end);
  if (plain === plain) {
    out.value = plain;
    return ValueStatus.Ok;
  }
  return readNumber(text.slice(start, end), out, missing);
}

/**
 * Reads a number from a raw CSV or JSON value. Stray characters a spreadsheet adds ("$1,234", " 512 ",
 * "12*") are removed and the value reported as repaired; empty and NA-like tokens are missing.
 * Writes the number into `out.value` (NaN unless Ok or Repaired) and returns the status.
 */
export function readNumber(
  raw: unknown,
  out: { value: number },
  missing: ReadonlySet<string> = MISSING_TOKENS,
): ValueStatus {
  if (typeof raw === 'number') {
    out.value = Number.isFinite(raw) ? raw : NaN;
    return Number.isFinite(raw) ? ValueStatus.Ok : ValueStatus.Invalid;
  }
  if (raw === null || raw === undefined) {
    out.value = NaN;
    return ValueStatus.Missing;
  }
  if (typeof raw !== 'string') {
    out.value = NaN;
    return ValueStatus.Invalid;
  }
  const digits = plainDecimal(raw);
  if (digits === digits) {
    out.value = digits;
    return ValueStatus.Ok;
  }
  // Number('') is 0, so emptiness is checked before the fast path.
  // Number() also reads 0x1A, 0b11 and 0o17, which no CSV means: those fall through to the strict path.
  const radix = raw.charCodeAt(1) | 32;
  if (
    raw.length > 0 &&
    raw.charCodeAt(0) > 32 &&
    raw.charCodeAt(raw.length - 1) > 32 &&
    radix !== 120 &&
    radix !== 98 &&
    radix !== 111
  ) {
    const fast = Number(raw);
    if (Number.isFinite(fast)) {
      out.value = fast;
      return ValueStatus.Ok;
    }
  }
  const trimmed = raw.trim();
  if (missing.has(trimmed.toLowerCase())) {
    out.value = NaN;
    return ValueStatus.Missing;
  }
  let stripped = trimmed.replace(STRAY, '');
  if (stripped.includes(',')) stripped = THOUSANDS.test(stripped) ? stripped.replace(/,/g, '') : '';
  const repaired = DECIMAL.test(stripped) ? Number(stripped) : NaN;
  if (Number.isFinite(repaired)) {
    out.value = repaired;
    return ValueStatus.Repaired;
  }
  out.value = NaN;
  return ValueStatus.Invalid;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp + (mp < 10 ? 3 : -9);
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const ISO = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$/;
const SLASHED_YMD = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;
const SLASHED_MDY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
/** Years a housing record can have: anything else is a typo or a sentinel (9999-12-31, 0000-01-01). */
export const DATE_YEARS = { min: 1900, max: 2100 } as const;

/** The date formats readDate accepts, as error messages and the README list them. */
export const ACCEPTED_DATE_FORMATS =
  'YYYY-MM-DD, YYYY-MM, YYYY/MM/DD or M/D/YYYY (a date without a time of day, year 1900 to 2100)';

/**
 * Reads a calendar date as days since 1970-01-01, or NaN when it is not a real date. Accepts
 * YYYY-MM-DD, YYYY-MM (the first of the month), YYYY/MM/DD and M/D/YYYY, with a year from 1900 to
 * 2100. Date-times are refused: a time of day (and its zone) would be silently dropped, and the
 * zone can move the date.
 */
export function readDate(raw: unknown): number {
  if (typeof raw !== 'string') return NaN;
  const text = raw.trim();
  let y: number, m: number, d: number;
  let match = ISO.exec(text);
  if (match) {
    y = +match[1]!;
    m = +match[2]!;
    d = match[3] === undefined ? 1 : +match[3];
  } else if ((match = SLASHED_YMD.exec(text))) {
    y = +match[1]!;
    m = +match[2]!;
    d = +match[3]!;
  } else if ((match = SLASHED_MDY.exec(text))) {
    y = +match[3]!;
    m = +match[1]!;
    d = +match[2]!;
  } else return NaN;
  if (y < DATE_YEARS.min || y > DATE_YEARS.max) return NaN;
  if (m < 1 || m > 12 || d < 1) return NaN;
  if (d > (m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1]!)) return NaN;
  return daysFromCivil(y, m, d);
}

export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function datePart(days: number, part: DatePart): number {
  if (part === 'days') return days;
  const { year, month } = civilFromDays(days);
  switch (part) {
    case 'year':
      return year;
    case 'month':
      return month;
    case 'quarter':
      return Math.floor((month - 1) / 3) + 1;
    case 'day_of_year':
      return days - daysFromCivil(year, 1, 1) + 1;
    case 'months_since_2000':
      return (year - 2000) * 12 + (month - 1);
  }
}

const DASH_VARIANTS = /\s*[\u2010-\u2015\u2212-]\s*/g;
const WORD_START = /(^|[\s\-/])(\p{L})/gu;

/** Applies a column's text normalisation; the result is the category as encoders see it. */
export function normalizeText(value: string, rule: TextNormalization | undefined): string {
  if (!rule) return value.trim();
  let text = value;
  if (rule.trim) text = text.trim();
  if (rule.collapseWhitespace) text = text.replace(/\s+/g, ' ');
  if (rule.unifyDashes) text = text.replace(DASH_VARIANTS, '-');
  switch (rule.case) {
    case 'lower':
      text = text.toLowerCase();
      break;
    case 'upper':
      text = text.toUpperCase();
      break;
    case 'title':
      text = text
        .toLowerCase()
        .replace(WORD_START, (_m, sep: string, letter: string) => sep + letter.toUpperCase());
      break;
  }
  // Own keys only: a value such as "constructor" or "toString" must not find Object.prototype's members
  // (that returned a function, and serving answered 500; found by schemathesis).
  return Object.hasOwn(rule.renames, text) ? rule.renames[text]! : text;
}

/** Reads a category: a trimmed, normalised string, or undefined when missing. Numbers are accepted as text. */
export function readCategory(
  raw: unknown,
  rule: TextNormalization | undefined,
  missing: ReadonlySet<string> = MISSING_TOKENS,
): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const text =
    typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : typeof raw === 'string' ? raw : undefined;
  if (text === undefined) return undefined;
  const normalized = normalizeText(text, rule);
  return normalized === '' || missing.has(normalized.toLowerCase()) ? undefined : normalized;
}

/**
 * Reads a date from a record: one field, or the year, month and optional day fields of an assembled
 * date (numbers, as text or JSON), with a year from 1900 to 2100 as readDate. Returns days since 1970-01-01, NaN when unusable; `absent` tells a
 * missing value from a bad one.
 */
export function readDateParts(
  y: unknown,
  m: unknown,
  d: unknown,
  hasDay: boolean,
  missing: ReadonlySet<string> = MISSING_TOKENS,
): { days: number; absent: boolean } {
  const scratch = { value: NaN };
  const part = (raw: unknown): number => datePartValue(readNumber(raw, scratch, missing), scratch.value);
  return daysOfDateParts(part(y), part(m), hasDay ? part(d) : 1);
}

/** A date part as daysOfDateParts takes it: its number, -Infinity when missing, NaN when unreadable. */
export function datePartValue(status: ValueStatus, value: number): number {
  return status === ValueStatus.Ok || status === ValueStatus.Repaired
    ? value
    : status === ValueStatus.Missing
      ? -Infinity
      : NaN;
}

/**
 * The date of read year, month and day parts (datePartValue): days since 1970-01-01, NaN when they do not
 * form a date from 1900 to 2100; `absent` when a part is missing. The one rule of assembled dates.
 */
export function daysOfDateParts(year: number, month: number, day: number): { days: number; absent: boolean } {
  if (year === -Infinity || month === -Infinity || day === -Infinity) return ABSENT_DATE;
  if (
    !Number.isInteger(year) ||
    !Number.isInteger(month) ||
    !Number.isInteger(day) ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    // The one date rule (readDate): years a housing record can have.
    year < DATE_YEARS.min ||
    year > DATE_YEARS.max
  )
    return BAD_DATE;
  if (day > (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!)) return BAD_DATE;
  return { days: daysFromCivil(year, month, day), absent: false };
}

const ABSENT_DATE: { days: number; absent: boolean } = Object.freeze({ days: NaN, absent: true });
const BAD_DATE: { days: number; absent: boolean } = Object.freeze({ days: NaN, absent: false });

/** Reads a date field, honouring a column's missing tokens; `absent` tells a missing value from a bad one. */
export function readDateField(
  raw: unknown,
  missing: ReadonlySet<string> = MISSING_TOKENS,
): { days: number; absent: boolean } {
  if (raw === null || raw === undefined || (typeof raw === 'string' && missing.has(raw.trim().toLowerCase())))
    return { days: NaN, absent: true };
  return { days: readDate(raw), absent: false };
}
