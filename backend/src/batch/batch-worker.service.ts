import * as os from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { WaitingError, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MetricsService } from '../metrics/metrics.service';
import { RedisService } from '../redis/redis.service';
import type { BatchOutcome } from '../metrics/metric-names';
import { AttemptAborted } from './attempt';
import {
  BATCH_QUEUE,
  MONTHLY_JOB,
  type BatchJobData,
  type MonthlyJobData,
  type PredictJobData,
} from './batch.constants';
import { BatchEvaluationEntity } from './batch-evaluation.entity';
import { BatchJobEntity } from './batch-job.entity';
import { BatchQueueService } from './batch-queue.service';
import { MonthlyProcessor } from './monthly.processor';
import { PredictProcessor } from './predict.processor';

/**
 * The BullMQ worker of a worker process: takes jobs from `batch-predictions` (BATCH_CONCURRENCY at a
 * time; any number of worker processes share the queue) and runs them through the processors.
 *
 * Locks: a job's lock lasts BATCH_STALLED_MS and is renewed at half that; every BATCH_STALLED_MS each
 * worker moves jobs whose lock expired (their worker died or hung) back to the queue, where another
 * worker restarts them from scratch, up to BATCH_MAX_STALLED_COUNT times. Running jobs stop at their
 * next chunk when cancelled (a message on the cancel channel), when their lock could not be renewed,
 * or on shutdown (the job goes back to the queue at once).
 */
@Injectable()
export class BatchWorkerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('BatchWorker');
  readonly workerId = `${os.hostname()}:${process.pid}`;
  private worker?: Worker<BatchJobData>;
  private subscriber?: Redis;
  private lastErrorLog = 0;
  /** Jobs this process is running (for tests and the shutdown log). */
  readonly running = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(BatchJobEntity) private readonly jobs: Repository<BatchJobEntity>,
    @InjectRepository(BatchEvaluationEntity) private readonly runs: Repository<BatchEvaluationEntity>,
    private readonly queue: BatchQueueService,
    private readonly redis: RedisService,
    private readonly predict: PredictProcessor,
    private readonly monthly: MonthlyProcessor,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    const c = this.config;
    this.worker = new Worker<BatchJobData>(
      BATCH_QUEUE,
      (job, token, signal) => this.handle(job, token, signal),
      {
        connection: this.queue.bullConnection('batch-worker'),
        prefix: this.queue.prefix,
        name: this.workerId,
        concurrency: c.BATCH_CONCURRENCY,
        lockDuration: c.BATCH_STALLED_MS,
        stalledInterval: c.BATCH_STALLED_MS,
        maxStalledCount: c.BATCH_MAX_STALLED_COUNT,
        // Pause after a Redis connection error before fetching again: BullMQ's 15 s by default, shorter
        // when a short BATCH_STALLED_MS asks for quick recovery.
        runRetryDelay: Math.min(15_000, Math.max(1000, Math.floor(c.BATCH_STALLED_MS / 2))),
        autorun: true,
      },
    );
    this.worker.on('stalled', (jobId) => void this.onStalled(jobId));
    this.worker.on('lockRenewalFailed', (jobIds) => {
      for (const jobId of jobIds) {
        this.logger.warn(`job ${jobId}: could not renew its lock; stopping this attempt`);
        this.worker?.cancelJob(jobId, 'lost');
      }
    });
    this.worker.on('error', (error) => {
      if (Date.now() - this.lastErrorLog > 10_000) {
        this.lastErrorLog = Date.now();
        this.logger.warn(`worker: ${error.message}`);
      }
    });
    this.subscriber = this.redis.connect('batch-cancel');
    this.subscriber.on('message', (_channel: string, jobId: string) => {
      if (this.worker?.cancelJob(jobId, 'cancelled')) this.logger.log(`job ${jobId}: cancellation received`);
    });
    void this.subscriber.subscribe(this.queue.cancelChannel).catch(() => undefined);
    this.logger.log(
      `worker ${this.workerId} on queue ${c.QUEUE_PREFIX}:${BATCH_QUEUE} (concurrency ${c.BATCH_CONCURRENCY}, lock ${c.BATCH_STALLED_MS} ms, chunk ${c.BATCH_CHUNK_ROWS} rows)`,
    );
  }

  private async handle(
    job: Job<BatchJobData>,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    this.running.add(String(job.id));
    const kind = job.name === MONTHLY_JOB || job.data.kind === 'monthly' ? 'monthly' : 'predict';
    const timer = this.metrics.batchJobDuration.startTimer({ kind });
    let outcome: BatchOutcome = 'failed';
    try {
      if (kind === 'monthly') {
        const result = await this.monthly.process(job as Job<MonthlyJobData>, token, signal);
        outcome = result.outcome === 'completed' ? 'completed' : 'skipped';
        return result;
      }
      const result = await this.predict.process(job as Job<PredictJobData>, token, signal, this.workerId);
      // batch_rows_total is counted per chunk by the processor (BatchRowsMeter), failed attempts included.
      outcome = result.outcome;
      return result;
    } catch (error) {
      if (error instanceof AttemptAborted) outcome = 'requeued';
      if (error instanceof AttemptAborted && error.reason === 'shutdown' && token) {
        // Straight back to the queue (no attempt used, no stall wait) for another worker.
        await job.moveToWait(token).catch(() => undefined);
        throw new WaitingError();
      }
      throw error;
    } finally {
      this.running.delete(String(job.id));
      timer({ outcome });
      this.metrics.batchJobs.inc({ kind, outcome });
    }
  }

  /** A job whose worker stopped renewing its lock went back to the queue: say so on its row. */
  private async onStalled(jobId: string): Promise<void> {
    this.metrics.batchJobsStalled.inc();
    this.logger.warn(
      `job ${jobId}: stalled (no lock renewal for ${this.config.BATCH_STALLED_MS} ms); requeued for another worker`,
    );
    const message = `stalled: its worker stopped renewing the lock for ${this.config.BATCH_STALLED_MS} ms; restarted from scratch on another worker`;
    try {
      await this.jobs
        .createQueryBuilder()
        .update(BatchJobEntity)
        .set({
          status: 'queued',
          stalledCount: () => '"stalledCount" + 1',
          error: message,
          updatedAt: Date.now(),
        })
        .where('id = :id AND status = :status', { id: jobId, status: 'running' })
        .execute();
      await this.runs.update(
        { queueJobId: jobId, status: 'running' },
        { status: 'queued', error: message, updatedAt: Date.now() },
      );
    } catch (error) {
      this.logger.warn(`could not record the stall of ${jobId}: ${(error as Error).message}`);
    }
  }

  /** Stops running attempts (their jobs go back to the queue), then closes the worker. */
  async onModuleDestroy(): Promise<void> {
    if (!this.worker) return;
    if (this.running.size > 0)
      this.logger.log(`shutting down: returning ${this.running.size} running job(s) to the queue`);
    this.worker.cancelAllJobs('shutdown');
    await this.worker.close().catch(() => undefined);
    // The cancel subscriber is closed with the other connections by RedisService.
    this.subscriber?.removeAllListeners('message');
  }
}
