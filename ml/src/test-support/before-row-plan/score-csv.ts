// Test oracle: ml/src/score/score-csv.ts as it was before the row plan (commit 5003058), with its imports pointed here. The parity tests (score/row-plan-parity.test.ts) compare today's code with it, row by row and byte by byte. Not used by anything else.
import type { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import { csvLine as rawCsvLine, readCsv } from '../../csv/reader';
import {
  spreadsheetSafeField as csvField,
  spreadsheetSafeLine as csvLine,
} from '../../score/spreadsheet-safe';
import { readNumber, ValueStatus } from './values';
import { transformInto } from './transform';
import { checkRecord, formatWarnings, type FieldWarning, type WarningKind } from './validate';
import type { ModelManifest } from '../../package/manifest';
import { InputError } from '../../errors';
import { priceInterval } from '../../intervals/price-interval';
import { cents } from '../../score/cents';
import type { Explanation } from '../../explain/explainer';
import { formatTopContributions } from '../../explain/summary';

export interface ScoreOptions {
  /** Rows transformed and predicted together. */
  chunkRows?: number;
  /** Called after each chunk with the counts so far; may be async (e.g. to report progress or check cancellation). */
  onChunk?(progress: ScoreProgress): Promise<void> | void;
  /** Rows before `skipRows` are read but not scored or written (resuming a job). */
  skipRows?: number;
  /** Keep actual and predicted prices of every scored row (for `evaluate`; memory grows with the file). */
  collectActuals?: boolean;
  /** Longest input record in bytes (the reader's default when unset); longer rows are rejected into the errors file. */
  maxLineBytes?: number;
  /**
   * Adds an `explanation` column after the interval: each row's top `top` input columns by exact TreeSHAP
   * contribution, in price terms (formatTopContributions).
   */
  explain?: { top: number; explainer: { explain(record: Readonly<Record<string, unknown>>): Explanation } };
  /** Sees every scored row with its prediction and actual (NaN when absent), e.g. to aggregate by month. */
  onScored?(
    record: Readonly<Record<string, unknown>>,
    predicted: number,
    actual: number,
    warnings: readonly FieldWarning[],
  ): void;
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
 * written is neutralised against spreadsheet formula injection (spreadsheetSafeField). The errors
 * stream gets every rejected row of a read chunk before `onChunk` sees the chunk's counts, so a
 * caller that stops there (too many bad rows) keeps the header and every rejection so far.
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
  const width = manifest.features.names.length;
  let features = new Float32Array(chunkRows * width);
  const pendingFields: string[][] = [];
  const pendingRecords: Record<string, unknown>[] = [];
  const pendingActual: number[] = [];
  const pendingWarnings: FieldWarning[][] = [];
  const actualAll: number[] = [];
  const predictedAll: number[] = [];
  const progress: ScoreProgress = { rowsRead: 0, rowsScored: 0, rowsFailed: 0, bytesRead: 0, warnings: {} };
  const skip = options.skipRows ?? 0;
  let header: string[] = [];
  let targetIndex = -1;
  let errorText = '';
  const scratch = { value: NaN };
  let outputText = '';

  const flush = async () => {
    if (pendingFields.length > 0) {
      const predictions = await model.predict(features, pendingFields.length);
      for (let i = 0; i < pendingFields.length; i++) {
        const fields = pendingFields[i]!;
        const predicted = cents(predictions[i]!);
        const warnings = pendingWarnings[i]!;
        const range = priceInterval(manifest, predictions[i]!);
        const extra =
          (targetIndex >= 0 ? `,${predicted},${csvField(fields[targetIndex]!)}` : `,${predicted}`) +
          `,${csvField(formatWarnings(warnings))}` +
          (range ? `,${cents(range.low)},${cents(range.high)}` : ',,') +
          (explain
            ? `,${csvField(formatTopContributions(explain.explainer.explain(pendingRecords[i]!), explain.top))}`
            : '');
        if (output) outputText += csvLine(fields) + extra + '\n';
        const actual = targetIndex >= 0 ? pendingActual[i]! : NaN;
        if (options.collectActuals && !Number.isNaN(actual)) {
          actualAll.push(actual);
          predictedAll.push(predictions[i]!);
        }
        options.onScored?.(pendingRecords[i]!, predictions[i]!, actual, warnings);
        for (const kind of new Set(warnings.map((w) => w.kind)))
          progress.warnings[kind] = (progress.warnings[kind] ?? 0) + 1;
      }
      progress.rowsScored += pendingFields.length;
      pendingFields.length = 0;
      pendingRecords.length = 0;
      pendingActual.length = 0;
      pendingWarnings.length = 0;
    }
    if (output && outputText) await write(output, outputText);
    if (errors && errorText) await write(errors, errorText);
    outputText = '';
    errorText = '';
  };

  /** Counts a rejected row and queues its errors-file line: line, reason, row. */
  const reject = (line: number, reason: string, rowCell: string) => {
    progress.rowsFailed++;
    errorText += `${line},${csvField(reason)},${rowCell}\n`;
  };

  const stats = await readCsv(
    input,
    {
      header(columns) {
        header = columns;
        targetIndex = columns.indexOf(manifest.target.column);
        const missingRequired = manifest.signature
          .filter((f) => f.required && !columns.includes(f.name))
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
        // Columns are only ever added at the end of the result: warnings, then the prediction interval
        // (empty for a package trained without one).
        const outColumns = [
          ...columns,
          'predicted_price',
          ...(targetIndex >= 0 ? ['actual_price'] : []),
          'warnings',
          'price_low',
          'price_high',
          ...(explain ? ['explanation'] : []),
        ];
        if (output && skip === 0) outputText += csvLine(outColumns) + '\n';
        // row comes last: readers of the first two columns (line, reason) are unaffected.
        if (errors && skip === 0) errorText += 'line,reason,row\n';
      },
      rejected(line, reason, start) {
        progress.rowsRead++;
        if (progress.rowsRead <= skip) return;
        reject(line, reason, errorRowCell(start, true));
      },
      row(fields, line) {
        progress.rowsRead++;
        if (progress.rowsRead <= skip) return;
        if (fields.length !== header.length) {
          reject(
            line,
            `has ${fields.length} fields, header has ${header.length}`,
            errorRowCell(rawCsvLine(fields)),
          );
          return;
        }
        const record: Record<string, unknown> = {};
        for (let i = 0; i < header.length; i++) record[header[i]!] = fields[i];
        const { errors: problems, warnings } = checkRecord(record, manifest);
        if (problems.length > 0) {
          const reason = problems.map((p) => `${p.field} ${p.message}`).join('; ');
          reject(line, reason, errorRowCell(rawCsvLine(fields)));
          return;
        }
        // A read chunk may hold more rows than one prediction chunk: grow rather than overflow.
        if ((pendingFields.length + 1) * width > features.length) {
          const larger = new Float32Array(features.length * 2);
          larger.set(features);
          features = larger;
        }
        transformInto(record, manifest.features, features, pendingFields.length * width);
        pendingFields.push(fields);
        pendingRecords.push(record);
        pendingWarnings.push(warnings);
        if (targetIndex >= 0) {
          const status = readNumber(fields[targetIndex], scratch);
          pendingActual.push(
            status === ValueStatus.Ok || status === ValueStatus.Repaired ? scratch.value : NaN,
          );
        }
      },
      async chunkDone(read) {
        // Predict in full chunks; a partial chunk waits for the next read unless the input is done.
        if (pendingFields.length >= chunkRows) await flush();
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
