import { PermanentJobError } from '../../jobs/attempt-errors';
/**
 * When a batch job fails for rejected rows. The final check is exact: the job fails when the rejected
 * share of all rows passes BATCH_MAX_BAD_ROW_RATIO. The early check, while the input is still being
 * read, fails the job only when the rows read so far show with high confidence that the final share
 * will pass the threshold: the one-sided Wilson score lower bound of the bad share, at
 * EARLY_STOP_CONFIDENCE, must be above the threshold. A file whose bad rows come in a burst (12 % of the
 * first 1,200 rows, 9 % overall) therefore runs to the end and is judged on all its rows.
 *
 * Limitation (documented in the README): the bound treats rows as independent draws, checked after
 * every chunk. A long burst well above the threshold at the start breaks that: 130 bad rows among the
 * first 1,000 stop a job early even when the rest of the file is clean. BATCH_BAD_ROW_MIN_ROWS is the
 * knob for inputs whose bad rows cluster.
 */

/** Confidence of the early stop (one-sided): 99.9 %. */
export const EARLY_STOP_CONFIDENCE = 0.999;

/** The standard normal quantile of EARLY_STOP_CONFIDENCE (Φ⁻¹(0.999)). */
export const EARLY_STOP_Z = 3.090232306167813;

/**
 * The one-sided Wilson score lower bound of a proportion: with `failed` of `read` rows bad, the true
 * bad share is at least this with the confidence of `z` (Wilson 1927; better than the normal
 * approximation for small counts and shares near 0 or 1).
 */
export function wilsonLowerBound(failed: number, read: number, z = EARLY_STOP_Z): number {
  if (read <= 0) return 0;
  const p = failed / read;
  const z2 = z * z;
  const centre = p + z2 / (2 * read);
  const margin = z * Math.sqrt((p * (1 - p)) / read + z2 / (4 * read * read));
  return Math.max(0, (centre - margin) / (1 + z2 / read));
}

/** The early check: enough rows read, and the bad share above `maxRatio` with high confidence. */
export function failsEarly(read: number, failed: number, maxRatio: number, minRows: number): boolean {
  return read >= minRows && wilsonLowerBound(failed, read) > maxRatio;
}

/** The final check, on every row of the input. */
export function failsAtEnd(read: number, failed: number, maxRatio: number): boolean {
  return read > 0 && failed / read > maxRatio;
}

/** Too many rejected rows: the job fails (not retried) with this message. */
export class BadRowsError extends PermanentJobError {
  constructor(
    readonly rowsRead: number,
    readonly rowsFailed: number,
    readonly maxRatio: number,
    readonly early: boolean,
  ) {
    const pct = (100 * rowsFailed) / Math.max(1, rowsRead);
    super(
      `${rowsFailed} of ${rowsRead} rows ${early ? 'read so far ' : ''}were rejected (${pct.toFixed(1)}%), ` +
        `more than BATCH_MAX_BAD_ROW_RATIO ${maxRatio} (${(100 * maxRatio).toFixed(1)}%): see the errors file for each line and reason`,
    );
  }
}
