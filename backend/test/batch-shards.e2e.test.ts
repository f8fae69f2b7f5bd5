import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { DataSource } from 'typeorm';
import { loadPackageModel, scoreCsv } from '@housing/ml';
import { BatchJobShardEntity } from '../src/batch/shared/batch-job-shard.entity';
import { createArtifactStore } from '../src/storage/storage.module';
import type { ArtifactStore } from '../src/storage/artifact-store';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels, type TestModel } from './support/model-fixture';
import {
  WorkerProcess,
  auth,
  registerProduction,
  sleep,
  waitFor,
  workerEnv,
  writeJobCsv,
} from './batch-support';

/**
 * One large job on every worker: an input over BATCH_SHARD_BYTES is split at record boundaries into
 * shards, BullMQ child jobs that any free worker scores; the job assembles their parts in input order.
 * Real worker processes, the real queue and store; the result must be byte for byte what one
 * in-process scoreCsv of the whole file writes, also when a worker is SIGKILLed mid-shard.
 */
jest.setTimeout(300_000);

const SHARD_BYTES = 1024 * 1024;
const OVERRIDES = {
  BATCH_CHUNK_ROWS: '500',
  BATCH_PROGRESS_INTERVAL_MS: '50',
  BATCH_STALLED_MS: '2000',
  BATCH_RECONCILE_INTERVAL_MS: '2000',
  BATCH_QUEUE_METRICS_INTERVAL_MS: '0',
  MODEL_RECONCILE_INTERVAL_MS: '0',
};

let t: TestApp;
let first: TestModel;
let store: ArtifactStore;
let dir: string;
let big: { file: string; lines: number[] };
let expected: { result: string; errors: string };
const workers: WorkerProcess[] = [];

type Job = {
  id: string;
  status: string;
  rowsRead: number;
  rowsDone: number;
  rowsFailed: number;
  error?: string;
};
const getJob = async (id: string): Promise<Job> =>
  (await t.request().get(`/v1/batch-jobs/${id}`).set(auth(t))).body;

async function submit(uri: string): Promise<string> {
  const res = await t.request().post('/v1/batch-jobs').set(auth(t)).send({ inputUri: uri });
  if (res.status !== 202) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

const waitFinished = (id: string, timeoutMs = 150_000) =>
  waitFor(
    async () => {
      const job = await getJob(id);
      return ['completed', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
    },
    timeoutMs,
    `job ${id} to finish`,
  );

const shardsOf = (jobId: string) =>
  t.app
    .get(DataSource)
    .getRepository(BatchJobShardEntity)
    .find({ where: { jobId }, order: { position: 'ASC' } });

/** What one in-process scoreCsv of the whole file writes (the platform's scoring, unsharded). */
async function scoreWhole(file: string): Promise<{ result: string; errors: string }> {
  const model = await loadPackageModel(first.pkg.manifest, first.pkg.model);
  const collect = () => {
    const stream = new PassThrough();
    const parts: Buffer[] = [];
    stream.on('data', (b: Buffer) => parts.push(b));
    return { stream, text: () => Buffer.concat(parts).toString() };
  };
  const out = collect();
  const errors = collect();
  try {
    await scoreCsv(first.pkg.manifest, model, file, out.stream, errors.stream, { chunkRows: 500 });
  } finally {
    await model.release();
  }
  out.stream.end();
  errors.stream.end();
  await sleep(10);
  return { result: out.text(), errors: errors.text() };
}

async function startWorker(): Promise<WorkerProcess> {
  const worker = new WorkerProcess(workerEnv(t, { BATCH_SHARD_BYTES: String(SHARD_BYTES) }));
  workers.push(worker);
  await worker.ready();
  return worker;
}

beforeAll(async () => {
  ({ first } = await testModels());
  dir = mkdtempSync(path.join(os.tmpdir(), 'housing-batch-shards-'));
  big = await writeJobCsv(path.join(dir, 'big.csv'), { metros: 8, zipsPerMetro: 90, seed: 22, dirty: true });
  t = await startTestApp(OVERRIDES);
  store = createArtifactStore(t.config);
  await store.putStream('datasets/big.csv', createReadStream(big.file));
  expected = await scoreWhole(big.file);
  await registerProduction(t, first);
  await Promise.all([startWorker(), startWorker()]);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  (store as { onApplicationShutdown?: () => void } | undefined)?.onApplicationShutdown?.();
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a large job in shards', () => {
  it('is scored by both workers and assembled into exactly the unsharded result, original line numbers included', async () => {
    const bytes = readFileSync(big.file).length;
    expect(bytes).toBeGreaterThan(4 * SHARD_BYTES);
    const id = await submit(store.uri('datasets/big.csv'));
    // The job's row shows the shards' counts adding up while they run.
    const seen: number[] = [];
    const job = await waitFor(
      async () => {
        const current = await getJob(id);
        if (current.status === 'running') seen.push(current.rowsRead);
        return ['completed', 'failed', 'cancelled'].includes(current.status) ? current : undefined;
      },
      150_000,
      'the sharded job',
      25,
    );
    expect(job).toMatchObject({ status: 'completed', rowsRead: big.lines.length });
    expect(seen.some((n) => n > 0 && n < big.lines.length)).toBe(true);
    expect((await store.get(`batch/${id}/result.csv`)).toString()).toBe(expected.result);
    expect((await store.get(`batch/${id}/errors.csv`)).toString()).toBe(expected.errors);
    expect(expected.errors.split('\n').length).toBeGreaterThan(3); // the dirty rows, with their lines
    // Every shard part and row goes once the job completed; only the job's two files stay.
    await waitFor(async () => (await shardsOf(id)).length === 0, 10_000, 'the shard rows to go');
    expect(await store.list(`batch/${id}/`)).toEqual([`batch/${id}/errors.csv`, `batch/${id}/result.csv`]);
    const evaluation = await t.request().get(`/v1/batch-jobs/${id}/evaluation`).set(auth(t));
    expect(evaluation.status).toBe(200);
    const cells = evaluation.body.cells as Array<{ n: number }>;
    expect(cells.reduce((n, c) => n + c.n, 0)).toBe(job.rowsDone);
  });

  it('a worker SIGKILLed mid-shard: its shard is scored again elsewhere, every line exactly once', async () => {
    const id = await submit(store.uri('datasets/big.csv'));
    const running = await waitFor(
      async () => (await shardsOf(id)).find((s) => s.status === 'running' && s.rowsRead > 0),
      60_000,
      'a shard under way',
      20,
    );
    const victim = workers.find((w) => w.workerId === running.workerId)!;
    expect(victim).toBeDefined();
    victim.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    workers.splice(workers.indexOf(victim), 1);
    const replacement = startWorker();
    const job = await waitFinished(id);
    await replacement;
    expect(job).toMatchObject({ status: 'completed', rowsRead: big.lines.length });
    expect((await store.get(`batch/${id}/result.csv`)).toString()).toBe(expected.result);
    expect((await store.get(`batch/${id}/errors.csv`)).toString()).toBe(expected.errors);
  });

  it('a cancel reaches every shard: nothing is published and the parts are swept', async () => {
    const id = await submit(store.uri('datasets/big.csv'));
    await waitFor(
      async () => (await shardsOf(id)).filter((s) => s.status === 'running').length >= 1,
      60_000,
      'shards under way',
      20,
    );
    const cancel = await t.request().delete(`/v1/batch-jobs/${id}`).set(auth(t));
    expect(cancel.status).toBe(200);
    expect((await getJob(id)).status).toBe('cancelled');
    // Every shard stops (or had finished), the reconciler removes their rows and parts.
    await waitFor(async () => (await shardsOf(id)).length === 0, 30_000, 'the shards to be swept');
    await waitFor(
      async () => (await store.list(`batch/${id}/`)).length === 0,
      30_000,
      'the parts to be removed',
    );
    expect((await getJob(id)).status).toBe('cancelled');
    const result = await t.request().get(`/v1/batch-jobs/${id}/result`).set(auth(t));
    expect(result.status).toBe(404);
  });

  it('fails early across shards when the job’s rejected share passes the limit, keeping every rejected row in order', async () => {
    // Every third data row gets an unreadable date (a required field): a third of the file is rejected.
    const lines = readFileSync(big.file, 'utf8').split('\n');
    const column = lines[0]!.split(',').indexOf('date');
    expect(column).toBeGreaterThan(0);
    const bad = lines.map((line, i) => {
      if (i === 0 || i % 3 !== 0 || !line) return line;
      const fields = line.split(',');
      fields[column] = 'not-a-date';
      return fields.join(',');
    });
    writeFileSync(path.join(dir, 'bad.csv'), bad.join('\n'));
    await store.putStream('datasets/bad.csv', createReadStream(path.join(dir, 'bad.csv')));
    const id = await submit(store.uri('datasets/bad.csv'));
    const job = await waitFinished(id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/rows read so far were rejected/);
    expect(job.rowsRead).toBeLessThan(big.lines.length);
    const errors = (await store.get(`batch/${id}/errors.csv`)).toString().trim().split('\n');
    expect(errors[0]).toBe('line,reason,row');
    const numbers = errors.slice(1).map((l) => Number(l.split(',')[0]));
    expect(numbers.length).toBe(job.rowsFailed);
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    // The corrupted lines (file line n is data line n - 1), beside the generator's few dirty rows.
    expect(numbers.filter((n) => (n - 1) % 3 === 0).length).toBeGreaterThan(0.9 * numbers.length);
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});
