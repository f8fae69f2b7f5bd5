import { ParsedRow, type RowPlan } from '../features/row-plan';

/**
 * A scored CSV row as scoreCsv's callbacks see it: its raw field text by column name. A reusable view,
 * valid only during the callback (the next row replaces it): copy what must outlive it.
 */
export interface ScoredRow {
  /** The row's raw text of a column (undefined when the input has no such column). */
  get(column: string): string | undefined;
}

/** The view scoreCsv passes: the row's CSV fields by a precomputed column index, and its parsed values. */
export class CsvScoredRow extends ParsedRow implements ScoredRow {
  fields: readonly string[] = [];
  private readonly columns = new Map<string, number>();

  constructor(plan: RowPlan, header: readonly string[]) {
    super(plan);
    // A record built from the row keeps the last of duplicate columns: so does the view.
    header.forEach((name, i) => this.columns.set(name, i));
  }

  get(column: string): string | undefined {
    const index = this.columns.get(column);
    return index === undefined ? undefined : this.fields[index];
  }

  /** The row as a record (column → text), for callers that need one (the explainer). */
  record(): Record<string, string> {
    const record: Record<string, string> = {};
    for (const [name, index] of this.columns) record[name] = this.fields[index]!;
    return record;
  }
}

/** Whether a value is a ScoredRow of scoreCsv rather than a plain record. */
export function isScoredRow(value: unknown): value is ScoredRow {
  return value instanceof CsvScoredRow;
}
