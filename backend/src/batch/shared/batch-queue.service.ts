import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Queue, type Job, type JobsOptions } from 'bullmq';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { MetricsService } from '../../metrics/metrics.service';
import { RedisService } from '../../redis/redis.service';
import { BATCH_QUEUE, type BatchJobData } from './batch.constants';
import { withTimeout } from '../../common/with-timeout';

/** The queue states reported on /metrics, /health/ready and the worker's depth log line. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'completed'] as const;
export type QueueCounts = Record<(typeof QUEUE_STATES)[number], number>;

/**
 * The `batch-predictions` BullMQ queue as producers and observers see it (API and workers): adding and
 * removing jobs, queue depth (also as the `batch_queue_jobs` gauge, refreshed on every scrape) and the
 * cancellation channel that tells the worker running a job to stop.
 */
@Injectable()
export class BatchQueueService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('BatchQueue');
  private connection?: Redis;
  private queueInstance?: Queue<BatchJobData>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    // Refresh the gauge when Prometheus scrapes (prom-client awaits a gauge's collect()).
    (this.metrics.queueJobs as unknown as { collect?: () => Promise<void> }).collect = async () => {
      await this.counts(1000).catch(() => undefined);
    };
  }

  get prefix(): string {
    return this.config.QUEUE_PREFIX;
  }

  /** Channel on which cancellations of running jobs are announced to the workers. */
  get cancelChannel(): string {
    return `${this.prefix}:${BATCH_QUEUE}:cancel`;
  }

  /** A Redis connection suitable for BullMQ (no per-command retry limit: BullMQ handles reconnection). */
  bullConnection(name: string): Redis {
    return this.redis.connect(name, { maxRetriesPerRequest: null });
  }

  get queue(): Queue<BatchJobData> {
    if (!this.queueInstance) {
      this.connection = this.bullConnection('batch-queue');
      this.queueInstance = new Queue<BatchJobData>(BATCH_QUEUE, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: this.jobOptions(),
      });
      this.queueInstance.on('error', (error) => this.logger.warn(`queue: ${error.message}`));
    }
    return this.queueInstance;
  }

  /** Retries with exponential backoff; finished jobs stay in Redis for a while (the database keeps them for good). */
  jobOptions(): JobsOptions {
    return {
      attempts: this.config.BATCH_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.config.BATCH_BACKOFF_MS },
      removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
      removeOnFail: { age: 30 * 24 * 3600, count: 1000 },
    };
  }

  /** Adds a job under its database id; adding an id that is already queued is a no-op (BullMQ keeps the first). */
  async add(name: string, data: BatchJobData, jobId: string, timeoutMs = 3000): Promise<void> {
    await withTimeout(
      this.queue.add(name, data, { ...this.jobOptions(), jobId }),
      timeoutMs,
      `queueing job ${jobId}`,
    );
  }

  /**
   * Adds a child job of `parent` (a shard of a split job): the parent waits for its children; a child
   * that fails for good does not fail the parent, which then reads why from the child's row.
   */
  async addChild(
    name: string,
    data: BatchJobData,
    jobId: string,
    parent: { id: string; queue: string },
    timeoutMs = 3000,
  ): Promise<void> {
    await withTimeout(
      this.queue.add(name, data, { ...this.jobOptions(), jobId, parent, ignoreDependencyOnFailure: true }),
      timeoutMs,
      `queueing job ${jobId}`,
    );
  }

  async getJob(jobId: string, timeoutMs = 3000): Promise<Job<BatchJobData> | undefined> {
    return withTimeout(this.queue.getJob(jobId), timeoutMs, `reading job ${jobId}`);
  }

  /**
   * Removes a job that no worker holds (waiting, delayed, failed…). Returns false when it is active
   * (locked by a worker: cancel it through the channel instead) or unknown to the queue.
   */
  async removeIfNotActive(jobId: string, timeoutMs = 3000): Promise<boolean> {
    const job = await this.getJob(jobId, timeoutMs);
    if (!job) return false;
    try {
      await withTimeout(job.remove(), timeoutMs, `removing job ${jobId}`);
      return true;
    } catch (error) {
      // BullMQ refuses to remove a locked (active) job.
      this.logger.debug?.(`job ${jobId} not removed: ${(error as Error).message}`);
      return false;
    }
  }

  /** Tells every worker to stop `jobId` at its next chunk. */
  async publishCancel(jobId: string): Promise<void> {
    await withTimeout(
      this.redis.client().publish(this.cancelChannel, jobId),
      2000,
      'publishing a cancellation',
    );
  }

  /** Queue depth by state; updates the `batch_queue_jobs` gauge. Rejects when Redis does not answer in time. */
  async counts(timeoutMs = 2000): Promise<QueueCounts> {
    const raw = await withTimeout(this.queue.getJobCounts(...QUEUE_STATES), timeoutMs, 'counting queue jobs');
    const counts = Object.fromEntries(QUEUE_STATES.map((s) => [s, Number(raw[s] ?? 0)])) as QueueCounts;
    for (const state of QUEUE_STATES) this.metrics.queueJobs.set({ state }, counts[state]);
    return counts;
  }

  /** Before RedisService closes the connections (onApplicationShutdown). */
  async onModuleDestroy(): Promise<void> {
    (this.metrics.queueJobs as unknown as { collect?: unknown }).collect = undefined;
    await this.queueInstance?.close().catch(() => undefined);
  }
}
