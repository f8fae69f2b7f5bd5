import { InvalidArtifactKeyError } from './artifact-store';
import { assertKey, assertPrefix, keyProblem } from './keys';

describe('artifact keys', () => {
  it.each([
    'a',
    'models/housets/1/model.onnx',
    'batch/job-1/input.csv',
    'with space/ünï.bin',
    '.hidden/file',
    'a..b/c..',
  ])('accepts %j', (key) => {
    expect(keyProblem(key)).toBeUndefined();
    expect(assertKey(key)).toBe(key);
  });

  it.each([
    ['', 'must not be empty'],
    ['/etc/passwd', 'must be relative'],
    ['C:/x', 'must be relative'],
    ['..', 'must not contain ..'],
    ['../x', 'must not contain ..'],
    ['a/../../x', 'must not contain ..'],
    ['a/..', 'must not contain ..'],
    ['./a', 'must not contain . segments'],
    ['a//b', 'must not contain empty segments'],
    ['a/', 'must not contain empty segments'],
    ['a\\..\\b', 'must use / as separator'],
    ['a\nb', 'must not contain control characters'],
    ['x'.repeat(1025), 'must be at most 1024 characters'],
  ])('rejects %j (%s)', (key, reason) => {
    expect(keyProblem(key)).toBe(reason);
    expect(() => assertKey(key)).toThrow(InvalidArtifactKeyError);
    expect(() => assertKey(key)).toThrow(reason);
  });

  it('allows list prefixes that are empty or end with /', () => {
    expect(assertPrefix('')).toBe('');
    expect(assertPrefix('models/')).toBe('models/');
    expect(assertPrefix('models/hou')).toBe('models/hou');
    expect(() => assertPrefix('../')).toThrow(InvalidArtifactKeyError);
    expect(() => assertPrefix('/models')).toThrow(InvalidArtifactKeyError);
    expect(() => assertPrefix('models//')).toThrow(InvalidArtifactKeyError);
  });
});
