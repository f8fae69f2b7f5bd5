import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Queue, type Job, type JobsOptions } from 'bullmq';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { RedisService } from '../../redis/redis.service';
import { withTimeout } from '../../common/with-timeout';
import { TRAINING_QUEUE, TRAIN_JOB, type TrainingJobData } from './training.constants';

/**
 * The `training` BullMQ queue as the API and the training workers see it: adding a run, removing a
 * run no worker holds, its depth, and the channel that tells the worker running a run to stop.
 */
@Injectable()
export class TrainingQueueService implements OnModuleDestroy {
  private readonly logger = new Logger('TrainingQueue');
  private queueInstance?: Queue<TrainingJobData>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {}

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

  /** BullMQ's running total of runs that failed for good (kept for removeOnFail's age). */
  async failedCount(timeoutMs = 2000): Promise<number> {
    return withTimeout(this.queue.getFailedCount(), timeoutMs, 'counting failed training jobs');
  }

  async onModuleDestroy(): Promise<void> {
    await this.queueInstance?.close().catch(() => undefined);
  }
}
