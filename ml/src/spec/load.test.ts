import * as path from 'node:path';
import { BUILTIN_SPECS_DIR, loadSpec, targetColumn, validateSpec } from './load';
import { InputError } from '../errors';
import { HOUSETS_COLUMNS } from '../generate';
import { useTempDir, writeTempFile } from '../test-support/tmp';

/** Spec JSON before validation, edited freely to break it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A small valid spec, as raw JSON; each test breaks one thing. */
function rawSpec(): Record<string, Json> {
  return {
    name: 'mini',
    columns: [
      { name: 'date', role: 'date' },
      { name: 'price', role: 'target', min: 1000 },
      { name: 'sqft', role: 'numeric', min: 0 },
      { name: 'city', role: 'categorical', encoding: 'target' },
      { name: 'note', role: 'drop', reason: 'free text' },
    ],
    cleaning: { dedupeKeys: ['date', 'city'] },
    split: { kind: 'time', column: 'date', evalFrom: '2020-01-01', holdoutFrom: '2021-01-01' },
    evaluation: { regionColumn: 'city' },
  };
}

const randomSplit = { kind: 'random', seed: 1, evalFraction: 0.2, holdoutFraction: 0.2 };

/** The problems validateSpec reports for `raw` (fails the test if it accepts the spec). */
function problemsOf(raw: unknown): string[] {
  try {
    validateSpec(raw, 'mini.json');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const problems = (error as InputError).details.problems as string[];
    expect((error as InputError).message).toContain('mini.json is not a valid dataset spec');
    for (const problem of problems) expect((error as InputError).message).toContain(problem);
    return problems;
  }
  throw new Error('validateSpec accepted an invalid spec');
}

/** Asserts that exactly one problem is reported, starting with the field path `field`. */
function expectOneProblem(raw: unknown, field: string, message?: RegExp): void {
  const problems = problemsOf(raw);
  expect(problems).toHaveLength(1);
  expect(problems[0]!.startsWith(`${field}: `)).toBe(true);
  if (message) expect(problems[0]).toMatch(message);
}

describe('validateSpec', () => {
  it('accepts the small spec and fills in defaults', () => {
    const spec = validateSpec(rawSpec());
    expect(spec.cleaning).toEqual({ dedupeKeys: ['date', 'city'], maxInvalidFraction: 0.05 });
    const date = spec.columns[0]!;
    expect(date.role === 'date' && date.derive).toEqual(['year', 'month']);
    const city = spec.columns[3]!;
    expect(city.role === 'categorical' && [city.smoothing, city.minCount, city.maxCategories]).toEqual([
      10, 1, 50,
    ]);
    const sqft = spec.columns[2]!;
    expect(sqft.role === 'numeric' && [sqft.outliers, sqft.missing]).toEqual(['missing', 'native']);
    expect(targetColumn(spec).name).toBe('price');
    expect(targetColumn(spec).transform).toBe('none');
  });

  it('names the column of an unknown role', () => {
    const raw = rawSpec();
    raw.columns[2].role = 'feature';
    expectOneProblem(raw, 'columns[2] (sqft).role');
  });

  it('names the column of a bad encoding', () => {
    const raw = rawSpec();
    raw.columns[3].encoding = 'hashing';
    expectOneProblem(raw, 'columns[3] (city).encoding');
  });

  it('names a dropped column without a reason, and one with an empty reason', () => {
    const raw = rawSpec();
    delete raw.columns[4].reason;
    expectOneProblem(raw, 'columns[4] (note).reason');
    raw.columns[4].reason = '';
    expectOneProblem(raw, 'columns[4] (note).reason', /say why the column is dropped/);
  });

  it('rejects two targets, and none', () => {
    const two = rawSpec();
    two.columns[2] = { name: 'sqft', role: 'target' };
    expectOneProblem(two, 'columns', /exactly one column with role "target", found 2/);
    const none = rawSpec();
    none.columns[1] = { name: 'price', role: 'numeric' };
    expectOneProblem(none, 'columns', /found 0/);
  });

  it('rejects a spec with a target but no feature', () => {
    const raw = rawSpec();
    raw.columns = [
      { name: 'price', role: 'target' },
      { name: 'id', role: 'identifier' },
    ];
    raw.cleaning = {};
    raw.split = randomSplit;
    delete raw.evaluation;
    expectOneProblem(raw, 'columns', /at least one feature column/);
  });

  it('names a column listed twice', () => {
    const raw = rawSpec();
    raw.columns.push({ name: 'sqft', role: 'numeric' });
    expectOneProblem(raw, 'columns[5] (sqft).name', /listed twice/);
  });

  it('names the bound of a column whose min is above its max', () => {
    const raw = rawSpec();
    raw.columns[2].max = -1;
    expectOneProblem(raw, 'columns[2] (sqft).min');
  });

  it('rejects a time split on a column that is not a date, or not there', () => {
    const numeric = rawSpec();
    numeric.split.column = 'sqft';
    expectOneProblem(numeric, 'split.column', /"sqft" has role "numeric", needs "date"/);
    const absent = rawSpec();
    absent.split.column = 'sold_on';
    expectOneProblem(absent, 'split.column', /no column named "sold_on"/);
  });

  it('rejects evalFrom on or after holdoutFrom', () => {
    const after = rawSpec();
    after.split.evalFrom = '2022-01-01';
    expectOneProblem(after, 'split.evalFrom', /must be before split.holdoutFrom/);
    const same = rawSpec();
    same.split.evalFrom = same.split.holdoutFrom;
    expectOneProblem(same, 'split.evalFrom');
  });

  it('names a split date that is not written YYYY-MM-DD', () => {
    const raw = rawSpec();
    raw.split.holdoutFrom = '1/1/2021';
    expectOneProblem(raw, 'split.holdoutFrom', /YYYY-MM-DD/);
  });

  it('rejects random fractions that leave no training rows', () => {
    for (const [evalFraction, holdoutFraction] of [
      [0.5, 0.5],
      [0.6, 0.5],
      [0.9, 0.2],
    ]) {
      const raw = rawSpec();
      raw.split = { ...randomSplit, evalFraction, holdoutFraction };
      expectOneProblem(raw, 'split.evalFraction', /sum < 1/);
    }
    const ok = rawSpec();
    ok.split = { ...randomSplit, evalFraction: 0.45, holdoutFraction: 0.45 };
    expect(validateSpec(ok).split).toMatchObject({ evalFraction: 0.45, holdoutFraction: 0.45 });
  });

  it('names a fraction outside (0, 1)', () => {
    const raw = rawSpec();
    raw.split = { ...randomSplit, holdoutFraction: 0 };
    expectOneProblem(raw, 'split.holdoutFraction');
  });

  it('names a dedupe key that is not a column', () => {
    const raw = rawSpec();
    raw.cleaning.dedupeKeys = ['date', 'zip'];
    expectOneProblem(raw, 'cleaning.dedupeKeys[1]', /no column named "zip"/);
  });

  it('names a region column that is missing or not categorical', () => {
    const missing = rawSpec();
    missing.evaluation.regionColumn = 'metro';
    expectOneProblem(missing, 'evaluation.regionColumn', /no column named "metro"/);
    const numeric = rawSpec();
    numeric.evaluation.regionColumn = 'sqft';
    expectOneProblem(numeric, 'evaluation.regionColumn', /needs "categorical" or "identifier"/);
  });

  it('names an unknown key at the top level, in a column, and in the split', () => {
    const top = rawSpec();
    top.colour = 'blue';
    expectOneProblem(top, '(root)', /colour/);
    const column = rawSpec();
    column.columns[2].scale = 'log';
    expectOneProblem(column, 'columns[2] (sqft)', /scale/);
    const split = rawSpec();
    split.split.seed = 3;
    expectOneProblem(split, 'split', /seed/);
    const normalize = rawSpec();
    normalize.columns[3].normalize = { case: 'title', lowercase: true };
    expectOneProblem(normalize, 'columns[3] (city).normalize', /lowercase/);
  });

  it('names a bad spec name and a bad text case', () => {
    const name = rawSpec();
    name.name = 'My Spec';
    expectOneProblem(name, 'name');
    const kase = rawSpec();
    kase.columns[3].normalize = { case: 'camel' };
    expectOneProblem(kase, 'columns[3] (city).normalize.case');
  });

  it('reports every problem at once', () => {
    const raw = rawSpec();
    raw.columns.push({ name: 'sqft', role: 'numeric' });
    raw.cleaning.dedupeKeys = ['zip'];
    raw.split.evalFrom = '2030-01-01';
    const problems = problemsOf(raw);
    expect(problems.map((p) => p.slice(0, p.indexOf(': ')))).toEqual(
      expect.arrayContaining(['columns[5] (sqft).name', 'cleaning.dedupeKeys[0]', 'split.evalFrom']),
    );
    expect(problems).toHaveLength(3);
  });

  it('reports schema and cross-field problems in one run', () => {
    const raw = rawSpec();
    raw.columns.push({ name: 'sqft', role: 'numeric', outliers: 'ignore' });
    raw.columns.push({ name: 'age', role: 'derived', expr: 'year(date) - yr_built' });
    raw.cleaning.dedupeKeys = ['zip'];
    const problems = problemsOf(raw);
    expect(problems).toEqual([
      expect.stringMatching(/^columns\[5\] \(sqft\)\.outliers: /),
      'columns[5] (sqft).name: column listed twice',
      'columns[6] (age).expr: unknown column "yr_built" at position 14 of "year(date) - yr_built"',
      'cleaning.dedupeKeys[0]: no column named "zip"',
    ]);
  });

  it('checks derived expressions against the columns: names, kinds, positions', () => {
    const withDerived = (expr: string, extra: Json[] = []) => {
      const raw = rawSpec();
      raw.columns.push(...extra, { name: 'derived', role: 'derived', expr });
      return raw;
    };
    expect(() => validateSpec(withDerived('year(date) - sqft / 2'))).not.toThrow();
    expectOneProblem(
      withDerived('sqft + city'),
      'columns[5] (derived).expr',
      /column "city" has role "categorical" with encoding "target"; expressions read numeric, ordinal and date columns/,
    );
    expectOneProblem(
      withDerived('date * 2'),
      'columns[5] (derived).expr',
      /a date column is used through .* at position 1 of "date \* 2"/,
    );
    expectOneProblem(
      withDerived('log(sqft'),
      'columns[5] (derived).expr',
      /expected "\)", found the end of the expression at position 9/,
    );
    const ordinal = { name: 'grade', role: 'categorical', encoding: 'ordinal', levels: ['Po', 'TA', 'Ex'] };
    expect(() => validateSpec(withDerived('grade * sqft', [ordinal]))).not.toThrow();
    expectOneProblem(
      withDerived('other + 1', [{ name: 'other', role: 'derived', expr: '1' }]),
      'columns[6] (derived).expr',
      /column "other" has role "derived"/,
    );
  });

  it('checks ordinal levels: required, unique, normalised, only on ordinal columns', () => {
    const withColumn = (column: Json) => {
      const raw = rawSpec();
      raw.columns.push(column);
      return raw;
    };
    expectOneProblem(
      withColumn({ name: 'q', role: 'categorical', encoding: 'ordinal' }),
      'columns[5] (q).levels',
      /lists its levels/,
    );
    expectOneProblem(
      withColumn({ name: 'q', role: 'categorical', encoding: 'ordinal', levels: ['Po', 'Ex', 'Po'] }),
      'columns[5] (q).levels[2]',
      /listed twice/,
    );
    expectOneProblem(
      withColumn({
        name: 'q',
        role: 'categorical',
        encoding: 'ordinal',
        levels: ['po', 'EX'],
        normalize: { case: 'upper' },
      }),
      'columns[5] (q).levels[0]',
      /not in normalised form \("PO"\)/,
    );
    expectOneProblem(
      withColumn({ name: 'q', role: 'categorical', encoding: 'onehot', levels: ['a', 'b'] }),
      'columns[5] (q).levels',
      /only an ordinal column/,
    );
  });

  it('accepts sources, assembled and split-only dates, sentinels and missing tokens', () => {
    const raw = rawSpec();
    raw.columns[0] = { name: 'date', role: 'date', feature: false };
    raw.columns.push(
      { name: 'sold', role: 'date', assemble: { year: 'Yr Sold', month: 'Mo Sold' }, derive: ['days'] },
      { name: 'renovated', role: 'numeric', source: 'yr_renovated', sentinels: [0], optional: true },
      { name: 'alley', role: 'categorical', encoding: 'onehot', missingTokens: [''] },
    );
    const spec = validateSpec(raw);
    expect(spec.columns[5]).toMatchObject({
      assemble: { year: 'Yr Sold', month: 'Mo Sold' },
      derive: ['days'],
      feature: true,
      optional: false,
    });
    expect(spec.columns[0]).toMatchObject({ feature: false });
    const onlySplit = rawSpec();
    onlySplit.columns = onlySplit.columns.map((c: Json) =>
      c.role === 'target' || c.role === 'drop' ? c : { ...c, feature: false },
    );
    expect(problemsOf(onlySplit)).toEqual([
      'columns: needs at least one feature column (numeric, categorical, date or derived)',
    ]);
  });

  it('rejects what is not an object', () => {
    expect(() => validateSpec(null)).toThrow(InputError);
    expect(() => validateSpec([])).toThrow(InputError);
  });
});

describe('loadSpec', () => {
  const tmp = useTempDir('spec-test-');

  it('loads the built-in housets spec: every CSV column, one target, a time split', () => {
    const spec = loadSpec('housets');
    expect(spec.name).toBe('housets');
    expect(spec.columns.map((c) => c.name).sort()).toEqual([...HOUSETS_COLUMNS].sort());
    expect(targetColumn(spec)).toMatchObject({ name: 'price', transform: 'log' });
    expect(spec.split).toEqual({
      kind: 'time',
      column: 'date',
      evalFrom: '2020-01-01',
      holdoutFrom: '2022-01-01',
    });
    expect(spec.cleaning.dedupeKeys).toEqual(['date', 'zipcode']);
  });

  it('loads the built-in ames spec: assembled sale date, ordinal scales, derived features', () => {
    const spec = loadSpec('ames');
    expect(spec.split).toEqual({
      kind: 'time',
      column: 'sold',
      evalFrom: '2009-01-01',
      holdoutFrom: '2010-01-01',
    });
    expect(spec.columns.find((c) => c.name === 'sold')).toMatchObject({
      role: 'date',
      assemble: { year: 'Yr Sold', month: 'Mo Sold' },
    });
    expect(spec.columns.filter((c) => c.role === 'derived').map((c) => c.name)).toContain('age_at_sale');
    expect(spec.columns.find((c) => c.name === 'Kitchen Qual')).toMatchObject({
      encoding: 'ordinal',
      levels: ['Po', 'Fa', 'TA', 'Gd', 'Ex'],
    });
  });

  it('loads the built-in california-blocks spec: no date, random split, one-hot', () => {
    const spec = loadSpec('california-blocks');
    expect(spec.columns.some((c) => c.role === 'date')).toBe(false);
    expect(spec.split.kind).toBe('random');
    expect(spec.columns.find((c) => c.name === 'ocean_proximity')).toMatchObject({
      role: 'categorical',
      encoding: 'onehot',
    });
    expect(spec.cleaning).toEqual({ dedupeKeys: [], maxInvalidFraction: 0.05 });
  });

  it('loads a spec file by path, and reports its problems under the file name', () => {
    const good = writeTempFile(tmp(), JSON.stringify(rawSpec()), 'good.json');
    expect(loadSpec(good).name).toBe('mini');
    const raw = rawSpec();
    raw.columns[2].role = 'feature';
    const bad = writeTempFile(tmp(), JSON.stringify(raw), 'bad.json');
    expect(() => loadSpec(bad)).toThrow(
      /bad\.json is not a valid dataset spec:\n {2}- columns\[2\] \(sqft\)\.role/,
    );
  });

  it('rejects a file that is not JSON and a name that is neither a file nor a built-in spec', () => {
    const broken = writeTempFile(tmp(), '{ "name": ', 'broken.json');
    expect(() => loadSpec(broken)).toThrow(/broken\.json: not valid JSON/);
    expect(() => loadSpec('no-such-spec')).toThrow(InputError);
    expect(() => loadSpec('no-such-spec')).toThrow(/neither a file nor a built-in spec/);
    expect(BUILTIN_SPECS_DIR).toBe(path.resolve(__dirname, '..', '..', 'specs'));
  });
});
