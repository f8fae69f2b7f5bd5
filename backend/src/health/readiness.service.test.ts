import { HealthIndicatorService, type TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { BatchQueueService } from '../batch/shared/batch-queue.service';
import type { InferenceService } from '../inference/inference.service';
import { MetricsService } from '../metrics/metrics.service';
import type { RedisService } from '../redis/redis.service';
import { ReadinessService } from './readiness.service';

/** The gauge's mapping from check results to 0/1 (the checks themselves run for real in the e2e tests). */
function readiness(options: { databaseThrows: boolean; redisAnswers: boolean; modelReady: boolean }) {
  const indicators = new HealthIndicatorService();
  const database = {
    pingCheck: async (key: string) => {
      if (options.databaseThrows) throw new Error('connect ECONNREFUSED');
      return indicators.check(key).up();
    },
  } as unknown as TypeOrmHealthIndicator;
  const redis = { ping: async () => options.redisAnswers } as unknown as RedisService;
  const queue = { prefix: 'q', counts: async () => ({ waiting: 0 }) } as unknown as BatchQueueService;
  const inference = {
    state: () =>
      options.modelReady
        ? { state: 'ready', model: { name: 'm', version: 1 } }
        : { state: 'none', reason: 'no version is in production' },
  } as unknown as InferenceService;
  const metrics = new MetricsService();
  const service = new ReadinessService(indicators, database, redis, inference, queue, metrics);
  service.onModuleInit();
  return metrics;
}

const samples = async (metrics: MetricsService): Promise<Record<string, number>> =>
  Object.fromEntries(
    (await metrics.healthReady.get()).values.map((v) => [String(v.labels.check), v.value] as const),
  );

describe('health_ready{check}', () => {
  it('is 1 for each passing check and 0 for a failing or throwing one, refreshed on every scrape', async () => {
    const down = readiness({ databaseThrows: true, redisAnswers: false, modelReady: false });
    await down.registry.metrics(); // a scrape runs the checks
    expect(await samples(down)).toEqual({ database: 0, redis: 0, queue: 1, model: 0 });
    const text = await down.registry.metrics();
    expect(text).toMatch(/^health_ready\{check="database"\} 0$/m);

    const up = readiness({ databaseThrows: false, redisAnswers: true, modelReady: true });
    await up.registry.metrics();
    expect(await samples(up)).toEqual({ database: 1, redis: 1, queue: 1, model: 1 });
  });
});
