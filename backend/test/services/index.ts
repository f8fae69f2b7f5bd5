import { ensureBucket, startMoto, TEST_AWS_ENV, type MotoService } from './moto';
import { startPostgres, type PostgresService } from './postgres';
import { startRedis, type RedisService } from './redis';

export { startPostgres, postgresAt, withClient, type PostgresService } from './postgres';
export { startRedis, type RedisService } from './redis';
export {
  startMoto,
  ensureBucket,
  testS3Client,
  pytool,
  PYTOOLS_DIR,
  TEST_AWS_ENV,
  type MotoService,
} from './moto';
export { freePort, ServiceProcess } from './process';
export { startPrometheus, type PrometheusService, type PrometheusOptions } from './prometheus';

/** The bucket the services profile uses; each test app gets its own key prefix inside it. */
export const TEST_BUCKET = 'housing-test';

/**
 * Environment variables through which globalSetup hands the shared services to the test files
 * (set in the Jest parent process, so in-band test files and workers both see them).
 */
export const SERVICE_ENV = {
  postgresUrl: 'TEST_POSTGRES_URL',
  redisUrl: 'TEST_REDIS_URL',
  s3Endpoint: 'TEST_S3_ENDPOINT',
  s3Bucket: 'TEST_S3_BUCKET',
} as const;

export interface TestServices {
  postgres?: PostgresService;
  redis?: RedisService;
  moto?: MotoService;
  /** Bucket created on moto (when started). */
  bucket?: string;
  /** TEST_* variables (see SERVICE_ENV) and the AWS test credentials, for process.env. */
  env: Record<string, string>;
  /** Stops everything that was started; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartTestServicesOptions {
  postgres?: boolean;
  redis?: boolean;
  s3?: boolean;
}

/**
 * Starts the requested services (all by default) in parallel on free loopback ports. If one fails, the
 * others are stopped before the error is thrown. The caller owns the result and must call stop()
 * (e.g. in afterAll); a Jest process that dies first takes them down too (see ServiceProcess).
 */
export async function startTestServices(options: StartTestServicesOptions = {}): Promise<TestServices> {
  const { postgres = true, redis = true, s3 = true } = options;
  const started = await Promise.allSettled([
    postgres ? startPostgres() : Promise.resolve(undefined),
    redis ? startRedis() : Promise.resolve(undefined),
    s3 ? startMoto() : Promise.resolve(undefined),
  ] as const);
  const [pg, rd, mt] = started.map((r) => (r.status === 'fulfilled' ? r.value : undefined)) as [
    PostgresService | undefined,
    RedisService | undefined,
    MotoService | undefined,
  ];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.allSettled([pg?.stop(), rd?.stop(), mt?.stop()]);
  };
  const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  try {
    if (mt) await ensureBucket(mt.endpoint, TEST_BUCKET);
  } catch (error) {
    await stop();
    throw error;
  }
  const env: Record<string, string> = {};
  if (pg) env[SERVICE_ENV.postgresUrl] = pg.url;
  if (rd) env[SERVICE_ENV.redisUrl] = rd.url;
  if (mt) {
    env[SERVICE_ENV.s3Endpoint] = mt.endpoint;
    env[SERVICE_ENV.s3Bucket] = TEST_BUCKET;
    Object.assign(env, TEST_AWS_ENV);
  }
  return { postgres: pg, redis: rd, moto: mt, bucket: mt ? TEST_BUCKET : undefined, env, stop };
}
