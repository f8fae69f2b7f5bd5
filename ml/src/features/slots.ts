import { detached } from '../clean/detached';
import { missingTokenSet, readCategory, readDate, readNumber, readNumberIn } from '../clean/values';
import type { TextNormalization } from '../spec/schema';

/** A date field's reading: days since 1970-01-01 (readDate; NaN when not a date) and whether it means missing. */
export interface DateReading {
  readonly days: number;
  readonly absent: boolean;
}

const CACHE_LIMIT = 50_000;

/**
 * Memoises a per-distinct-value cleaning function; bounded so a stream of unique values cannot grow it.
 * Keys and string values are stored detached: a raw field is a slice of its CSV chunk, and a cached slice
 * would keep that whole chunk alive for as long as the cache lives.
 */
export function memoize<T>(fn: (raw: unknown) => T): (raw: unknown) => T {
  const cache = new Map<unknown, T>();
  return (raw) => {
    let value = cache.get(raw);
    if (value === undefined && !cache.has(raw)) {
      value = fn(raw);
      if (typeof value === 'string') value = detached(value) as T;
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(typeof raw === 'string' ? detached(raw) : raw, value);
    }
    return value as T;
  };
}

const tokensKey = (tokens: readonly string[] | undefined) => (tokens ? JSON.stringify(tokens) : '');

const numberKey = (name: string, tokens: readonly string[] | undefined) => `n\0${name}\0${tokensKey(tokens)}`;
const categoryKey = (
  name: string,
  rule: TextNormalization | undefined,
  tokens: readonly string[] | undefined,
) => `c\0${name}\0${rule ? JSON.stringify(rule) : ''}\0${tokensKey(tokens)}`;

/** Whether a missing token reads as a finite number: then a number that readNumber accepts may still mean missing. */
const hasNumericToken = (missing: ReadonlySet<string>) =>
  [...missing].some((token) => token !== '' && Number.isFinite(Number(token)));

interface NumberSlot {
  field: number;
  missing: ReadonlySet<string>;
  numericTokens: boolean;
}

/**
 * The parsed values of rows, each raw field read once per reading rule: numbers (readNumber's status and
 * value), categories (readCategory) and dates (readDate and the missing check). The validation and the
 * transform are compiled against slot numbers (RowPlan) and read the same parsed values, whether the row
 * came from a CSV line (fields by column position) or a JSON record (fields by name).
 *
 * Rows are numbered from 0 to `capacity`: a scorer keeps a chunk of parsed rows until their prices are
 * known. Raw values are those of the current row only (what checks and error messages quote).
 */
export class RowSlots {
  /** The raw fields read, by name; slot readings refer to them by index. */
  readonly fields: string[] = [];
  private readonly fieldIndex = new Map<string, number>();
  private readonly keys = new Map<string, number>();
  private readonly numberSlots: NumberSlot[] = [];
  private readonly categorySlots: { field: number; read: (raw: unknown) => string | undefined }[] = [];
  private readonly dateSlots: { field: number; read: (raw: unknown) => DateReading }[] = [];
  private readonly scratch = { value: NaN };

  /** The current row's values and where each raw field is among them (-1: absent); see load. */
  private values: readonly unknown[] = [];
  /** Or the current row as CSV text and its commas (loadLine); undefined when the row is `values`. */
  private text: string | undefined;
  private commas: Int32Array = new Int32Array(0);
  private commaCount = 0;
  private columns: Int32Array = new Int32Array(0);
  /** The columns of each slot's field, for the bound `columns`. */
  private numberColumns = new Int32Array(0);
  private categoryColumns = new Int32Array(0);
  private dateColumns = new Int32Array(0);
  /** readNumber's status and value per row and number slot: [row * numberCount + slot]. */
  status = new Uint8Array(0);
  value = new Float64Array(0);
  /** readCategory's result per row and category slot. */
  category: (string | undefined)[] = [];
  /** The reading per row and date slot. */
  date: DateReading[] = [];
  capacity = 0;

  get numberCount(): number {
    return this.numberSlots.length;
  }
  get categoryCount(): number {
    return this.categorySlots.length;
  }
  get dateCount(): number {
    return this.dateSlots.length;
  }

  /** The index of a raw field (added when new). */
  field(name: string): number {
    let index = this.fieldIndex.get(name);
    if (index === undefined) {
      index = this.fields.length;
      this.fields.push(name);
      this.fieldIndex.set(name, index);
    }
    return index;
  }

  private slot(key: string, add: () => number): number {
    let slot = this.keys.get(key);
    if (slot === undefined) this.keys.set(key, (slot = add()));
    return slot;
  }

  /** A number slot: `name` read by readNumber with these missing tokens. */
  number(name: string, missingTokens: readonly string[] | undefined): number {
    return this.slot(numberKey(name, missingTokens), () => {
      const missing = missingTokenSet(missingTokens as string[] | undefined);
      this.numberSlots.push({ field: this.field(name), missing, numericTokens: hasNumericToken(missing) });
      return this.numberSlots.length - 1;
    });
  }

  /** The number slot of `name` with these missing tokens, -1 when the plan reads no such slot (never adds one). */
  findNumber(name: string, missingTokens: readonly string[] | undefined): number {
    return this.keys.get(numberKey(name, missingTokens)) ?? -1;
  }

  /** The category slot of `name` with this rule and these missing tokens, -1 when none (never adds one). */
  findCategory(
    name: string,
    rule: TextNormalization | undefined,
    missingTokens: readonly string[] | undefined,
  ): number {
    return this.keys.get(categoryKey(name, rule, missingTokens)) ?? -1;
  }

  /** A category slot: `name` read by readCategory with this normalisation and these missing tokens. */
  categorySlot(
    name: string,
    rule: TextNormalization | undefined,
    missingTokens: readonly string[] | undefined,
  ): number {
    return this.slot(categoryKey(name, rule, missingTokens), () => {
      const missing = missingTokenSet(missingTokens as string[] | undefined);
      this.categorySlots.push({
        field: this.field(name),
        read: memoize((raw) => readCategory(raw, rule, missing)),
      });
      return this.categorySlots.length - 1;
    });
  }

  /** A date slot: `name` read by readDate, and whether it is missing by these tokens (readDateField). */
  dateSlot(name: string, missingTokens: readonly string[] | undefined): number {
    return this.slot(`d\0${name}\0${tokensKey(missingTokens)}`, () => {
      const missing = missingTokenSet(missingTokens as string[] | undefined);
      const read = memoize((raw): DateReading => ({
        days: readDate(raw),
        absent:
          raw === null ||
          raw === undefined ||
          (typeof raw === 'string' && missing.has(raw.trim().toLowerCase())),
      }));
      this.dateSlots.push({ field: this.field(name), read });
      return this.dateSlots.length - 1;
    });
  }

  /** Makes room for rows 0 to rows - 1, keeping the rows parsed so far. */
  ensure(rows: number): void {
    if (rows <= this.capacity) return;
    const capacity = Math.max(rows, this.capacity * 2);
    const status = new Uint8Array(capacity * this.numberCount);
    status.set(this.status);
    const value = new Float64Array(capacity * this.numberCount);
    value.set(this.value);
    this.status = status;
    this.value = value;
    this.category.length = capacity * this.categoryCount;
    this.date.length = capacity * this.dateCount;
    this.capacity = capacity;
  }

  /**
   * Makes `values` the current row: raw field k is values[columns[k]] (undefined when columns[k] is -1),
   * e.g. a CSV row's fields by the header's positions, or a record's values in field order.
   */
  load(values: readonly unknown[], columns: Int32Array): void {
    this.bind(columns);
    this.values = values;
    this.text = undefined;
  }

  /**
   * Makes a CSV row's text the current row, its fields read in place: column c runs from after comma
   * c - 1 to comma c (`commas[0 .. count - 1]`, valid until the row is parsed); raw field k is column
   * columns[k].
   */
  loadLine(text: string, commas: Int32Array, count: number, columns: Int32Array): void {
    this.bind(columns);
    this.text = text;
    this.commas = commas;
    this.commaCount = count;
  }

  private bind(columns: Int32Array): void {
    if (columns === this.columns) return;
    this.columns = columns;
    this.numberColumns = Int32Array.from(this.numberSlots, (slot) => columns[slot.field]!);
    this.categoryColumns = Int32Array.from(this.categorySlots, (slot) => columns[slot.field]!);
    this.dateColumns = Int32Array.from(this.dateSlots, (slot) => columns[slot.field]!);
  }

  /** The current row's raw value of field `field` (what checks and error messages look at). */
  raw(field: number): unknown {
    return this.rawColumn(this.columns[field]!);
  }

  /** The current row's raw value in column `column` (undefined for -1 or past the row's end). */
  private rawColumn(column: number): unknown {
    if (column < 0) return undefined;
    if (this.text === undefined) return this.values[column];
    if (column > this.commaCount) return undefined;
    return this.text.slice(
      column === 0 ? 0 : this.commas[column - 1]! + 1,
      column === this.commaCount ? this.text.length : this.commas[column]!,
    );
  }

  /** Reads every slot of the current row (load or loadLine) into row `row`. */
  parse(row: number): void {
    if (this.text !== undefined) return this.parseLine(row, this.text);
    const values = this.values;
    const scratch = this.scratch;
    const numbers = this.numberSlots;
    let columns = this.numberColumns;
    let at = row * numbers.length;
    for (let k = 0; k < numbers.length; k++, at++) {
      const column = columns[k]!;
      this.status[at] = readNumber(column < 0 ? undefined : values[column], scratch, numbers[k]!.missing);
      this.value[at] = scratch.value;
    }
    const categories = this.categorySlots;
    columns = this.categoryColumns;
    at = row * categories.length;
    for (let k = 0; k < categories.length; k++, at++) {
      const column = columns[k]!;
      this.category[at] = categories[k]!.read(column < 0 ? undefined : values[column]);
    }
    const dates = this.dateSlots;
    columns = this.dateColumns;
    at = row * dates.length;
    for (let k = 0; k < dates.length; k++, at++) {
      const column = columns[k]!;
      this.date[at] = dates[k]!.read(column < 0 ? undefined : values[column]);
    }
  }

  /** parse of a CSV row's text: numbers read in place, other fields made into strings. */
  private parseLine(row: number, text: string): void {
    const scratch = this.scratch;
    const numbers = this.numberSlots;
    const commas = this.commas;
    const last = this.commaCount;
    const columns = this.numberColumns;
    let at = row * numbers.length;
    for (let k = 0; k < numbers.length; k++, at++) {
      const column = columns[k]!;
      const missing = numbers[k]!.missing;
      this.status[at] =
        column < 0 || column > last
          ? readNumber(undefined, scratch, missing)
          : readNumberIn(
              text,
              column === 0 ? 0 : commas[column - 1]! + 1,
              column === last ? text.length : commas[column]!,
              scratch,
              missing,
            );
      this.value[at] = scratch.value;
    }
    const categories = this.categorySlots;
    at = row * categories.length;
    for (let k = 0; k < categories.length; k++, at++)
      this.category[at] = categories[k]!.read(this.rawColumn(this.categoryColumns[k]!));
    const dates = this.dateSlots;
    at = row * dates.length;
    for (let k = 0; k < dates.length; k++, at++)
      this.date[at] = dates[k]!.read(this.rawColumn(this.dateColumns[k]!));
  }

  /** A number slot's reading rules: its field, missing tokens and whether one of them is numeric. */
  numberRule(slot: number): Readonly<NumberSlot> {
    return this.numberSlots[slot]!;
  }
}
