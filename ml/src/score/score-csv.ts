import type { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import { readCsv } from '../csv/reader';
import { spreadsheetSafeField as csvField, spreadsheetSafeLine as csvLine } from './spreadsheet-safe';
import { readNumber, ValueStatus } from '../clean/values';
import { transformInto } from '../features/transform';
import { checkRecord, formatWarnings, type FieldWarning, type WarningKind } from '../features/validate';
import type { ModelManifest } from '../package/manifest';
import { InputError } from '../errors';
import { priceInterval } from '../intervals/price-interval';

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

const cents = (price: number) => Math.round(price * 100) / 100;

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * Scores a CSV with a model package, streaming: each row is validated against the signature, passed
 * through the shared transform and predicted in chunks. Good rows go to `output` (the input columns,
 * `predicted_price`, and `actual_price` when the target is present); bad rows go to `errors` with
 * their line number and reason. Memory is bounded by one chunk whatever the input size. Every cell
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
          (range ? `,${cents(range.low)},${cents(range.high)}` : ',,');
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
        ];
        if (output && skip === 0) outputText += csvLine(outColumns) + '\n';
        if (errors && skip === 0) errorText += 'line,reason\n';
      },
      rejected(line, reason) {
        progress.rowsRead++;
        if (progress.rowsRead <= skip) return;
        progress.rowsFailed++;
        errorText += `${line},${csvField(reason)}\n`;
      },
      row(fields, line) {
        progress.rowsRead++;
        if (progress.rowsRead <= skip) return;
        if (fields.length !== header.length) {
          progress.rowsFailed++;
          errorText += `${line},${csvField(`has ${fields.length} fields, header has ${header.length}`)}\n`;
          return;
        }
        const record: Record<string, unknown> = {};
        for (let i = 0; i < header.length; i++) record[header[i]!] = fields[i];
        const { errors: problems, warnings } = checkRecord(record, manifest);
        if (problems.length > 0) {
          progress.rowsFailed++;
          errorText += `${line},${csvField(problems.map((p) => `${p.field} ${p.message}`).join('; '))}\n`;
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
