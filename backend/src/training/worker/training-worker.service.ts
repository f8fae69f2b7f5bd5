import * as os from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { WaitingError, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { AttemptAborted } from '../../jobs/attempt-errors';
import { RedisService } from '../../redis/redis.service';
import { TRAINING_QUEUE, type TrainingJobData } from '../shared/training.constants';
import { TrainingQueueService } from '../shared/training-queue.service';
import { TrainingRunsRepository } from '../shared/training-runs.repository';
import { TrainingProcessor } from './training.processor';

/**
 * The BullMQ worker of a training-worker process: takes runs from `training` (TRAINING_CONCURRENCY at
 * a time) and runs each through the processor. A run's lock lasts TRAINING_STALLED_MS and is renewed
 * while its trainer runs; a worker that dies stops renewing it, and another worker's stall check moves
 * the run back to the queue (up to TRAINING_MAX_STALLED_COUNT times, then the reconciler marks it
 * failed). Cancellations arrive on the cancel channel; on SIGTERM the trainers are stopped and their
 * runs go straight back to the queue.
 */
@Injectable()
export class TrainingWorkerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TrainingWorker');
  readonly workerId = `${os.hostname()}:${process.pid}`;
  private worker?: Worker<TrainingJobData>;
  private subscriber?: Redis;
  private lastErrorLog = 0;
  /** Runs this process is training. */
  readonly running = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queue: TrainingQueueService,
    private readonly redis: RedisService,
    private readonly processor: TrainingProcessor,
    private readonly runs: TrainingRunsRepository,
  ) {}

  onApplicationBootstrap(): void {
    const c = this.config;
    this.worker = new Worker<TrainingJobData>(TRAINING_QUEUE, (job, token, signal) => this.handle(job, token, signal), {
      connection: this.queue.bullConnection('training-worker'),
      prefix: this.queue.prefix,
      name: this.workerId,
      concurrency: c.TRAINING_CONCURRENCY,
      lockDuration: c.TRAINING_STALLED_MS,
      stalledInterval: c.TRAINING_STALLED_MS,
      maxStalledCount: c.TRAINING_MAX_STALLED_COUNT,
      runRetryDelay: Math.min(15_000, Math.max(1000, Math.floor(c.TRAINING_STALLED_MS / 2))),
      autorun: true,
    });
    this.worker.on('stalled', (jobId) => void this.onStalled(jobId));
    this.worker.on('lockRenewalFailed', (jobIds) => {
      for (const jobId of jobIds) {
        this.logger.warn(`training run ${jobId}: could not renew its lock; stopping this attempt`);
        this.worker?.cancelJob(jobId, 'lost');
      }
    });
    this.worker.on('error', (error) => {
      if (Date.now() - this.lastErrorLog > 10_000) {
        this.lastErrorLog = Date.now();
        this.logger.warn(`worker: ${error.message}`);
      }
    });
    this.subscriber = this.redis.connect('training-cancel');
    this.subscriber.on('message', (_channel: string, runId: string) => {
      if (this.running.has(runId) && this.worker?.cancelJob(runId, 'cancelled'))
        this.logger.log(`training run ${runId}: cancellation received`);
    });
    void this.subscriber.subscribe(this.queue.cancelChannel).catch(() => undefined);
    this.logger.log(
      `training worker ${this.workerId} on queue ${c.QUEUE_PREFIX}:${TRAINING_QUEUE} (concurrency ${c.TRAINING_CONCURRENCY}, lock ${c.TRAINING_STALLED_MS} ms, nice ${c.TRAINING_NICE})`,
    );
  }

  private async handle(job: Job<TrainingJobData>, token: string | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    const runId = job.data.runId;
    this.running.add(runId);
    try {
      return await this.processor.process(job, token, signal, this.workerId);
    } catch (error) {
      if (error instanceof AttemptAborted && error.reason === 'shutdown' && token) {
        // Straight back to the queue (no attempt used, no stall wait) for another worker.
        await job.moveToWait(token).catch(() => undefined);
        throw new WaitingError();
      }
      throw error;
    } finally {
      this.running.delete(runId);
    }
  }

  private async onStalled(runId: string): Promise<void> {
    this.logger.warn(`training run ${runId}: stalled (no lock renewal for ${this.config.TRAINING_STALLED_MS} ms); requeued`);
    await this.runs.attempts
      .markStalled(runId, `stalled: its worker stopped renewing the lock for ${this.config.TRAINING_STALLED_MS} ms; restarted on another worker`)
      .catch((error: unknown) => this.logger.warn(`could not record the stall of ${runId}: ${(error as Error).message}`));
  }

  /** Stops running trainers (their runs go back to the queue), then closes the worker. */
  async onModuleDestroy(): Promise<void> {
    if (!this.worker) return;
    if (this.running.size > 0) this.logger.log(`shutting down: returning ${this.running.size} training run(s) to the queue`);
    this.worker.cancelAllJobs('shutdown');
    await this.worker.close().catch(() => undefined);
    this.subscriber?.removeAllListeners('message');
  }
}
