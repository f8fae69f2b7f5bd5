import { ModelReferenceError, formatModelReference, parseModelReference } from './model-reference';

describe('parseModelReference', () => {
  it('reads name@alias, name/version and a bare name as its champion', () => {
    expect(parseModelReference('housets-xgboost@champion')).toEqual({
      name: 'housets-xgboost',
      alias: 'champion',
    });
    expect(parseModelReference('housets-xgboost@eu_2026-b')).toEqual({
      name: 'housets-xgboost',
      alias: 'eu_2026-b',
    });
    expect(parseModelReference('housets-xgboost/3')).toEqual({ name: 'housets-xgboost', version: 3 });
    expect(parseModelReference('housets.v2')).toEqual({ name: 'housets.v2', alias: 'champion' });
  });

  it.each([
    ['', 'empty'],
    ['@champion', 'no name'],
    ['m@', 'no alias'],
    ['m@Champion', 'upper-case alias'],
    ['m@1abc', 'alias starting with a digit'],
    [`m@a${'b'.repeat(64)}`, 'alias of 65 characters'],
    ['m/0', 'version 0'],
    ['m/-1', 'negative version'],
    ['m/1.5', 'fractional version'],
    ['m/4e16', 'exponent'],
    ['m/2147483648', 'version beyond 32 bits'],
    ['m/', 'no version'],
    ['m@a/1', 'both separators'],
    ['a/b/1', 'two slashes'],
    ['m\u0000@champion', 'control character'],
    ['-m', 'name starting with a dash'],
    ['x'.repeat(300), 'too long'],
  ])('refuses %j (%s)', (text) => {
    expect(() => parseModelReference(text)).toThrow(ModelReferenceError);
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 3, {}, ['m']])
      expect(() => parseModelReference(value)).toThrow(ModelReferenceError);
  });

  it('formats a reference back to the text it was parsed from', () => {
    for (const text of ['m@challenger', 'm/12'])
      expect(formatModelReference(parseModelReference(text))).toBe(text);
  });
});
