import { compileExpr, ExprError, type ExprColumnKind } from './expr';
import { daysFromCivil } from '../clean/values';

const KINDS: Record<string, ExprColumnKind> = {
  a: 'number',
  b: 'number',
  'Year Built': 'number',
  sold: 'date',
  built: 'date',
};
const resolve = (name: string) => KINDS[name];

/** Evaluates `text` with the named column values (dates as ISO strings). */
function run(text: string, values: Record<string, number | string> = {}): number {
  const compiled = compileExpr(text, resolve);
  const slots = Float64Array.from(compiled.inputs, (name) => {
    const v = values[name];
    if (typeof v === 'string') {
      const [y, m, d] = v.split('-').map(Number);
      return daysFromCivil(y!, m!, d!);
    }
    return v ?? NaN;
  });
  return compiled.evaluate(slots);
}

function failure(text: string): ExprError {
  try {
    compileExpr(text, resolve);
  } catch (error) {
    expect(error).toBeInstanceOf(ExprError);
    return error as ExprError;
  }
  throw new Error(`"${text}" compiled`);
}

describe('derived feature expressions', () => {
  it('computes arithmetic with the usual precedence, parentheses and unary minus', () => {
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('a - b - 1', { a: 10, b: 3 })).toBe(6);
    expect(run('a / b * 2', { a: 9, b: 3 })).toBe(6);
    expect(run('-a + 2', { a: 5 })).toBe(-3);
    expect(run('2 × a ÷ 4 − 1', { a: 6 })).toBe(2);
    expect(run('1.5e2 + .5')).toBe(150.5);
  });

  it('gives 1 or 0 for comparisons', () => {
    expect([
      run('a > b', { a: 2, b: 1 }),
      run('a > b', { a: 1, b: 1 }),
      run('a >= b', { a: 1, b: 1 }),
    ]).toEqual([1, 0, 1]);
    expect([
      run('a < 1', { a: 0 }),
      run('a <= 0', { a: 0 }),
      run('a == 3', { a: 3 }),
      run('a != 3', { a: 3 }),
    ]).toEqual([1, 1, 1, 0]);
  });

  it('has log, log1p, sqrt, abs, min, max and coalesce', () => {
    expect(run('log(a)', { a: Math.E })).toBeCloseTo(1, 12);
    expect(run('log1p(0)')).toBe(0);
    expect(run('sqrt(16) + abs(-2)')).toBe(6);
    expect(run('min(a, b, 4)', { a: 7, b: 5 })).toBe(4);
    expect(run('max(a, b)', { a: 7, b: 5 })).toBe(7);
    expect(run('coalesce(a, b, 0)', { b: 5 })).toBe(5);
    expect(run('coalesce(a, 0)')).toBe(0);
  });

  it('reads date parts of date columns, and days since 1970-01-01', () => {
    const sold = '2010-06-15';
    expect(run('year(sold) - `Year Built`', { sold, 'Year Built': 1960 })).toBe(50);
    expect(run('month(sold) + quarter(sold) * 100', { sold })).toBe(206);
    expect(run('days(sold)', { sold: '1970-01-02' })).toBe(1);
    expect(run('days(sold) - days(built)', { sold, built: '2010-06-01' })).toBe(14);
    expect(run('day_of_year(sold)', { sold: '2010-02-01' })).toBe(32);
    expect(run('months_since_2000(sold)', { sold })).toBe(125);
  });

  it('lists each input column once, in the order first read', () => {
    expect(compileExpr('b + a * b + year(sold)', resolve).inputs).toEqual(['b', 'a', 'sold']);
  });

  it('makes the result missing when an input is missing, never NaN garbage or Infinity', () => {
    expect(run('a + 1')).toBeNaN();
    expect(run('a > 1')).toBeNaN();
    expect(run('1 > a')).toBeNaN();
    expect(run('year(sold) - 1')).toBeNaN();
    expect(run('min(a, 1)')).toBeNaN();
    expect(run('a * 0')).toBeNaN();
  });

  it('makes the result missing for a division by zero, a log of a non-positive number and overflow', () => {
    expect(run('a / b', { a: 1, b: 0 })).toBeNaN();
    expect(run('0 / 0')).toBeNaN();
    expect(run('log(0)')).toBeNaN();
    expect(run('log(-1)')).toBeNaN();
    expect(run('sqrt(-1)')).toBeNaN();
    expect(run('a * a', { a: 1e300 })).toBeNaN();
  });

  it.each([
    ['year(date) - yr_built', 'unknown column "date"', 6],
    ['a + yr_built', 'unknown column "yr_built"', 5],
    ['a +', 'expected a number, a column or "(", found the end of the expression', 4],
    ['(a + b', 'expected ")", found the end of the expression', 7],
    ['a + b)', 'unexpected ")"', 6],
    ['a = b', 'unexpected character "=" (write == to compare)', 3],
    ['a $ b', 'unexpected character "$"', 3],
    ['`Year Built', 'unclosed ` quote', 1],
    [
      'a + sold',
      'a date column is used through year(), quarter(), month(), day_of_year(), months_since_2000(), days(), not as a number',
      5,
    ],
    ['year(a)', 'year() takes one date column', 6],
    ['year(sold, built)', 'year() takes one date column', 6],
    ['log(a, b)', 'log() takes one argument, got 2', 1],
    ['min(a)', 'min() takes at least two arguments, got 1', 1],
    ['exp(a)', 'unknown function "exp"', 1],
    ['a b', 'unexpected "b"', 3],
  ])('rejects %j: %s at position %i', (text, reason, position) => {
    const error = failure(text);
    expect(error.reason).toContain(reason);
    expect(error.position).toBe(position);
    expect(error.message).toBe(`${error.reason} at position ${position}`);
  });
});
