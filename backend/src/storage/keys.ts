import { InvalidArtifactKeyError, type ByteRange } from './artifact-store';

const MAX_KEY_LENGTH = 1024;

/** Why `key` is not a valid artifact key (a relative, normalised, `/`-separated path), or undefined when it is. */
export function keyProblem(key: unknown, { allowPrefix = false } = {}): string | undefined {
  if (typeof key !== 'string') return 'must be a string';
  if (key === '') return allowPrefix ? undefined : 'must not be empty';
  if (key.length > MAX_KEY_LENGTH) return `must be at most ${MAX_KEY_LENGTH} characters`;
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) return 'must be relative';
  if (key.includes('\\')) return 'must use / as separator';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'must not contain control characters';
  // A prefix may end with '/', which leaves an empty last segment.
  const segments = allowPrefix && key.endsWith('/') ? key.slice(0, -1).split('/') : key.split('/');
  for (const s of segments) {
    if (s === '..') return 'must not contain ..';
    if (s === '.') return 'must not contain . segments';
    if (s === '') return 'must not contain empty segments';
  }
  return undefined;
}

/** Throws InvalidArtifactKeyError unless `key` is a valid key. */
export function assertKey(key: string): string {
  const problem = keyProblem(key);
  if (problem) throw new InvalidArtifactKeyError(String(key), problem);
  return key;
}

/** Like assertKey for list() prefixes: '' (everything) and a trailing '/' are allowed. */
export function assertPrefix(prefix: string): string {
  const problem = keyProblem(prefix, { allowPrefix: true });
  if (problem) throw new InvalidArtifactKeyError(String(prefix), problem);
  return prefix;
}

/** The key for an untrusted string (e.g. the tail of a URI), or undefined when it is not a valid key. */
export function validKeyOrUndefined(key: string): string | undefined {
  return keyProblem(key) === undefined ? key : undefined;
}

/** Throws RangeError unless `range` is a range of byte offsets (integers, 0 <= start <= end). */
export function assertByteRange(range: ByteRange): ByteRange {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0)
    throw new RangeError(`range start must be a non-negative integer, got ${start}`);
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start))
    throw new RangeError(`range end must be an integer at or after start (${start}), got ${end}`);
  return range;
}
