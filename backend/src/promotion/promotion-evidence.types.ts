/** One model's accuracy on one holdout (MAPE in percent, as every metric of the platform). */
export interface HoldoutMetrics {
  mape: number;
  rmse: number;
  mae: number;
  r2: number;
  /** Rows scored (rows the model refused, e.g. a required field missing, are not counted). */
  n: number;
}

/** Both models scored on one model's holdout. */
export interface HoldoutComparison {
  /** Whose holdout the rows are. */
  holdoutOf: 'champion' | 'candidate';
  runId: string;
  /** Holdout rows of the run (before any sampling to PROMOTION_EVIDENCE_MAX_ROWS). */
  rows: number;
  /** Rows scored when the holdout was sampled down to PROMOTION_EVIDENCE_MAX_ROWS (else equal to rows). */
  sampledRows: number;
  candidate: HoldoutMetrics;
  champion: HoldoutMetrics;
}

/** What the cache keeps: the scores, not the verdict (PROMOTION_MARGIN may change). */
export interface CrossScores {
  specName: string;
  onChampionHoldout: HoldoutComparison;
  onCandidateHoldout: HoldoutComparison;
}

export const VERDICTS = ['better', 'within-margin', 'worse', 'no-evidence', 'same-version'] as const;
export type Verdict = (typeof VERDICTS)[number];
