import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import supertest from 'supertest';
import { createApp, type CreateAppOptions } from '../../src/app.factory';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { S3ArtifactStore } from '../../src/storage/s3-artifact-store';
import {
  postgresAt,
  SERVICE_ENV,
  startRedis,
  startTestServices,
  TEST_AWS_ENV,
  type TestServices,
} from '../services';

export { startTestServices, type TestServices, type StartTestServicesOptions } from '../services';

export type TestProfile = 'embedded' | 'services';

/** The active profile: TEST_PROFILE (set per Jest project), `embedded` when unset. */
export function testProfile(): TestProfile {
  const value = process.env.TEST_PROFILE ?? 'embedded';
  if (value !== 'embedded' && value !== 'services')
    throw new Error(`TEST_PROFILE must be embedded or services, got ${JSON.stringify(value)}`);
  return value;
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** The BOOTSTRAP_ADMIN_KEY the app was started with (`hp_` + 45 random characters). */
  adminKey: string;
  /** The environment the config was loaded from (e.g. to start a worker process with the same settings). */
  env: Record<string, string>;
  /** A supertest agent for the app's HTTP server. */
  request(): supertest.Agent;
  /** Closes the app and removes its state (temp dir, or database and S3 prefix). Idempotent. */
  close(): Promise<void>;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random API key of `length` characters in the project's format: `hp_` and alphanumerics. */
export function randomKey(length = 48): string {
  let out = 'hp_';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: reject the tail so every character is equally likely.
      if (byte < 248 && out.length < length) out += KEY_ALPHABET[byte % 62];
    }
  }
  return out;
}

/** Open apps' QUEUE_PREFIX values: process.env.QUEUE_PREFIX is the newest open app's, else what it was before. */
const openQueuePrefixes: string[] = [];
let queuePrefixBefore: string | undefined;

function pushQueuePrefix(prefix: string): void {
  if (openQueuePrefixes.length === 0) queuePrefixBefore = process.env.QUEUE_PREFIX;
  openQueuePrefixes.push(prefix);
  process.env.QUEUE_PREFIX = prefix;
}

function popQueuePrefix(prefix: string): void {
  const at = openQueuePrefixes.lastIndexOf(prefix);
  if (at >= 0) openQueuePrefixes.splice(at, 1);
  const current = openQueuePrefixes.at(-1) ?? queuePrefixBefore;
  if (current === undefined) delete process.env.QUEUE_PREFIX;
  else process.env.QUEUE_PREFIX = current;
}

function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${randomUUID().replace(/-/g, '').slice(0, 10)}`;
}

/**
 * Starts the API for an end-to-end test with fresh, isolated state:
 * - embedded: SQLite file and artifact directory in a new temp dir, and a private redis-server;
 * - services: a new Postgres database (CREATE DATABASE), a unique key prefix in the shared S3 bucket,
 *   the shared Redis with a unique key prefix (QUEUE_PREFIX, also set in process.env until close()).
 * `overrides` are environment variables applied last (an empty string unsets one).
 * Under the services profile without globalSetup's services (a file run on its own), it starts its own.
 */
export async function startTestApp(
  overrides: Record<string, string> = {},
  options: CreateAppOptions = {},
): Promise<TestApp> {
  const profile = testProfile();
  const adminKey = randomKey(48);
  const queuePrefix = uniqueName('q');
  const cleanups: Array<() => Promise<void> | void> = [];
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    BOOTSTRAP_ADMIN_KEY: adminKey,
    QUEUE_PREFIX: queuePrefix,
  };

  const runCleanups = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        process.stderr.write(`test app cleanup failed: ${(error as Error).message}\n`);
      }
    }
  };

  try {
    if (profile === 'embedded') {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'housing-e2e-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      env.DATABASE_URL = `sqlite:${path.join(dir, 'housing.sqlite')}`;
      env.ARTIFACT_STORE = `file://${path.join(dir, 'artifacts')}`;
      // The API holds Redis connections (model events, queues) even in local mode; a private redis-server
      // starts in milliseconds, so each embedded app gets one unless the caller names a REDIS_URL.
      if (!overrides.REDIS_URL) {
        const redis = await startRedis();
        cleanups.push(() => redis.stop());
        env.REDIS_URL = redis.url;
      }
    } else {
      let shared: Record<string, string | undefined> = process.env;
      if (
        !shared[SERVICE_ENV.postgresUrl] ||
        !shared[SERVICE_ENV.redisUrl] ||
        !shared[SERVICE_ENV.s3Endpoint]
      ) {
        const own: TestServices = await startTestServices();
        cleanups.push(() => own.stop());
        shared = own.env;
      }
      for (const [name, value] of Object.entries(TEST_AWS_ENV)) process.env[name] ??= value;
      const db = await postgresAt(shared[SERVICE_ENV.postgresUrl]!).createDatabase(uniqueName('e2e_'));
      cleanups.push(() => postgresAt(shared[SERVICE_ENV.postgresUrl]!).dropDatabase(db.name));
      env.DATABASE_URL = db.url;
      env.REDIS_URL = shared[SERVICE_ENV.redisUrl]!;
      env.ARTIFACT_STORE = `s3://${shared[SERVICE_ENV.s3Bucket]}/${uniqueName('e2e-')}`;
      env.S3_ENDPOINT = shared[SERVICE_ENV.s3Endpoint]!;
      env.S3_REGION = TEST_AWS_ENV.AWS_REGION;
    }
    Object.assign(env, overrides);

    const config = loadConfig(env);
    if (config.artifactStore.type === 's3' && profile === 'services') {
      const { bucket, prefix } = config.artifactStore;
      const endpoint = config.S3_ENDPOINT;
      // Empties this app's prefix (moto keeps everything in memory for the whole run).
      cleanups.push(async () => {
        const store = new S3ArtifactStore({ bucket, prefix, endpoint, region: config.S3_REGION });
        try {
          for (const key of await store.list('')) await store.delete(key);
        } finally {
          store.onApplicationShutdown();
        }
      });
    }

    pushQueuePrefix(env.QUEUE_PREFIX!);
    cleanups.push(() => popQueuePrefix(env.QUEUE_PREFIX!));

    const app = await createApp(config, options);
    cleanups.push(() => app.close());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();

    return {
      app,
      config,
      adminKey: config.BOOTSTRAP_ADMIN_KEY ?? '',
      env,
      request: () => supertest(app.getHttpServer()),
      close: runCleanups,
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
}
