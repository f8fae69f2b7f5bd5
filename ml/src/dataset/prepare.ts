import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { detached } from '../clean/detached';
import { readCsv } from '../csv/reader';
import { InputError } from '../errors';
import {
  readCategory,
  readDateField,
  readDateParts,
  readNumber,
  formatDate,
  missingTokenSet,
  ValueStatus,
} from '../clean/values';
import {
  isInputColumn,
  sourceFields,
  type CategoricalColumn,
  type DatasetSpec,
  type DateColumn,
  type NumericColumn,
  type TargetColumn,
} from '../spec/schema';
import { Dictionary, Growable, float32Column, float64Column, int32Column } from './columns';
import { splitAssigner, HOLDOUT, SPLIT_NAMES, type SplitName } from './split';

export interface CleaningSummary {
  rowsRead: number;
  rowsKept: number;
  /** Rows removed, by reason (e.g. `duplicate`, `bad_date:date`, `target_outlier`). */
  dropped: Record<string, number>;
  /** Per column: values read after removing stray characters such as "$" or ",". */
  repaired: Record<string, number>;
  /** Per column: empty or NA values (the column's missing tokens), kept as missing. */
  missing: Record<string, number>;
  /** Per column: values equal to one of the column's sentinels, read as missing (absent when none). */
  sentinels?: Record<string, number>;
  /** Per column: values that could not be read at all, kept as missing. */
  invalid: Record<string, number>;
  /** Per column: values outside the spec's bounds (set missing or clipped). */
  outliers: Record<string, number>;
  /** Per column: values the text normalisation changed (case, dashes, spaces, renames). */
  normalized: Record<string, number>;
  /** CSV columns the spec does not mention. */
  ignoredColumns: string[];
  splits: Record<SplitName, number>;
  dateRange?: { from: string; to: string };
}

export interface CategoryColumn {
  /** Per row: index into `values`, or -1 when missing. */
  codes: Int32Array;
  values: string[];
}

/** A cleaned dataset held column-wise: typed arrays, no per-row objects. */
export interface PreparedDataset {
  spec: DatasetSpec;
  rows: number;
  /** Source line of each kept row. */
  lines: Int32Array;
  target: Float64Array;
  numeric: Record<string, Float32Array>;
  dates: Record<string, Int32Array>;
  categories: Record<string, CategoryColumn>;
  /** Per row: index into SPLIT_NAMES. */
  split: Uint8Array;
  /**
   * Raw text of fields read by more than one column (a shared source, the parts of an assembled date):
   * the training record replays the raw text so that every reader cleans it exactly as serving does.
   */
  rawText: Record<string, CategoryColumn>;
  /** Raw fields (as in the file, dirt included) of evenly spaced holdout rows: parity fixture candidates. */
  rawSample: { row: number; record: Record<string, string> }[];
  summary: CleaningSummary;
  sha256: string;
  bytes: number;
}

export interface PrepareOptions {
  onProgress?(rowsRead: number, bytes: number): void;
  /** How many holdout rows' raw fields to keep in `rawSample` (about; 0 by default). */
  rawSample?: number;
}

const bump = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

/** Columns the CSV must have: every column the model uses, plus dedupe keys. */
function requiredColumns(spec: DatasetSpec): string[] {
  const target = spec.columns.filter((c) => c.role === 'target').map((c) => c.name);
  const keys = spec.cleaning.dedupeKeys.flatMap((key) => {
    const column = spec.columns.find((c) => c.name === key);
    return column && isInputColumn(column) ? sourceFields(column) : [key];
  });
  return [...new Set([...target, ...inputFields(spec), ...keys])];
}

/** Every input field the spec's columns read (sources, date parts), in spec order. */
export function inputFields(spec: DatasetSpec): string[] {
  return [...new Set(spec.columns.filter(isInputColumn).flatMap(sourceFields))];
}

/** Fields read by more than one column: their raw text is kept for the training record. */
function sharedFields(spec: DatasetSpec): string[] {
  const counts = new Map<string, number>();
  for (const field of spec.columns.filter(isInputColumn).flatMap(sourceFields))
    counts.set(field, (counts.get(field) ?? 0) + 1);
  const assembled = spec.columns.flatMap((c) => (c.role === 'date' && c.assemble ? sourceFields(c) : []));
  return [...new Set([...[...counts].filter(([, n]) => n > 1).map(([f]) => f), ...assembled])];
}

/** Reads, cleans, de-duplicates and splits a CSV according to its spec, in one streaming pass. */
export async function prepareDataset(
  spec: DatasetSpec,
  input: string | Readable,
  options: PrepareOptions = {},
): Promise<PreparedDataset> {
  const summary: CleaningSummary = {
    rowsRead: 0,
    rowsKept: 0,
    dropped: {},
    repaired: {},
    missing: {},
    invalid: {},
    outliers: {},
    normalized: {},
    ignoredColumns: [],
    splits: { train: 0, eval: 0, holdout: 0 },
  };
  const firstBad: Record<string, { line: number; value: string }> = {};
  const noteBad = (key: string, line: number, value: string) => {
    if (!firstBad[key]) firstBad[key] = { line, value: detached(value) };
  };

  const target = spec.columns.find((c): c is TargetColumn => c.role === 'target')!;
  const numericSpecs = spec.columns.filter((c): c is NumericColumn => c.role === 'numeric');
  const categoricalSpecs = spec.columns.filter((c): c is CategoricalColumn => c.role === 'categorical');
  const dateSpecs = spec.columns.filter((c): c is DateColumn => c.role === 'date');
  const field = (name: string) => index[name]!;
  const numericMissing = numericSpecs.map((c) => missingTokenSet(c.missingTokens));
  const numericSentinels = numericSpecs.map((c) => new Set(c.sentinels ?? []));
  const categoryMissing = categoricalSpecs.map((c) => missingTokenSet(c.missingTokens));
  const ordinalLevels = categoricalSpecs.map((c) =>
    c.encoding === 'ordinal' ? new Set(c.levels ?? []) : undefined,
  );
  const dateMissing = dateSpecs.map((c) => missingTokenSet(c.missingTokens));
  const shared = sharedFields(spec);
  const sharedText = shared.map(() => new Dictionary());
  const sharedCodes = shared.map(() => int32Column());
  const used = inputFields(spec);
  const splitOf = splitAssigner(
    spec.split,
    dateSpecs.findIndex((c) => spec.split.kind === 'time' && c.name === spec.split.column),
  );
  const splitValues = new Growable((n) => new Uint8Array(n));
  const sampleSize = options.rawSample ?? 0;
  let sampleStride = 1;
  let holdoutSeen = 0;
  let rawSample: PreparedDataset['rawSample'] = [];
  const keySpecs = spec.cleaning.dedupeKeys;

  let headerLength = 0;
  let index: Record<string, number> = {};

  const lines = int32Column();
  const targetValues = float64Column();
  const numeric = numericSpecs.map(() => float32Column());
  const dates = dateSpecs.map(() => int32Column());
  const dictionaries = categoricalSpecs.map(() => new Dictionary());
  const codes = categoricalSpecs.map(() => int32Column());
  // Cleaning runs once per distinct raw text, not once per row.
  const categoryCache = categoricalSpecs.map(() => new Map<string, number>());
  const dateCaches = dateSpecs.map(() => new Map<string, number>());
  const seenKeys = new Set<string | number>();

  // Per-row scratch, committed only when the row is kept.
  const scratchNumber = { value: NaN };
  const numericScratch = new Float64Array(numericSpecs.length);
  const numericStatus = new Uint8Array(numericSpecs.length);
  const numericOutlier = new Uint8Array(numericSpecs.length);
  const codeScratch = new Int32Array(categoricalSpecs.length);
  const normalizedScratch = new Uint8Array(categoricalSpecs.length);
  const dateScratch = new Int32Array(dateSpecs.length);

  const hash = createHash('sha256');

  // Dedupe keys compare cleaned values, so "Austin" and " austin " are the same key.
  const keyParts = keySpecs.map((name): ((fields: string[]) => string | number) => {
    const c = categoricalSpecs.findIndex((column) => column.name === name);
    if (c >= 0) return () => codeScratch[c]!;
    const d = dateSpecs.findIndex((column) => column.name === name);
    if (d >= 0) return () => dateScratch[d]!;
    const n = numericSpecs.findIndex((column) => column.name === name);
    if (n >= 0) return () => numericScratch[n]!;
    return (fields) => fields[index[name]!]!.trim();
  });

  const onRow = (fields: string[], line: number) => {
    summary.rowsRead++;
    if (fields.length !== headerLength) {
      bump(summary.dropped, 'malformed_row');
      noteBad('malformed_row', line, `${fields.length} fields, header has ${headerLength}`);
      return;
    }
    // Target: rows without a usable target cannot train or be evaluated.
    const rawTarget = fields[index[target.name]!]!;
    const targetStatus = readNumber(rawTarget, scratchNumber);
    const y = scratchNumber.value;
    if (targetStatus === ValueStatus.Missing) return bump(summary.dropped, 'target_missing');
    if (targetStatus === ValueStatus.Invalid) {
      noteBad(`invalid:${target.name}`, line, rawTarget);
      return bump(summary.dropped, 'target_invalid');
    }
    if ((target.min !== undefined && y < target.min) || (target.max !== undefined && y > target.max)) {
      return bump(summary.dropped, 'target_outlier');
    }
    if (target.transform === 'log' && y <= -1) return bump(summary.dropped, 'target_outlier');

    for (let i = 0; i < dateSpecs.length; i++) {
      const column = dateSpecs[i]!;
      let days: number | undefined;
      let raw: string;
      if (column.assemble) {
        const { year, month, day } = column.assemble;
        raw = `${fields[field(year)]}-${fields[field(month)]}${day ? `-${fields[field(day)]}` : ''}`;
        days = readDateParts(
          fields[field(year)],
          fields[field(month)],
          day ? fields[field(day)] : undefined,
          day !== undefined,
          dateMissing[i],
        ).days;
      } else {
        raw = fields[field(column.source ?? column.name)]!;
        days = dateCaches[i]!.get(raw);
        if (days === undefined) {
          days = readDateField(raw, dateMissing[i]).days;
          dateCaches[i]!.set(detached(raw), days);
        }
      }
      if (Number.isNaN(days)) {
        noteBad(`bad_date:${column.name}`, line, raw);
        return bump(summary.dropped, `bad_date:${column.name}`);
      }
      dateScratch[i] = days;
    }

    for (let i = 0; i < numericSpecs.length; i++) {
      const column = numericSpecs[i]!;
      const raw = fields[field(column.source ?? column.name)]!;
      let status: number = readNumber(raw, scratchNumber, numericMissing[i]);
      let value = scratchNumber.value;
      numericOutlier[i] = 0;
      if (status === ValueStatus.Invalid) noteBad(`invalid:${column.name}`, line, raw);
      if (numericSentinels[i]!.has(value)) {
        value = NaN;
        status = SENTINEL;
      }
      if (
        (column.min !== undefined && value < column.min) ||
        (column.max !== undefined && value > column.max)
      ) {
        if (column.outliers === 'drop_row') return bump(summary.dropped, `outlier_row:${column.name}`);
        numericOutlier[i] = 1;
        value =
          column.outliers === 'clip'
            ? Math.min(column.max ?? Infinity, Math.max(column.min ?? -Infinity, value))
            : NaN;
      }
      numericScratch[i] = value;
      numericStatus[i] = status;
    }

    for (let i = 0; i < categoricalSpecs.length; i++) {
      const column = categoricalSpecs[i]!;
      const raw = fields[field(column.source ?? column.name)]!;
      let code = categoryCache[i]!.get(raw);
      if (code === undefined) {
        const category = readCategory(raw, column.normalize, categoryMissing[i]);
        // An ordinal value outside the declared levels is unreadable, not a new category.
        code =
          category === undefined
            ? -1
            : ordinalLevels[i] && !ordinalLevels[i]!.has(category)
              ? INVALID_CODE
              : dictionaries[i]!.code(category);
        categoryCache[i]!.set(detached(raw), code);
      }
      if (code === INVALID_CODE) noteBad(`invalid:${column.name}`, line, raw);
      codeScratch[i] = code;
      normalizedScratch[i] = code >= 0 && dictionaries[i]!.values[code] !== raw ? 1 : 0;
    }

    // Duplicates: equal dedupe keys (cleaned values), or identical lines when the spec names no keys.
    const key = keySpecs.length > 0 ? keyParts.map((part) => part(fields)).join('\u0001') : lineHash(fields);
    if (seenKeys.has(key)) return bump(summary.dropped, 'duplicate');
    seenKeys.add(key);

    const split = splitOf(dateScratch);
    splitValues.push(split);
    if (split === HOLDOUT && sampleSize > 0 && holdoutSeen++ % sampleStride === 0) {
      rawSample.push({
        row: lines.length,
        record: Object.fromEntries(used.map((name) => [name, fields[field(name)]!])),
      });
      // Keeps the sample evenly spaced over a holdout of unknown length: halve it and double the stride.
      if (rawSample.length >= 4 * sampleSize) {
        rawSample = rawSample.filter((_, k) => k % 2 === 0);
        sampleStride *= 2;
      }
    }
    for (let i = 0; i < shared.length; i++)
      sharedCodes[i]!.push(sharedText[i]!.code(fields[field(shared[i]!)]!));
    lines.push(line);
    targetValues.push(y);
    for (let i = 0; i < dateSpecs.length; i++) dates[i]!.push(dateScratch[i]!);
    for (let i = 0; i < numericSpecs.length; i++) {
      numeric[i]!.push(numericScratch[i]!);
      const name = numericSpecs[i]!.name;
      const status = numericStatus[i]!;
      if (status === ValueStatus.Missing) bump(summary.missing, name);
      else if (status === SENTINEL) bump((summary.sentinels ??= {}), name);
      else if (status === ValueStatus.Repaired) bump(summary.repaired, name);
      else if (status === ValueStatus.Invalid) bump(summary.invalid, name);
      if (numericOutlier[i]) bump(summary.outliers, name);
    }
    for (let i = 0; i < categoricalSpecs.length; i++) {
      const code = codeScratch[i]!;
      codes[i]!.push(code === INVALID_CODE ? -1 : code);
      if (code === INVALID_CODE) bump(summary.invalid, categoricalSpecs[i]!.name);
      else if (code < 0) bump(summary.missing, categoricalSpecs[i]!.name);
      if (normalizedScratch[i]) bump(summary.normalized, categoricalSpecs[i]!.name);
    }
  };

  const stats = await readCsv(input, {
    header(columns) {
      headerLength = columns.length;
      index = Object.fromEntries(columns.map((name, i) => [name, i]));
      const missing = requiredColumns(spec).filter((name) => !(name in index));
      if (missing.length > 0) {
        throw new InputError(
          `CSV is missing ${missing.length} required column${missing.length > 1 ? 's' : ''} of spec "${spec.name}": ${missing.join(', ')}`,
          { missingColumns: missing },
        );
      }
      const known = new Set([...spec.columns.map((c) => c.name), ...inputFields(spec)]);
      summary.ignoredColumns = columns.filter((name) => !known.has(name));
    },
    row: onRow,
    bytes: (chunk) => hash.update(chunk),
    chunkDone: (progress) => options.onProgress?.(summary.rowsRead, progress.bytes),
  });

  summary.rowsKept = lines.length;
  checkInvalidFractions(spec, summary, firstBad);

  const dateColumns = Object.fromEntries(dateSpecs.map((c, i) => [c.name, dates[i]!.view()]));
  const split = splitValues.view();
  for (const s of split) summary.splits[SPLIT_NAMES[s]!]++;
  const splitRule = spec.split;
  const firstDate =
    splitRule.kind === 'time' ? dateSpecs.find((c) => c.name === splitRule.column) : dateSpecs[0];
  if (firstDate && lines.length > 0) {
    const days = dateColumns[firstDate.name]!;
    let lo = Infinity;
    let hi = -Infinity;
    for (const d of days) {
      if (d < lo) lo = d;
      if (d > hi) hi = d;
    }
    summary.dateRange = { from: formatDate(lo), to: formatDate(hi) };
  }
  checkSplitsNotEmpty(spec, summary);

  return {
    spec,
    rows: lines.length,
    lines: lines.view(),
    target: targetValues.view(),
    numeric: Object.fromEntries(numericSpecs.map((c, i) => [c.name, numeric[i]!.view()])),
    dates: dateColumns,
    categories: Object.fromEntries(
      categoricalSpecs.map((c, i) => [c.name, { codes: codes[i]!.view(), values: dictionaries[i]!.values }]),
    ),
    split,
    rawText: Object.fromEntries(
      shared.map((name, i) => [name, { codes: sharedCodes[i]!.view(), values: sharedText[i]!.values }]),
    ),
    rawSample,
    summary,
    sha256: hash.digest('hex'),
    bytes: stats.bytes,
  };
}

/** Status of a numeric value equal to a sentinel; code of an ordinal value outside its levels. */
const SENTINEL = 100;
const INVALID_CODE = -2;

/** 53-bit FNV-1a-style hash of a row's fields: exact-duplicate detection without keeping the lines. */
function lineHash(fields: string[]): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const field of fields) {
    for (let i = 0; i < field.length; i++) {
      const c = field.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 16777619);
      h2 = Math.imul(h2 ^ c, 2246822519);
    }
    h1 = Math.imul(h1 ^ 44, 16777619);
    h2 = Math.imul(h2 ^ 44, 2246822519);
  }
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}

const pct = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;

/** Dirt beyond the spec's tolerance is an error that names the column, the count and the first bad line. */
function checkInvalidFractions(
  spec: DatasetSpec,
  summary: CleaningSummary,
  firstBad: Record<string, { line: number; value: string }>,
): void {
  const limit = spec.cleaning.maxInvalidFraction;
  const problems: string[] = [];
  const check = (key: string, count: number, what: string) => {
    if (count > limit * summary.rowsRead) {
      const example = firstBad[key];
      const at = example ? ` (first at line ${example.line}: ${JSON.stringify(example.value)})` : '';
      problems.push(`${what}: ${count} of ${summary.rowsRead} rows (${pct(count, summary.rowsRead)})${at}`);
    }
  };
  check('malformed_row', summary.dropped.malformed_row ?? 0, 'rows with the wrong number of fields');
  const target = spec.columns.find((c) => c.role === 'target')!;
  check(
    `invalid:${target.name}`,
    summary.dropped.target_invalid ?? 0,
    `column "${target.name}" is not a number`,
  );
  for (const column of spec.columns) {
    if (column.role === 'date') {
      check(
        `bad_date:${column.name}`,
        summary.dropped[`bad_date:${column.name}`] ?? 0,
        `column "${column.name}" is not a parsable date`,
      );
    } else if (column.role === 'numeric') {
      check(
        `invalid:${column.name}`,
        summary.invalid[column.name] ?? 0,
        `column "${column.name}" is not a number`,
      );
    } else if (column.role === 'categorical' && column.encoding === 'ordinal') {
      check(
        `invalid:${column.name}`,
        summary.invalid[column.name] ?? 0,
        `column "${column.name}" has values outside its levels`,
      );
    }
  }
  if (summary.rowsRead === 0) problems.push('the CSV has a header but no data rows');
  else if (summary.rowsKept === 0)
    problems.push(`no row survived cleaning (dropped: ${JSON.stringify(summary.dropped)})`);
  if (problems.length > 0) {
    throw new InputError(
      `dataset does not fit spec "${spec.name}" (more than ${limit * 100}% bad values allowed per column):\n  - ${problems.join('\n  - ')}`,
      { problems },
    );
  }
}

function checkSplitsNotEmpty(spec: DatasetSpec, summary: CleaningSummary): void {
  const empty = SPLIT_NAMES.filter((name) => summary.splits[name] === 0);
  if (empty.length === 0) return;
  const rule =
    spec.split.kind === 'time'
      ? `train before ${spec.split.evalFrom}, eval before ${spec.split.holdoutFrom}, holdout from then on, on column "${spec.split.column}"`
      : `random fractions eval ${spec.split.evalFraction}, holdout ${spec.split.holdoutFraction}`;
  const range = summary.dateRange
    ? `; dates in the file run ${summary.dateRange.from} to ${summary.dateRange.to}`
    : '';
  throw new InputError(
    `split ${empty.map((n) => `"${n}"`).join(', ')} ${empty.length > 1 ? 'are' : 'is'} empty after cleaning ` +
      `(${summary.rowsKept} rows kept; rule: ${rule}${range})`,
    { emptySplits: empty, splits: summary.splits },
  );
}
