import type { HoldoutComparison, Verdict } from './promotion-evidence.types';

/** The verdict of a comparison on the champion's holdout, and the relative MAPE change it rests on. */
export interface VerdictOf {
  verdict: Extract<Verdict, 'better' | 'within-margin' | 'worse'>;
  /** (candidate MAPE − champion MAPE) / champion MAPE; null when the champion's MAPE is 0 and the candidate's not. */
  relativeMapeChange: number | null;
}

/**
 * worse: the candidate's MAPE exceeds the champion's by more than `margin` (relative); better: it is
 * lower; within-margin otherwise. A champion with a MAPE of 0 makes any error of the candidate worse.
 */
export function verdictOf(
  onChampionHoldout: Pick<HoldoutComparison, 'candidate' | 'champion'>,
  margin: number,
): VerdictOf {
  const mine = onChampionHoldout.candidate.mape;
  const theirs = onChampionHoldout.champion.mape;
  if (theirs === 0)
    return mine > 0
      ? { verdict: 'worse', relativeMapeChange: null }
      : { verdict: 'within-margin', relativeMapeChange: 0 };
  const change = (mine - theirs) / theirs;
  return {
    verdict: change > margin ? 'worse' : change < 0 ? 'better' : 'within-margin',
    relativeMapeChange: change,
  };
}
