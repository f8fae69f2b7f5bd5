import { formatDate } from '../clean/values';
import { RowPlan } from '../features/row-plan';
import { memoize } from '../features/slots';
import type { RawRecord } from '../features/transform';
import type { DatasetSpec } from '../spec/schema';
import { isScoredRow, type ScoredRow } from './scored-row';

/** The month of rows whose date is missing (an optional date column): they still get a file. */
export const UNDATED_MONTH = 'undated';

/** A row to label: a scored CSV row (scoreCsv's ScoredRow) or a plain record. */
export type LabelledRow = ScoredRow | RawRecord;

type SpecColumn = DatasetSpec['columns'][number];
type RowReader = (row: LabelledRow) => string;

/**
 * The month (YYYY-MM) of a row, read by the shared transform's date reading (the row plan): the column's
 * `source`, an `assemble`d date and its missing tokens are honoured exactly as the model reads them.
 */
export function monthReader(column: Extract<SpecColumn, { role: 'date' }>): RowReader {
  const plan = new RowPlan({ signature: [] }, { check: false, transform: false });
  const days = plan.valueReader({
    kind: 'date',
    column: column.name,
    source: column.source,
    missingTokens: column.missingTokens,
    assemble: column.assemble,
    parts: [],
  });
  // A file holds few distinct months: each is formatted once.
  const monthOf = memoize((d) => (Number.isNaN(d) ? UNDATED_MONTH : formatDate(d as number).slice(0, 7)));
  return (row) => {
    if (isScoredRow(row)) plan.loadRow(row);
    else plan.loadRecord(row);
    return monthOf(days(0));
  };
}

/** The region of a row: the region column's `source`, normalisation and missing tokens applied. */
export function regionReader(spec: DatasetSpec): RowReader | undefined {
  const name = spec.evaluation.regionColumn;
  if (!name) return undefined;
  const column = spec.columns.find((c) => c.name === name);
  const field = column && 'source' in column && column.source ? column.source : name;
  const rule = column?.role === 'categorical' ? column.normalize : undefined;
  const missingTokens = column && 'missingTokens' in column ? column.missingTokens : undefined;
  const plan = new RowPlan({ signature: [] }, { check: false, transform: false });
  const slot = plan.slots.categorySlot(field, rule, missingTokens);
  return (row) => {
    if (isScoredRow(row)) plan.loadRow(row);
    else plan.loadRecord(row);
    return plan.slots.category[slot] ?? 'unknown';
  };
}
