import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { memoize } from '../features/slots';
import { readCategory, missingTokenSet } from './values';
import { detached } from './detached';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap bytes still referenced after keeping one 30-character cut of each of 40 one-megabyte chunks. */
function keptBytes(keep: (cut: string) => unknown): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: unknown[] = [];
  for (let i = 0; i < 40; i++) {
    // Like a decoded CSV chunk: one long string whose fields are cut out of it.
    const chunk = `${i},Austin-Round Rock-Georgetown ${i},`.repeat(25_000);
    kept.push(keep(chunk.slice(chunk.indexOf(',') + 1, chunk.indexOf(',', 3))));
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  expect(kept).toHaveLength(40);
  return grown;
}

describe('detached', () => {
  it('returns the same text, for any string (lone surrogates, short and long)', () => {
    for (const text of [
      '',
      'a',
      'Austin-Round Rock-Georgetown',
      '\ud800 lone surrogate, long enough',
      'é'.repeat(40),
    ])
      expect(detached(text)).toBe(text);
  });

  it('keeps a long cut without its chunk (a plain slice keeps the whole megabyte)', () => {
    const MB = 1e6;
    // Control: V8 slices, so 40 cuts keep 40 chunks alive. If this fails, V8 changed and detached's comment is stale.
    expect(keptBytes((cut) => cut)).toBeGreaterThan(30 * MB);
    expect(keptBytes((cut) => detached(cut))).toBeLessThan(2 * MB);
  });

  it('memoize keeps neither its keys nor its string values as slices of their chunks', () => {
    const missing = missingTokenSet(undefined);
    const read = memoize((raw) => readCategory(raw, undefined, missing));
    // A fresh cut of every chunk: each is a cache miss that stores its key and its (unchanged) value.
    expect(keptBytes((cut) => read(cut))).toBeLessThan(2 * 1e6);
  });
});
