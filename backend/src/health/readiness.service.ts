import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService, TypeOrmHealthIndicator, type HealthIndicatorResult } from '@nestjs/terminus';
import { BatchQueueService } from '../batch/shared/batch-queue.service';
import { BATCH_QUEUE } from '../batch/shared/batch.constants';
import { InferenceService } from '../inference/inference.service';
import { READINESS_CHECKS, type ReadinessCheck } from '../metrics/metric-names';
import { MetricsService } from '../metrics/metrics.service';
import { RedisService } from '../redis/redis.service';

/** One readiness check: its result under its own key, up or down (a Terminus indicator function). */
type Check = () => PromiseLike<HealthIndicatorResult> | HealthIndicatorResult;

/**
 * The readiness checks, shared by GET /health/ready and the `health_ready{check}` gauge. The gauge runs
 * them on every Prometheus scrape, so an alert sees a database or Redis outage even when nothing
 * polls /health/ready (the load balancer's checks do not leave a metric behind).
 */
@Injectable()
export class ReadinessService implements OnModuleInit {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisService,
    private readonly inference: InferenceService,
    private readonly queue: BatchQueueService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    // prom-client awaits a gauge's collect() before it renders the scrape.
    (this.metrics.healthReady as unknown as { collect?: () => Promise<void> }).collect = () =>
      this.refreshGauge();
  }

  /** The checks in order, as Terminus runs them for GET /health/ready. */
  checks(): Record<ReadinessCheck, Check> {
    return {
      database: () => this.database.pingCheck('database', { timeout: 1500 }),
      redis: async () => {
        const check = this.indicators.check('redis');
        return (await this.redis.ping()) ? check.up() : check.down({ message: 'Redis does not answer PING' });
      },
      queue: async () => {
        const check = this.indicators.check('queue');
        try {
          return check.up({
            queue: `${this.queue.prefix}:${BATCH_QUEUE}`,
            ...(await this.queue.counts(1000)),
          });
        } catch (error) {
          return check.down({ message: `the batch queue does not answer: ${(error as Error).message}` });
        }
      },
      model: () => {
        const check = this.indicators.check('model');
        const state = this.inference.state();
        if (state.state === 'ready')
          return check.up({ name: state.model.name, version: state.model.version });
        return check.down({ message: 'reason' in state ? state.reason : 'the model is still loading' });
      },
    };
  }

  /** Runs every check at once and sets health_ready{check} to 1 (up) or 0 (down, or it threw). */
  async refreshGauge(): Promise<void> {
    const checks = this.checks();
    await Promise.all(
      READINESS_CHECKS.map(async (name) => {
        this.metrics.healthReady.set({ check: name }, (await passes(checks[name], name)) ? 1 : 0);
      }),
    );
  }
}

/** A Terminus indicator passes when it returns its key with status up; a thrown error is a failure. */
async function passes(indicator: Check, key: string): Promise<boolean> {
  try {
    const result: HealthIndicatorResult = await indicator();
    return result[key]?.status === 'up';
  } catch {
    return false;
  }
}
