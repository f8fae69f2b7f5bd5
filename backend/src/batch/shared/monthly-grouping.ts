import { dateReader, formatDate, missingTokenSet, readCategory, type DatasetSpec } from '@housing/ml';

/** The month of rows whose date is missing (an optional date column): they still get a file. */
export const UNDATED_MONTH = 'undated';

type SpecColumn = DatasetSpec['columns'][number];
type RecordReader = (record: Readonly<Record<string, unknown>>) => string;

/**
 * The month (YYYY-MM) of a record, read by the shared transform's date reader: the column's `source`,
 * an `assemble`d date and its missing tokens are honoured exactly as the model reads them.
 */
export function monthReader(column: Extract<SpecColumn, { role: 'date' }>): RecordReader {
  const read = dateReader({
    kind: 'date',
    column: column.name,
    source: column.source,
    missingTokens: column.missingTokens,
    assemble: column.assemble,
    parts: [],
  });
  return (record: Readonly<Record<string, unknown>>): string => {
    const days = read(record);
    return Number.isNaN(days) ? UNDATED_MONTH : formatDate(days).slice(0, 7);
  };
}

/** The region of a record: the region column's `source`, normalisation and missing tokens applied. */
export function regionReader(spec: DatasetSpec): RecordReader | undefined {
  const name = spec.evaluation.regionColumn;
  if (!name) return undefined;
  const column = spec.columns.find((c) => c.name === name);
  const field = column && 'source' in column && column.source ? column.source : name;
  const rule = column?.role === 'categorical' ? column.normalize : undefined;
  const missing = missingTokenSet(column && 'missingTokens' in column ? column.missingTokens : undefined);
  return (record) => readCategory(record[field], rule, missing) ?? 'unknown';
}
