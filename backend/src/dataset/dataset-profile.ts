/**
 * A dataset's column profile, computed in one streaming pass with memory bounded by the number of
 * columns (not rows): per column the missing count, and min/max when every present value is a number,
 * else the most frequent non-numeric values among the first MAX_TRACKED distinct ones.
 */
export interface ColumnProfile {
  name: string;
  /** Empty (or whitespace-only) fields, and fields missing from short rows. */
  missing: number;
  kind: 'numeric' | 'categorical' | 'empty';
  min?: number;
  max?: number;
  /** Categorical columns: distinct non-numeric values, or null when there are more than MAX_TRACKED. */
  distinct?: number | null;
  /** Categorical columns: up to TOP_N most frequent non-numeric values. */
  top?: Array<{ value: string; count: number }>;
}

export const MAX_TRACKED = 1000;
export const TOP_N = 10;
const MAX_VALUE_CHARS = 200;

class ColumnState {
  missing = 0;
  numeric = 0;
  nonNumeric = 0;
  min = Infinity;
  max = -Infinity;
  readonly counts = new Map<string, number>();
  overflow = false;

  constructor(readonly name: string) {}

  add(raw: string | undefined): void {
    let value = raw ?? '';
    // trim() only when needed: this runs once per field (tens of millions of times on a large file).
    if (value.length > 0 && (value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32))
      value = value.trim();
    if (value === '') {
      this.missing++;
      return;
    }
    const n = Number(value);
    if (Number.isFinite(n)) {
      this.numeric++;
      if (n < this.min) this.min = n;
      if (n > this.max) this.max = n;
      return;
    }
    // Only values that are not numbers are counted: numeric columns need no frequency table.
    this.nonNumeric++;
    const key = value.length > MAX_VALUE_CHARS ? value.slice(0, MAX_VALUE_CHARS) : value;
    const seen = this.counts.get(key);
    if (seen !== undefined) this.counts.set(key, seen + 1);
    else if (this.counts.size < MAX_TRACKED) this.counts.set(key, 1);
    else this.overflow = true;
  }

  result(): ColumnProfile {
    const base = { name: this.name, missing: this.missing };
    if (this.numeric + this.nonNumeric === 0) return { ...base, kind: 'empty' };
    if (this.nonNumeric === 0) return { ...base, kind: 'numeric', min: this.min, max: this.max };
    const distinct = this.overflow ? null : this.counts.size;
    const top = [...this.counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP_N)
      .map(([value, count]) => ({ value, count }));
    return { ...base, kind: 'categorical', distinct, top };
  }
}

/** Feed it the header, then every row; `profile()` at the end. */
export class DatasetProfiler {
  private columns: ColumnState[] = [];
  rows = 0;

  header(names: string[]): void {
    this.columns = names.map((n) => new ColumnState(n));
  }

  row(fields: string[]): void {
    this.rows++;
    for (let i = 0; i < this.columns.length; i++) this.columns[i]!.add(fields[i]);
  }

  get columnNames(): string[] {
    return this.columns.map((c) => c.name);
  }

  profile(): ColumnProfile[] {
    return this.columns.map((c) => c.result());
  }
}
