import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ARTIFACT_STORE, type ArtifactStore } from '../../src/storage/artifact-store';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { S3ArtifactStore } from '../../src/storage/s3-artifact-store';
import { SERVICE_ENV, withClient } from '../services';
import { startTestApp, testProfile, type TestApp } from './test-app';

/** startTestApp() works under the active profile and isolates each app's state. */
describe(`startTestApp (${testProfile()} profile)`, () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await startTestApp();
    second = await startTestApp({ LOG_LEVEL: 'silent' });
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('serves the OpenAPI document at /docs-json', async () => {
    const response = await first.request().get('/docs-json').expect(200);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body.openapi).toMatch(/^3\./);
    expect(response.body.info.title).toBe('Housing price platform API');
    expect(response.headers['x-request-id']).toBeTruthy();
  });

  it('gives each app a random 48-character admin key and its own config', () => {
    expect(first.adminKey).toMatch(/^hp_[A-Za-z0-9]{45}$/);
    expect(first.config.BOOTSTRAP_ADMIN_KEY).toBe(first.adminKey);
    expect(second.adminKey).not.toBe(first.adminKey);
    expect(second.config.LOG_LEVEL).toBe('silent');
    expect(first.env.QUEUE_PREFIX).toBeTruthy();
    expect(second.env.QUEUE_PREFIX).not.toBe(first.env.QUEUE_PREFIX);
    expect(process.env.QUEUE_PREFIX).toBe(second.env.QUEUE_PREFIX);
  });

  it('uses the profile’s infrastructure with isolated state', async () => {
    const a = first.app.get<ArtifactStore>(ARTIFACT_STORE);
    const b = second.app.get<ArtifactStore>(ARTIFACT_STORE);
    if (testProfile() === 'embedded') {
      expect(first.config.database.type).toBe('sqlite');
      expect(a).toBeInstanceOf(LocalArtifactStore);
      expect(first.config.database).not.toEqual(second.config.database);
      expect(first.config.REDIS_URL).not.toBe(second.config.REDIS_URL);
    } else {
      expect(first.config.database.type).toBe('postgres');
      expect(first.config.REDIS_URL).toBe(process.env[SERVICE_ENV.redisUrl]);
      expect(a).toBeInstanceOf(S3ArtifactStore);
      expect(first.config.S3_ENDPOINT).toBe(process.env[SERVICE_ENV.s3Endpoint]);
      expect(first.config.artifactStore).toMatchObject({
        type: 's3',
        bucket: process.env[SERVICE_ENV.s3Bucket],
      });
      expect(first.config.database).not.toEqual(second.config.database);
      // Migrations ran in this app's own database.
      const url = (first.config.database as { url: string }).url;
      const tables = await withClient(
        url,
        async (c) =>
          (
            await c.query(
              "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
            )
          ).rows[0]!.n,
      );
      expect(tables).toBeGreaterThan(0);
    }
    await a.put('smoke/one.txt', 'from the first app');
    expect((await a.get('smoke/one.txt')).toString()).toBe('from the first app');
    expect(await b.exists('smoke/one.txt')).toBe(false);
    expect(await b.list('')).toEqual([]);
  });

  it('removes its state on close()', async () => {
    const app = await startTestApp();
    const store = app.app.get<ArtifactStore>(ARTIFACT_STORE);
    await store.put('k', 'v');
    expect(process.env.QUEUE_PREFIX).toBe(app.env.QUEUE_PREFIX);
    await app.close();
    await app.close(); // idempotent
    expect(process.env.QUEUE_PREFIX).toBe(second.env.QUEUE_PREFIX);
    if (app.config.database.type === 'sqlite') {
      expect(existsSync(path.dirname(app.config.database.path))).toBe(false);
    } else {
      const name = new URL(app.config.database.url).pathname.slice(1);
      const rows = await withClient(
        process.env[SERVICE_ENV.postgresUrl]!,
        async (c) => (await c.query(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).rows,
      );
      expect(rows).toEqual([]);
      const { bucket, prefix } = app.config.artifactStore as { bucket: string; prefix: string };
      const probe = new S3ArtifactStore({ bucket, prefix, endpoint: app.config.S3_ENDPOINT });
      expect(await probe.list('')).toEqual([]);
      probe.onApplicationShutdown();
    }
  });
});
