import * as os from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { WaitingChildrenError, WaitingError, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { Repository } from 'typeorm';
import { JobAttempts } from '../../jobs/job-attempts.repository';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { MetricsService } from '../../metrics/metrics.service';
import { RedisService } from '../../redis/redis.service';
import type { BatchOutcome } from '../../metrics/metric-names';
import { AttemptAborted } from '../../jobs/attempt-errors';
import {
  BATCH_QUEUE,
  EVALUATION_JOB,
  MONTHLY_JOB,
  SHARD_JOB,
  type BatchJobData,
  type EvaluationJobData,
  type PredictJobData,
  type ShardJobData,
} from '../shared/batch.constants';
import { BatchEvaluationEntity } from '../shared/batch-evaluation.entity';
import { BatchJobEntity } from '../shared/batch-job.entity';
import { BatchQueueService } from '../shared/batch-queue.service';
import { BatchShardsRepository } from '../shared/batch-shards.repository';
import { BatchEvaluationProcessor } from './batch-evaluation.processor';
import { PredictProcessor } from './predict.processor';
import { ShardProcessor } from './shard.processor';

type JobKind = 'predict' | 'shard' | 'evaluation';

/** Which processor a queued job goes to (jobs queued before the evaluation's rename included). */
export function kindOf(job: Pick<Job<BatchJobData>, 'name' | 'data'>): JobKind {
  if (job.name === SHARD_JOB || job.data.kind === 'shard') return 'shard';
  if (
    job.name === EVALUATION_JOB ||
    job.name === MONTHLY_JOB ||
    job.data.kind === 'evaluation' ||
    job.data.kind === 'monthly'
  )
    return 'evaluation';
  return 'predict';
}

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
  /** Queue jobs this process is running → the batch job (or evaluation) each belongs to. */
  readonly running = new Map<string, string>();
  private readonly jobs: JobAttempts<BatchJobEntity>;
  private readonly evaluations: JobAttempts<BatchEvaluationEntity>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(BatchJobEntity) jobRows: Repository<BatchJobEntity>,
    @InjectRepository(BatchEvaluationEntity)
    private readonly evaluationRows: Repository<BatchEvaluationEntity>,
    private readonly queue: BatchQueueService,
    private readonly redis: RedisService,
    private readonly predict: PredictProcessor,
    private readonly shard: ShardProcessor,
    private readonly evaluation: BatchEvaluationProcessor,
    private readonly shards: BatchShardsRepository,
    private readonly metrics: MetricsService,
  ) {
    this.jobs = new JobAttempts(jobRows);
    this.evaluations = new JobAttempts(evaluationRows);
  }

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
    // A cancellation names the batch job: its running queue job and any of its shards stop.
    this.subscriber.on('message', (_channel: string, jobId: string) => {
      for (const [queueJobId, owner] of this.running)
        if (owner === jobId && this.worker?.cancelJob(queueJobId, 'cancelled'))
          this.logger.log(`job ${queueJobId}: cancellation received`);
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
    const kind = kindOf(job);
    const data = job.data;
    this.running.set(String(job.id), 'jobId' in data ? data.jobId : String(job.id));
    const timer = this.metrics.batchJobDuration.startTimer({ kind });
    let outcome: BatchOutcome = 'failed';
    try {
      const result =
        kind === 'evaluation'
          ? await this.evaluation.process(job as Job<EvaluationJobData>, token, signal, this.workerId)
          : kind === 'shard'
            ? await this.shard.process(job as Job<ShardJobData>, token, signal, this.workerId)
            : await this.predict.process(job as Job<PredictJobData>, token, signal, this.workerId);
      // batch_rows_total is counted per chunk by the processors (BatchRowsMeter), failed attempts included.
      outcome = result.outcome;
      return result;
    } catch (error) {
      if (error instanceof WaitingChildrenError) outcome = 'waiting';
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
  private async onStalled(queueJobId: string): Promise<void> {
    this.metrics.batchJobsStalled.inc();
    this.logger.warn(
      `job ${queueJobId}: stalled (no lock renewal for ${this.config.BATCH_STALLED_MS} ms); requeued for another worker`,
    );
    const message = `stalled: its worker stopped renewing the lock for ${this.config.BATCH_STALLED_MS} ms; restarted from scratch on another worker`;
    try {
      if (await this.jobs.markStalled(queueJobId, message)) return;
      if (await this.shards.attempts.markStalled(queueJobId, message)) return;
      const evaluation = await this.evaluationRows.findOneBy({ queueJobId });
      if (evaluation) await this.evaluations.markStalled(evaluation.id, message);
    } catch (error) {
      this.logger.warn(`could not record the stall of ${queueJobId}: ${(error as Error).message}`);
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
