import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MonitoringService } from './monitoring.service';

/**
 * The CloudWatch name infra's drift alarm reads (infra/lib/constants.ts FEATURE_DRIFT_METRIC; the test
 * checks they agree): the largest PSI over the production model's input features over DRIFT_ALERT_HOURS.
 */
export const DRIFT_METRIC_NAMESPACE = 'HousingPlatform';
export const FEATURE_DRIFT_METRIC = 'FeatureDriftMaxPsi';

/** Puts the worst feature's PSI (nothing when nothing was scored in the window). */
export async function publishWorstDrift(
  client: Pick<CloudWatchClient, 'send'>,
  features: readonly { feature: string; psi: number | null }[],
  at: Date,
): Promise<number | null> {
  const values = features.map((f) => f.psi).filter((v): v is number => v !== null);
  if (values.length === 0) return null;
  const worst = Math.max(...values);
  await client.send(
    new PutMetricDataCommand({
      Namespace: DRIFT_METRIC_NAMESPACE,
      MetricData: [{ MetricName: FEATURE_DRIFT_METRIC, Timestamp: at, Value: worst, Unit: 'None' }],
    }),
  );
  return worst;
}

/**
 * In the worker (which holds the CloudWatch permission), with BATCH_METRICS_CLOUDWATCH=1: every
 * BATCH_QUEUE_METRICS_INTERVAL_MS, the worst PSI of the production model, for the AWS drift alarm.
 */
@Injectable()
export class DriftCloudWatchPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DriftCloudWatch');
  private timer?: NodeJS.Timeout;
  private client?: CloudWatchClient;

  constructor(
    private readonly monitoring: MonitoringService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.BATCH_METRICS_CLOUDWATCH !== '1' || this.config.BATCH_QUEUE_METRICS_INTERVAL_MS === 0)
      return;
    this.client = new CloudWatchClient({});
    this.timer = setInterval(() => void this.publishOnce(), this.config.BATCH_QUEUE_METRICS_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.client?.destroy();
  }

  async publishOnce(): Promise<void> {
    try {
      const report = await this.monitoring.drift({ hours: this.config.DRIFT_ALERT_HOURS });
      if (this.client) await publishWorstDrift(this.client, report.features, new Date());
    } catch (error) {
      this.logger.warn(`drift not published: ${(error as Error).message}`);
    }
  }
}
