import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Queue, type Job, type JobsOptions } from 'bullmq';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { TRAINING_QUEUE_STATES } from '../../metrics/metric-names';
import { MetricsService } from '../../metrics/metrics.service';
import { RedisService } from '../../redis/redis.service';
import { withTimeout } from '../../common/with-timeout';
import { TRAINING_QUEUE, TRAIN_JOB, type TrainingJobData } from './training.constants';

export type TrainingQueueCountsByState = Record<(typeof TRAINING_QUEUE_STATES)[number], number>;

/**
 * The `training` BullMQ queue as the API and the training workers see it: adding a run, removing a
 * run no worker holds, its depth (also as the `training_queue_jobs` gauge, refreshed on every scrape),
 * and the channel that tells the worker running a run to stop.
 */
@Injectable()
export class TrainingQueueService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('TrainingQueue');
  private queueInstance?: Queue<TrainingJobData>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    // Refresh the gauge when Prometheus scrapes (prom-client awaits a gauge's collect()), as BatchQueueService does.
    (this.metrics.trainingQueueJobs as unknown as { collect?: () => Promise<void> }).collect = async () => {
      await this.counts(1000).catch(() => undefined);
    };
  }

  get prefix(): string {
    return this.config.QUEUE_PREFIX;
  }

  /** Channel on which cancellations of running runs are announced to the training workers. */
  get cancelChannel(): string {
    return `${this.prefix}:${TRAINING_QUEUE}:cancel`;
  }

  /** A Redis connection for BullMQ (no per-command retry limit: BullMQ handles reconnection). */
  bullConnection(name: string): Redis {
    return this.redis.connect(name, { maxRetriesPerRequest: null });
  }

  get queue(): Queue<TrainingJobData> {
    if (!this.queueInstance) {
      this.queueInstance = new Queue<TrainingJobData>(TRAINING_QUEUE, {
        connection: this.bullConnection('training-queue'),
        prefix: this.prefix,
        defaultJobOptions: this.jobOptions(),
      });
      this.queueInstance.on('error', (error) => this.logger.warn(`queue: ${error.message}`));
    }
    return this.queueInstance;
  }

  /** Retries with backoff; finished jobs stay in Redis for a while (the database keeps the runs for good). */
  jobOptions(): JobsOptions {
    return {
      attempts: this.config.TRAINING_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.config.TRAINING_BACKOFF_MS },
      removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
      removeOnFail: { age: 30 * 24 * 3600, count: 1000 },
    };
  }

  /** Queues a run under its id (a run already queued is left as it is). */
  async add(runId: string, timeoutMs = 3000): Promise<void> {
    await withTimeout(
      this.queue.add(TRAIN_JOB, { runId }, { ...this.jobOptions(), jobId: runId }),
      timeoutMs,
      `queueing training run ${runId}`,
    );
  }

  async getJob(runId: string, timeoutMs = 3000): Promise<Job<TrainingJobData> | undefined> {
    return withTimeout(this.queue.getJob(runId), timeoutMs, `reading training job ${runId}`);
  }

  /** Removes a run no worker holds; false when a worker has it (cancel it through the channel) or it is unknown. */
  async removeIfNotActive(runId: string, timeoutMs = 3000): Promise<boolean> {
    const job = await this.getJob(runId, timeoutMs);
    if (!job) return false;
    try {
      await withTimeout(job.remove(), timeoutMs, `removing training job ${runId}`);
      return true;
    } catch {
      return false; // BullMQ refuses to remove a locked (active) job
    }
  }

  /** Tells every training worker to stop `runId`. */
  async publishCancel(runId: string): Promise<void> {
    await withTimeout(this.redis.client().publish(this.cancelChannel, runId), 2000, 'publishing a cancellation');
  }

  /** Waiting + delayed + prioritized runs: what the infra scales the training workers on. */
  async depth(timeoutMs = 2000): Promise<{ waiting: number; active: number }> {
    const c = await withTimeout(
      this.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active'),
      timeoutMs,
      'counting training jobs',
    );
    return { waiting: (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0 };
  }

  /** Runs by queue state; updates the `training_queue_jobs` gauge. Rejects when Redis does not answer in time. */
  async counts(timeoutMs = 2000): Promise<TrainingQueueCountsByState> {
    const raw = await withTimeout(
      this.queue.getJobCounts(...TRAINING_QUEUE_STATES),
      timeoutMs,
      'counting training jobs',
    );
    const counts = Object.fromEntries(
      TRAINING_QUEUE_STATES.map((s) => [s, Number(raw[s] ?? 0)]),
    ) as TrainingQueueCountsByState;
    for (const state of TRAINING_QUEUE_STATES) this.metrics.trainingQueueJobs.set({ state }, counts[state]);
    return counts;
  }

  /** BullMQ's running total of runs that failed for good (kept for removeOnFail's age). */
  async failedCount(timeoutMs = 2000): Promise<number> {
    return withTimeout(this.queue.getFailedCount(), timeoutMs, 'counting failed training jobs');
  }

  /** Before RedisService closes the connections (onApplicationShutdown). */
  async onModuleDestroy(): Promise<void> {
    (this.metrics.trainingQueueJobs as unknown as { collect?: unknown }).collect = undefined;
    await this.queueInstance?.close().catch(() => undefined);
  }
}
