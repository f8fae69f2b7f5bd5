import {
  ACCEPTED_DATE_FORMATS,
  DATE_YEARS,
  datePart,
  datePartValue,
  daysOfDateParts,
  formatDate,
  missingTokenSet,
  ValueStatus,
} from '../clean/values';
import { compileExpr } from '../spec/expr';
import type { SignatureField } from './signature';
import { RowSlots } from './slots';
import type {
  DateEncoder,
  ExprInput,
  FeatureSet,
  FittedEncoder,
  NumericEncoder,
  OrdinalEncoder,
} from './types';
import type { FieldError, FieldWarning, RecordCheck } from './validate';

/** How far past the dates the model was fit on a date may lie before its prediction is flagged. */
export const EXTRAPOLATION_DAYS = 365;

type CheckStep = (row: number, result: RecordCheck) => void;
type TransformStep = (row: number, out: Float32Array, offset: number) => void;
/** A value the transform computes from a parsed row. */
type SlotReader = (row: number) => number;

/** What a model reads from a row: its signature (validation) and its feature set (transform). */
export interface PlanSource {
  signature: readonly SignatureField[];
  features?: FeatureSet;
}

const typeName = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/**
 * The cleaning of a number before any fill: sentinels read as missing, values outside [min, max] clipped
 * or missing by the outliers policy. Shared by the transform (numberReader), the row plan and drift.
 */
export function numberCleaner(rule: {
  min?: number;
  max?: number;
  outliers?: 'missing' | 'clip' | 'drop_row';
  sentinels?: number[];
}): (status: ValueStatus, value: number) => number {
  const { min = -Infinity, max = Infinity, outliers } = rule;
  const sentinels = rule.sentinels && rule.sentinels.length > 0 ? new Set(rule.sentinels) : undefined;
  return (status, value) => {
    let x = status === ValueStatus.Ok || status === ValueStatus.Repaired ? value : NaN;
    if (sentinels?.has(x)) return NaN;
    if (x < min || x > max) x = outliers === 'clip' ? Math.min(max, Math.max(min, x)) : NaN;
    return x;
  };
}

/**
 * A model's validation and feature transform compiled against one table of parsed fields (RowSlots): each
 * field a model reads is parsed once per row, then the checks (checkRecord's semantics) and the encoders
 * (transformInto's) read the parsed values. The one implementation behind checkRecord and transformInto
 * (records by name) and the batch scorer (CSV fields by column position).
 */
export class RowPlan {
  readonly slots = new RowSlots();
  private readonly checks: CheckStep[] = [];
  private readonly steps: TransformStep[] = [];

  /**
   * `parts`: what the plan does (both by default). A plan that only checks or only transforms parses only
   * the fields that part reads.
   */
  constructor(
    readonly source: PlanSource,
    parts: { check: boolean; transform: boolean } = { check: true, transform: true },
  ) {
    if (parts.check) {
      for (const field of source.signature) this.checks.push(this.fieldCheck(field));
      if (source.features)
        for (const encoder of modelDates(source.features)) this.checks.push(this.dateCheck(encoder));
    }
    if (parts.transform && source.features) {
      let position = 0;
      for (const encoder of source.features.encoders) {
        this.steps.push(this.encoderStep(encoder, position));
        position += encoderWidth(encoder);
      }
      if (position !== source.features.names.length) {
        throw new Error(
          `feature set is inconsistent: encoders produce ${position} values, names list ${source.features.names.length}`,
        );
      }
    }
  }

  /** Parses a record (fields by name) into row `row`. */
  loadRecord(record: Readonly<Record<string, unknown>>, row = 0): void {
    const fields = this.slots.fields;
    this.prepareRecordValues();
    for (let k = 0; k < fields.length; k++) this.recordValues[k] = record[fields[k]!];
    this.slots.ensure(row + 1);
    this.slots.load(this.recordValues, this.recordColumns);
    this.slots.parse(row);
  }
  /** Parses a row that gives its raw values by field name (a ScoredRow) into row `row`. */
  loadRow(source: { get(field: string): unknown }, row = 0): void {
    const fields = this.slots.fields;
    this.prepareRecordValues();
    for (let k = 0; k < fields.length; k++) this.recordValues[k] = source.get(fields[k]!);
    this.slots.ensure(row + 1);
    this.slots.load(this.recordValues, this.recordColumns);
    this.slots.parse(row);
  }

  /** The values array of records in field order (sized once the plan is compiled). */
  private prepareRecordValues(): void {
    const fields = this.slots.fields;
    if (this.recordValues.length !== fields.length) {
      this.recordValues = new Array<unknown>(fields.length);
      this.recordColumns = Int32Array.from(fields, (_, k) => k);
    }
  }
  private recordValues: unknown[] = [];
  private recordColumns = new Int32Array(0);

  /** For a CSV header: the column of each field the plan reads (-1 when absent; the last of duplicates, as a record keeps it). */
  columnsOf(header: readonly string[]): Int32Array {
    return Int32Array.from(this.slots.fields, (name) => header.lastIndexOf(name));
  }

  /** Parses CSV fields (addressed through columnsOf) into row `row`; the caller has made room (slots.ensure). */
  loadFields(values: readonly string[], columns: Int32Array, row: number): void {
    this.slots.load(values, columns);
    this.slots.parse(row);
  }

  /** Parses a CSV row's text in place (see RowSlots.loadLine) into row `row`; the caller has made room. */
  loadLine(text: string, commas: Int32Array, count: number, columns: Int32Array, row: number): void {
    this.slots.loadLine(text, commas, count, columns);
    this.slots.parse(row);
  }

  /** checkRecord of the row just loaded, into `result` (emptied first). */
  check(row: number, result: RecordCheck): RecordCheck {
    result.errors.length = 0;
    result.warnings.length = 0;
    for (let i = 0; i < this.checks.length; i++) this.checks[i]!(row, result);
    if (result.errors.length > 0) result.warnings.length = 0;
    return result;
  }

  /** transformInto of a loaded row: the model inputs at `offset` of `out`. */
  transform(row: number, out: Float32Array, offset: number): void {
    for (let i = 0; i < this.steps.length; i++) this.steps[i]!(row, out, offset);
  }

  /** A reader of one encoder's value (a number, a date's days, an ordinal level, a derived value) of a loaded row. */
  valueReader(encoder: ExprInput | Extract<FittedEncoder, { kind: 'derived' }>): (row: number) => number {
    return encoder.kind === 'derived' ? this.derivedReader(encoder) : this.inputReader(encoder);
  }

  // ---- validation ---------------------------------------------------------------------------------

  private fieldCheck(field: SignatureField): CheckStep {
    switch (field.type) {
      case 'number':
        return this.numberCheck(field);
      case 'date':
        return this.dateFieldCheck(field);
      case 'string':
        return this.stringCheck(field);
    }
  }

  /** Errors and warnings of an absent field: required ones are errors, optional ones imputed. */
  private static absent(field: SignatureField, raw: unknown, { errors, warnings }: RecordCheck): void {
    if (field.required) {
      const got =
        typeof raw === 'string' && raw.trim() !== ''
          ? ` (got ${JSON.stringify(raw)}, which means missing)`
          : '';
      errors.push({ field: field.name, message: `is required${got}` });
    } else
      warnings.push({
        field: field.name,
        kind: 'imputed',
        message: 'missing: the model treats it as unknown',
      });
  }

  private numberCheck(field: SignatureField): CheckStep {
    const s = this.slots;
    const name = field.name;
    const slot = s.number(name, field.missingTokens);
    const rawIndex = s.field(name);
    const { missing, numericTokens } = s.numberRule(slot);
    const sentinels = field.sentinels && field.sentinels.length > 0 ? new Set(field.sentinels) : undefined;
    const observed = field.observed;
    const { min = -Infinity, max = Infinity, outliers } = field;
    const [low, high] = observed ? [observed.min as number, observed.max as number] : [-Infinity, Infinity];
    return (row, result) => {
      const at = row * s.numberCount + slot;
      const status = s.status[at]!;
      // Only a missing or an unreadable value needs its raw text; a read number is a number or its text.
      if (status === ValueStatus.Missing) return RowPlan.absent(field, s.raw(rawIndex), result);
      if (status === ValueStatus.Ok && numericTokens) {
        const raw = s.raw(rawIndex);
        if (isAbsent(raw, missing)) return RowPlan.absent(field, raw, result);
      }
      if (status === ValueStatus.Invalid) {
        const raw = s.raw(rawIndex);
        result.errors.push({
          field: name,
          message:
            typeof raw !== 'number' && typeof raw !== 'string'
              ? `must be a number, got ${typeName(raw)}`
              : `must be a number, got ${JSON.stringify(raw)}`,
        });
        return;
      }
      const x = s.value[at]!;
      if (sentinels?.has(x)) {
        // The transform reads a sentinel as missing, as in training: the price is made without it.
        result.warnings.push({
          field: name,
          kind: 'imputed',
          message: `${x} means missing (a sentinel of this column): the model treats it as unknown`,
        });
        return;
      }
      if (x < min || x > max) {
        outlierFound(name, x, x < min ? `at least ${min}` : `at most ${max}`, outliers, result);
        return;
      }
      if (x < low || x > high) {
        result.warnings.push({
          field: name,
          kind: 'out_of_range',
          message: `${x} is outside the training range ${observed!.min} to ${observed!.max}`,
        });
      }
    };
  }

  private dateFieldCheck(field: SignatureField): CheckStep {
    const s = this.slots;
    const name = field.name;
    const slot = s.dateSlot(name, field.missingTokens);
    const rawIndex = s.field(name);
    return (row, result) => {
      const reading = s.date[row * s.dateCount + slot]!;
      const raw = s.raw(rawIndex);
      if (reading.absent) return RowPlan.absent(field, raw, result);
      if (typeof raw !== 'string' || Number.isNaN(reading.days)) {
        result.errors.push({
          field: name,
          message: `must be a date written ${ACCEPTED_DATE_FORMATS}, got ${JSON.stringify(raw)}`,
        });
      }
    };
  }

  private stringCheck(field: SignatureField): CheckStep {
    const s = this.slots;
    const name = field.name;
    const missing = missingTokenSet(field.missingTokens);
    const rawIndex = s.field(name);
    const slot = s.categorySlot(name, field.normalize, field.missingTokens);
    const categories = field.categories && !field.levels ? new Set(field.categories) : undefined;
    const levels = field.levels ? new Set(field.levels) : undefined;
    return (row, result) => {
      const raw = s.raw(rawIndex);
      if (isAbsent(raw, missing)) return RowPlan.absent(field, raw, result);
      if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
        result.errors.push({ field: name, message: `must be a string, got ${typeName(raw)}` });
        return;
      }
      if (!levels && !categories) return;
      const category = s.category[row * s.categoryCount + slot];
      if (category === undefined) return;
      if (levels && !levels.has(category)) {
        result.errors.push({
          field: name,
          message: `must be one of ${field.levels!.join(', ')}, got ${JSON.stringify(raw)}`,
        });
      } else if (categories && !categories.has(category)) {
        result.warnings.push({
          field: name,
          kind: 'unseen_category',
          message: `"${category}" was not seen in training`,
        });
      }
    };
  }

  /** Assembled dates must form a real date; every date far outside the fitted range is flagged. */
  private dateCheck(encoder: DateEncoder): CheckStep {
    const s = this.slots;
    const assemble = encoder.assemble;
    const field = assemble ? assemble.year : (encoder.source ?? encoder.column);
    const fitted = encoder.fitted;
    const flag = (days: number, warnings: FieldWarning[]) => {
      if (!fitted || Number.isNaN(days)) return;
      if (days > fitted.max + EXTRAPOLATION_DAYS || days < fitted.min - EXTRAPOLATION_DAYS) {
        warnings.push({
          field,
          kind: 'extrapolated_date',
          message: `${formatDate(days)} is more than ${EXTRAPOLATION_DAYS} days outside the dates the model was fit on (${formatDate(fitted.min)} to ${formatDate(fitted.max)})`,
        });
      }
    };
    if (!assemble) {
      const slot = s.dateSlot(field, encoder.missingTokens);
      return (row, { warnings }) => flag(s.date[row * s.dateCount + slot]!.days, warnings);
    }
    const parts = [assemble.year, assemble.month, ...(assemble.day !== undefined ? [assemble.day] : [])];
    const read = this.assembledDays(encoder);
    const rawIndexes = parts.map((p) => s.field(p));
    return (row, { errors, warnings }) => {
      const reading = read(row);
      if (reading.absent) return;
      if (Number.isNaN(reading.days)) {
        errors.push({
          field,
          message: `with ${parts.slice(1).join(' and ')} does not form a date from ${DATE_YEARS.min} to ${DATE_YEARS.max} (${rawIndexes.map((k) => JSON.stringify(s.raw(k))).join(', ')})`,
        });
        return;
      }
      flag(reading.days, warnings);
    };
  }

  // ---- transform ----------------------------------------------------------------------------------

  /** readDateParts over the plan's number slots of an assembled date's year, month and day. */
  private assembledDays(encoder: DateEncoder): (row: number) => { days: number; absent: boolean } {
    const s = this.slots;
    const assemble = encoder.assemble!;
    const part = (name: string) => s.number(name, encoder.missingTokens);
    const year = part(assemble.year);
    const month = part(assemble.month);
    const day = assemble.day !== undefined ? part(assemble.day) : -1;
    const valueOf = (slot: number, row: number) => {
      const at = row * s.numberCount + slot;
      return datePartValue(s.status[at] as ValueStatus, s.value[at]!);
    };
    return (row) => daysOfDateParts(valueOf(year, row), valueOf(month, row), day < 0 ? 1 : valueOf(day, row));
  }

  /** A date column's days (dateReader's semantics): NaN when missing or unreadable. */
  private daysReader(encoder: DateEncoder): SlotReader {
    const s = this.slots;
    if (encoder.assemble) {
      const read = this.assembledDays(encoder);
      return (row) => read(row).days;
    }
    const slot = s.dateSlot(encoder.source ?? encoder.column, encoder.missingTokens);
    return (row) => {
      const reading = s.date[row * s.dateCount + slot]!;
      return reading.absent ? NaN : reading.days;
    };
  }

  /** A numeric column's cleaned value (numberReader's semantics). */
  private numberReader(encoder: Omit<NumericEncoder, 'fill'>): SlotReader {
    const s = this.slots;
    const slot = s.number(encoder.source ?? encoder.column, encoder.missingTokens);
    const clean = numberCleaner(encoder);
    return (row) => {
      const at = row * s.numberCount + slot;
      return clean(s.status[at] as ValueStatus, s.value[at]!);
    };
  }

  private categoryReader(encoder: {
    column: string;
    source?: string;
    normalize?: OrdinalEncoder['normalize'];
    missingTokens?: string[];
  }): (row: number) => string | undefined {
    const s = this.slots;
    const slot = s.categorySlot(encoder.source ?? encoder.column, encoder.normalize, encoder.missingTokens);
    return (row) => s.category[row * s.categoryCount + slot];
  }

  private ordinalReader(encoder: OrdinalEncoder): SlotReader {
    const index = new Map(encoder.levels.map((level, i) => [level, i]));
    const read = this.categoryReader(encoder);
    return (row) => {
      const category = read(row);
      return category === undefined ? NaN : (index.get(category) ?? NaN);
    };
  }

  private inputReader(input: ExprInput): SlotReader {
    return input.kind === 'date'
      ? this.daysReader(input)
      : input.kind === 'ordinal'
        ? this.ordinalReader(input)
        : this.numberReader(input);
  }

  private derivedReader(encoder: Extract<FittedEncoder, { kind: 'derived' }>): SlotReader {
    const byColumn = new Map(encoder.inputs.map((input) => [input.column, input]));
    const compiled = compileExpr(encoder.expr, (name) => {
      const input = byColumn.get(name);
      return input ? (input.kind === 'date' ? 'date' : 'number') : undefined;
    });
    const readers = compiled.inputs.map((name) => this.inputReader(byColumn.get(name)!));
    const values = new Float64Array(readers.length);
    return (row) => {
      for (let i = 0; i < readers.length; i++) values[i] = readers[i]!(row);
      return compiled.evaluate(values);
    };
  }

  private encoderStep(encoder: FittedEncoder, position: number): TransformStep {
    switch (encoder.kind) {
      case 'numeric': {
        // numberReader, inlined: this runs for most model inputs of every row.
        const s = this.slots;
        const slot = s.number(encoder.source ?? encoder.column, encoder.missingTokens);
        const clean = numberCleaner(encoder);
        const fill = encoder.fill;
        return (row, out, offset) => {
          const at = row * s.numberCount + slot;
          const value = clean(s.status[at] as ValueStatus, s.value[at]!);
          out[offset + position] = Number.isNaN(value) && fill !== undefined ? fill : value;
        };
      }
      case 'date': {
        const read = this.daysReader(encoder);
        const partsOf = datePartsMemo(encoder.parts);
        return (row, out, offset) => {
          const values = partsOf(read(row));
          for (let i = 0; i < values.length; i++) out[offset + position + i] = values[i]!;
        };
      }
      case 'ordinal':
      case 'derived': {
        const read = encoder.kind === 'ordinal' ? this.ordinalReader(encoder) : this.derivedReader(encoder);
        return (row, out, offset) => {
          out[offset + position] = read(row);
        };
      }
      case 'frequency': {
        const table = new Map(Object.entries(encoder.frequencies));
        const read = this.categoryReader(encoder);
        return (row, out, offset) => {
          const category = read(row);
          // A category never seen in training occurred 0 times there.
          out[offset + position] = category === undefined ? 0 : (table.get(category) ?? 0);
        };
      }
      case 'target': {
        const table = new Map(Object.entries(encoder.means));
        const read = this.categoryReader(encoder);
        const prior = encoder.prior;
        return (row, out, offset) => {
          const category = read(row);
          out[offset + position] = category === undefined ? prior : (table.get(category) ?? prior);
        };
      }
      case 'onehot': {
        const index = new Map(encoder.categories.map((c, i) => [c, i]));
        const width = encoder.categories.length + 1;
        const read = this.categoryReader(encoder);
        return (row, out, offset) => {
          const start = offset + position;
          out.fill(0, start, start + width);
          const category = read(row);
          if (category !== undefined) out[start + (index.get(category) ?? width - 1)] = 1;
        };
      }
    }
  }
}

const isAbsent = (value: unknown, missing: ReadonlySet<string>) =>
  value === undefined ||
  value === null ||
  (typeof value === 'string' && missing.has(value.trim().toLowerCase()));

/** An out-of-bounds number: an error, or a warning when training made it missing or clipped it. */
function outlierFound(
  name: string,
  x: number,
  bound: string,
  outliers: SignatureField['outliers'],
  { errors, warnings }: { errors: FieldError[]; warnings: FieldWarning[] },
): void {
  // Packages without an outliers policy rejected every out-of-bounds value; they still do.
  if (outliers === undefined || outliers === 'drop_row') {
    errors.push({ field: name, message: `must be ${bound}, got ${x}` });
  } else if (outliers === 'missing') {
    warnings.push({
      field: name,
      kind: 'imputed',
      message: `${x} is not ${bound}: treated as missing, as in training`,
    });
  } else {
    warnings.push({
      field: name,
      kind: 'out_of_range',
      message: `${x} is not ${bound}: clipped, as in training`,
    });
  }
}

/** A date's parts, computed once per distinct date (a file holds few); NaN parts for a missing date. */
function datePartsMemo(parts: readonly DateEncoder['parts'][number][]): (days: number) => number[] {
  const cache = new Map<number, number[]>();
  const missing = parts.map(() => NaN);
  return (days) => {
    if (Number.isNaN(days)) return missing;
    let values = cache.get(days);
    if (!values) {
      values = parts.map((part) => datePart(days, part));
      if (cache.size >= 50_000) cache.clear();
      cache.set(days, values);
    }
    return values;
  };
}

/** Dates read by the model (date features and derived features' date inputs), once per column. */
function modelDates(features: FeatureSet): DateEncoder[] {
  const dates = new Map<string, DateEncoder>();
  for (const encoder of features.encoders) {
    if (encoder.kind === 'date') dates.set(encoder.column, encoder);
    if (encoder.kind === 'derived')
      for (const input of encoder.inputs) if (input.kind === 'date') dates.set(input.column, input);
  }
  return [...dates.values()];
}

export function encoderWidth(encoder: FittedEncoder): number {
  if (encoder.kind === 'date') return encoder.parts.length;
  if (encoder.kind === 'onehot') return encoder.categories.length + 1;
  return 1;
}

const NO_FEATURES: FeatureSet = { names: [], encoders: [] };
const checkPlans = new WeakMap<readonly SignatureField[], WeakMap<FeatureSet, RowPlan>>();
const transformPlans = new WeakMap<FeatureSet, RowPlan>();

/*
 * The plans of loaded manifests, compiled once and shared by checkRecord and transformInto: they load,
 * check or transform synchronously, so row 0 is never read across an await. A scorer that keeps rows
 * across awaits compiles its own (new RowPlan).
 */

/** The checking plan of a signature (and the model dates of a feature set). */
export function checkPlan(signature: readonly SignatureField[], features: FeatureSet | undefined): RowPlan {
  let byFeatures = checkPlans.get(signature);
  if (!byFeatures) checkPlans.set(signature, (byFeatures = new WeakMap()));
  const key = features ?? NO_FEATURES;
  let plan = byFeatures.get(key);
  if (!plan) {
    plan = new RowPlan({ signature, features }, { check: true, transform: false });
    byFeatures.set(key, plan);
  }
  return plan;
}

/** The transforming plan of a feature set. */
export function transformPlan(features: FeatureSet): RowPlan {
  let plan = transformPlans.get(features);
  if (!plan) {
    plan = new RowPlan({ signature: [], features }, { check: false, transform: true });
    transformPlans.set(features, plan);
  }
  return plan;
}

/**
 * A row of a plan's slots: what the drift counter reads instead of parsing the row's fields again. The
 * values are those of row `row` as last loaded (a scorer keeps a chunk of rows until they are priced).
 */
export abstract class ParsedRow {
  row = 0;
  constructor(readonly plan: RowPlan) {}
  /** The row's raw value of a field (for what the plan does not parse). */
  abstract get(field: string): unknown;
}
