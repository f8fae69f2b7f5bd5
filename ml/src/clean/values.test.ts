import {
  ValueStatus,
  civilFromDays,
  datePart,
  daysFromCivil,
  formatDate,
  normalizeText,
  readCategory,
  readDate,
  readNumber,
} from './values';
import { textNormalizationSchema, type TextNormalization } from '../spec/schema';
import { loadSpec } from '../spec/load';
import { CITY_RENAMES, METROS, citySpellingVariants } from '../generate';

const DAY_MS = 86_400_000;
/** Independent oracle for dates: the JavaScript Date in UTC (valid for years >= 100). */
const utcDays = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / DAY_MS;

function read(raw: unknown): { status: ValueStatus; value: number } {
  const out = { value: 12345 };
  const status = readNumber(raw, out);
  return { status, value: out.value };
}

const rule = (partial: Partial<TextNormalization>): TextNormalization =>
  textNormalizationSchema.parse(partial);

describe('readNumber', () => {
  it.each([
    ['0', 0],
    ['512', 512],
    ['-3.25', -3.25],
    ['+7', 7],
    ['1e3', 1000],
    ['0.0001', 0.0001],
  ])('reads the plain number %j as Ok', (raw, value) => {
    expect(read(raw)).toEqual({ status: ValueStatus.Ok, value });
  });

  it.each([
    ['$1,234', 1234],
    ['1,234', 1234],
    ['1,234,567.5', 1234567.5],
    [' 512 ', 512],
    ['512 ', 512],
    [' 512', 512],
    ['\t42\t', 42],
    ['12*', 12],
    ['€99', 99],
    ['£1,000', 1000],
    ['45%', 45],
    ['1_000', 1000],
    ["1'000", 1000],
    ['$ -1,234.50 ', -1234.5],
  ])('repairs stray characters in %j', (raw, value) => {
    expect(read(raw)).toEqual({ status: ValueStatus.Repaired, value });
  });

  it.each([
    '',
    '   ',
    'NA',
    'na',
    'N/A',
    'n/a',
    'NaN',
    'nan',
    'null',
    'NULL',
    'None',
    'none',
    '-',
    '?',
    ' NA ',
    ' - ',
  ])('treats %j as missing', (raw) => {
    const result = read(raw);
    expect(result.status).toBe(ValueStatus.Missing);
    expect(result.value).toBeNaN();
  });

  it('treats null and undefined as missing', () => {
    expect(read(null).status).toBe(ValueStatus.Missing);
    expect(read(undefined).status).toBe(ValueStatus.Missing);
    expect(read(null).value).toBeNaN();
  });

  it.each(['abc', '12abc', '1.2.3', '$', '*', '--5', 'Infinity', '-Infinity', 'one hundred', '$abc', '12-3'])(
    'rejects garbage %j as invalid',
    (raw) => {
      const result = read(raw);
      expect(result.status).toBe(ValueStatus.Invalid);
      expect(result.value).toBeNaN();
    },
  );

  it('does not read JavaScript-only literals (hexadecimal, binary, octal) as numbers', () => {
    for (const raw of ['0x1A', '0b11', '0o17'])
      expect([raw, read(raw).status]).toEqual([raw, ValueStatus.Invalid]);
  });

  it('does not silently misread a number written with a decimal comma ("1.234,56")', () => {
    // Either rejected, or read as the 1234.56 it means; never as 1.23456.
    const result = read('1.234,56');
    expect(result.status === ValueStatus.Invalid || result.value === 1234.56).toBe(true);
  });

  it('accepts finite JSON numbers as they are', () => {
    expect(read(42.5)).toEqual({ status: ValueStatus.Ok, value: 42.5 });
    expect(read(-0.001)).toEqual({ status: ValueStatus.Ok, value: -0.001 });
    expect(read(0)).toEqual({ status: ValueStatus.Ok, value: 0 });
  });

  it.each([NaN, Infinity, -Infinity])('rejects the JSON number %p as invalid', (raw) => {
    const result = read(raw);
    expect(result.status).toBe(ValueStatus.Invalid);
    expect(result.value).toBeNaN();
  });

  it.each([true, false, {}, [], [1], Symbol('x')])('rejects the non-number %p as invalid', (raw) => {
    const result = read(raw);
    expect(result.status).toBe(ValueStatus.Invalid);
    expect(result.value).toBeNaN();
  });

  it('overwrites out.value on every call, also when the value is unusable', () => {
    const out = { value: 0 };
    readNumber('7', out);
    expect(out.value).toBe(7);
    readNumber('garbage', out);
    expect(out.value).toBeNaN();
    readNumber('$8', out);
    expect(out.value).toBe(8);
    readNumber('', out);
    expect(out.value).toBeNaN();
  });
});

describe('readDate', () => {
  it.each([
    ['2019-03-15', 2019, 3, 15],
    ['2019-3-5', 2019, 3, 5],
    ['2019-03', 2019, 3, 1],
    ['2019/03/15', 2019, 3, 15],
    ['2019/3/5', 2019, 3, 5],
    ['3/15/2019', 2019, 3, 15],
    ['03/05/2019', 2019, 3, 5],
    ['  2019-03-15  ', 2019, 3, 15],
    ['2023-12-31', 2023, 12, 31],
    ['1970-01-01', 1970, 1, 1],
    ['1969-12-31', 1969, 12, 31],
    ['1900-01-01', 1900, 1, 1],
    ['2100-12-31', 2100, 12, 31],
  ])('reads %j as %i-%i-%i', (raw, y, m, d) => {
    expect(readDate(raw)).toBe(utcDays(y, m, d));
  });

  it.each(['2020-02-29', '2000-02-29', '2024/02/29', '2/29/2016', '1904-02-29'])(
    'accepts the leap day %j',
    (raw) => {
      const days = readDate(raw);
      expect(Number.isNaN(days)).toBe(false);
      expect(formatDate(days).slice(5)).toBe('02-29');
    },
  );

  it.each([
    '2019-02-29',
    '1900-02-29',
    '2100-02-29',
    '2019-13-45',
    '2019-13-01',
    '31/31/2019',
    '13/01/2019',
    '2019-00-00',
    '2019-00-10',
    '2019-01-00',
    '2019-04-31',
    '2019-06-31',
    '2019-01-32',
    '2019/02/30',
    '2/30/2020',
    'not a date',
    '',
    '   ',
    '20190315',
    '15.03.2019',
    '2019-03-15x',
    'March 15, 2019',
  ])('rejects the impossible or unknown date %j', (raw) => {
    expect(readDate(raw)).toBeNaN();
  });

  it.each([
    '9999-12-31',
    '0000-01-01',
    '1899-12-31',
    '2101-01-01',
    '1/1/0001',
    '2019-03-15T10:20:30Z',
    '2019-03-15T10:20:30.123+02:00',
    '2019-03-15T23:59:59-0500',
    '2019-03-15 10:20',
  ])('rejects %j: years outside 1900..2100 and date-times', (raw) => {
    expect(readDate(raw)).toBeNaN();
  });

  it.each([20190315, null, undefined, new Date(0), {}])('rejects the non-string %p', (raw) => {
    expect(readDate(raw)).toBeNaN();
  });

  it('agrees with Date.UTC on every day of 2012-2024', () => {
    const wrong: string[] = [];
    for (let d = utcDays(2012, 1, 1); d <= utcDays(2024, 12, 31); d++) {
      const iso = new Date(d * DAY_MS).toISOString().slice(0, 10);
      if (readDate(iso) !== d) wrong.push(iso);
    }
    expect(wrong).toEqual([]);
  });
});

describe('daysFromCivil / civilFromDays', () => {
  it('matches Date.UTC for a spread of dates', () => {
    const wrong: string[] = [];
    for (let y = 1601; y <= 2400; y += 7) {
      for (let m = 1; m <= 12; m++) {
        for (const d of [1, 15, 28])
          if (daysFromCivil(y, m, d) !== utcDays(y, m, d)) wrong.push(`${y}-${m}-${d}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 3, 1)).toBe(11017);
  });

  it('round-trips far-away days (years -800 to 3500, sampled)', () => {
    for (let days = daysFromCivil(-800, 1, 1); days <= daysFromCivil(3500, 12, 31); days += 97) {
      const { year, month, day } = civilFromDays(days);
      if (daysFromCivil(year, month, day) !== days) throw new Error(`round trip failed at ${days}`);
    }
  });

  it('round-trips every day from 1890 to 2110, each the calendar day after the previous one', () => {
    const from = daysFromCivil(1890, 1, 1);
    const to = daysFromCivil(2110, 12, 31);
    let previous = civilFromDays(from - 1);
    for (let days = from; days <= to; days++) {
      const civil = civilFromDays(days);
      if (daysFromCivil(civil.year, civil.month, civil.day) !== days) {
        throw new Error(`round trip failed at ${days}: ${JSON.stringify(civil)}`);
      }
      // Consecutive days are consecutive calendar dates.
      const next =
        civil.day === previous.day + 1 && civil.month === previous.month && civil.year === previous.year
          ? true
          : civil.day === 1 &&
            ((civil.month === previous.month + 1 && civil.year === previous.year) ||
              (civil.month === 1 && previous.month === 12 && civil.year === previous.year + 1));
      if (!next)
        throw new Error(`day ${days} (${JSON.stringify(civil)}) does not follow ${JSON.stringify(previous)}`);
      previous = civil;
    }
  });

  it('formatDate writes YYYY-MM-DD', () => {
    expect(formatDate(utcDays(2019, 3, 5))).toBe('2019-03-05');
    expect(formatDate(0)).toBe('1970-01-01');
    expect(formatDate(-1)).toBe('1969-12-31');
  });
});

describe('datePart', () => {
  const at = (y: number, m: number, d: number) => daysFromCivil(y, m, d);

  it('gives year, quarter and month', () => {
    for (let m = 1; m <= 12; m++) {
      const days = at(2021, m, 10);
      expect(datePart(days, 'year')).toBe(2021);
      expect(datePart(days, 'month')).toBe(m);
      expect(datePart(days, 'quarter')).toBe(m <= 3 ? 1 : m <= 6 ? 2 : m <= 9 ? 3 : 4);
    }
  });

  it('gives the day of the year, 366 on a leap year-end', () => {
    expect(datePart(at(2021, 1, 1), 'day_of_year')).toBe(1);
    expect(datePart(at(2021, 3, 1), 'day_of_year')).toBe(60);
    expect(datePart(at(2020, 3, 1), 'day_of_year')).toBe(61);
    expect(datePart(at(2021, 12, 31), 'day_of_year')).toBe(365);
    expect(datePart(at(2020, 12, 31), 'day_of_year')).toBe(366);
  });

  it('counts months since January 2000', () => {
    expect(datePart(at(2000, 1, 1), 'months_since_2000')).toBe(0);
    expect(datePart(at(2000, 12, 31), 'months_since_2000')).toBe(11);
    expect(datePart(at(2012, 3, 31), 'months_since_2000')).toBe(146);
    expect(datePart(at(1999, 12, 1), 'months_since_2000')).toBe(-1);
  });
});

describe('normalizeText', () => {
  it('only trims when there is no rule', () => {
    expect(normalizeText('  New   York ', undefined)).toBe('New   York');
  });

  it('trims and collapses whitespace by default, leaves case and dashes alone', () => {
    expect(normalizeText('  New \t  York\u2013City ', rule({}))).toBe('New York\u2013City');
  });

  it('keeps whitespace when trim and collapseWhitespace are off', () => {
    expect(normalizeText('  a   b ', rule({ trim: false, collapseWhitespace: false }))).toBe('  a   b ');
    expect(normalizeText('  a   b ', rule({ trim: true, collapseWhitespace: false }))).toBe('a   b');
    expect(normalizeText('  a   b ', rule({ trim: false, collapseWhitespace: true }))).toBe(' a b ');
  });

  it.each([
    ['Dallas\u2013Fort Worth\u2014Arlington', 'Dallas-Fort Worth-Arlington'],
    ['Dallas - Fort Worth - Arlington', 'Dallas-Fort Worth-Arlington'],
    ['Dallas \u2013 Fort Worth', 'Dallas-Fort Worth'],
    ['Dallas\u2212Fort Worth', 'Dallas-Fort Worth'],
    ['Dallas\u2010Fort Worth', 'Dallas-Fort Worth'],
    ['Dallas  -  Fort Worth', 'Dallas-Fort Worth'],
  ])('unifies dashes in %j', (raw, expected) => {
    expect(normalizeText(raw, rule({ unifyDashes: true }))).toBe(expected);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'reads %j as itself, never as a member of Object.prototype in the renames',
    (raw) => {
      const renamed = rule({ renames: { Atlanta: 'Atlanta-Sandy Springs' } });
      expect(normalizeText(raw, renamed)).toBe(raw);
      expect(readCategory(raw, renamed)).toBe(raw);
    },
  );

  it('leaves dashes alone without unifyDashes', () => {
    expect(normalizeText('A\u2013B - C', rule({}))).toBe('A\u2013B - C');
  });

  it.each([
    ['lower', 'San Francisco-OAKLAND', 'san francisco-oakland'],
    ['upper', 'near bay', 'NEAR BAY'],
    ['upper', '<1h ocean', '<1H OCEAN'],
    ['none', 'MiXeD', 'MiXeD'],
    ['title', 'SAN FRANCISCO-OAKLAND-BERKELEY', 'San Francisco-Oakland-Berkeley'],
    ['title', 'st. louis', 'St. Louis'],
    ['title', 'minneapolis-st. paul-bloomington', 'Minneapolis-St. Paul-Bloomington'],
    ['title', 'houston-the woodlands-sugar land', 'Houston-The Woodlands-Sugar Land'],
    ['title', 'mcallen/edinburg', 'Mcallen/Edinburg'],
    ['title', 'são paulo', 'São Paulo'],
    ['title', 'a b c', 'A B C'],
  ] as const)('applies case %s to %j', (kase, raw, expected) => {
    expect(normalizeText(raw, rule({ case: kase }))).toBe(expected);
  });

  it('applies renames after the other rules, with keys in normalised form', () => {
    const r = rule({
      unifyDashes: true,
      case: 'title',
      renames: { 'Austin-Round Rock': 'Austin-Round Rock-Georgetown', austin: 'never used' },
    });
    expect(normalizeText('  AUSTIN \u2013 round   rock ', r)).toBe('Austin-Round Rock-Georgetown');
    expect(normalizeText('austin', r)).toBe('Austin');
    // A rename's value is not normalised again.
    expect(normalizeText('x', rule({ case: 'upper', renames: { X: 'lower case value' } }))).toBe(
      'lower case value',
    );
  });
});

describe('readCategory', () => {
  const title = rule({ case: 'title' });
  it('normalises strings', () => {
    expect(readCategory('  austin ', title)).toBe('Austin');
    expect(readCategory('  austin ', undefined)).toBe('austin');
  });
  it('accepts finite numbers as text', () => {
    expect(readCategory(2139, undefined)).toBe('2139');
    expect(readCategory(1.5, title)).toBe('1.5');
  });
  it.each([null, undefined, '', '   ', 'NA', 'n/a', 'null', '-', NaN, Infinity, true, {}])(
    'treats %p as missing',
    (raw) => {
      expect(readCategory(raw, title)).toBeUndefined();
    },
  );
});

describe('the housets city_full rule', () => {
  const spec = loadSpec('housets');
  const cityColumn = spec.columns.find((c) => c.name === 'city_full');
  if (!cityColumn || cityColumn.role !== 'categorical')
    throw new Error('housets spec has no categorical city_full');
  const cityRule = cityColumn.normalize;

  it('has exactly the generator’s CITY_RENAMES as its renames', () => {
    expect(cityRule?.renames).toEqual({ ...CITY_RENAMES });
  });

  it.each(Object.entries(CITY_RENAMES))('normalises the legacy name %j to %j', (legacy, canonical) => {
    expect(normalizeText(legacy, cityRule)).toBe(canonical);
    expect(normalizeText(`  ${legacy.toUpperCase().replaceAll('-', ' \u2013 ')} `, cityRule)).toBe(canonical);
    expect(
      normalizeText(legacy.toLowerCase().replaceAll('-', '\u2014').replaceAll(' ', '   '), cityRule),
    ).toBe(canonical);
  });

  it('keeps every canonical metro name as is and maps each of its spelling variants to it', () => {
    for (const metro of METROS) {
      expect(normalizeText(metro.cityFull, cityRule)).toBe(metro.cityFull);
      for (const variant of citySpellingVariants(metro.cityFull)) {
        expect([variant, normalizeText(variant, cityRule)]).toEqual([variant, metro.cityFull]);
      }
    }
  });
});

describe('readNumber on plain decimals (its own fast path)', () => {
  it('reads every short digit string exactly as Number() does', () => {
    const out = { value: NaN };
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const texts = [
      '0',
      '00',
      '007',
      '5.',
      '.5',
      '0.1',
      '0.10',
      '85.07',
      '999999999999999',
      '9999999999999999',
      '123456789012345.',
      '0.000000000000001',
      '.000000000000001',
      '1.7976931348623157',
      '4503599627370497',
      '9007199254740993',
      '12345678901234.5',
      '1234567890123456',
    ];
    for (let i = 0; i < 20_000; i++) {
      const digits = 1 + Math.floor(random() * 17);
      let text = '';
      for (let d = 0; d < digits; d++) text += String(Math.floor(random() * 10));
      const dot = Math.floor(random() * (digits + 2)) - 1;
      if (dot >= 0) text = text.slice(0, dot) + '.' + text.slice(dot);
      texts.push(text);
    }
    for (const text of texts) {
      const status = readNumber(text, out);
      expect({ text, status, value: out.value }).toEqual({
        text,
        status: ValueStatus.Ok,
        value: Number(text),
      });
    }
  });

  it('leaves anything else to the general path', () => {
    const out = { value: NaN };
    for (const [text, status, value] of [
      ['.', ValueStatus.Invalid, NaN],
      ['1.2.3', ValueStatus.Invalid, NaN],
      ['-5', ValueStatus.Ok, -5],
      ['1e3', ValueStatus.Ok, 1000],
      [' 12 ', ValueStatus.Repaired, 12],
      ['$1,234', ValueStatus.Repaired, 1234],
    ] as const) {
      expect({ text, status: readNumber(text, out), value: out.value }).toEqual({ text, status, value });
    }
  });
});
