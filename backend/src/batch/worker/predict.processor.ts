import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { Repository } from 'typeorm';
import type { DatasetSpec, EvaluationCell } from '@housing/ml';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { InferenceService } from '../../inference/inference.service';
import { MetricsService } from '../../metrics/metrics.service';
import { DriftRecorder } from '../../monitoring/drift-recorder.service';
import { RegistryService } from '../../model-registry/registry.service';
import { ARTIFACT_STORE, type ArtifactStore } from '../../storage/artifact-store';
import { openInput, PermanentJobError } from '../../jobs/attempt-errors';
import {
  AttemptRunner,
  WaitingForChildren,
  type Attempt,
  type AttemptOutcome,
  type AttemptStep,
} from '../../jobs/attempt-runner';
import { JobAttempts } from '../../jobs/job-attempts.repository';
import type { AttemptCounters } from '../../jobs/job-lifecycle';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { BadRowsError, failsAtEnd, failsEarly } from '../shared/bad-rows';
import { SHARD_JOB, batchKeys, type PredictJobData, type ShardJobData } from '../shared/batch.constants';
import { BatchJobEntity, type BatchJobEvaluation } from '../shared/batch-job.entity';
import { BatchQueueService } from '../shared/batch-queue.service';
import { BatchShardsRepository } from '../shared/batch-shards.repository';
import { BatchRowsMeter } from './batch-rows.meter';
import { mergeCells } from './merge-cells';
import { scoreInput } from './score-input';
import { planShards } from './shard-boundaries';

export interface PredictResult {
  rowsRead: number;
  rowsDone: number;
  rowsFailed: number;
  shards: number;
}

export type PredictOutcome = AttemptOutcome<PredictResult>;

type PredictJob = Pick<
  Job<PredictJobData>,
  'data' | 'attemptsMade' | 'opts' | 'stalledCounter' | 'updateProgress' | 'extendLock'
> &
  Partial<Pick<Job<PredictJobData>, 'updateData' | 'moveToWaitingChildren' | 'queueQualifiedName'>>;

type JobFields = QueryDeepPartialEntity<BatchJobEntity>;

const label = (row: BatchJobEntity) => `job ${row.id}`;

/**
 * A batch prediction job in a worker. A small input is scored here as one shard: input → scoreInput →
 * the attempt's temporary result and errors → moved to `result.csv` and `errors.csv` only while the
 * attempt still holds the job. A large one (over BATCH_SHARD_BYTES) is split at record boundaries into
 * shards, each a BullMQ child job any free worker scores (ShardProcessor); when every shard finished,
 * the job is processed again and assembles their parts in input order. The attempt runner owns the
 * lifecycle: claim, fenced progress, complete, requeue, fail.
 */
@Injectable()
export class PredictProcessor {
  private readonly logger = new Logger('BatchPredict');
  private readonly jobs: JobAttempts<BatchJobEntity>;
  private readonly runner: AttemptRunner;

  constructor(
    @InjectRepository(BatchJobEntity) jobRows: Repository<BatchJobEntity>,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: RegistryService,
    private readonly inference: InferenceService,
    private readonly metrics: MetricsService,
    private readonly rows: BatchRowsMeter,
    private readonly drift: DriftRecorder,
    private readonly shards: BatchShardsRepository,
    private readonly queue: BatchQueueService,
  ) {
    this.jobs = new JobAttempts(jobRows);
    this.runner = new AttemptRunner(
      { lockMs: config.BATCH_STALLED_MS, progressIntervalMs: config.BATCH_PROGRESS_INTERVAL_MS },
      this.logger,
    );
  }

  process(
    job: PredictJob,
    token: string | undefined,
    signal: AbortSignal | undefined,
    workerId: string,
  ): Promise<PredictOutcome> {
    const id = job.data.jobId;
    if (job.data.assemble)
      return this.runner.resume(
        this.jobs,
        id,
        job.data.assemble.attemptId,
        job,
        token,
        signal,
        this.assembleStep(job, token),
      );
    return this.runner.run(this.jobs, id, job, token, signal, workerId, this.scoreStep(job, token));
  }

  private scoreStep(job: PredictJob, token: string | undefined): AttemptStep<BatchJobEntity, PredictResult> {
    return {
      label,
      run: async (attempt) => {
        const row = attempt.row;
        const size = row.inputBytes ?? (await this.store.size(row.inputKey));
        if (size === undefined)
          throw new PermanentJobError(`the input ${row.inputKey} does not exist (any more)`);
        if (size > this.config.BATCH_SHARD_BYTES && job.moveToWaitingChildren) {
          const plan = await planShards(
            await openInput(() => this.store.getStream(row.inputKey), row.inputKey),
            this.config.BATCH_SHARD_BYTES,
          );
          if (plan.shards.length > 1) {
            await this.shards.plan(
              row.id,
              plan.shards.map((s, position) => ({
                position,
                startByte: s.start,
                endByte: s.end,
                firstLine: s.firstLine,
              })),
            );
            this.logger.log(
              `${label(row)}: ${plan.shards.length} shards of about ${this.config.BATCH_SHARD_BYTES} bytes`,
            );
            const assemble = {
              attemptId: attempt.attemptId,
              headerEnd: plan.headerEnd,
              headerLines: plan.headerLines,
            };
            // Set before the shards are queued: a worker that dies from here on is resumed as the assembler.
            await job.updateData!({ ...job.data, assemble });
            return this.awaitShards(job, token, attempt, assemble);
          }
        }
        return this.scoreWhole(attempt);
      },
      cleanup: async (attempt, finished) => {
        await this.store.deletePrefix(
          finished
            ? batchKeys.attempts(attempt.row.id)
            : `${batchKeys.attempt(attempt.row.id, attempt.attemptId)}/`,
        );
      },
    };
  }

  /** One shard: the whole input scored by this attempt. */
  private async scoreWhole(
    attempt: Attempt<BatchJobEntity>,
  ): Promise<{ fields: JobFields; result: PredictResult }> {
    const row = attempt.row;
    const { BATCH_MAX_BAD_ROW_RATIO: maxRatio, BATCH_BAD_ROW_MIN_ROWS: minRows } = this.config;
    const resultTmp = `${batchKeys.attempt(row.id, attempt.attemptId)}/result.csv`;
    const errorsTmp = `${batchKeys.attempt(row.id, attempt.attemptId)}/errors.csv`;
    const { scored, spec } = await this.withModel(row, async (model) => ({
      spec: model.manifest.spec,
      scored: await scoreInput(
        { store: this.store, config: this.config, drift: this.drift },
        {
          model,
          input: await openInput(() => this.store.getStream(row.inputKey), row.inputKey),
          resultKey: resultTmp,
          errorsKey: errorsTmp,
          explainTop: row.explainTop,
          onChunk: async (counters) => {
            await this.rows.record(row.id, counters);
            await attempt.checkpoint(counters, { fraction: fractionOf(row, counters) });
            return failsEarly(counters.rowsRead, counters.rowsFailed, maxRatio, minRows)
              ? 'stop'
              : 'continue';
          },
        },
      ),
    }));
    Object.assign(attempt.counters, scored.counters);
    const c = scored.counters;
    if (scored.stoppedEarly || failsAtEnd(c.rowsRead, c.rowsFailed, maxRatio)) {
      await this.keepErrors(attempt, [errorsTmp]);
      throw new BadRowsError(c.rowsRead, c.rowsFailed, maxRatio, scored.stoppedEarly);
    }
    await attempt.assertHolds();
    await this.store.move(resultTmp, batchKeys.result(row.id));
    await this.store.move(errorsTmp, batchKeys.errors(row.id));
    this.countPredictions(row, scored);
    return this.completed(row, c, evaluationOf(scored.cells.list(), spec), 1);
  }

  /** Parks the job until its shards finished, or assembles at once when they all have. */
  private async awaitShards(
    job: PredictJob,
    token: string | undefined,
    attempt: Attempt<BatchJobEntity>,
    header: { headerEnd: number; headerLines: number },
  ): Promise<{ fields: JobFields; result: PredictResult }> {
    const row = attempt.row;
    const shards = await this.shards.ofJob(row.id);
    for (const shard of shards) {
      if (shard.status === 'completed' || shard.status === 'failed') continue;
      const data: ShardJobData = {
        kind: 'shard',
        jobId: row.id,
        shardId: shard.id,
        jobAttemptId: attempt.attemptId,
        headerEnd: header.headerEnd,
        // The reader numbers a shard's first line after the prepended header headerLines + 1.
        lineOffset: shard.firstLine - (header.headerLines + 1),
      };
      await this.queue.addChild(SHARD_JOB, data, shard.id, { id: row.id, queue: job.queueQualifiedName! });
    }
    if (token && (await job.moveToWaitingChildren!(token))) throw new WaitingForChildren();
    return this.assemble(attempt);
  }

  private assembleStep(
    job: PredictJob,
    token: string | undefined,
  ): AttemptStep<BatchJobEntity, PredictResult> {
    return {
      label,
      run: async (attempt) => {
        // Shards not finished yet (their queue jobs were lost or the job was resumed early) are queued
        // again under their ids; a shard job that still exists is not added twice.
        return this.awaitShards(job, token, attempt, job.data.assemble!);
      },
      cleanup: async (attempt, finished) => {
        if (!finished) return;
        await this.store.deletePrefix(batchKeys.shards(attempt.row.id));
        await this.store.deletePrefix(batchKeys.attempts(attempt.row.id));
        await this.shards.deleteOfJob(attempt.row.id);
      },
    };
  }

  /** Every shard finished: the job's result and errors are their parts in input order. */
  private async assemble(
    attempt: Attempt<BatchJobEntity>,
  ): Promise<{ fields: JobFields; result: PredictResult }> {
    const row = attempt.row;
    const shards = await this.shards.ofJob(row.id);
    const pending = shards.filter((s) => s.status === 'queued' || s.status === 'running');
    if (pending.length > 0) {
      throw new PermanentJobError(
        `${pending.length} of ${shards.length} shards never finished (${pending.map((s) => s.position).join(', ')})`,
      );
    }
    const failed = shards.find((s) => s.status !== 'completed');
    if (failed)
      throw new PermanentJobError(
        `shard ${failed.position + 1} of ${shards.length} (input lines from ${failed.firstLine}) ${failed.status}: ${failed.error ?? 'no reason given'}`,
      );
    const totals: AttemptCounters = { rowsRead: 0, rowsDone: 0, rowsFailed: 0, bytesRead: 0 };
    for (const s of shards) {
      totals.rowsRead += s.rowsRead;
      totals.rowsDone += s.rowsDone;
      totals.rowsFailed += s.rowsFailed;
      totals.bytesRead += s.bytesRead;
    }
    Object.assign(attempt.counters, totals);
    const maxRatio = this.config.BATCH_MAX_BAD_ROW_RATIO;
    const stoppedEarly = shards.some((s) => s.stoppedEarly);
    const errorParts = shards.map((s) => s.errorsKey).filter((k): k is string => !!k);
    if (stoppedEarly || failsAtEnd(totals.rowsRead, totals.rowsFailed, maxRatio)) {
      await this.keepErrors(attempt, errorParts);
      throw new BadRowsError(totals.rowsRead, totals.rowsFailed, maxRatio, stoppedEarly);
    }
    await attempt.assertHolds();
    await this.store.concat(
      shards.map((s) => s.resultKey!),
      batchKeys.result(row.id),
    );
    await this.store.concat(errorParts, batchKeys.errors(row.id));
    const warnings: Record<string, number> = {};
    for (const s of shards)
      for (const [kind, n] of Object.entries(s.warnings ?? {})) warnings[kind] = (warnings[kind] ?? 0) + n;
    this.countPredictions(row, { counters: totals, progress: { warnings } });
    const cells = mergeCells(shards.map((s) => s.cells ?? []));
    const spec =
      cells.length > 0
        ? (await this.registry.readManifest(await this.registry.get(row.modelName, row.modelVersion))).spec
        : undefined;
    return this.completed(row, totals, spec ? evaluationOf(cells, spec) : null, shards.length);
  }

  /** The job fails for its rejected rows: their errors file is published first, so the reasons can be read. */
  private async keepErrors(attempt: Attempt<BatchJobEntity>, parts: string[]): Promise<void> {
    const key = batchKeys.errors(attempt.row.id);
    await attempt.assertHolds();
    if (parts.length === 1) await this.store.move(parts[0]!, key);
    else await this.store.concat(parts, key);
    await attempt.update({ errorsKey: key });
  }

  private async withModel<R>(
    row: BatchJobEntity,
    work: (model: Awaited<ReturnType<InferenceService['loadVersion']>>) => Promise<R>,
  ): Promise<R> {
    const version = await this.registry.get(row.modelName, row.modelVersion);
    const model = await this.inference.loadVersion(version);
    const release = model.hold();
    try {
      return await work(model);
    } finally {
      release();
    }
  }

  private countPredictions(
    row: BatchJobEntity,
    scored: { counters: AttemptCounters; progress: { warnings: Partial<Record<string, number>> } },
  ): void {
    this.metrics.predictions.inc(
      { model: row.modelName, version: String(row.modelVersion), channel: 'batch' },
      scored.counters.rowsDone,
    );
    for (const [kind, rows] of Object.entries(scored.progress.warnings))
      if (rows) this.metrics.predictionWarnings.inc({ kind, channel: 'batch' }, rows);
  }

  private completed(
    row: BatchJobEntity,
    c: AttemptCounters,
    evaluation: BatchJobEvaluation | null,
    shards: number,
  ): { fields: JobFields; result: PredictResult } {
    this.logger.log(
      `${label(row)}: ${c.rowsDone} rows scored, ${c.rowsFailed} rejected (${shards} shard${shards > 1 ? 's' : ''})`,
    );
    return {
      fields: {
        ...c,
        resultKey: batchKeys.result(row.id),
        errorsKey: batchKeys.errors(row.id),
        evaluation: evaluation as never,
      },
      result: { rowsRead: c.rowsRead, rowsDone: c.rowsDone, rowsFailed: c.rowsFailed, shards },
    };
  }
}

const fractionOf = (row: BatchJobEntity, c: AttemptCounters) =>
  row.inputBytes ? Math.min(1, c.bytesRead / row.inputBytes) : 0;

/** A job's accuracy: the (month, region) cells of its rows with an actual price, null without any. */
function evaluationOf(cells: EvaluationCell[], spec: DatasetSpec): BatchJobEvaluation | null {
  if (cells.length === 0) return null;
  return {
    dateColumn: spec.columns.find((c) => c.role === 'date')?.name ?? null,
    regionColumn: spec.evaluation.regionColumn ?? null,
    cells,
  };
}
