import { readDate } from '../clean/values';
import type { SplitRule } from '../spec/schema';

export const SPLIT_NAMES = ['train', 'eval', 'holdout'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];
export const TRAIN = 0;
export const EVAL = 1;
export const HOLDOUT = 2;

/** Seeded 32-bit PRNG (mulberry32): the same seed gives the same split on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Assigns every row to train, eval or holdout by the spec's rule. */
export function assignSplits(rule: SplitRule, rows: number, dates: Record<string, Int32Array>): Uint8Array {
  const split = new Uint8Array(rows);
  if (rule.kind === 'time') {
    const days = dates[rule.column]!;
    const evalFrom = readDate(rule.evalFrom);
    const holdoutFrom = readDate(rule.holdoutFrom);
    for (let i = 0; i < rows; i++)
      split[i] = days[i]! >= holdoutFrom ? HOLDOUT : days[i]! >= evalFrom ? EVAL : TRAIN;
  } else {
    const random = mulberry32(rule.seed);
    for (let i = 0; i < rows; i++) {
      const r = random();
      split[i] =
        r < rule.holdoutFraction ? HOLDOUT : r < rule.holdoutFraction + rule.evalFraction ? EVAL : TRAIN;
    }
  }
  return split;
}

/**
 * The split of each kept row, in order, as the rows are read: the same assignment as assignSplits
 * (the random rule draws once per kept row, in order). `dateIndex` is the split column's slot in the
 * per-row dates passed in.
 */
export function splitAssigner(rule: SplitRule, dateIndex: number): (dates: ArrayLike<number>) => number {
  if (rule.kind === 'time') {
    const evalFrom = readDate(rule.evalFrom);
    const holdoutFrom = readDate(rule.holdoutFrom);
    return (dates) => {
      const day = dates[dateIndex]!;
      return day >= holdoutFrom ? HOLDOUT : day >= evalFrom ? EVAL : TRAIN;
    };
  }
  const random = mulberry32(rule.seed);
  return () => {
    const r = random();
    return r < rule.holdoutFraction ? HOLDOUT : r < rule.holdoutFraction + rule.evalFraction ? EVAL : TRAIN;
  };
}
