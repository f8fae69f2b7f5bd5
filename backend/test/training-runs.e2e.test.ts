import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MlflowClient, loadSpec, mlflowConfig, writeHouseTsCsv } from '@housing/ml';
import { createArtifactStore } from '../src/storage/storage.module';
import type { ArtifactStore } from '../src/storage/artifact-store';
import { startTestApp, type TestApp } from './support/test-app';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { WorkerProcess, auth, registerHook, sleep, waitFor, workerEnv } from './batch-support';

/**
 * Queued training runs end to end with real training-worker processes (`node src/training-worker.ts`,
 * which runs `ml train --progress-json` from the ml sources as its child): progress while a run trains,
 * the registered (not promoted) version, cancel of a running run (its trainer is gone, its log kept), a
 * failing spec kept with its reason, a SIGKILLed worker whose run another worker takes over, concurrent
 * submits, and hostile inputs. Small generated data and `fast` keep each run to seconds.
 */
jest.setTimeout(600_000);

const ML_CLI = path.resolve(__dirname, '..', '..', 'ml', 'src', 'cli', 'main.ts');
const UPLOAD_LIMIT = 2 * 1024 * 1024;
const OVERRIDES = {
  TRAINING_ML_CLI: ML_CLI,
  TRAINING_UPLOAD_LIMIT_BYTES: String(UPLOAD_LIMIT),
  TRAINING_PROGRESS_INTERVAL_MS: '100',
  // A dead worker's run is found within ~2 × this and restarted by another worker.
  TRAINING_STALLED_MS: '2000',
  TRAINING_MAX_STALLED_COUNT: '2',
  TRAINING_RECONCILE_INTERVAL_MS: '2000',
  TRAINING_KILL_GRACE_MS: '2000',
  TRAINING_MAX_TRIALS: '50',
  TRAINING_TIME_LIMIT_SECONDS: '900',
  MODEL_RECONCILE_INTERVAL_MS: '0',
};

type Run = {
  id: string;
  status: string;
  source: string;
  specName: string;
  progress: {
    phase: string;
    rowsRead?: number;
    rowsKept?: number;
    cleaning?: Record<string, unknown>;
  } | null;
  params: Record<string, unknown> | null;
  metrics: { holdout?: { rmse: number } } | null;
  trials: unknown[] | null;
  datasetSha256: string | null;
  durationMs: number | null;
  model: { name: string; version: number } | null;
  holdoutUri: string | null;
  error: string | null;
  attempts: number;
  workerId: string | null;
};

let t: TestApp;
let store: ArtifactStore;
let dir: string;
let csv: string;
let csvSha: string;
const workers: WorkerProcess[] = [];

const getRun = async (id: string): Promise<Run> =>
  (await t.request().get(`/v1/training-runs/${id}`).set(auth(t))).body;
const logsOf = async (id: string): Promise<string> =>
  (await t.request().get(`/v1/training-runs/${id}/logs`).set(auth(t)).buffer(true)).text;
const finished = (id: string, timeoutMs = 240_000) =>
  waitFor(
    async () => {
      const run = await getRun(id);
      return ['completed', 'failed', 'cancelled'].includes(run.status) && run;
    },
    timeoutMs,
    `training run ${id} to finish`,
    250,
  );

async function submitJson(body: Record<string, unknown>): Promise<Run> {
  const res = await t.request().post('/v1/training-runs').set(auth(t)).send(body);
  if (res.status !== 202) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
  expect(res.headers.location).toBe(`/v1/training-runs/${res.body.id}`);
  return res.body;
}

/** The pid of the trainer child a worker started for a run (from its log line). */
function trainerPid(worker: WorkerProcess, runId: string): number | undefined {
  const match = new RegExp(`training run ${runId}: trainer child (\\d+) started`).exec(worker.output());
  return match ? Number(match[1]) : undefined;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Files under training/ of the store (no orphan of a refused upload may stay). */
const trainingObjects = async () => (await store.list('training/')).length;

beforeAll(async () => {
  t = await startTestApp(OVERRIDES);
  store = createArtifactStore(t.config);
  dir = mkdtempSync(path.join(os.tmpdir(), 'training-e2e-'));
  csv = path.join(dir, 'tiny.csv');
  await writeHouseTsCsv(csv, { size: 'tiny', dirty: true, seed: 11 });
  csvSha = createHash('sha256').update(readFileSync(csv)).digest('hex');
  await store.put('datasets/tiny.csv', readFileSync(csv));
  workers.push(new WorkerProcess(workerEnv(t, { TRAINING_WORKER_METRICS_PORT: '0' }), 'training-worker.ts'));
  await workers[0]!.ready();
  expect(workers[0]!.metricsPort).toBeGreaterThan(0); // its /metrics endpoint started (read before its log rolls)
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await t?.close();
  if (process.env.TEST_WORKER_VERBOSE) for (const w of workers) process.stderr.write(w.output());
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile and invalid submissions', () => {
  it('names every bad option with a 400, and the limits the server sets with a 422', async () => {
    const bad = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .send({
        inputUri: store.uri('datasets/tiny.csv'),
        trials: -1,
        seeds: 1000,
        metric: 'r2',
        fast: 'yes',
        timeLimitSeconds: 1e12,
        extra: 1,
      });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const fields = (bad.body.errors as { field: string }[]).map((e) => e.field);
    for (const field of ['trials', 'seeds', 'metric', 'fast', 'timeLimitSeconds', 'extra'])
      expect(fields).toContain(field);

    const trials = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .send({ inputUri: store.uri('datasets/tiny.csv'), trials: 51 });
    expect(trials.status).toBe(422);
    expect(trials.body.errors[0].field).toBe('trials');
    const limit = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .send({ inputUri: store.uri('datasets/tiny.csv'), timeLimitSeconds: 901 });
    expect(limit.status).toBe(422);
    expect(limit.body.errors[0].field).toBe('timeLimitSeconds');
    const both = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .send({ inputUri: store.uri('datasets/tiny.csv'), specName: 'ames', spec: {} });
    expect(both.status).toBe(400);
    const unknownSpec = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .send({ inputUri: store.uri('datasets/tiny.csv'), specName: '../etc/passwd' });
    expect(unknownSpec.status).toBe(400);
    const missing = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .send({ inputUri: store.uri('datasets/none.csv') });
    expect(missing.status).toBe(422);
    const outside = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .send({ inputUri: 'file:///etc/passwd' });
    expect(outside.status).toBe(422);
    expect((await t.request().get('/v1/training-runs?status=done').set(auth(t))).status).toBe(400);
    expect((await t.request().get('/v1/training-runs/not-a-uuid').set(auth(t))).status).toBe(400);
    expect(
      (
        await t
          .request()
          .get(`/v1/training-runs/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`)
          .set(auth(t))
      ).status,
    ).toBe(404);
  });

  it('names every problem of an invalid inline spec in one 400', async () => {
    const spec = JSON.parse(JSON.stringify(loadSpec('housets'))) as {
      columns: Array<Record<string, unknown>>;
      split: unknown;
    };
    spec.columns = spec.columns.filter((c) => c.role !== 'target');
    spec.columns[1] = { ...spec.columns[1], role: 'mystery' };
    const res = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .send({ inputUri: store.uri('datasets/tiny.csv'), spec });
    expect(res.status).toBe(400);
    const messages = (res.body.errors as { field: string; message: string }[]).filter(
      (e) => e.field === 'spec',
    );
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages.map((m) => m.message).join('\n')).toMatch(/target/);
  });

  it('refuses an upload over the limit (413), an empty one and one without its file, leaving no object behind', async () => {
    const before = await trainingObjects();
    const big = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .field('fast', 'true')
      .attach('file', Buffer.alloc(UPLOAD_LIMIT + 10, 'a'), 'big.csv');
    expect(big.status).toBe(413);
    const noFile = await t.request().post('/v1/training-runs').set(auth(t)).field('fast', 'true');
    expect(noFile.status).toBe(400);
    const badField = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .field('trials', 'many')
      .attach('file', csv);
    expect(badField.status).toBe(400);
    expect(badField.body.errors[0].field).toBe('trials');
    const badSpec = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .field('spec', '{not json')
      .attach('file', csv);
    expect(badSpec.status).toBe(400);
    const empty = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .attach('file', Buffer.alloc(0), 'empty.csv');
    expect(empty.status).toBe(400);
    expect(await trainingObjects()).toBe(before);
  });

  it('needs the train scope', async () => {
    const key = await t
      .request()
      .post('/v1/keys')
      .set(auth(t))
      .send({ name: 'batch-only', scopes: ['batch'] });
    const res = await t
      .request()
      .post('/v1/training-runs')
      .set({ 'x-api-key': key.body.key })
      .send({ inputUri: store.uri('datasets/tiny.csv') });
    expect(res.status).toBe(403);
  });
});

describe('a queued run', () => {
  it('reports progress while it trains and registers its package as a new version, not promoted', async () => {
    const res = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .field('fast', 'true')
      .field('specName', 'housets')
      .attach('file', csv, 'tiny.csv');
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    expect(res.body).toMatchObject({
      status: 'queued',
      source: 'queue',
      specName: 'housets',
      options: { fast: true },
    });
    const phases = new Set<string>();
    let prepared: Run['progress'] = null;
    const run = await waitFor(
      async () => {
        const current = await getRun(id);
        if (current.status === 'running' && current.progress) {
          phases.add(current.progress.phase);
          if (current.progress.rowsKept !== undefined) prepared ??= current.progress;
        }
        return ['completed', 'failed', 'cancelled'].includes(current.status) && current;
      },
      240_000,
      'the run to finish',
      50,
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe('completed');
    // Progress seen while it ran: several phases, and the rows read with the cleaning summary.
    expect(phases.size).toBeGreaterThanOrEqual(2);
    expect(prepared).toMatchObject({
      rowsRead: expect.any(Number),
      cleaning: expect.objectContaining({ dropped: expect.any(Object) }),
    });
    // …and kept on the finished run (a reload of its page shows the cleaning summary).
    expect(run.progress).toMatchObject({
      phase: 'done',
      rowsRead: prepared!.rowsRead,
      cleaning: prepared!.cleaning,
    });
    expect(run.datasetSha256).toBe(csvSha);
    expect(run.durationMs).toBeGreaterThan(0);
    expect(run.params).toMatchObject({ max_depth: 6 });
    expect(run.metrics?.holdout?.rmse).toBeGreaterThan(0);
    expect(run.holdoutUri).toMatch(/holdout\.json$/);
    expect(run.model).toMatchObject({ name: 'housets-xgboost', version: expect.any(Number) });
    const version = await t
      .request()
      .get(`/v1/models/${run.model!.name}/versions/${run.model!.version}`)
      .set(auth(t));
    expect(version.status).toBe(200);
    expect(version.body.stage).toBe('none');
    const current = await t.request().get('/v1/models/current').set(auth(t));
    expect(current.body?.version === run.model!.version && current.status === 200).toBe(false);
    const log = await logsOf(id);
    expect(log).toMatch(/parity: \d+ records reproduced/);
    const listed = await t.request().get('/v1/training-runs?status=completed&specName=housets').set(auth(t));
    expect(listed.body.items.map((r: Run) => r.id)).toContain(id);
    // Finished: a cancel is a conflict.
    expect((await t.request().delete(`/v1/training-runs/${id}`).set(auth(t))).status).toBe(409);
    // The training worker's own /metrics counted the attempt, timed it, and reports the queue.
    const worker = workers[0]!;
    await waitFor(
      async () => (await worker.sample('training_runs_total{outcome="completed"}')) >= 1,
      10_000,
      'training_runs_total{outcome="completed"} on the training worker’s /metrics',
    );
    expect(
      await worker.sample('training_run_duration_seconds_count{outcome="completed"}'),
    ).toBeGreaterThanOrEqual(1);
    // The attempt took at least as long as its trainer child ran.
    expect(
      await worker.sample('training_run_duration_seconds_sum{outcome="completed"}'),
    ).toBeGreaterThanOrEqual(run.durationMs! / 1000 - 0.01);
    const text = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
    expect(text).toMatch(/^training_queue_jobs\{state="waiting"\} \d+$/m);
  });

  it('cancels a running run: its trainer process group is stopped and its log is kept', async () => {
    const run = await submitJson({ inputUri: store.uri('datasets/tiny.csv'), fast: true });
    const worker = workers[0]!;
    const pid = await waitFor(
      async () => (await getRun(run.id)).status === 'running' && trainerPid(worker, run.id),
      60_000,
      'the trainer to start',
      50,
    );
    // Training has started (the child reported the rows it read), so there is a log to keep.
    await waitFor(
      async () => (await getRun(run.id)).progress?.rowsRead !== undefined,
      60_000,
      'progress',
      50,
    );
    const cancelled = await t.request().delete(`/v1/training-runs/${run.id}`).set(auth(t));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    await waitFor(async () => !alive(pid), 15_000, `trainer ${pid} to be gone`);
    await waitFor(async () => (await logsOf(run.id)).length > 0, 15_000, 'the log to be kept');
    const final = await getRun(run.id);
    expect(final.status).toBe('cancelled');
    expect(final.error).toMatch(/cancelled by API key/);
    expect(final.model).toBeNull();
  });

  it('keeps a failing spec’s run failed with its reason and its log', async () => {
    const spec = JSON.parse(JSON.stringify(loadSpec('housets'))) as {
      name: string;
      columns: Array<{ name: string; role: string }>;
    };
    spec.name = 'housets-renamed-target';
    const target = spec.columns.find((c) => c.role === 'target')!;
    target.name = 'no_such_price';
    const run = await submitJson({ inputUri: store.uri('datasets/tiny.csv'), spec, fast: true });
    expect(run.specName).toBe('housets-renamed-target');
    const final = await finished(run.id);
    expect(final.status).toBe('failed');
    expect(final.error).toMatch(/no_such_price/);
    expect(final.attempts).toBe(1); // an input error is not retried
    expect(await logsOf(run.id)).toMatch(/no_such_price/);
    // …and counted as failed for good (not retrying) on the worker's /metrics.
    await waitFor(
      async () => (await workers[0]!.sample('training_runs_total{outcome="failed"}')) >= 1,
      10_000,
      'training_runs_total{outcome="failed"} on the training worker’s /metrics',
    );
  });

  it('trains on a registered dataset with its stored spec, recording the dataset', async () => {
    const registered = await t
      .request()
      .post('/v1/datasets')
      .set(auth(t))
      .field('spec', 'housets')
      .attach('file', csv, 'tiny.csv');
    expect([200, 201]).toContain(registered.status);
    const run = await submitJson({ datasetId: registered.body.id, fast: true });
    expect(run).toMatchObject({
      specName: 'housets',
      dataset: { id: registered.body.id, sha256: csvSha },
      inputUri: expect.stringContaining('datasets'),
    });
    // Exactly one input: both, or an unknown dataset, are refused.
    const both = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .send({ datasetId: registered.body.id, inputUri: store.uri('datasets/tiny.csv') });
    expect(both.status).toBe(400);
    const unknown = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .send({ datasetId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(404);
    expect((await t.request().delete(`/v1/training-runs/${run.id}`).set(auth(t))).status).toBe(200);
    await finished(run.id);
  });

  it('stops a run at its time limit and fails it with that reason', async () => {
    const run = await submitJson({
      inputUri: store.uri('datasets/tiny.csv'),
      fast: true,
      timeLimitSeconds: 2,
    });
    const final = await finished(run.id);
    expect(final.status).toBe('failed');
    expect(final.error).toMatch(/time limit of 2 s/);
    expect(final.attempts).toBe(1);
    expect(final.model).toBeNull();
  });

  it('takes concurrent submits as separate runs and cancels queued ones out of the queue', async () => {
    // Nothing trains them: the worker is busy with a long run first.
    const long = await submitJson({ inputUri: store.uri('datasets/tiny.csv'), fast: true });
    await waitFor(
      async () => (await getRun(long.id)).status === 'running',
      60_000,
      'the long run to start',
      50,
    );
    const runs = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        submitJson({ inputUri: store.uri('datasets/tiny.csv'), fast: true, modelName: `concurrent-${i}` }),
      ),
    );
    expect(new Set(runs.map((r) => r.id)).size).toBe(5);
    const list = await t.request().get('/v1/training-runs?status=queued&limit=200').set(auth(t));
    for (const r of runs) expect(list.body.items.map((x: Run) => x.id)).toContain(r.id);
    const cancels = await Promise.all(
      runs.map((r) => t.request().delete(`/v1/training-runs/${r.id}`).set(auth(t))),
    );
    expect(cancels.map((c) => c.status)).toEqual([200, 200, 200, 200, 200]);
    // A second cancel of the same run races the first: one 200 at most, the others 409.
    const again = await Promise.all(
      [1, 2, 3].map(() => t.request().delete(`/v1/training-runs/${runs[0]!.id}`).set(auth(t))),
    );
    expect(again.every((c) => c.status === 409)).toBe(true);
    await t.request().delete(`/v1/training-runs/${long.id}`).set(auth(t));
    await finished(long.id);
    await sleep(500);
    for (const r of runs) expect((await getRun(r.id)).status).toBe('cancelled');
  });
});

describe('a training worker killed mid-run', () => {
  it('leaves no trainer behind, and another worker retries the run (never stuck running)', async () => {
    const second = new WorkerProcess(
      workerEnv(t, { TRAINING_WORKER_METRICS_PORT: '0' }),
      'training-worker.ts',
    );
    workers.push(second);
    await second.ready();
    const run = await submitJson({ inputUri: store.uri('datasets/tiny.csv'), fast: true });
    const running = await waitFor<Run>(
      async () => {
        const r = await getRun(run.id);
        return r.status === 'running' && r.workerId !== null && r.progress?.rowsRead !== undefined
          ? r
          : undefined;
      },
      60_000,
      'the run to start',
      50,
    );
    const victim = workers.find((w) => w.workerId === running.workerId)!;
    const survivor = workers.find((w) => w !== victim && w.running)!;
    const pid = trainerPid(victim, run.id)!;
    expect(pid).toBeGreaterThan(0);
    victim.kill('SIGKILL');
    await victim.exited;
    // The trainer notices its worker is gone (ML_PARENT_PID) and ends its process group.
    await waitFor(async () => !alive(pid), 15_000, `orphaned trainer ${pid} to end`);
    const final = await finished(run.id, 300_000);
    expect(['completed', 'failed']).toContain(final.status);
    if (final.status === 'completed') {
      expect(final.attempts).toBeGreaterThanOrEqual(2);
      expect(final.workerId).toBe(survivor.workerId);
      expect(final.model).not.toBeNull();
    } else expect(final.error).toBeTruthy();
  });
});

/** `ml train …` from the ml sources, as a user runs it; resolves with its exit code and output. */
function mlTrain(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--no-warnings', '-r', registerHook(), ML_CLI, 'train', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TMPDIR: os.tmpdir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a training worker stopped with SIGTERM', () => {
  it('stops its trainer and hands the run back to the queue, where another worker completes it', async () => {
    const third = new WorkerProcess(
      workerEnv(t, { TRAINING_WORKER_METRICS_PORT: '0' }),
      'training-worker.ts',
    );
    workers.push(third);
    await third.ready();
    const run = await submitJson({ inputUri: store.uri('datasets/tiny.csv'), fast: true });
    const running = await waitFor<Run>(
      async () => {
        const r = await getRun(run.id);
        return r.status === 'running' && r.progress?.rowsRead !== undefined ? r : undefined;
      },
      60_000,
      'the run to start',
      50,
    );
    const stopping = workers.find((w) => w.workerId === running.workerId)!;
    const pid = trainerPid(stopping, run.id)!;
    const started = Date.now();
    stopping.kill('SIGTERM');
    expect((await stopping.exited).code).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(alive(pid)).toBe(false);
    const final = await finished(run.id);
    expect(final.status).toBe('completed');
    expect(final.workerId).not.toBe(stopping.workerId);
    expect(final.model).not.toBeNull();
  });
});

describe('ml train --server', () => {
  it('records an offline run on the server: its package registered as a new version (not promoted), source cli', async () => {
    await t.app.listen(0, '127.0.0.1');
    const server = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const out = path.join(dir, 'cli-package');
    const result = await mlTrain([
      '--data',
      csv,
      '--out',
      out,
      '--fast',
      '--name',
      'cli-trained',
      '--server',
      server,
      '--key',
      t.adminKey,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /server: run [0-9a-f-]{36} recorded, registered as cli-trained v\d+ \(not promoted\)/,
    );
    expect(result.stdout + result.stderr).not.toContain(t.adminKey);
    const id = /server: run ([0-9a-f-]{36})/.exec(result.stderr)![1]!;
    const run = await getRun(id);
    expect(run).toMatchObject({
      source: 'cli',
      status: 'completed',
      specName: 'housets',
      datasetSha256: csvSha,
      model: { name: 'cli-trained' },
    });
    expect(run.metrics?.holdout?.rmse).toBeGreaterThan(0);
    expect(run.durationMs).toBeGreaterThan(0);
    const version = await t
      .request()
      .get(`/v1/models/cli-trained/versions/${run.model!.version}`)
      .set(auth(t));
    expect(version.body.stage).toBe('none');
  });

  it('keeps the local training successful with a warning when the server cannot be reached', async () => {
    const out = path.join(dir, 'offline-package');
    const result = await mlTrain([
      '--data',
      csv,
      '--out',
      out,
      '--fast',
      '--server',
      'http://127.0.0.1:9',
      '--key',
      'hp_not-a-real-key',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: the run was not recorded on http:\/\/127\.0\.0\.1:9/);
    expect(result.stderr).not.toContain('hp_not-a-real-key');
    expect(existsSync(path.join(out, 'manifest.json'))).toBe(true);
  });

  it('refuses a recorded run without its run part, or with a package that is not one', async () => {
    const noRun = await t
      .request()
      .post('/v1/training-runs/recorded')
      .set(auth(t))
      .attach('package', Buffer.from('x'), 'p.tar.gz');
    expect(noRun.status).toBe(400);
    const badRun = await t
      .request()
      .post('/v1/training-runs/recorded')
      .set(auth(t))
      .field('run', '{"specName": 5}')
      .attach('package', Buffer.from('x'), 'p.tar.gz');
    expect(badRun.status).toBe(400);
    expect(badRun.body.errors[0].field).toBe('specName');
    const badPackage = await t
      .request()
      .post('/v1/training-runs/recorded')
      .set(auth(t))
      .field('run', JSON.stringify({ specName: 'housets' }))
      .attach('package', Buffer.from('not a tarball'), 'p.tar.gz');
    expect(badPackage.status).toBe(422);
  });
});

/** ml's real MLflow test server (ml/test-tools); required by path: it is outside this package's sources (rootDir). */
interface MlflowServer {
  readonly uri: string;
  stop(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a typed import would pull ml's test support into this package's compilation
const { startMlflowServer } = require(
  path.resolve(__dirname, '../../ml/src/test-support/mlflow-server.ts'),
) as {
  startMlflowServer(): Promise<MlflowServer>;
};

describe('a queued run with MLFLOW_TRACKING_URI set', () => {
  let mlflow: MlflowServer;
  afterAll(async () => {
    await mlflow?.stop();
  });

  it('is logged to MLflow by its ml train child (the MLFLOW_* variables are inherited), its run id kept on the row', async () => {
    mlflow = await startMlflowServer();
    for (const w of workers) await w.stop();
    const worker = new WorkerProcess(
      workerEnv(t, {
        TRAINING_WORKER_METRICS_PORT: '0',
        MLFLOW_TRACKING_URI: mlflow.uri,
        MLFLOW_EXPERIMENT_NAME: 'queued-runs',
      }),
      'training-worker.ts',
    );
    workers.push(worker);
    await worker.ready();
    const run = await submitJson({ inputUri: store.uri('datasets/tiny.csv'), fast: true });
    const final = await finished(run.id);
    expect(final.status).toBe('completed');
    const runId = (final as Run & { mlflowRunId: string | null }).mlflowRunId;
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    const logged = await new MlflowClient(
      mlflowConfig({ trackingUri: mlflow.uri, experimentName: 'queued-runs' }),
    ).getRun(runId!);
    expect(logged.info.status).toBe('FINISHED');
  });
});
