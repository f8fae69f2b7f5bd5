import { PassThrough, type Readable } from 'node:stream';
import { EvaluationCells, scoreCsv, type DatasetSpec, type ScoreProgress } from '@housing/ml';
import type { AppConfig } from '../../config/config';
import type { LoadedModel } from '../../inference/inference.service';
import type { DriftRecorder } from '../../monitoring/drift-recorder.service';
import type { ArtifactStore } from '../../storage/artifact-store';
import type { AttemptCounters } from '../../jobs/job-lifecycle';
import { monthReader, regionReader } from '../shared/monthly-grouping';

/** Thrown from a chunk check to stop scoring early, keeping what was written (too many rejected rows). */
class StopScoring extends Error {}

export interface ScoreInputArgs {
  model: LoadedModel;
  input: Readable;
  /** Where the result and errors go (temporary keys of the attempt; they appear whole when complete). */
  resultKey: string;
  errorsKey: string;
  explainTop: number;
  /** Added to the line numbers of the errors file (a shard with the header prepended). */
  lineOffset?: number;
  writeHeaders?: boolean;
  /** Bytes of the input that are not the scored range (a prepended header): not counted as read. */
  prefixBytes?: number;
  /**
   * After each chunk, with the counts so far: throws to abort (AttemptAborted), returns `stop` to
   * end early keeping the rows written so far (the job's rejected share passed its limit).
   */
  onChunk(counters: AttemptCounters): Promise<'continue' | 'stop'>;
}

export interface ScoredInput {
  progress: ScoreProgress;
  counters: AttemptCounters;
  /** Actual vs predicted by (month, region) of the rows with an actual price. */
  cells: EvaluationCells;
  stoppedEarly: boolean;
}

export const countersOf = (p: ScoreProgress, prefixBytes = 0): AttemptCounters => ({
  rowsRead: p.rowsRead,
  rowsDone: p.rowsScored,
  rowsFailed: p.rowsFailed,
  bytesRead: Math.max(0, p.bytesRead - prefixBytes),
});

/** How a job's rows are labelled for its accuracy: the month and region readers of the batch evaluation. */
function evaluationLabels(spec: DatasetSpec) {
  const date = spec.columns.find((c) => c.role === 'date');
  return {
    month: date && date.role === 'date' ? monthReader(date) : () => 'all',
    region: regionReader(spec) ?? (() => 'all'),
  };
}

/**
 * The scoring step of a predict job or shard: input → scoreCsv (the shared validation and transform,
 * the model's ONNX session) → result and errors objects in the store, streaming in constant memory.
 * Scored rows add into the model's drift counts and, with an actual price, the accuracy cells. On an
 * error both uploads are aborted (nothing appears); on an early stop only the errors are kept.
 */
export async function scoreInput(
  deps: { store: ArtifactStore; config: AppConfig; drift: DriftRecorder },
  args: ScoreInputArgs,
): Promise<ScoredInput> {
  const { store, config, drift } = deps;
  const { model, input } = args;
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const errors = new PassThrough({ highWaterMark: 1 << 16 });
  // Destroying them is how a failed attempt aborts its uploads; the uploads report it (putStream may
  // not have attached its own listeners yet when scoring fails at once).
  out.on('error', () => undefined);
  errors.on('error', () => undefined);
  const outDone = store.putStream(args.resultKey, out);
  const errorsDone = store.putStream(args.errorsKey, errors);
  // A failed upload must stop scoring (scoreCsv would otherwise wait forever for 'drain').
  const abort = (error: Error) => {
    input.destroy();
    out.destroy(error);
    errors.destroy(error);
  };
  outDone.catch(abort);
  errorsDone.catch(abort);
  const cells = new EvaluationCells();
  const { month, region } = evaluationLabels(model.manifest.spec);
  const explainer = args.explainTop > 0 ? model.explainer : null;
  let last: ScoreProgress | undefined;
  try {
    const progress = await scoreCsv(
      model.manifest,
      { predict: (features, rows) => model.predictFeatures(features, rows) },
      input,
      out,
      errors,
      {
        chunkRows: config.BATCH_CHUNK_ROWS,
        maxLineBytes: config.CSV_MAX_LINE_BYTES,
        // scoreCsv numbers the line after the header `firstLine`; the reader's numbering shifted by lineOffset.
        firstLine: 2 + (args.lineOffset ?? 0),
        writeHeaders: args.writeHeaders,
        ...(explainer && { explain: { top: args.explainTop, explainer } }),
        // Scored rows add into the model's drift counts like API requests (a retried attempt counts its
        // rows again: drift is a share, and a retry is rare).
        onScored: (row, predicted, actual) => {
          drift.record(model, row, predicted);
          if (!Number.isNaN(actual)) cells.add(month(row), region(row), actual, predicted);
        },
        onChunk: async (p) => {
          last = p;
          // The errors stream already holds every rejection so far (scoreCsv writes them before onChunk).
          if ((await args.onChunk(countersOf(p, args.prefixBytes))) === 'stop') throw new StopScoring();
        },
      },
    );
    out.end();
    errors.end();
    await Promise.all([outDone, errorsDone]);
    return { progress, counters: countersOf(progress, args.prefixBytes), cells, stoppedEarly: false };
  } catch (error) {
    if (error instanceof StopScoring && last) {
      // The job fails for its rejected rows: they are kept (errors), the partial result is not.
      input.destroy();
      out.destroy(error);
      errors.end();
      await Promise.allSettled([outDone]);
      await errorsDone;
      return { progress: last, counters: countersOf(last, args.prefixBytes), cells, stoppedEarly: true };
    }
    abort(error as Error);
    await Promise.allSettled([outDone, errorsDone]);
    throw error;
  }
}
