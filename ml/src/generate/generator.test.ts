import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CITY_RENAMES,
  CLEAN_PRICE_MAX,
  CLEAN_PRICE_MIN,
  DIRTABLE_COLUMNS,
  DIRT_KINDS,
  HOUSETS_COLUMNS,
  MAX_ZIPS_PER_METRO,
  METROS,
  NUMERIC_COLUMNS,
  PLAUSIBLE_PRICE_MAX,
  PLAUSIBLE_PRICE_MIN,
  SAMPLE_SIZES,
  citySpellingVariants,
  expectedRows,
  generateHouseTsLines,
  normaliseCityFull,
  writeHouseTsCsv,
  zipCodeFor,
  type DirtKind,
  type GenerateOptions,
} from './index';

// ------------------------------------------------------------------------------------------------- helpers

// prettier-ignore
const EXPECTED_COLUMNS = [
  'date', 'median_sale_price', 'median_list_price', 'median_ppsf', 'median_list_ppsf', 'homes_sold',
  'pending_sales', 'new_listings', 'inventory', 'median_dom', 'avg_sale_to_list', 'sold_above_list',
  'off_market_in_two_weeks', 'city', 'zipcode', 'year', 'bank', 'bus', 'hospital', 'mall', 'park', 'restaurant',
  'school', 'station', 'supermarket', 'Total Population', 'Median Age', 'Per Capita Income',
  'Total Families Below Poverty', 'Total Housing Units', 'Median Rent', 'Median Home Value', 'Total Labor Force',
  'Unemployed Population', 'Total School Age Population', 'Total School Enrollment', 'Median Commute Time', 'price',
  'city_full',
];

const C = Object.fromEntries(HOUSETS_COLUMNS.map((c, i) => [c, i])) as Record<string, number>;
const col = (name: string): number => {
  const i = C[name];
  if (i === undefined) throw new Error(`no column ${name}`);
  return i;
};
const STRICT_NUMBER = /^-?\d+(\.\d+)?$/;
const INT_COLUMNS = NUMERIC_COLUMNS.filter(
  (c) =>
    ![
      'median_ppsf',
      'median_list_ppsf',
      'avg_sale_to_list',
      'sold_above_list',
      'off_market_in_two_weeks',
      'Median Age',
      'Median Commute Time',
    ].includes(c),
);
const CANONICAL_BY_SLUG = new Map(METROS.map((m) => [m.city, m.cityFull]));

/** Minimal RFC 4180 line parser (our fields never contain newlines). */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`unterminated quote in ${line}`);
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(value);
      if (i === line.length) return out;
      if (line[i] !== ',') throw new Error(`garbage after quoted field in ${line}`);
      i++;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

function isMonthEnd(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12) return false;
  return new Date(Date.UTC(y, mo, 0)).getUTCDate() === d;
}

function collect(options: GenerateOptions): {
  lines: string[];
  summary: ReturnType<typeof generateHouseTsLines>['summary'];
} {
  const { lines, summary } = generateHouseTsLines(options);
  return { lines: [...lines], summary };
}

function sha256(lines: Iterable<string>): string {
  const h = createHash('sha256');
  for (const line of lines) h.update(line).update('\n');
  return h.digest('hex');
}

interface Row {
  f: string[];
  num: (name: string) => number;
}

function rowsOf(lines: string[]): Row[] {
  return lines.slice(1).map((line) => {
    const f = line.split(',');
    return { f, num: (name: string) => Number(f[col(name)]) };
  });
}

function pearson(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

// ------------------------------------------------------------------------------------------------- schema, sizes

describe('schema and sizes', () => {
  const tiny = collect({ size: 'tiny' });

  it('has the 39 HouseTS columns in order, and the header is the first line', () => {
    expect([...HOUSETS_COLUMNS]).toEqual(EXPECTED_COLUMNS);
    expect(HOUSETS_COLUMNS).toHaveLength(39);
    expect(tiny.lines[0]).toBe(EXPECTED_COLUMNS.join(','));
    expect(tiny.summary.columns).toBe(39);
  });

  it('defines the sample sizes and their row counts', () => {
    expect(SAMPLE_SIZES).toEqual({
      tiny: { metros: 3, zipsPerMetro: 4 },
      demo: { metros: 8, zipsPerMetro: 25 },
      full: { metros: 30, zipsPerMetro: 208 },
    });
    expect(expectedRows({ size: 'tiny' })).toBe(1_704);
    expect(expectedRows({ size: 'demo' })).toBe(28_400);
    expect(expectedRows({ size: 'full' })).toBe(886_080);
  });

  it('writes 1,704 tiny rows: one per zip and month, month-end dates 2012-03..2023-12', () => {
    expect(tiny.lines).toHaveLength(1 + 1_704);
    expect(tiny.summary.rows).toBe(1_704);
    const rows = rowsOf(tiny.lines);
    const byZip = new Map<string, string[]>();
    const cityOfZip = new Map<string, string>();
    const problems: string[] = [];
    for (const { f } of rows) {
      const zip = f[col('zipcode')] as string;
      const date = f[col('date')] as string;
      const city = `${f[col('city')]}|${f[col('city_full')]}`;
      if (f.length !== 39) problems.push(`${f.length} fields`);
      if (!/^\d{5}$/.test(zip)) problems.push(`zip ${zip}`);
      if (!isMonthEnd(date)) problems.push(`date ${date}`);
      if (f[col('year')] !== date.slice(0, 4)) problems.push(`year ${f[col('year')]} for ${date}`);
      if ((cityOfZip.get(zip) ?? city) !== city) problems.push(`zip ${zip} in two metros`);
      cityOfZip.set(zip, city);
      const dates = byZip.get(zip) ?? [];
      dates.push(date);
      byZip.set(zip, dates);
    }
    expect(problems).toEqual([]);
    expect(byZip.size).toBe(12);
    expect(new Set([...cityOfZip.values()]).size).toBe(3);
    for (const dates of byZip.values()) {
      expect(dates).toHaveLength(142);
      expect(new Set(dates).size).toBe(142);
      expect(dates[0]).toBe('2012-03-31');
      expect(dates[1]).toBe('2012-04-30');
      expect(dates).toContain('2016-02-29');
      expect(dates[141]).toBe('2023-12-31');
    }
  });

  it('writes 28,400 demo rows', () => {
    const { lines, summary } = generateHouseTsLines({ size: 'demo' });
    let count = 0;
    for (const line of lines) if (line.length > 0) count++;
    expect(count).toBe(1 + 28_400);
    expect(summary.rows).toBe(28_400);
  });

  it('gives unique 5-digit zip codes for every metro and zip of the full size (leading zeros kept)', () => {
    const zips = new Set<string>();
    for (let m = 0; m < METROS.length; m++) {
      for (let k = 0; k < MAX_ZIPS_PER_METRO; k++) {
        const zip = zipCodeFor(m, k);
        expect(zip).toMatch(/^\d{5}$/);
        zips.add(zip);
      }
    }
    expect(zips.size).toBe(METROS.length * MAX_ZIPS_PER_METRO);
    expect(MAX_ZIPS_PER_METRO).toBeGreaterThanOrEqual(SAMPLE_SIZES.full.zipsPerMetro);
    expect([...zips].some((z) => z.startsWith('0'))).toBe(true);
  });

  it('honours from/to and metros/zipsPerMetro overrides', () => {
    const { lines, summary } = collect({
      size: 'tiny',
      metros: 2,
      zipsPerMetro: 3,
      from: '2020-01',
      to: '2020-12',
    });
    expect(summary.rows).toBe(2 * 3 * 12);
    const dates = rowsOf(lines).map((r) => r.f[col('date')]);
    expect(dates[0]).toBe('2020-01-31');
    expect(dates[11]).toBe('2020-12-31');
    expect(dates[12]).toBe('2020-01-31');
    // a zip's rows do not depend on how many other zips are generated
    const full = collect({ size: 'tiny' })
      .lines.slice(1, 1 + 142)
      .map((l) => l.split(',')[col('zipcode')]);
    expect(rowsOf(lines)[0]?.f[col('zipcode')]).toBe(full[0]);
  });

  it('rejects invalid options', () => {
    expect(() => generateHouseTsLines({ metros: 31 })).toThrow(RangeError);
    expect(() => generateHouseTsLines({ zipsPerMetro: 0 })).toThrow(RangeError);
    expect(() => generateHouseTsLines({ from: '2020-13' })).toThrow(RangeError);
    expect(() => generateHouseTsLines({ from: '2020-05', to: '2020-04' })).toThrow(RangeError);
    expect(() => generateHouseTsLines({ seed: 1.5 })).toThrow(RangeError);
    expect(() => generateHouseTsLines({ dirtRate: 2 })).toThrow(RangeError);
    expect(() => generateHouseTsLines({ size: 'huge' as never })).toThrow(RangeError);
  });
});

// ------------------------------------------------------------------------------------------------- determinism

describe('determinism', () => {
  it('gives byte-identical output for the same options and different output for another seed', () => {
    const a = sha256(generateHouseTsLines({ size: 'tiny', seed: 7 }).lines);
    const b = sha256(generateHouseTsLines({ size: 'tiny', seed: 7 }).lines);
    const c = sha256(generateHouseTsLines({ size: 'tiny', seed: 8 }).lines);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(sha256(generateHouseTsLines({ size: 'tiny' }).lines)).toBe(
      sha256(generateHouseTsLines({ size: 'tiny', seed: 42 }).lines),
    );
    const dirty = { size: 'tiny', dirty: true, dirtRate: 0.05, seed: 3 } as const;
    expect(sha256(generateHouseTsLines(dirty).lines)).toBe(sha256(generateHouseTsLines(dirty).lines));
  });

  it('regenerates the same lines and refills the summary on every iteration', () => {
    const { lines, summary } = generateHouseTsLines({ size: 'tiny', dirty: true, dirtRate: 0.05 });
    const first = sha256(lines);
    const firstSummary = structuredClone(summary);
    expect(sha256(lines)).toBe(first);
    expect(summary).toEqual(firstSummary);
    expect(summary.rows).toBeGreaterThan(1_704);
  });

  it('uses no Math.random', () => {
    const spy = jest.spyOn(Math, 'random');
    try {
      sha256(generateHouseTsLines({ size: 'tiny', dirty: true }).lines);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

// ------------------------------------------------------------------------------------------------- city names

describe('metros and city names', () => {
  it('has 30 metros with unique slugs, canonical names and separated zip blocks', () => {
    expect(METROS).toHaveLength(30);
    expect(new Set(METROS.map((m) => m.city)).size).toBe(30);
    expect(new Set(METROS.map((m) => m.cityFull)).size).toBe(30);
    for (const m of METROS) {
      expect(m.city).toMatch(/^[a-z_]+$/);
      expect(m.cityFull).not.toMatch(/[,"]/);
      expect(normaliseCityFull(m.cityFull)).toBe(m.cityFull);
      for (const word of m.cityFull.split(/[ \-/]/)) expect(word).toMatch(/^[A-Z][a-z.]*$/);
      expect(Object.keys(CITY_RENAMES)).not.toContain(m.cityFull);
    }
    const bases = METROS.map((m) => m.zipBase).sort((a, b) => a - b);
    for (let i = 1; i < bases.length; i++) {
      expect((bases[i] as number) - (bases[i - 1] as number)).toBeGreaterThanOrEqual(4 * MAX_ZIPS_PER_METRO);
    }
  });

  it('maps legacy names (already normalised) to canonical metro names', () => {
    const canonical = new Set(METROS.map((m) => m.cityFull));
    expect(Object.keys(CITY_RENAMES).length).toBeGreaterThanOrEqual(4);
    for (const [legacy, target] of Object.entries(CITY_RENAMES)) {
      expect(canonical.has(target)).toBe(true);
      expect(canonical.has(legacy)).toBe(false);
      expect(legacy).not.toMatch(/[,"]/);
      for (const word of legacy.split(/[ \-/]/)) expect(word).toMatch(/^[A-Z][a-z.]*$/);
      expect(normaliseCityFull(legacy)).toBe(target);
    }
  });

  it('normalises case, dashes, spaces and legacy names', () => {
    expect(normaliseCityFull('  dallas \u2013 fort   worth\u2014ARLINGTON ')).toBe(
      'Dallas-Fort Worth-Arlington',
    );
    expect(normaliseCityFull('MINNEAPOLIS - ST. PAUL - BLOOMINGTON')).toBe(
      'Minneapolis-St. Paul-Bloomington',
    );
    expect(normaliseCityFull('atlanta-sandy springs-roswell')).toBe('Atlanta-Sandy Springs-Alpharetta');
  });

  it('spells every metro in variants that all normalise back to the canonical name', () => {
    for (const m of METROS) {
      const variants = citySpellingVariants(m.cityFull);
      expect(variants).toContain(m.cityFull.toLowerCase());
      expect(variants).toContain(m.cityFull.toUpperCase());
      if (m.cityFull.includes('-')) {
        expect(variants).toContain(m.cityFull.replaceAll('-', ' - '));
        expect(variants).toContain(m.cityFull.replaceAll('-', '\u2013'));
        expect(variants).toContain(m.cityFull.replaceAll('-', '\u2014'));
      }
      for (const v of variants) {
        expect(v).not.toBe(m.cityFull);
        expect(normaliseCityFull(v)).toBe(m.cityFull);
      }
    }
    expect(citySpellingVariants('Atlanta-Sandy Springs-Alpharetta')).toContain(
      'Atlanta-Sandy Springs-Roswell',
    );
  });
});

// ------------------------------------------------------------------------------------------------- clean output

describe('clean output', () => {
  const clean = collect({ metros: 8, zipsPerMetro: 5 });

  it('has no dirt: every number parses, every date is a valid month end, city_full is canonical', () => {
    expect(clean.summary.dirt).toEqual(Object.fromEntries(DIRT_KINDS.map((k) => [k, 0])));
    expect(clean.summary.rows).toBe(8 * 5 * 142);
    const problems: string[] = [];
    const strictCols = NUMERIC_COLUMNS.map(col);
    const intCols = INT_COLUMNS.map(col);
    for (const line of clean.lines.slice(1)) {
      if (line.includes('"')) problems.push(`quoted field: ${line}`);
      const f = line.split(',');
      if (f.length !== 39) problems.push(`${f.length} fields: ${line}`);
      if (!isMonthEnd(f[col('date')] as string)) problems.push(`bad date: ${line}`);
      for (const c of strictCols)
        if (!STRICT_NUMBER.test(f[c] as string)) problems.push(`non-number in ${c}: ${line}`);
      for (const c of intCols)
        if (!/^\d+$/.test(f[c] as string)) problems.push(`non-integer in ${c}: ${line}`);
      if (f[col('city_full')] !== CANONICAL_BY_SLUG.get(f[col('city')] as string))
        problems.push(`city: ${line}`);
    }
    expect(problems).toEqual([]);
  });

  it('keeps every column in a plausible range', () => {
    const rows = rowsOf(clean.lines);
    const range = (name: string): [number, number] => {
      const xs = rows.map((r) => r.num(name));
      return [Math.min(...xs), Math.max(...xs)];
    };
    const within = (name: string, lo: number, hi: number): void => {
      const [min, max] = range(name);
      expect(min).toBeGreaterThanOrEqual(lo);
      expect(max).toBeLessThanOrEqual(hi);
    };
    within('price', CLEAN_PRICE_MIN, CLEAN_PRICE_MAX);
    within('median_sale_price', 10_000, 6_000_000);
    within('avg_sale_to_list', 0.9, 1.1);
    within('sold_above_list', 0, 1);
    within('off_market_in_two_weeks', 0, 1);
    within('median_dom', 1, 365);
    within('homes_sold', 1, 5_000);
    within('Median Age', 18, 75);
    within('Median Commute Time', 10, 75);
    within('Per Capita Income', 5_000, 500_000);
    within('Median Home Value', 20_000, 10_000_000);
    within('Total Population', 1_000, 1_000_000);
    const [stlMin, stlMax] = range('avg_sale_to_list');
    expect(stlMin).toBeLessThan(0.98);
    expect(stlMax).toBeGreaterThan(1.01);
    const inconsistent = rows.filter(
      (r) =>
        r.num('Unemployed Population') >= r.num('Total Labor Force') ||
        r.num('Total Labor Force') >= r.num('Total Population') ||
        r.num('Total Families Below Poverty') >= r.num('Total Population'),
    );
    expect(inconsistent).toHaveLength(0);
  });

  it('is not dirtied by dirtRate alone, and dirty with rate 0 equals clean', () => {
    const options = { metros: 2, zipsPerMetro: 2 };
    const reference = sha256(generateHouseTsLines(options).lines);
    expect(sha256(generateHouseTsLines({ ...options, dirtRate: 0.5 }).lines)).toBe(reference);
    expect(sha256(generateHouseTsLines({ ...options, dirty: true, dirtRate: 0 }).lines)).toBe(reference);
  });
});

// ------------------------------------------------------------------------------------------------- dirty output

describe('dirty output', () => {
  const options = { metros: 8, zipsPerMetro: 10, seed: 11 };
  const rate = 0.02;
  const clean = collect(options).lines;
  const dirty = collect({ ...options, dirty: true, dirtRate: rate });
  const dirtable = new Set(DIRTABLE_COLUMNS.map(col));

  /** Classify every difference between the dirty file and the clean one, checking each is a well-formed kind. */
  function observe(): { counts: Record<DirtKind, number>; quoted: number } {
    const counts = Object.fromEntries(DIRT_KINDS.map((k) => [k, 0])) as Record<DirtKind, number>;
    let quoted = 0;
    let j = 0; // index into the clean rows
    let previous = '';
    for (const line of dirty.lines.slice(1)) {
      if (line === previous) {
        counts.duplicate_row++;
        continue;
      }
      previous = line;
      j++;
      const f = parseCsvLine(line);
      const g = (clean[j] as string).split(',');
      expect(f).toHaveLength(39);
      if (line.includes('"')) quoted++;
      for (let c = 0; c < 39; c++) {
        const v = f[c] as string;
        const want = g[c] as string;
        if (v === want) continue;
        if (c === col('date')) {
          counts.bad_date++;
          expect(isMonthEnd(v)).toBe(false);
          expect(Number.isNaN(Date.parse(v))).toBe(true);
        } else if (c === col('price')) {
          counts.outlier++;
          const p = Number(v);
          expect(v).toMatch(STRICT_NUMBER);
          expect(p < PLAUSIBLE_PRICE_MIN || p > PLAUSIBLE_PRICE_MAX).toBe(true);
          expect([Number(want) * 100, Number((Number(want) / 100).toFixed(2))]).toContain(p);
        } else if (c === col('city_full')) {
          counts.city_spelling++;
          expect(normaliseCityFull(v)).toBe(want);
        } else if (v === '') {
          counts.missing_value++;
          expect(dirtable.has(c)).toBe(true);
        } else {
          counts.stray_characters++;
          expect(dirtable.has(c)).toBe(true);
          expect(v).not.toMatch(STRICT_NUMBER);
          expect(Number(v.replace(/[$,*\s]/g, ''))).toBe(Number(want));
          if (v.includes(',')) expect(line).toContain(`"${v}"`);
        }
      }
    }
    expect(j).toBe(clean.length - 1);
    return { counts, quoted };
  }

  it('injects every kind at about dirtRate and reports exactly what it wrote', () => {
    const { counts, quoted } = observe();
    expect(counts).toEqual(dirty.summary.dirt);
    const cleanRows = clean.length - 1;
    expect(dirty.summary.rows).toBe(cleanRows + counts.duplicate_row);
    expect(dirty.lines.length - 1).toBe(dirty.summary.rows);
    for (const kind of DIRT_KINDS) {
      expect(counts[kind]).toBeGreaterThan(0.5 * rate * cleanRows);
      expect(counts[kind]).toBeLessThan(1.5 * rate * cleanRows);
    }
    expect(quoted).toBeGreaterThan(0);
  });

  it('uses the city-name variants, including legacy names, and all three dash styles', () => {
    const seen = new Set(parseCsvLinesColumn(dirty.lines, col('city_full')));
    const legacy = Object.keys(CITY_RENAMES).filter((n) => seen.has(n));
    expect(legacy.length).toBeGreaterThan(0);
    expect([...seen].some((s) => s.includes('\u2013'))).toBe(true);
    expect([...seen].some((s) => s.includes('\u2014'))).toBe(true);
    expect([...seen].some((s) => s.includes(' - '))).toBe(true);
    expect([...seen].some((s) => s !== s.trim())).toBe(true);
  });
});

function parseCsvLinesColumn(lines: string[], c: number): string[] {
  return lines.slice(1).map((l) => parseCsvLine(l)[c] as string);
}

// ------------------------------------------------------------------------------------------------- structure

describe('structure a model can learn', () => {
  const rows = rowsOf(collect({ metros: 4, zipsPerMetro: 15, seed: 5 }).lines);
  const byZip = new Map<string, Map<string, Row>>();
  for (const r of rows) {
    const zip = r.f[col('zipcode')] as string;
    const m = byZip.get(zip) ?? new Map<string, Row>();
    m.set((r.f[col('date')] as string).slice(0, 7), r);
    byZip.set(zip, m);
  }
  const at = (series: Map<string, Row>, month: string): Row => {
    const r = series.get(month);
    if (!r) throw new Error(`no row for ${month}`);
    return r;
  };
  const logPrice = (series: Map<string, Row>, month: string): number =>
    Math.log(at(series, month).num('price'));
  const zips = [...byZip.values()];

  it('correlates price with Median Home Value and Per Capita Income across zips, also within metros', () => {
    const snapshot = zips.map((s) => at(s, '2019-06'));
    const lp = snapshot.map((r) => Math.log(r.num('price')));
    const mhv = snapshot.map((r) => Math.log(r.num('Median Home Value')));
    const inc = snapshot.map((r) => Math.log(r.num('Per Capita Income')));
    expect(pearson(lp, mhv)).toBeGreaterThan(0.8);
    expect(pearson(lp, inc)).toBeGreaterThan(0.3);
    // demeaned per metro
    const metroOf = snapshot.map((r) => r.f[col('city')] as string);
    const demean = (xs: number[]): number[] => {
      const sums = new Map<string, number[]>();
      xs.forEach((x, i) => sums.set(metroOf[i] as string, [...(sums.get(metroOf[i] as string) ?? []), x]));
      return xs.map((x, i) => x - mean(sums.get(metroOf[i] as string) as number[]));
    };
    expect(pearson(demean(lp), demean(mhv))).toBeGreaterThan(0.6);
  });

  it('grows faster per year in the 2020-06..2022-06 boom than in 2013..2019, then flattens in 2023', () => {
    const pre = zips.map((s) => (logPrice(s, '2019-06') - logPrice(s, '2013-06')) / 6);
    const boom = zips.map((s) => (logPrice(s, '2022-06') - logPrice(s, '2020-06')) / 2);
    const after = zips.map((s) => logPrice(s, '2023-12') - logPrice(s, '2022-12'));
    expect(mean(pre)).toBeGreaterThan(0.02);
    expect(mean(pre)).toBeLessThan(0.06);
    expect(mean(boom)).toBeGreaterThan(mean(pre) + 0.05);
    expect(boom.filter((b, i) => b > (pre[i] as number)).length).toBeGreaterThan(0.9 * zips.length);
    expect(mean(after)).toBeGreaterThan(-0.06);
    expect(mean(after)).toBeLessThan(0.02);
  });

  it('has spring/summer seasonality', () => {
    const lift: number[] = [];
    for (const s of zips) {
      for (let y = 2013; y <= 2019; y++) {
        lift.push(logPrice(s, `${y}-06`) - (logPrice(s, `${y}-03`) + logPrice(s, `${y}-09`)) / 2);
      }
    }
    expect(mean(lift)).toBeGreaterThan(0.008);
    expect(mean(lift)).toBeLessThan(0.04);
  });

  it('makes the market tight when it is hot', () => {
    const yearRows = (years: string[]): Row[] =>
      rows.filter((r) => years.includes(r.f[col('year')] as string));
    const calm = yearRows(['2015', '2016', '2017', '2018']);
    const hot = yearRows(['2021']);
    const avg = (rs: Row[], name: string): number => mean(rs.map((r) => r.num(name)));
    expect(avg(hot, 'median_dom')).toBeLessThan(0.75 * avg(calm, 'median_dom'));
    expect(avg(hot, 'sold_above_list')).toBeGreaterThan(avg(calm, 'sold_above_list') + 0.15);
    expect(avg(hot, 'avg_sale_to_list')).toBeGreaterThan(avg(calm, 'avg_sale_to_list') + 0.02);
    expect(avg(hot, 'off_market_in_two_weeks')).toBeGreaterThan(avg(calm, 'off_market_in_two_weeks') + 0.1);
  });

  it('tracks price closely with median_sale_price, loosely with list price and price per square foot', () => {
    const lp = rows.map((r) => Math.log(r.num('price')));
    const ratio = rows.map((r) => Math.abs(Math.log(r.num('median_sale_price') / r.num('price'))));
    expect(mean(ratio)).toBeLessThan(0.03);
    expect(
      pearson(
        lp,
        rows.map((r) => Math.log(r.num('median_sale_price'))),
      ),
    ).toBeGreaterThan(0.99);
    expect(
      pearson(
        lp,
        rows.map((r) => Math.log(r.num('median_list_price'))),
      ),
    ).toBeGreaterThan(0.95);
    expect(
      pearson(
        lp,
        rows.map((r) => Math.log(r.num('median_ppsf'))),
      ),
    ).toBeGreaterThan(0.7);
  });

  it('keeps POI counts constant per zip and census values constant per zip and year', () => {
    const poi = ['bank', 'bus', 'hospital', 'mall', 'park', 'restaurant', 'school', 'station', 'supermarket'];
    const census = HOUSETS_COLUMNS.slice(col('Total Population'), col('Median Commute Time') + 1);
    for (const s of zips) {
      const list = [...s.values()];
      const key = (r: Row, names: readonly string[]): string => names.map((n) => r.f[col(n)]).join('|');
      expect(new Set(list.map((r) => key(r, poi))).size).toBe(1);
      expect(new Set(list.map((r) => key(r, census) + r.f[col('year')])).size).toBe(12);
    }
    const stations = zips.map((s) => at(s, '2015-01').num('station'));
    expect(Math.max(...stations)).toBeGreaterThan(Math.min(...stations));
  });
});

// ------------------------------------------------------------------------------------------------- file writing

describe('writeHouseTsCsv', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'housets-gen-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams to a temporary file, then renames it into place (creating the parent directory)', async () => {
    const path = join(dir, 'nested', 'deeper', 'housets.csv');
    const tmp = `${path}.tmp-${process.pid}`;
    const options = { metros: 3, zipsPerMetro: 10, dirty: true };
    const seen: { rows: number; final: boolean; tmp: boolean }[] = [];
    const summary = await writeHouseTsCsv(path, options, (rows) =>
      seen.push({ rows, final: existsSync(path), tmp: existsSync(tmp) }),
    );
    const expected = collect(options);
    expect(readFileSync(path, 'utf8')).toBe(expected.lines.join('\n') + '\n');
    expect(summary).toEqual(expected.summary);
    expect(existsSync(tmp)).toBe(false);
    expect(readdirSync(join(dir, 'nested', 'deeper'))).toEqual(['housets.csv']);
    const during = seen.slice(0, -1);
    expect(during.length).toBeGreaterThan(0);
    for (const s of during) expect(s).toMatchObject({ final: false, tmp: true });
    expect(seen.map((s) => s.rows)).toEqual([...seen.map((s) => s.rows)].sort((a, b) => a - b));
    expect(seen.at(-1)?.rows).toBe(summary.rows);
  });

  it('replaces an existing file only when complete', async () => {
    const path = join(dir, 'out.csv');
    writeFileSync(path, 'old');
    let oldSeen = false;
    await writeHouseTsCsv(path, { metros: 2, zipsPerMetro: 10 }, () => {
      oldSeen ||= readFileSync(path, 'utf8') === 'old';
    });
    expect(oldSeen).toBe(true);
    expect(readFileSync(path, 'utf8').startsWith('date,median_sale_price,')).toBe(true);
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('leaves nothing behind when the final rename fails', async () => {
    const path = join(dir, 'taken');
    mkdirSync(join(path, 'inside'), { recursive: true }); // a non-empty directory where the file should go
    await expect(writeHouseTsCsv(path, { size: 'tiny' })).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(statSync(path).isDirectory()).toBe(true);
  });

  it('leaves nothing behind when the parent path is a file, or the options are invalid', async () => {
    writeFileSync(join(dir, 'file'), 'x');
    await expect(writeHouseTsCsv(join(dir, 'file', 'out.csv'), { size: 'tiny' })).rejects.toThrow();
    await expect(writeHouseTsCsv(join(dir, 'sub', 'out.csv'), { metros: 99 })).rejects.toThrow(RangeError);
    expect(readdirSync(dir)).toEqual(['file']);
  });
});
