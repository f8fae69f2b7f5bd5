import { failsAtEnd, failsEarly, wilsonLowerBound } from './bad-rows';

/** Seeded PRNG (mulberry32) for simulated files. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Reads a simulated file of `rows` rows, each bad with probability `share`, checking every `every` rows
 * (a worker checks once per read chunk, a few hundred rows); returns the row of the early stop.
 */
function earlyStopRow(
  seed: number,
  rows: number,
  share: number,
  every = 25,
  maxRatio = 0.1,
  minRows = 1000,
): number | undefined {
  const next = random(seed);
  let failed = 0;
  for (let read = 1; read <= rows; read++) {
    if (next() < share) failed++;
    if (read % every === 0 && failsEarly(read, failed, maxRatio, minRows)) return read;
  }
  return undefined;
}

describe('the bad-row rule', () => {
  it('computes the Wilson score lower bound (checked against published values)', () => {
    // 10 of 100 at z = 1.96: 0.0552 (Newcombe 1998, Table I style check).
    expect(wilsonLowerBound(10, 100, 1.959964)).toBeCloseTo(0.05523, 4);
    expect(wilsonLowerBound(0, 50)).toBe(0);
    expect(wilsonLowerBound(50, 50)).toBeLessThan(1);
    expect(wilsonLowerBound(0, 0)).toBe(0);
  });

  it('does not stop the reported job early: 147 bad of the first 1,191 rows (12.3 %) is not evidence of more than 10 %', () => {
    expect(failsEarly(1191, 147, 0.1, 1000)).toBe(false);
    // The old rule (the share so far above the threshold) stopped it.
    expect(147 / 1191).toBeGreaterThan(0.1);
  });

  it('never stops a 200,000-row file with 9.06 % bad rows early (threshold 10 %; 20 files, checked every 25 rows)', () => {
    const stops = [];
    for (let seed = 1; seed <= 20; seed++) {
      const row = earlyStopRow(seed, 200_000, 0.0906);
      if (row !== undefined) stops.push({ seed, row });
    }
    expect(stops).toEqual([]);
  });

  it('stops a file with 30 % bad rows early, as soon as BATCH_BAD_ROW_MIN_ROWS rows were read', () => {
    for (let seed = 1; seed <= 20; seed++) expect(earlyStopRow(seed, 200_000, 0.3)).toBe(1000);
    // Below the minimum, no early stop whatever the share.
    expect(failsEarly(999, 999, 0.1, 1000)).toBe(false);
  });

  it('stops a file with 15 % bad rows early once the evidence is there, well before its end', () => {
    const row = earlyStopRow(7, 200_000, 0.15);
    expect(row).toBeDefined();
    expect(row!).toBeLessThan(20_000);
  });

  it('keeps the final check exact', () => {
    expect(failsAtEnd(1000, 101, 0.1)).toBe(true);
    expect(failsAtEnd(1000, 100, 0.1)).toBe(false);
    expect(failsAtEnd(0, 0, 0.1)).toBe(false);
  });
});
