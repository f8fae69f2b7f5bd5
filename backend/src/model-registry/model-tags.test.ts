import { ProblemException } from '../common/problem';
import { MAX_TAGS, mergeTags, parseVersionPatch } from './model-tags';

function problemFields(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    expect((error as ProblemException).getStatus()).toBe(400);
    return (error as ProblemException).errors!.map((e) => e.field);
  }
  throw new Error('expected a validation problem');
}

describe('parseVersionPatch', () => {
  it('accepts a description, tags and null to clear or remove', () => {
    expect(parseVersionPatch({ description: 'tuned on 2023', tags: { team: 'pricing', old: null } })).toEqual(
      {
        description: 'tuned on 2023',
        tags: { team: 'pricing', old: null },
      },
    );
    expect(parseVersionPatch({ description: null })).toEqual({ description: null });
    expect(parseVersionPatch({})).toEqual({});
  });

  it('names every bad field', () => {
    expect(
      problemFields(() =>
        parseVersionPatch({
          description: 3,
          stage: 'production',
          tags: { 'bad key': 'x', n: 1, long: 'x'.repeat(1001) },
        }),
      ).sort(),
    ).toEqual(['description', 'stage', 'tags.bad key', 'tags.long', 'tags.n']);
    expect(problemFields(() => parseVersionPatch({ description: 'x'.repeat(5001) }))).toEqual([
      'description',
    ]);
    expect(problemFields(() => parseVersionPatch({ tags: ['a'] }))).toEqual(['tags']);
    expect(problemFields(() => parseVersionPatch('text'))).toEqual(['body']);
  });

  it('refuses more than MAX_TAGS keys in one patch', () => {
    const tags = Object.fromEntries(Array.from({ length: MAX_TAGS + 1 }, (_, i) => [`k${i}`, 'v']));
    expect(problemFields(() => parseVersionPatch({ tags }))).toContain('tags');
  });
});

describe('mergeTags', () => {
  it('sets, replaces and removes keys', () => {
    expect(mergeTags({ a: '1', b: '2' }, { a: '9', b: null, c: '3' })).toEqual({ a: '9', c: '3' });
  });

  it('refuses a result over MAX_TAGS keys', () => {
    const current = Object.fromEntries(Array.from({ length: MAX_TAGS }, (_, i) => [`k${i}`, 'v']));
    expect(problemFields(() => mergeTags(current, { extra: 'v' }))).toEqual(['tags']);
    expect(Object.keys(mergeTags(current, { k0: null, extra: 'v' }))).toHaveLength(MAX_TAGS);
  });
});
