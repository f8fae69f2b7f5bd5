import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { BatchJobEntity } from '../src/batch/shared/batch-job.entity';
import { createArtifactStore } from '../src/storage/storage.module';
import type { ArtifactStore } from '../src/storage/artifact-store';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels, type TestModel } from './support/model-fixture';
import {
  WorkerProcess,
  auth,
  expectedPrices,
  parseCsv,
  registerProduction,
  waitFor,
  workerEnv,
  writeJobCsv,
} from './batch-support';

/**
 * Real worker processes (`node src/worker.ts`) sharing the queue: several jobs spread over two workers,
 * and a worker SIGKILLed mid-job whose job the other worker completes, every input row exactly once.
 */
jest.setTimeout(240_000);

const OVERRIDES = {
  BATCH_CHUNK_ROWS: '500',
  BATCH_PROGRESS_INTERVAL_MS: '50',
  // A dead worker's job is found within ~2 × this and restarted by another worker.
  BATCH_STALLED_MS: '2000',
  BATCH_RECONCILE_INTERVAL_MS: '2000',
  BATCH_QUEUE_METRICS_INTERVAL_MS: '1000',
  MODEL_RECONCILE_INTERVAL_MS: '0',
};

let t: TestApp;
let first: TestModel;
let store: ArtifactStore;
let dir: string;
let medium: { file: string; lines: number[] };
let big: { file: string; lines: number[] };
const workers: WorkerProcess[] = [];

type Job = {
  id: string;
  status: string;
  rowsRead: number;
  rowsDone: number;
  rowsFailed: number;
  attempts: number;
  stalledCount: number;
  [k: string]: unknown;
};
const getJob = async (id: string): Promise<Job & { workerId?: string }> =>
  (await t.request().get(`/v1/batch-jobs/${id}`).set(auth(t))).body;

async function submit(uri: string): Promise<string> {
  const res = await t.request().post('/v1/batch-jobs').set(auth(t)).send({ inputUri: uri });
  if (res.status !== 202) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

async function waitFinished(id: string, timeoutMs = 90_000): Promise<Job> {
  return waitFor(
    async () => {
      const job = await getJob(id);
      return ['completed', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
    },
    timeoutMs,
    `job ${id} to finish`,
  );
}

/** Every input line exactly once across the result (its row_id column) and the errors file (its line column). */
async function linesOf(
  id: string,
): Promise<{ lines: number[]; result: Awaited<ReturnType<typeof parseCsv>> }> {
  const result = await parseCsv(await store.get(`batch/${id}/result.csv`));
  const errors = await parseCsv(await store.get(`batch/${id}/errors.csv`));
  const lines = [...result.rows.map((r) => Number(r[0])), ...errors.rows.map((r) => Number(r[0]))].sort(
    (a, b) => a - b,
  );
  return { lines, result };
}

/** The row's worker, read from the database (the API does not expose it). */
async function workerOf(id: string): Promise<string | null> {
  const row = await t.app.get(DataSource).getRepository(BatchJobEntity).findOneBy({ id });
  return row?.workerId ?? null;
}

beforeAll(async () => {
  ({ first } = await testModels());
  dir = mkdtempSync(path.join(os.tmpdir(), 'housing-batch-workers-'));
  [medium, big] = await Promise.all([
    writeJobCsv(path.join(dir, 'medium.csv'), { metros: 4, zipsPerMetro: 12, seed: 21, dirty: true }),
    writeJobCsv(path.join(dir, 'big.csv'), { metros: 8, zipsPerMetro: 90, seed: 22, dirty: true }),
  ]);
  t = await startTestApp(OVERRIDES);
  store = createArtifactStore(t.config);
  await store.putStream('datasets/medium.csv', createReadStream(medium.file));
  await store.putStream('datasets/big.csv', createReadStream(big.file));
  await registerProduction(t, first);
  workers.push(new WorkerProcess(workerEnv(t)), new WorkerProcess(workerEnv(t)));
  await Promise.all(workers.map((w) => w.ready()));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  (store as { onApplicationShutdown?: () => void } | undefined)?.onApplicationShutdown?.();
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('worker processes', () => {
  it('two workers share a queue of several jobs; each completes with every row once', async () => {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await submit(store.uri('datasets/medium.csv')));
    const jobs = [];
    for (const id of ids) jobs.push(await waitFinished(id));
    for (const job of jobs) {
      expect(job).toMatchObject({ status: 'completed', attempts: 1, rowsRead: medium.lines.length });
      expect((await linesOf(job.id)).lines).toEqual(medium.lines);
    }
    const used = new Set(await Promise.all(ids.map(workerOf)));
    expect(used).toEqual(new Set(workers.map((w) => w.workerId)));
    // Both report the queue depth for autoscaling (every BATCH_QUEUE_METRICS_INTERVAL_MS: the jobs may
    // all be done before the first report).
    for (const w of workers)
      await waitFor(async () => w.output().includes('batch queue depth'), 10_000, 'the queue depth report');
  });

  it('a worker SIGKILLed mid-job: another worker restarts the job and completes it, every input line exactly once', async () => {
    const SCORED = 'batch_rows_total{result="scored"}';
    const STALLED = 'batch_jobs_stalled_total';
    const before = new Map<WorkerProcess, { scored: number; stalled: number }>();
    for (const w of workers)
      before.set(w, { scored: await w.sample(SCORED), stalled: await w.sample(STALLED) });
    const id = await submit(store.uri('datasets/big.csv'));
    const running = await waitFor(
      async () => {
        const job = await getJob(id);
        return job.status === 'running' && job.rowsRead >= 3000 ? job : undefined;
      },
      60_000,
      'the big job to be under way',
      20,
    );
    const holder = await workerOf(id);
    const victim = workers.find((w) => w.workerId === holder)!;
    const survivor = workers.find((w) => w !== victim)!;
    expect(victim).toBeDefined();
    victim.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    expect(running.rowsRead).toBeLessThan(big.lines.length);

    const job = await waitFinished(id);
    expect(job.status).toBe('completed');
    expect(job.attempts).toBeGreaterThanOrEqual(2);
    expect(job.stalledCount).toBeGreaterThanOrEqual(1);
    expect(await workerOf(id)).toBe(survivor.workerId);
    expect(job.rowsRead).toBe(big.lines.length);
    const { lines, result } = await linesOf(id);
    expect(lines).toEqual(big.lines);
    expect(job.rowsDone).toBe(result.rows.length);
    // Spot-check predictions against the in-process pipeline.
    const sample = { header: result.header, rows: result.rows.filter((_, i) => i % 97 === 0) };
    const expected = await expectedPrices(first.pkg, sample);
    const predicted = result.header.indexOf('predicted_price');
    sample.rows.forEach((row, i) =>
      expect(Math.abs(Number(row[predicted]) - expected[i]!)).toBeLessThanOrEqual(0.01 + 1e-6 * expected[i]!),
    );
    // The killed attempt's partial output is gone with the finished job's temporary objects.
    expect(await store.list(`batch/${id}/`)).toEqual([`batch/${id}/errors.csv`, `batch/${id}/result.csv`]);
    expect(survivor.output()).toContain('stalled');
    // Its /metrics: the stall is counted, and the restarted attempt counted only the rows beyond where the
    // killed one had counted to (the job's high-water mark), not the whole file again.
    expect(await survivor.sample(STALLED)).toBeGreaterThan(before.get(survivor)!.stalled);
    const scoredBySurvivor = (await survivor.sample(SCORED)) - before.get(survivor)!.scored;
    expect(running.rowsDone).toBeGreaterThan(0);
    expect(scoredBySurvivor).toBeGreaterThan(0);
    expect(scoredBySurvivor).toBeLessThanOrEqual(job.rowsDone - running.rowsDone);
  });
});
