import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/config';
import { BatchJobShardEntity } from '../src/batch/shared/batch-job-shard.entity';
import { createArtifactStore } from '../src/storage/storage.module';
import type { ArtifactStore } from '../src/storage/artifact-store';
import { startRedis, type RedisService } from './services';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels, type TestModel } from './support/model-fixture';
import {
  auth,
  parseCsv,
  registerProduction,
  startInProcessWorker,
  waitFor,
  writeJobCsv,
} from './batch-support';

/**
 * Durability: Redis (its own server here, so it can be restarted; no persistence, so a restart loses
 * every queue key) goes away during a job and while a job is submitted. The database is the record:
 * history survives, and the workers' reconciler queues unfinished jobs again until they complete.
 */
jest.setTimeout(240_000);

let redis: RedisService;
let t: TestApp;
let first: TestModel;
let store: ArtifactStore;
let dir: string;
let big: { file: string; lines: number[] };
let medium: { file: string; lines: number[] };
let worker: Awaited<ReturnType<typeof startInProcessWorker>>;

type Job = {
  id: string;
  status: string;
  rowsRead: number;
  attempts: number;
  error: string | null;
  [k: string]: unknown;
};
const getJob = async (id: string): Promise<Job> =>
  (await t.request().get(`/v1/batch-jobs/${id}`).set(auth(t))).body;
const waitFinished = (id: string, timeoutMs = 90_000) =>
  waitFor(
    async () => {
      const job = await getJob(id);
      return ['completed', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
    },
    timeoutMs,
    `job ${id} to finish`,
  );

async function linesOf(id: string): Promise<number[]> {
  const result = await parseCsv(await store.get(`batch/${id}/result.csv`));
  const errors = await parseCsv(await store.get(`batch/${id}/errors.csv`));
  return [...result.rows.map((r) => Number(r[0])), ...errors.rows.map((r) => Number(r[0]))].sort(
    (a, b) => a - b,
  );
}

beforeAll(async () => {
  ({ first } = await testModels());
  dir = mkdtempSync(path.join(os.tmpdir(), 'housing-batch-redis-'));
  [big, medium] = await Promise.all([
    writeJobCsv(path.join(dir, 'big.csv'), { metros: 8, zipsPerMetro: 30, seed: 31, dirty: true }),
    writeJobCsv(path.join(dir, 'medium.csv'), { metros: 4, zipsPerMetro: 10, seed: 32, dirty: true }),
  ]);
  redis = await startRedis();
  t = await startTestApp({
    REDIS_URL: redis.url,
    BATCH_CHUNK_ROWS: '500',
    BATCH_PROGRESS_INTERVAL_MS: '50',
    BATCH_STALLED_MS: '2000',
    BATCH_RECONCILE_INTERVAL_MS: '500',
    BATCH_QUEUE_METRICS_INTERVAL_MS: '0',
    BATCH_BACKOFF_MS: '200',
    MODEL_RECONCILE_INTERVAL_MS: '0',
  });
  store = createArtifactStore(t.config);
  await store.putStream('datasets/big.csv', createReadStream(big.file));
  await store.putStream('datasets/medium.csv', createReadStream(medium.file));
  await registerProduction(t, first);
  worker = await startInProcessWorker(t.config);
});

afterAll(async () => {
  await worker?.close();
  (store as { onApplicationShutdown?: () => void } | undefined)?.onApplicationShutdown?.();
  await t?.close();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Redis restarts', () => {
  it('a job running while Redis restarts (losing the queue) is run again to completion, every row once; history stays', async () => {
    const before = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .send({ inputUri: store.uri('datasets/medium.csv') });
    expect((await waitFinished(before.body.id)).status).toBe('completed');

    const id = (
      await t
        .request()
        .post('/v1/batch-jobs')
        .set(auth(t))
        .send({ inputUri: store.uri('datasets/big.csv') })
    ).body.id as string;
    await waitFor(
      async () => {
        const job = await getJob(id);
        return job.status === 'running' && job.rowsRead >= 3000;
      },
      60_000,
      'the job to be under way',
      20,
    );
    await redis.restart({ downForMs: 500 });

    const job = await waitFinished(id);
    expect(job.status).toBe('completed');
    expect(job.attempts).toBeGreaterThanOrEqual(2);
    expect(job.rowsRead).toBe(big.lines.length);
    expect(await linesOf(id)).toEqual(big.lines);
    // The earlier job is still listed (its record is in the database, not in Redis).
    const listed = await t.request().get('/v1/batch-jobs?status=completed').set(auth(t));
    expect(listed.body.items.map((j: { id: string }) => j.id)).toEqual(
      expect.arrayContaining([before.body.id, id]),
    );
    expect((await t.request().get(`/v1/batch-jobs/${before.body.id}/result`).set(auth(t))).status).toBe(200);
  });

  it('a job submitted while Redis is down is accepted, then queued and completed once Redis is back', async () => {
    await redis.stop();
    const res = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .send({ inputUri: store.uri('datasets/medium.csv') });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('queued');
    const ready = await t.request().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks?.queue?.status ?? ready.body.details?.queue?.status).toBe('down');
    await redis.start();
    const job = await waitFinished(res.body.id);
    expect(job.status).toBe('completed');
    expect(await linesOf(res.body.id)).toEqual(medium.lines);
  });

  it('a job in shards while Redis restarts (some shards done, some not): completed once, every row once', async () => {
    // A worker that shards anything over 512 KiB (the big file is several MB) replaces the default one.
    await worker.close();
    const sharding = await startInProcessWorker(
      loadConfig({ ...t.env, BATCH_SHARD_BYTES: String(512 * 1024) }),
    );
    try {
      const id = (
        await t
          .request()
          .post('/v1/batch-jobs')
          .set(auth(t))
          .send({ inputUri: store.uri('datasets/big.csv') })
      ).body.id as string;
      const shards = t.app.get(DataSource).getRepository(BatchJobShardEntity);
      const done = await waitFor(
        async () => {
          const rows = await shards.findBy({ jobId: id });
          const finished = rows.filter((s) => s.status === 'completed');
          return rows.length > 2 && finished.length >= 1 && finished.length < rows.length
            ? finished
            : undefined;
        },
        60_000,
        'some shards finished, some not',
        20,
      );
      await redis.restart({ downForMs: 500 });
      const job = await waitFinished(id);
      expect(job.status).toBe('completed');
      expect(job.attempts).toBeGreaterThanOrEqual(2);
      expect(job.rowsRead).toBe(big.lines.length);
      expect(await linesOf(id)).toEqual(big.lines);
      expect(done.length).toBeGreaterThanOrEqual(1);
    } finally {
      await sharding.close();
      worker = await startInProcessWorker(t.config);
    }
  });
});
