import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { METRIC_NAMESPACE } from '../../batch/worker/queue-depth.publisher';
import { TrainingQueueService } from '../shared/training-queue.service';

/**
 * The CloudWatch names infra/ scales and alarms on (infra/lib/constants.ts): the training-worker service
 * scales on HousingPlatform/TrainingQueueDepth (runs waiting or training), an alarm watches
 * HousingPlatform/TrainingRunsFailed (runs failed since the previous report).
 */
export const TRAINING_QUEUE_DEPTH_METRIC = 'TrainingQueueDepth';
export const FAILED_TRAINING_RUNS_METRIC = 'TrainingRunsFailed';

export interface TrainingQueueCounts {
  waiting: number;
  active: number;
  failed: number;
}

/** The two metrics of one report; `previousFailed` is BullMQ's running failed total at the last report. */
export function trainingMetricData(counts: TrainingQueueCounts, previousFailed: number | undefined, at: Date) {
  const failedSince = previousFailed === undefined ? 0 : Math.max(0, counts.failed - previousFailed);
  return [
    { MetricName: TRAINING_QUEUE_DEPTH_METRIC, Timestamp: at, Value: counts.waiting + counts.active, Unit: 'Count' as const },
    { MetricName: FAILED_TRAINING_RUNS_METRIC, Timestamp: at, Value: failedSince, Unit: 'Count' as const },
  ];
}

/**
 * Every TRAINING_QUEUE_METRICS_INTERVAL_MS: one `training queue depth` log line, and with
 * TRAINING_METRICS_CLOUDWATCH=1 the depth and the failures to CloudWatch.
 */
@Injectable()
export class TrainingQueueMetrics implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TrainingQueueDepth');
  private timer?: NodeJS.Timeout;
  private lastFailed?: number;
  private client?: CloudWatchClient;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queue: TrainingQueueService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.TRAINING_METRICS_CLOUDWATCH === '1') this.client = new CloudWatchClient({});
    if (this.config.TRAINING_QUEUE_METRICS_INTERVAL_MS > 0) {
      this.timer = setInterval(() => void this.publishOnce(), this.config.TRAINING_QUEUE_METRICS_INTERVAL_MS);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async publishOnce(): Promise<TrainingQueueCounts | undefined> {
    let counts: TrainingQueueCounts;
    try {
      const depth = await this.queue.depth();
      counts = { ...depth, failed: await this.queue.failedCount() };
    } catch (error) {
      this.logger.warn(`training queue depth unavailable: ${(error as Error).message}`);
      return undefined;
    }
    this.logger.log({ event: 'training-queue-depth', ...counts }, 'training queue depth');
    const data = trainingMetricData(counts, this.lastFailed, new Date());
    this.lastFailed = counts.failed;
    await this.client
      ?.send(new PutMetricDataCommand({ Namespace: METRIC_NAMESPACE, MetricData: data }))
      .catch((e: Error) => this.logger.warn(`training queue metrics: ${e.message}`));
    return counts;
  }
}
