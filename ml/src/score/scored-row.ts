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
  /** The row as fields, or (when undefined) as text with its commas at commas[commaAt ..]. */
  private fields: readonly string[] | undefined;
  private text = '';
  private commas: Int32Array = new Int32Array(0);
  private commaAt = 0;
  private commaCount = 0;
  private readonly columns = new Map<string, number>();

  constructor(plan: RowPlan, header: readonly string[]) {
    super(plan);
    // A record built from the row keeps the last of duplicate columns: so does the view.
    header.forEach((name, i) => this.columns.set(name, i));
  }

  /** Shows row `row` of the plan, given as fields. */
  showFields(row: number, fields: readonly string[]): void {
    this.row = row;
    this.fields = fields;
  }

  /** Shows row `row` of the plan, given as text whose commas are commas[at .. at + count - 1]. */
  showLine(row: number, text: string, commas: Int32Array, at: number, count: number): void {
    this.row = row;
    this.fields = undefined;
    this.text = text;
    this.commas = commas;
    this.commaAt = at;
    this.commaCount = count;
  }

  /** The text of column `index` (undefined past the row's end). */
  field(index: number): string | undefined {
    if (this.fields) return this.fields[index];
    if (index > this.commaCount) return undefined;
    const start = index === 0 ? 0 : this.commas[this.commaAt + index - 1]! + 1;
    const end = index === this.commaCount ? this.text.length : this.commas[this.commaAt + index]!;
    return this.text.slice(start, end);
  }

  get(column: string): string | undefined {
    const index = this.columns.get(column);
    return index === undefined ? undefined : this.field(index);
  }

  /** The row as a record (column → text), for callers that need one (the explainer). */
  record(): Record<string, string> {
    const record: Record<string, string> = {};
    for (const [name, index] of this.columns) record[name] = this.field(index)!;
    return record;
  }
}

/** Whether a value is a ScoredRow of scoreCsv rather than a plain record. */
export function isScoredRow(value: unknown): value is ScoredRow {
  return value instanceof CsvScoredRow;
}
