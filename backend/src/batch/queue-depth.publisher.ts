import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { BATCH_QUEUE } from './batch.constants';
import { BatchQueueService, type QueueCounts } from './batch-queue.service';

/** Where queue depth goes for autoscaling. */
export interface QueueDepthSink {
  publish(counts: QueueCounts, at: Date): Promise<void>;
}

/** infra/ scales the worker on HousingPlatform/BatchQueueDepth and alarms on HousingPlatform/BatchJobsFailed. */
const NAMESPACE = 'HousingPlatform';
const METRICS = [
  ['QueueWaiting', 'waiting'],
  ['QueueActive', 'active'],
  ['QueueDelayed', 'delayed'],
  ['QueueFailed', 'failed'],
] as const;

/**
 * CloudWatch PutMetricData through @aws-sdk/client-cloudwatch when that package is installed; without
 * it, the same numbers as a CloudWatch embedded-metric-format line on stdout (which the CloudWatch agent
 * or FireLens turn into metrics).
 */
class CloudWatchSink implements QueueDepthSink {
  private client?: { send(command: unknown): Promise<unknown> };
  private Command?: new (input: unknown) => unknown;

  constructor(
    private readonly queueName: string,
    private readonly logger: Logger,
  ) {
    try {
      // Optional dependency, loaded only when BATCH_METRICS_CLOUDWATCH=1.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sdk = require('@aws-sdk/client-cloudwatch') as {
        CloudWatchClient: new () => { send(command: unknown): Promise<unknown> };
        PutMetricDataCommand: new (input: unknown) => unknown;
      };
      this.client = new sdk.CloudWatchClient();
      this.Command = sdk.PutMetricDataCommand;
    } catch {
      this.logger.warn(
        'BATCH_METRICS_CLOUDWATCH=1 but @aws-sdk/client-cloudwatch is not installed: writing embedded-metric-format log lines instead',
      );
    }
  }

  private lastFailed?: number;

  async publish(counts: QueueCounts, at: Date): Promise<void> {
    const dimensions = [{ Name: 'Queue', Value: this.queueName }];
    // The two fleet-wide metrics the stack uses (no dimensions): jobs waiting or running, and jobs that
    // failed since the previous report (BullMQ's failed count is a running total).
    const depth = counts.waiting + counts.active;
    const failedSince = this.lastFailed === undefined ? 0 : Math.max(0, counts.failed - this.lastFailed);
    this.lastFailed = counts.failed;
    if (this.client && this.Command) {
      await this.client.send(
        new this.Command({
          Namespace: NAMESPACE,
          MetricData: [
            { MetricName: 'BatchQueueDepth', Timestamp: at, Value: depth, Unit: 'Count' },
            { MetricName: 'BatchJobsFailed', Timestamp: at, Value: failedSince, Unit: 'Count' },
            ...METRICS.map(([name, state]) => ({
              MetricName: name,
              Dimensions: dimensions,
              Timestamp: at,
              Value: counts[state],
              Unit: 'Count',
            })),
          ],
        }),
      );
      return;
    }
    const emf = {
      _aws: {
        Timestamp: at.getTime(),
        CloudWatchMetrics: [
          {
            Namespace: NAMESPACE,
            Dimensions: [[]],
            Metrics: [
              { Name: 'BatchQueueDepth', Unit: 'Count' },
              { Name: 'BatchJobsFailed', Unit: 'Count' },
            ],
          },
          {
            Namespace: NAMESPACE,
            Dimensions: [['Queue']],
            Metrics: METRICS.map(([name]) => ({ Name: name, Unit: 'Count' })),
          },
        ],
      },
      Queue: this.queueName,
      BatchQueueDepth: depth,
      BatchJobsFailed: failedSince,
      ...Object.fromEntries(METRICS.map(([name, state]) => [name, counts[state]])),
    };
    process.stdout.write(JSON.stringify(emf) + '\n');
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
      this.addSink(new CloudWatchSink(`${this.config.QUEUE_PREFIX}:${BATCH_QUEUE}`, this.logger));
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
