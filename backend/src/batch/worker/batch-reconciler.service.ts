import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { JobAttempts } from '../../jobs/job-attempts.repository';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import {
  EVALUATION_JOB,
  MONTHLY_SCHEDULER_ID,
  PREDICT_JOB,
  UNFINISHED_STATUSES,
  type BatchJobData,
} from '../shared/batch.constants';
import { BatchEvaluationEntity } from '../shared/batch-evaluation.entity';
import { BatchJobEntity } from '../shared/batch-job.entity';
import { BatchQueueService } from '../shared/batch-queue.service';
import { withTimeout } from '../../common/with-timeout';
import { BatchShardsRepository } from '../shared/batch-shards.repository';
import { ARTIFACT_STORE, type ArtifactStore } from '../../storage/artifact-store';
import { batchKeys } from '../shared/batch.constants';

const BATCH = 500;

/**
 * Keeps Redis in line with the database, which is the record: every unfinished job row has a BullMQ
 * job (re-added under the same id if Redis lost it: a restart without persistence, a failover, a
 * submit while Redis was down), a row whose BullMQ job failed for good is marked failed (e.g. stalled
 * more than BATCH_MAX_STALLED_COUNT times), the batch evaluation's job scheduler exists as configured,
 * and the shards of finished jobs are removed.
 * Runs in every worker process at start and every BATCH_RECONCILE_INTERVAL_MS; all steps are idempotent.
 */
@Injectable()
export class BatchReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('BatchReconciler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly jobs: JobAttempts<BatchJobEntity>;
  private readonly evaluations: JobAttempts<BatchEvaluationEntity>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(BatchJobEntity) jobRows: Repository<BatchJobEntity>,
    @InjectRepository(BatchEvaluationEntity)
    private readonly evaluationRows: Repository<BatchEvaluationEntity>,
    private readonly queue: BatchQueueService,
    private readonly shards: BatchShardsRepository,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
  ) {
    this.jobs = new JobAttempts(jobRows);
    this.evaluations = new JobAttempts(evaluationRows);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.BATCH_MONTHLY_CRON && !this.config.BATCH_MONTHLY_INPUT_URI) {
      throw new Error(
        'BATCH_MONTHLY_CRON is set but BATCH_MONTHLY_INPUT_URI is not: the monthly batch needs its dataset',
      );
    }
    void this.reconcile();
    if (this.config.BATCH_RECONCILE_INTERVAL_MS > 0) {
      this.timer = setInterval(() => void this.reconcile(), this.config.BATCH_RECONCILE_INTERVAL_MS);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass (concurrent calls share it). */
  reconcile(): Promise<void> {
    this.running ??= this.pass()
      .catch((error: unknown) => this.logger.warn(`reconciliation skipped: ${(error as Error).message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    await this.scheduler();
    for (const row of await this.jobs.unfinished(BATCH)) {
      const unfinished = async () =>
        UNFINISHED_STATUSES.includes((await this.jobs.statusOf(row.id)) ?? 'failed');
      await this.check(row.id, PREDICT_JOB, { kind: 'predict', jobId: row.id }, unfinished, (reason) =>
        this.jobs.failUnfinished(row.id, reason),
      );
    }
    for (const row of await this.evaluations.unfinished(BATCH)) {
      const unfinished = async () =>
        UNFINISHED_STATUSES.includes((await this.evaluations.statusOf(row.id)) ?? 'failed');
      await this.check(
        row.queueJobId ?? row.id,
        EVALUATION_JOB,
        { kind: 'evaluation', evaluationId: row.id, inputUri: row.inputUri },
        unfinished,
        (reason) => this.evaluations.failUnfinished(row.id, reason),
      );
    }
    await this.sweepShards();
  }

  /**
   * A job cancelled or failed while its shards ran leaves their parts and rows behind (an assembled job
   * removes its own): they go here. A shard still running loses its row, so it publishes nothing.
   */
  private async sweepShards(): Promise<void> {
    for (const jobId of await this.shards.finishedJobsWithShards(BATCH)) {
      await this.shards.deleteOfJob(jobId);
      await this.store.deletePrefix(batchKeys.shards(jobId));
      await this.store.deletePrefix(batchKeys.attempts(jobId));
      this.logger.log(`job ${jobId}: finished; its shards' parts removed`);
    }
  }

  /** `id`: the BullMQ job id of the row. */
  private async check(
    id: string,
    name: string,
    data: BatchJobData,
    unfinished: () => Promise<boolean>,
    fail: (reason: string) => Promise<unknown>,
  ): Promise<void> {
    const requeue = async (why: string) => {
      // An evaluation goes back under its own id (a scheduler-made one was queued under `repeat:…`).
      const requeueId = data.kind === 'evaluation' ? data.evaluationId! : id;
      if (data.kind === 'evaluation')
        await this.evaluationRows.update({ id: requeueId }, { queueJobId: requeueId });
      await this.queue.add(name, data, requeueId);
      this.logger.warn(`job ${requeueId}: ${why}; queued again`);
    };
    const job = await this.queue.getJob(id);
    // Each action re-reads the row first: the job may have finished since the rows were listed.
    if (!job) {
      if (await unfinished())
        await requeue('unfinished in the database but unknown to the queue (Redis lost it?)');
      return;
    }
    const state = await withTimeout(job.getState(), 3000, `state of ${id}`);
    if ((state === 'failed' || state === 'completed') && !(await unfinished())) return;
    if (state === 'failed') {
      await fail(job.failedReason || 'failed in the queue');
      this.logger.warn(`job ${id}: failed in the queue (${job.failedReason}); row marked failed`);
    } else if (state === 'completed') {
      // Finished in the queue without finishing its row (an attempt that lost the job): run it again.
      await withTimeout(job.remove(), 3000, `removing ${id}`).catch(() => undefined);
      await requeue('completed in the queue but not in the database');
    }
  }

  /** The monthly batch's job scheduler: present with BATCH_MONTHLY_CRON, absent without. */
  private async scheduler(): Promise<void> {
    const cron = this.config.BATCH_MONTHLY_CRON;
    const queue = this.queue.queue;
    const existing = await withTimeout(
      queue.getJobScheduler(MONTHLY_SCHEDULER_ID),
      3000,
      'reading the job scheduler',
    );
    if (!cron) {
      if (existing) {
        await withTimeout(queue.removeJobScheduler(MONTHLY_SCHEDULER_ID), 3000, 'removing the job scheduler');
        this.logger.log('monthly batch disabled (BATCH_MONTHLY_CRON unset): job scheduler removed');
      }
      return;
    }
    const inputUri = this.config.BATCH_MONTHLY_INPUT_URI!;
    const template = existing?.template?.data as { inputUri?: string; kind?: string } | undefined;
    if (existing?.pattern === cron && existing.name === EVALUATION_JOB && template?.inputUri === inputUri)
      return;
    await withTimeout(
      queue.upsertJobScheduler(
        MONTHLY_SCHEDULER_ID,
        { pattern: cron },
        { name: EVALUATION_JOB, data: { kind: 'evaluation', inputUri } },
      ),
      3000,
      'upserting the job scheduler',
    );
    this.logger.log(`monthly batch scheduled: "${cron}" on ${inputUri}`);
  }
}
