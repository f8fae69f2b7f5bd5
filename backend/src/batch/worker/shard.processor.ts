import { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { InferenceService } from '../../inference/inference.service';
import { DriftRecorder } from '../../monitoring/drift-recorder.service';
import { RegistryService } from '../../model-registry/registry.service';
import { ARTIFACT_STORE, type ArtifactStore } from '../../storage/artifact-store';
import { AttemptAborted, openInput } from '../../jobs/attempt-errors';
import { AttemptRunner, type AttemptOutcome, type AttemptStep } from '../../jobs/attempt-runner';
import { failsEarly } from '../shared/bad-rows';
import { batchKeys, type ShardJobData } from '../shared/batch.constants';
import type { BatchJobShardEntity } from '../shared/batch-job-shard.entity';
import { BatchJobEntity } from '../shared/batch-job.entity';
import { BatchShardsRepository } from '../shared/batch-shards.repository';
import { BatchRowsMeter } from './batch-rows.meter';
import { scoreInput } from './score-input';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';

export type ShardJob = Pick<
  Job<ShardJobData>,
  'data' | 'attemptsMade' | 'opts' | 'stalledCounter' | 'updateProgress' | 'extendLock'
>;

export interface ShardResult {
  rowsRead: number;
  rowsDone: number;
  rowsFailed: number;
  stoppedEarly: boolean;
}

/**
 * A shard of a large batch job (a byte range of its input holding whole records, the header read
 * first): scored like a small job, its result and errors parts published under the job's prefix by the
 * attempt that holds the shard row. Every progress interval it adds the job's shards up on the job's
 * row (so the job shows live counts), stops when the job was cancelled or finished, and stops early,
 * keeping its rejected rows, when the job's rejected share over all shards passed the limit.
 */
@Injectable()
export class ShardProcessor {
  private readonly logger = new Logger('BatchShard');
  private readonly runner: AttemptRunner;

  constructor(
    @InjectRepository(BatchJobEntity) private readonly jobs: Repository<BatchJobEntity>,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: RegistryService,
    private readonly inference: InferenceService,
    private readonly rows: BatchRowsMeter,
    private readonly drift: DriftRecorder,
    private readonly shards: BatchShardsRepository,
  ) {
    this.runner = new AttemptRunner(
      { lockMs: config.BATCH_STALLED_MS, progressIntervalMs: config.BATCH_PROGRESS_INTERVAL_MS },
      this.logger,
    );
  }

  async process(
    job: ShardJob,
    token: string | undefined,
    signal: AbortSignal | undefined,
    workerId: string,
  ): Promise<AttemptOutcome<ShardResult>> {
    const outcome = await this.runner.run(
      this.shards.attempts,
      job.data.shardId,
      job,
      token,
      signal,
      workerId,
      this.step(job.data),
    );
    // Stopped by its job's cancellation (the worker was told, or the job's row said so): the shard ends too.
    if (outcome.outcome === 'cancelled')
      await this.shards.attempts.cancel(job.data.shardId, 'its job was cancelled');
    return outcome;
  }

  private step(data: ShardJobData): AttemptStep<BatchJobShardEntity, ShardResult> {
    const { BATCH_MAX_BAD_ROW_RATIO: maxRatio, BATCH_BAD_ROW_MIN_ROWS: minRows } = this.config;
    return {
      label: (shard) => `job ${shard.jobId} shard ${shard.position}`,
      run: async (attempt) => {
        const shard = attempt.row;
        const parent = await this.jobs.findOneBy({ id: shard.jobId });
        if (!parent || parent.status !== 'running') return this.stopWithJob(shard, attempt.attemptId);
        const prefix = `${batchKeys.attempt(shard.jobId, attempt.attemptId)}`;
        const resultTmp = `${prefix}/result.csv`;
        const errorsTmp = `${prefix}/errors.csv`;
        const version = await this.registry.get(parent.modelName, parent.modelVersion);
        const model = await this.inference.loadVersion(version);
        const release = model.hold();
        let lastTotals = 0;
        let scored;
        try {
          scored = await scoreInput(
            { store: this.store, config: this.config, drift: this.drift },
            {
              model,
              input: await this.openRange(parent.inputKey, shard, data.headerEnd),
              resultKey: resultTmp,
              errorsKey: errorsTmp,
              explainTop: parent.explainTop,
              lineOffset: shard.position === 0 ? 0 : data.lineOffset,
              writeHeaders: shard.position === 0,
              prefixBytes: shard.position === 0 ? 0 : data.headerEnd,
              onChunk: async (counters) => {
                await this.rows.record(shard.id, counters);
                await attempt.checkpoint(counters);
                if (Date.now() - lastTotals < this.config.BATCH_PROGRESS_INTERVAL_MS) return 'continue';
                lastTotals = Date.now();
                const totals = await this.shards.totals(shard.jobId, shard.id, counters);
                // The job's row: cancelled or finished (another shard failed it) means stop here.
                if (!(await this.shards.reportToJob(shard.jobId, totals))) {
                  await this.shards.attempts.cancel(shard.id, 'its job was cancelled or finished');
                  throw new AttemptAborted('cancelled');
                }
                return totals.stoppedEarly ||
                  failsEarly(totals.rowsRead, totals.rowsFailed, maxRatio, minRows)
                  ? 'stop'
                  : 'continue';
              },
            },
          );
        } finally {
          release();
        }
        Object.assign(attempt.counters, scored.counters);
        await attempt.assertHolds();
        if ((await this.jobs.findOneBy({ id: shard.jobId }))?.status !== 'running')
          return this.stopWithJob(shard, attempt.attemptId);
        const part = batchKeys.shard(shard.jobId, shard.position);
        if (!scored.stoppedEarly) await this.store.move(resultTmp, `${part}/result.csv`);
        await this.store.move(errorsTmp, `${part}/errors.csv`);
        const c = scored.counters;
        return {
          fields: {
            ...c,
            resultKey: scored.stoppedEarly ? null : `${part}/result.csv`,
            errorsKey: `${part}/errors.csv`,
            stoppedEarly: scored.stoppedEarly,
            warnings: scored.progress.warnings as Record<string, number>,
            cells: scored.cells.list(),
          },
          result: {
            rowsRead: c.rowsRead,
            rowsDone: c.rowsDone,
            rowsFailed: c.rowsFailed,
            stoppedEarly: scored.stoppedEarly,
          },
        };
      },
      cleanup: async (attempt) => {
        await this.store.deletePrefix(`${batchKeys.attempt(attempt.row.jobId, attempt.attemptId)}/`);
      },
    };
  }

  /** The job was cancelled or finished without this shard: the shard ends too, with nothing published. */
  private async stopWithJob(shard: BatchJobShardEntity, attemptId: string): Promise<never> {
    await this.shards.attempts.cancel(shard.id, 'its job was cancelled or finished');
    this.logger.log(
      `job ${shard.jobId} shard ${shard.position}: its job is no longer running; attempt ${attemptId} stopped`,
    );
    throw new AttemptAborted('cancelled');
  }

  /** The shard's bytes, after the input's header record (the first shard holds it already). */
  private async openRange(key: string, shard: BatchJobShardEntity, headerEnd: number): Promise<Readable> {
    const range = await openInput(
      () => this.store.getStream(key, { start: shard.startByte, end: shard.endByte }),
      key,
    );
    if (shard.position === 0) return range;
    const header = await openInput(() => this.store.getStream(key, { start: 0, end: headerEnd }), key);
    return Readable.from(
      (async function* () {
        yield* header;
        yield* range;
      })(),
    );
  }
}
