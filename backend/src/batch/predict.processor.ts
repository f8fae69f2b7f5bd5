import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { UnrecoverableError, type Job } from 'bullmq';
import { Repository } from 'typeorm';
import { EvaluationCells, scoreCsv, type DatasetSpec, type ScoreProgress } from '@housing/ml';
import { monthReader, regionReader } from './monthly-grouping';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { InferenceService, type LoadedModel } from '../inference/inference.service';
import { MetricsService } from '../metrics/metrics.service';
import { DriftRecorder } from '../monitoring/drift-recorder.service';
import { RegistryService } from '../model-registry/registry.service';
import { ARTIFACT_STORE, type ArtifactStore } from '../storage/artifact-store';
import { deletePrefix, moveArtifact } from './artifacts';
import { failsAtEnd, failsEarly } from './bad-rows';
import { BatchRowsMeter } from './batch-rows.meter';
import { AttemptAborted, BadRowsError, abortReasonOf, classify, openInput, reasonOf } from './attempt';
import { FINISHED_STATUSES, UNFINISHED_STATUSES, batchKeys, type PredictJobData } from './batch.constants';
import { BatchJobEntity, type BatchJobEvaluation } from './batch-job.entity';

export interface PredictOutcome {
  outcome: 'completed' | 'cancelled' | 'skipped';
  detail?: string;
  rowsRead?: number;
  rowsDone?: number;
  rowsFailed?: number;
}

/** The part of a BullMQ job an attempt needs (so tests and tools can drive an attempt without a queue). */
export type AttemptJob = Pick<
  Job<PredictJobData>,
  'data' | 'attemptsMade' | 'opts' | 'stalledCounter' | 'updateProgress' | 'extendLock'
>;

/**
 * One attempt at a batch prediction job, in a worker. The input is streamed from the artifact store
 * through scoreCsv (the shared validation and transform, the served model's ONNX session) in chunks,
 * so memory stays flat whatever the file size. Result and errors go to temporary objects of this
 * attempt (`batch/<job>/attempts/<attempt>/…`) and are moved to `batch/<job>/result.csv` and
 * `errors.csv` only at the end and only while this attempt still holds the job: an attempt that was
 * killed, cancelled or superseded never leaves partial or duplicated rows in the result.
 */
/** How a job's rows are labelled for its accuracy: the month and region readers of the monthly batch. */
function evaluationLabels(spec: DatasetSpec): {
  month: (record: Readonly<Record<string, unknown>>) => string;
  region: (record: Readonly<Record<string, unknown>>) => string;
} {
  const date = spec.columns.find((c) => c.role === 'date');
  return {
    month: date && date.role === 'date' ? monthReader(date) : () => 'all',
    region: regionReader(spec) ?? (() => 'all'),
  };
}

function evaluationOf(spec: DatasetSpec, accuracy: EvaluationCells): BatchJobEvaluation | null {
  if (accuracy.size === 0) return null;
  return {
    dateColumn: spec.columns.find((c) => c.role === 'date')?.name ?? null,
    regionColumn: spec.evaluation.regionColumn ?? null,
    cells: accuracy.list(),
  };
}

/** A requeued job's counters: nothing read yet, as its next attempt starts from the first row. */
const REQUEUED_COUNTERS = { rowsRead: 0, rowsDone: 0, rowsFailed: 0, bytesRead: 0 } as const;

/** How far a stopped attempt got, for the status's error text. */
const readSoFar = (counts: ScoreProgress) =>
  `after reading ${counts.rowsRead} rows (${counts.rowsFailed} rejected)`;

@Injectable()
export class PredictProcessor {
  private readonly logger = new Logger('BatchPredict');

  constructor(
    @InjectRepository(BatchJobEntity) private readonly jobs: Repository<BatchJobEntity>,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: RegistryService,
    private readonly inference: InferenceService,
    private readonly metrics: MetricsService,
    private readonly rows: BatchRowsMeter,
    private readonly drift: DriftRecorder,
  ) {}

  async process(
    job: AttemptJob,
    token: string | undefined,
    signal: AbortSignal | undefined,
    workerId: string,
  ): Promise<PredictOutcome> {
    const id = job.data.jobId;
    const row = await this.jobs.findOneBy({ id });
    if (!row) return { outcome: 'skipped', detail: 'no such job in the database' };
    if (FINISHED_STATUSES.includes(row.status))
      return { outcome: 'skipped', detail: `already ${row.status}` };

    const attemptId = randomUUID();
    const now = Date.now();
    const claimed = await this.jobs
      .createQueryBuilder()
      .update(BatchJobEntity)
      .set({
        status: 'running',
        attemptId,
        workerId,
        attempts: () => '"attempts" + 1',
        stalledCount: Math.max(row.stalledCount, job.stalledCounter ?? 0),
        startedAt: row.startedAt ?? now,
        updatedAt: now,
        rowsRead: 0,
        rowsDone: 0,
        rowsFailed: 0,
        bytesRead: 0,
      })
      .where('id = :id AND status IN (:...statuses)', { id, statuses: UNFINISHED_STATUSES })
      .execute();
    if (!claimed.affected) return { outcome: 'skipped', detail: 'finished or cancelled meanwhile' };
    this.logger.log(
      `job ${id}: attempt ${attemptId} started on ${workerId} (${row.modelName} v${row.modelVersion})`,
    );

    const attemptPrefix = batchKeys.attempt(id, attemptId);
    // The attempt's counts so far: a failed attempt records them too (rows read before it stopped).
    const counts: ScoreProgress = { rowsRead: 0, rowsScored: 0, rowsFailed: 0, bytesRead: 0, warnings: {} };
    try {
      const outcome = await this.run(job, token, signal, row, attemptId, counts, new EvaluationCells());
      await deletePrefix(this.store, batchKeys.attempts(id));
      return outcome;
    } catch (error) {
      await deletePrefix(this.store, `${attemptPrefix}/`);
      return this.handleFailure(job, row, attemptId, error, counts);
    }
  }

  private async run(
    job: AttemptJob,
    token: string | undefined,
    signal: AbortSignal | undefined,
    row: BatchJobEntity,
    attemptId: string,
    counts: ScoreProgress,
    accuracy: EvaluationCells,
  ): Promise<PredictOutcome> {
    const id = row.id;
    const version = await this.registry.get(row.modelName, row.modelVersion);
    const model = await this.inference.loadVersion(version);
    const release = model.hold();
    const resultTmp = `${batchKeys.attempt(id, attemptId)}/result.csv`;
    const errorsTmp = `${batchKeys.attempt(id, attemptId)}/errors.csv`;
    let progress: ScoreProgress;
    try {
      progress = await this.score(job, signal, row, attemptId, model, resultTmp, errorsTmp, counts, accuracy);
    } catch (error) {
      if (error instanceof BadRowsError && (await this.errorsWritten(errorsTmp))) {
        await this.finishFailed(job, token, row, attemptId, errorsTmp);
      }
      throw error;
    } finally {
      release();
    }
    if (failsAtEnd(progress.rowsRead, progress.rowsFailed, this.config.BATCH_MAX_BAD_ROW_RATIO)) {
      const error = new BadRowsError(
        progress.rowsRead,
        progress.rowsFailed,
        this.config.BATCH_MAX_BAD_ROW_RATIO,
        false,
      );
      await this.finishFailed(job, token, row, attemptId, errorsTmp);
      throw error;
    }

    await this.assertHolds(job, token, id, attemptId);
    await moveArtifact(this.store, resultTmp, batchKeys.result(id));
    await moveArtifact(this.store, errorsTmp, batchKeys.errors(id));
    const finished = await this.jobs.update(
      { id, attemptId, status: 'running' },
      {
        status: 'completed',
        rowsRead: progress.rowsRead,
        rowsDone: progress.rowsScored,
        rowsFailed: progress.rowsFailed,
        bytesRead: progress.bytesRead,
        resultKey: batchKeys.result(id),
        errorsKey: batchKeys.errors(id),
        evaluation: evaluationOf(model.manifest.spec, accuracy),
        error: null,
        finishedAt: Date.now(),
        updatedAt: Date.now(),
      },
    );
    if (!finished.affected)
      this.logger.warn(`job ${id}: finished, but attempt ${attemptId} no longer owned the row`);
    this.metrics.predictions.inc(
      { model: row.modelName, version: String(row.modelVersion), channel: 'batch' },
      progress.rowsScored,
    );
    for (const [kind, rows] of Object.entries(progress.warnings))
      this.metrics.predictionWarnings.inc({ kind, channel: 'batch' }, rows);
    this.logger.log(
      `job ${id}: completed, ${progress.rowsScored} rows scored, ${progress.rowsFailed} rejected`,
    );
    return {
      outcome: 'completed',
      rowsRead: progress.rowsRead,
      rowsDone: progress.rowsScored,
      rowsFailed: progress.rowsFailed,
    };
  }

  /** Streams input → scoreCsv → the attempt's temporary result and errors objects. */
  private async score(
    job: AttemptJob,
    signal: AbortSignal | undefined,
    row: BatchJobEntity,
    attemptId: string,
    model: LoadedModel,
    resultTmp: string,
    errorsTmp: string,
    counts: ScoreProgress,
    accuracy: EvaluationCells,
  ): Promise<ScoreProgress> {
    const input: Readable = await openInput(() => this.store.getStream(row.inputKey), row.inputKey);
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    const errors = new PassThrough({ highWaterMark: 1 << 16 });
    // Destroying them is how a failed attempt aborts its uploads; the uploads report it (putStream may
    // not have attached its own listeners yet when scoring fails at once).
    out.on('error', () => undefined);
    errors.on('error', () => undefined);
    const outDone = this.store.putStream(resultTmp, out);
    const errorsDone = this.store.putStream(errorsTmp, errors);
    // A failed upload must stop scoring (scoreCsv would otherwise wait forever for 'drain').
    const stop = (error: Error) => {
      input.destroy();
      out.destroy(error);
      errors.destroy(error);
    };
    outDone.catch(stop);
    errorsDone.catch(stop);
    const predictor = {
      predict: (features: Float32Array, rows: number) => model.predictFeatures(features, rows),
    };
    const { month, region } = evaluationLabels(model.manifest.spec);
    const {
      BATCH_MAX_BAD_ROW_RATIO: maxRatio,
      BATCH_BAD_ROW_MIN_ROWS: minRows,
      BATCH_PROGRESS_INTERVAL_MS: interval,
    } = this.config;
    let lastReport = Date.now();
    try {
      const progress = await scoreCsv(model.manifest, predictor, input, out, errors, {
        chunkRows: this.config.BATCH_CHUNK_ROWS,
        maxLineBytes: this.config.CSV_MAX_LINE_BYTES,
        ...(row.explainTop > 0 &&
          model.explainer && { explain: { top: row.explainTop, explainer: model.explainer } }),
        // Scored rows add into the model's drift counts like API requests (a retried attempt counts its
        // rows again: drift is a share, and a retry is rare).
        onScored: (record, predicted, actual) => {
          this.drift.record(model, record, predicted);
          // Rows with an actual price (the input had the target column) count towards the job's accuracy.
          if (!Number.isNaN(actual)) accuracy.add(month(record), region(record), actual, predicted);
        },
        onChunk: async (p) => {
          Object.assign(counts, p);
          await this.rows.record(row.id, p);
          const aborted = abortReasonOf(signal);
          if (aborted) throw new AttemptAborted(aborted);
          // The errors stream already holds every rejection so far (scoreCsv writes them before onChunk).
          if (failsEarly(p.rowsRead, p.rowsFailed, maxRatio, minRows))
            throw new BadRowsError(p.rowsRead, p.rowsFailed, maxRatio, true);
          if (Date.now() - lastReport >= interval) {
            lastReport = Date.now();
            await this.report(job, row, attemptId, p);
          }
        },
      });
      out.end();
      errors.end();
      await Promise.all([outDone, errorsDone]);
      return progress;
    } catch (error) {
      if (error instanceof BadRowsError) {
        // Keep the rejected rows seen so far: they say why the job failed.
        out.destroy(error);
        errors.end();
        await Promise.allSettled([outDone, errorsDone]);
      } else {
        stop(error as Error);
        await Promise.allSettled([outDone, errorsDone]);
      }
      input.destroy();
      throw error;
    }
  }

  private async errorsWritten(key: string): Promise<boolean> {
    return (await this.store.size(key).catch(() => undefined)) !== undefined;
  }

  /** Progress on the row (only while this attempt owns it) and on the BullMQ job. */
  private async report(
    job: AttemptJob,
    row: BatchJobEntity,
    attemptId: string,
    p: ScoreProgress,
  ): Promise<void> {
    const updated = await this.jobs.update(
      { id: row.id, attemptId, status: 'running' },
      {
        rowsRead: p.rowsRead,
        rowsDone: p.rowsScored,
        rowsFailed: p.rowsFailed,
        bytesRead: p.bytesRead,
        updatedAt: Date.now(),
      },
    );
    if (!updated.affected) {
      const current = await this.jobs.findOne({
        where: { id: row.id },
        select: { id: true, status: true, attemptId: true },
      });
      throw new AttemptAborted(current?.status === 'cancelled' ? 'cancelled' : 'lost');
    }
    const fraction = row.inputBytes ? Math.min(1, p.bytesRead / row.inputBytes) : 0;
    await job
      .updateProgress({ fraction, rowsRead: p.rowsRead, rowsDone: p.rowsScored, rowsFailed: p.rowsFailed })
      .catch(() => undefined);
  }

  /** True while this attempt holds the BullMQ lock and the row; throws AttemptAborted otherwise. */
  private async assertHolds(
    job: AttemptJob,
    token: string | undefined,
    id: string,
    attemptId: string,
  ): Promise<void> {
    if (token) {
      const held = Number(await job.extendLock(token, this.config.BATCH_STALLED_MS));
      if (held !== 1) throw new AttemptAborted('lost');
    }
    const current = await this.jobs.findOne({
      where: { id },
      select: { id: true, status: true, attemptId: true },
    });
    if (current?.status === 'cancelled') throw new AttemptAborted('cancelled');
    if (current?.attemptId !== attemptId || current.status !== 'running') throw new AttemptAborted('lost');
  }

  /** Fails the job for too many bad rows, publishing the errors file so the reasons can be read. */
  private async finishFailed(
    job: AttemptJob,
    token: string | undefined,
    row: BatchJobEntity,
    attemptId: string,
    errorsTmp: string,
  ): Promise<void> {
    try {
      await this.assertHolds(job, token, row.id, attemptId);
      await moveArtifact(this.store, errorsTmp, batchKeys.errors(row.id));
      await this.jobs.update(
        { id: row.id, attemptId, status: 'running' },
        { errorsKey: batchKeys.errors(row.id) },
      );
    } catch (cause) {
      if (cause instanceof AttemptAborted) throw cause;
      this.logger.warn(`job ${row.id}: could not keep the errors file: ${(cause as Error).message}`);
    }
  }

  /**
   * Records how the attempt ended and tells BullMQ what to do: nothing more (cancelled), hand it over
   * (lost, shutdown), fail now (permanent), or retry with backoff (transient, attempts remaining).
   */
  private async handleFailure(
    job: AttemptJob,
    row: BatchJobEntity,
    attemptId: string,
    error: unknown,
    counts: ScoreProgress,
  ): Promise<PredictOutcome> {
    const id = row.id;
    const owned = { id, attemptId, status: 'running' as const };
    const counters = {
      rowsRead: counts.rowsRead,
      rowsDone: counts.rowsScored,
      rowsFailed: counts.rowsFailed,
      bytesRead: counts.bytesRead,
    };
    const kind = classify(error);
    if (kind === 'aborted') {
      const reason = (error as AttemptAborted).reason;
      if (reason === 'cancelled') {
        this.logger.log(`job ${id}: cancelled while running; attempt ${attemptId} stopped`);
        return { outcome: 'cancelled' };
      }
      await this.jobs
        .update(owned, {
          ...REQUEUED_COUNTERS,
          status: 'queued',
          error: `${(error as Error).message} (the attempt stopped ${readSoFar(counts)})`,
          updatedAt: Date.now(),
        })
        .catch(() => undefined);
      this.logger.warn(`job ${id}: attempt ${attemptId} stopped: ${(error as Error).message}`);
      throw error;
    }
    const attempts = job.opts.attempts ?? 1;
    const final = kind === 'permanent' || job.attemptsMade + 1 >= attempts;
    const reason = reasonOf(error);
    if (final) {
      const detail =
        kind === 'transient' && attempts > 1 ? `${reason} (gave up after ${attempts} attempts)` : reason;
      await this.jobs.update(owned, {
        ...counters,
        status: 'failed',
        error: detail,
        finishedAt: Date.now(),
        updatedAt: Date.now(),
      });
      this.logger.warn(`job ${id}: failed: ${detail}`);
      throw kind === 'permanent' ? new UnrecoverableError(detail) : error;
    }
    // The next attempt reads the input from its first row: the counters start again (the dead
    // attempt's are history, told in the error), so they never show rows no attempt is reading.
    await this.jobs.update(owned, {
      ...REQUEUED_COUNTERS,
      status: 'queued',
      error: `attempt ${job.attemptsMade + 1} of ${attempts} failed ${readSoFar(counts)}: ${reason}; retrying`,
      updatedAt: Date.now(),
    });
    this.logger.warn(
      `job ${id}: attempt ${job.attemptsMade + 1} of ${attempts} failed, will retry: ${reason}`,
    );
    throw error;
  }
}
