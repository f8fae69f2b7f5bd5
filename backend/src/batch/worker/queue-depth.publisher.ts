import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { BATCH_QUEUE } from '../shared/batch.constants';
import { BatchQueueService, type QueueCounts } from '../shared/batch-queue.service';

/** Where queue depth goes for autoscaling. */
export interface QueueDepthSink {
  publish(counts: QueueCounts, at: Date): Promise<void>;
}

/**
 * The CloudWatch names infra/ scales and alarms on (infra/lib/constants.ts; queue-depth.publisher.test.ts
 * checks that what this publishes is what infra reads): the worker service scales on
 * HousingPlatform/BatchQueueDepth, an alarm watches HousingPlatform/BatchJobsFailed.
 */
export const METRIC_NAMESPACE = 'HousingPlatform';
export const QUEUE_DEPTH_METRIC = 'BatchQueueDepth';
export const FAILED_JOBS_METRIC = 'BatchJobsFailed';
/** Per-queue detail (dimension Queue), for dashboards. */
const METRICS = [
  ['QueueWaiting', 'waiting'],
  ['QueueActive', 'active'],
  ['QueueDelayed', 'delayed'],
  ['QueueFailed', 'failed'],
] as const;

/** CloudWatch PutMetricData (BATCH_METRICS_CLOUDWATCH=1; the ECS task role may put to METRIC_NAMESPACE only). */
export class CloudWatchSink implements QueueDepthSink {
  private lastFailed?: number;

  constructor(
    private readonly queueName: string,
    private readonly client: CloudWatchClient = new CloudWatchClient({}),
  ) {}

  async publish(counts: QueueCounts, at: Date): Promise<void> {
    const dimensions = [{ Name: 'Queue', Value: this.queueName }];
    // The two fleet-wide metrics the stack uses (no dimensions): jobs waiting or running, and jobs that
    // failed since the previous report (BullMQ's failed count is a running total).
    const depth = counts.waiting + counts.active;
    const failedSince = this.lastFailed === undefined ? 0 : Math.max(0, counts.failed - this.lastFailed);
    this.lastFailed = counts.failed;
    await this.client.send(
      new PutMetricDataCommand({
        Namespace: METRIC_NAMESPACE,
        MetricData: [
          { MetricName: QUEUE_DEPTH_METRIC, Timestamp: at, Value: depth, Unit: 'Count' },
          { MetricName: FAILED_JOBS_METRIC, Timestamp: at, Value: failedSince, Unit: 'Count' },
          ...METRICS.map(([name, state]) => ({
            MetricName: name,
            Dimensions: dimensions,
            Timestamp: at,
            Value: counts[state],
            Unit: 'Count' as const,
          })),
        ],
      }),
    );
  }
}

/**
 * The worker's queue-depth report for autoscaling: every BATCH_QUEUE_METRICS_INTERVAL_MS one log line
 * `batch queue depth` with the counts (and the `batch_queue_jobs` gauge), and with
 * BATCH_METRICS_CLOUDWATCH=1 the same numbers to CloudWatch. Extra sinks can be added with addSink().
 */
@Injectable()
export class QueueDepthPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('BatchQueueDepth');
  private readonly sinks: QueueDepthSink[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queue: BatchQueueService,
  ) {}

  addSink(sink: QueueDepthSink): void {
    this.sinks.push(sink);
  }

  onApplicationBootstrap(): void {
    if (this.config.BATCH_METRICS_CLOUDWATCH === '1')
      this.addSink(new CloudWatchSink(`${this.config.QUEUE_PREFIX}:${BATCH_QUEUE}`));
    if (this.config.BATCH_QUEUE_METRICS_INTERVAL_MS > 0) {
      this.timer = setInterval(() => void this.publishOnce(), this.config.BATCH_QUEUE_METRICS_INTERVAL_MS);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async publishOnce(): Promise<QueueCounts | undefined> {
    let counts: QueueCounts;
    try {
      counts = await this.queue.counts();
    } catch (error) {
      this.logger.warn(`queue depth unavailable: ${(error as Error).message}`);
      return undefined;
    }
    const at = new Date();
    this.logger.log(
      { event: 'batch-queue-depth', queue: `${this.config.QUEUE_PREFIX}:${BATCH_QUEUE}`, ...counts },
      'batch queue depth',
    );
    for (const sink of this.sinks)
      await sink.publish(counts, at).catch((e: Error) => this.logger.warn(`queue depth sink: ${e.message}`));
    return counts;
  }
}
