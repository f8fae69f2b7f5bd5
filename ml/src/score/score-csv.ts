import type { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import { csvLine as rawCsvLine, readCsv } from '../csv/reader';
import {
  isSpreadsheetSafeRow,
  spreadsheetSafeField as csvField,
  spreadsheetSafeLine as csvLine,
} from './spreadsheet-safe';
import { readNumber, readNumberIn, ValueStatus } from '../clean/values';
import { RowPlan } from '../features/row-plan';
import { formatWarnings, type FieldWarning, type RecordCheck, type WarningKind } from '../features/validate';
import { CsvScoredRow, type ScoredRow } from './scored-row';
import type { ModelManifest } from '../package/manifest';
import { InputError } from '../errors';
import { priceInterval } from '../intervals/price-interval';
import { cents } from './cents';
import type { Explanation } from '../explain/explainer';
import { formatTopContributions } from '../explain/summary';

export interface ScoreOptions {
  /** Rows transformed and predicted together. */
  chunkRows?: number;
  /** Called after each chunk with the counts so far; may be async (e.g. to report progress or check cancellation). */
  onChunk?(progress: ScoreProgress): Promise<void> | void;
  /** Keep actual and predicted prices of every scored row (for `evaluate`; memory grows with the file). */
  collectActuals?: boolean;
  /** Longest input record in bytes (the reader's default when unset); longer rows are rejected into the errors file. */
  maxLineBytes?: number;
  /**
   * Adds an `explanation` column after the interval: each row's top `top` input columns by exact TreeSHAP
   * contribution, in price terms (formatTopContributions).
   */
  explain?: { top: number; explainer: { explain(record: Readonly<Record<string, unknown>>): Explanation } };
  /**
   * Sees every scored row with its prediction and actual (NaN when absent), e.g. to aggregate by month.
   * `row` is a reusable view, valid only during the call.
   */
  onScored?(row: ScoredRow, predicted: number, actual: number, warnings: readonly FieldWarning[]): void;
  /** The result file's header line (without its line break), once, before any row; whether or not `output` is set or writeHeaders is false. */
  onResultHeader?(headerLine: string): void;
  /**
   * Every scored row's result line exactly as written to `output` (without its line break), e.g. to
   * route the same lines into other files. Called before onScored for the row; `row` is valid only during the call.
   */
  onResultLine?(line: string, row: ScoredRow): void;
  /**
   * The input line number of the first data row (default 2: after the header line). A shard of a file
   * (the header line, then a range of the original's lines) sets it so that the errors file names the
   * original line numbers.
   */
  firstLine?: number;
  /** Whether the header lines go to `output` and `errors` (default true; false for shards after the first). */
  writeHeaders?: boolean;
}

/**
 * What scoreCsv predicts with: anything that turns contiguous feature rows into prices, such as an
 * OnnxModel or a serving wrapper around one (the backend's LoadedModel).
 */
export interface FeaturePredictor {
  predict(features: Float32Array, rows: number): Promise<Float64Array>;
}

export interface ScoreProgress {
  rowsRead: number;
  rowsScored: number;
  rowsFailed: number;
  bytesRead: number;
  /** Scored rows' warnings by kind (a row may count under several kinds). */
  warnings: Partial<Record<WarningKind, number>>;
}

export interface ScoreResult extends ScoreProgress {
  /** Present when the input has the target column: actual vs predicted for the scored rows. */
  actuals?: { actual: Float64Array; predicted: Float64Array };
}

/** Longest `row` cell of the errors file, in characters: enough to recognise a row, bounded for a huge one. */
export const ERROR_ROW_CHARS = 1000;

/**
 * A rejected row as the errors file's `row` cell: its CSV text cut at ERROR_ROW_CHARS (never inside a
 * surrogate pair), quoted as one field and neutralised against formulas like every other cell.
 * `partial`: the text is only the start of the row (a row over the line limit), so it ends with "…".
 */
export function errorRowCell(text: string, partial = false): string {
  let end = Math.min(text.length, ERROR_ROW_CHARS);
  const high = text.charCodeAt(end - 1);
  if (end < text.length && high >= 0xd800 && high <= 0xdbff) end--;
  const rest = text.length - end;
  // Only a whole row knows how much was cut; the start of a too-long row just says it goes on.
  const cut = partial
    ? `${text.slice(0, end)}…`
    : rest > 0
      ? `${text.slice(0, end)}… (${rest} more characters)`
      : text;
  return csvField(cut);
}

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * Scores a CSV with a model package, streaming: each row is validated against the signature, passed
 * through the shared transform and predicted in chunks. Good rows go to `output` (the input columns,
 * `predicted_price`, and `actual_price` when the target is present); bad rows go to `errors` with
 * their line number, reason and the row itself (as CSV, cut at ERROR_ROW_CHARS). Memory is bounded by one chunk whatever the input size. Every cell
 * written is neutralised against spreadsheet formula injection (spreadsheetSafeField); a row whose
 * cells need neither neutralising nor quoting (most rows) is written with its own text, the same bytes.
 * The errors stream gets every rejected row of a read chunk before `onChunk` sees the chunk's counts, so
 * a caller that stops there (too many bad rows) keeps the header and every rejection so far.
 *
 * Each row is parsed once by the scorer's own row plan (validation and transform read the same parsed
 * fields); rows without quotes are read in place from their text, without a record object.
 */
export async function scoreCsv(
  manifest: ModelManifest,
  model: FeaturePredictor,
  input: string | Readable,
  output: Writable | null,
  errors: Writable | null,
  options: ScoreOptions = {},
): Promise<ScoreResult> {
  const chunkRows = options.chunkRows ?? 4096;
  const explain = options.explain && options.explain.top > 0 ? options.explain : undefined;
  const writeHeaders = options.writeHeaders ?? true;
  const lineShift = (options.firstLine ?? 2) - 2;
  const writesLines = output !== null || options.onResultLine !== undefined;
  const width = manifest.features.names.length;
  // This scorer's own plan: its parsed rows live until the chunk is priced, across awaits.
  const plan = new RowPlan(manifest);
  const check: RecordCheck = { errors: [], warnings: [] };
  let features = new Float32Array(chunkRows * width);
  let capacity = chunkRows;
  plan.slots.ensure(capacity);
  /**
   * The chunk's rows waiting for their prices: the row (fields of a quoted row, else its text and its
   * commas at pendingCommas[row * commaStride ..]), result line start, actual price, warnings.
   */
  let pending = 0;
  const pendingFields: (string[] | undefined)[] = [];
  const pendingLine: string[] = [];
  let commaStride = 0;
  let pendingCommas = new Int32Array(0);
  const pendingText: string[] = [];
  /** 1 when the row's text is its result line start: every field of it is written as it is. */
  let pendingSafe = new Uint8Array(capacity);
  let pendingActual = new Float64Array(capacity);
  const pendingWarnings: (readonly FieldWarning[])[] = [];
  const actualAll: number[] = [];
  const predictedAll: number[] = [];
  const progress: ScoreProgress = { rowsRead: 0, rowsScored: 0, rowsFailed: 0, bytesRead: 0, warnings: {} };
  let header: string[] = [];
  let columns: Int32Array = new Int32Array(0);
  let view: CsvScoredRow | undefined;
  let targetIndex = -1;
  let errorText = '';
  const scratch = { value: NaN };
  let outputText = '';

  /** A read chunk may hold more rows than one prediction chunk: grow rather than overflow. */
  const makeRoom = () => {
    if (pending < capacity) return;
    capacity *= 2;
    const larger = new Float32Array(capacity * width);
    larger.set(features);
    features = larger;
    plan.slots.ensure(capacity);
    const actual = new Float64Array(capacity);
    actual.set(pendingActual);
    pendingActual = actual;
    const safe = new Uint8Array(capacity);
    safe.set(pendingSafe);
    pendingSafe = safe;
    const commas = new Int32Array(capacity * commaStride);
    commas.set(pendingCommas);
    pendingCommas = commas;
  };

  const flush = async () => {
    if (pending > 0) {
      const predictions = await model.predict(features, pending);
      const row = view!;
      for (let i = 0; i < pending; i++) {
        const fields = pendingFields[i];
        if (fields) row.showFields(i, fields);
        else row.showLine(i, pendingLine[i]!, pendingCommas, i * commaStride, commaStride);
        const price = predictions[i]!;
        const warnings = pendingWarnings[i]!;
        if (writesLines) {
          const line = pendingText[i]! + resultColumns(row, price, warnings, pendingSafe[i] === 1);
          if (output) outputText += line + '\n';
          options.onResultLine?.(line, row);
        }
        const actual = targetIndex >= 0 ? pendingActual[i]! : NaN;
        if (options.collectActuals && !Number.isNaN(actual)) {
          actualAll.push(actual);
          predictedAll.push(price);
        }
        options.onScored?.(row, price, actual, warnings);
        if (warnings.length > 0)
          for (const kind of new Set(warnings.map((w) => w.kind)))
            progress.warnings[kind] = (progress.warnings[kind] ?? 0) + 1;
      }
      progress.rowsScored += pending;
      pending = 0;
    }
    if (output && outputText) await write(output, outputText);
    if (errors && errorText) await write(errors, errorText);
    outputText = '';
    errorText = '';
  };

  /** The columns a result line appends to the input's: prices, warnings, interval, explanation. */
  const resultColumns = (
    row: CsvScoredRow,
    price: number,
    warnings: readonly FieldWarning[],
    safe: boolean,
  ): string => {
    const predicted = cents(price);
    const range = priceInterval(manifest, price);
    const actual = targetIndex >= 0 ? row.field(targetIndex)! : '';
    return (
      // A field of a row written as it is needs no neutralising either.
      (targetIndex >= 0 ? `,${predicted},${safe ? actual : csvField(actual)}` : `,${predicted}`) +
      (warnings.length > 0 ? `,${csvField(formatWarnings(warnings))}` : ',') +
      (range ? `,${cents(range.low)},${cents(range.high)}` : ',,') +
      (explain
        ? `,${csvField(formatTopContributions(explain.explainer.explain(row.record()), explain.top))}`
        : '')
    );
  };

  /**
   * Checks the row just parsed into row `pending`: rejects it (false), or transforms it into the chunk's
   * features and keeps its warnings (true).
   */
  const accept = (line: number, fields: string[] | undefined, text?: string): boolean => {
    const { errors: problems, warnings } = plan.check(pending, check);
    if (problems.length > 0) {
      const reason = problems.map((p) => `${p.field} ${p.message}`).join('; ');
      reject(line, reason, errorRowCell(rawCsvLine(fields ?? text!.split(','))));
      return false;
    }
    plan.transform(pending, features, pending * width);
    pendingWarnings[pending] = warnings.length > 0 ? warnings.slice() : NO_WARNINGS;
    return true;
  };

  /** Counts a rejected row and queues its errors-file line: line, reason, row. */
  const reject = (line: number, reason: string, rowCell: string) => {
    progress.rowsFailed++;
    errorText += `${line + lineShift},${csvField(reason)},${rowCell}\n`;
  };

  const stats = await readCsv(
    input,
    {
      header(names) {
        header = names;
        targetIndex = names.indexOf(manifest.target.column);
        const missingRequired = manifest.signature
          .filter((f) => f.required && !names.includes(f.name))
          .map((f) => f.name);
        if (missingRequired.length > 0) {
          // Refused before any row is scored or written: a model cannot price rows without its inputs.
          throw new InputError(
            `CSV is missing required column${missingRequired.length > 1 ? 's' : ''}: ${missingRequired.join(', ')}`,
            {
              missingColumns: missingRequired,
            },
          );
        }
        columns = plan.columnsOf(names);
        view = new CsvScoredRow(plan, names);
        commaStride = names.length - 1;
        pendingCommas = new Int32Array(capacity * commaStride);
        // Columns are only ever added at the end of the result: warnings, then the prediction interval
        // (empty for a package trained without one).
        const headerLine = csvLine([
          ...names,
          'predicted_price',
          ...(targetIndex >= 0 ? ['actual_price'] : []),
          'warnings',
          'price_low',
          'price_high',
          ...(explain ? ['explanation'] : []),
        ]);
        options.onResultHeader?.(headerLine);
        if (output && writeHeaders) outputText += headerLine + '\n';
        // row comes last: readers of the first two columns (line, reason) are unaffected.
        if (errors && writeHeaders) errorText += 'line,reason,row\n';
      },
      rejected(line, reason, start) {
        progress.rowsRead++;
        reject(line, reason, errorRowCell(start, true));
      },
      row(fields, line) {
        progress.rowsRead++;
        if (fields.length !== header.length) {
          reject(
            line,
            `has ${fields.length} fields, header has ${header.length}`,
            errorRowCell(rawCsvLine(fields)),
          );
          return;
        }
        makeRoom();
        plan.loadFields(fields, columns, pending);
        if (!accept(line, fields)) return;
        pendingFields[pending] = fields;
        // A row with quotes is written again field by field (its quotes may not be needed).
        if (writesLines) {
          pendingText[pending] = csvLine(fields);
          pendingSafe[pending] = 0;
        }
        if (targetIndex >= 0) {
          const status = readNumber(fields[targetIndex], scratch);
          pendingActual[pending] =
            status === ValueStatus.Ok || status === ValueStatus.Repaired ? scratch.value : NaN;
        }
        pending++;
      },
      // Most rows: no quotes. Fields are read in place; the text is the result line's start when writing
      // it again field by field would not change a byte.
      line(text, commas, count, line) {
        progress.rowsRead++;
        if (count + 1 !== header.length) {
          reject(
            line,
            `has ${count + 1} fields, header has ${header.length}`,
            errorRowCell(rawCsvLine(text.split(','))),
          );
          return;
        }
        makeRoom();
        plan.loadLine(text, commas, count, columns, pending);
        if (!accept(line, undefined, text)) return;
        pendingFields[pending] = undefined;
        pendingLine[pending] = text;
        for (let k = 0, at = pending * commaStride; k < count; k++) pendingCommas[at + k] = commas[k]!;
        if (writesLines) {
          const safe = isSpreadsheetSafeRow(text, commas, count);
          pendingText[pending] = safe ? text : csvLine(text.split(','));
          pendingSafe[pending] = safe ? 1 : 0;
        }
        if (targetIndex >= 0) {
          const start = targetIndex === 0 ? 0 : commas[targetIndex - 1]! + 1;
          const end = targetIndex === count ? text.length : commas[targetIndex]!;
          const status = readNumberIn(text, start, end, scratch);
          pendingActual[pending] =
            status === ValueStatus.Ok || status === ValueStatus.Repaired ? scratch.value : NaN;
        }
        pending++;
      },
      async chunkDone(read) {
        // Predict in full chunks; a partial chunk waits for the next read unless the input is done.
        if (pending >= chunkRows) await flush();
        else if (errorText) {
          if (errors) await write(errors, errorText);
          errorText = '';
        }
        progress.bytesRead = read.bytes;
        await options.onChunk?.({ ...progress, warnings: { ...progress.warnings } });
      },
    },
    { maxLineBytes: options.maxLineBytes },
  );
  await flush();
  progress.bytesRead = stats.bytes;
  await options.onChunk?.({ ...progress, warnings: { ...progress.warnings } });
  return {
    ...progress,
    ...(options.collectActuals &&
      targetIndex >= 0 && {
        actuals: { actual: Float64Array.from(actualAll), predicted: Float64Array.from(predictedAll) },
      }),
  };
}

const NO_WARNINGS: readonly FieldWarning[] = Object.freeze([]);
