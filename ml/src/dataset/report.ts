import type { DatasetSpec } from '../spec/schema';
import type { CleaningSummary } from './prepare';

const n = (count: number) => count.toLocaleString('en-US');
const plural = (count: number, one: string, many = `${one}s`) => `${n(count)} ${count === 1 ? one : many}`;

const DROP_REASONS: Record<string, string> = {
  duplicate: 'that repeated an earlier row',
  target_missing: 'without a target value',
  target_invalid: 'with an unreadable target value',
  target_outlier: 'with a target outside its bounds',
  malformed_row: 'with the wrong number of fields',
};

/** What each categorical encoding makes of a missing value (the transform's rule, in words). */
const MISSING_CATEGORY: Record<'frequency' | 'target' | 'onehot', string> = {
  frequency: 'encoded as frequency 0, as an unseen category is',
  target: 'encoded as the prior (the train mean), as an unseen category is',
  onehot: 'encoded as no category (every one-hot column 0; an unseen category sets "other" instead)',
};

function dropReason(key: string): string {
  if (DROP_REASONS[key]) return DROP_REASONS[key];
  const [kind, column] = key.split(/:(.*)/s);
  if (kind === 'bad_date') return `with an unreadable or missing date in "${column}"`;
  if (kind === 'outlier_row') return `with "${column}" outside its bounds (outliers: drop_row)`;
  return key;
}

/**
 * What cleaning did, in words, one line per dropped-row reason and per column: values repaired, kept
 * as missing, or filled with the train median (`fills`: column → median used). The per-column
 * counts are the kept rows' (a dropped row's values are not counted), and the report says so.
 */
export function cleaningReport(
  summary: CleaningSummary,
  spec: DatasetSpec,
  fills: Record<string, number> = {},
): string[] {
  const lines: string[] = [];
  for (const [key, count] of Object.entries(summary.dropped))
    lines.push(`dropped ${plural(count, 'row')} ${dropReason(key)}`);
  const columnLines: string[] = [];
  for (const column of spec.columns) {
    const name = column.name;
    const parts: string[] = [];
    const repaired = summary.repaired[name] ?? 0;
    const missing = summary.missing[name] ?? 0;
    const sentinels = summary.sentinels?.[name] ?? 0;
    const invalid = summary.invalid[name] ?? 0;
    const outliers = summary.outliers[name] ?? 0;
    const normalized = summary.normalized[name] ?? 0;
    if (repaired) parts.push(`${plural(repaired, 'value')} repaired (stray characters removed)`);
    if (normalized) parts.push(`${plural(normalized, 'value')} normalised (spelling, case, spaces)`);
    if (missing) parts.push(`${plural(missing, 'value')} missing`);
    if (sentinels) parts.push(`${plural(sentinels, 'sentinel value')} read as missing`);
    if (invalid) parts.push(`${plural(invalid, 'value')} unreadable, read as missing`);
    if (outliers) {
      const clip = column.role === 'numeric' && column.outliers === 'clip';
      parts.push(
        `${plural(outliers, 'value')} outside the bounds ${clip ? 'clipped to them' : 'set missing'}`,
      );
    }
    const unset =
      missing +
      sentinels +
      invalid +
      (column.role === 'numeric' && column.outliers === 'missing' ? outliers : 0);
    if (unset > 0) {
      const fill = fills[name];
      const all = unset === 1 ? 'it is' : `all ${n(unset)} are`;
      if (fill !== undefined) parts.push(`${all} filled with the train median ${fill}`);
      else if (column.role === 'categorical' && column.encoding !== 'ordinal')
        parts.push(`${all} ${MISSING_CATEGORY[column.encoding]}`);
      else parts.push(`${all} left missing for the model (XGBoost's native missing value)`);
    }
    if (parts.length > 0) columnLines.push(`${name}: ${parts.join('; ')}`);
  }
  if (columnLines.length > 0)
    lines.push(`in the ${plural(summary.rowsKept, 'row')} kept:`, ...columnLines.map((l) => `  ${l}`));
  if (summary.ignoredColumns.length > 0)
    lines.push(
      `ignored ${plural(summary.ignoredColumns.length, 'column')} the spec does not list: ${summary.ignoredColumns.join(', ')}`,
    );
  return lines;
}
