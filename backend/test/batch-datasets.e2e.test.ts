import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { BatchEvaluationEntity } from '../src/batch/shared/batch-evaluation.entity';
import { isForeignKeyViolation } from '../src/database/constraint-errors';
import { DatasetRepository } from '../src/dataset/dataset.repository';
import { createArtifactStore } from '../src/storage/storage.module';
import type { ArtifactStore } from '../src/storage/artifact-store';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels } from './support/model-fixture';
import { auth, registerProduction, startInProcessWorker, waitFor, writeJobCsv } from './batch-support';

/**
 * Batch runs that name a registered dataset (issue 16) on both profiles: POST /v1/batch-evaluations and
 * POST /v1/batch-jobs with `datasetId`, the dataset recorded on the run, the 4xx answers, and deletion
 * refused while an evaluation references the dataset, also when the delete races the evaluations.
 */
jest.setTimeout(240_000);

interface Dataset {
  id: string;
  sha256: string;
  uri: string;
}

let t: TestApp;
let store: ArtifactStore;
let dir: string;
let csv: Buffer;
let lines: number;

const register = async (body: Buffer, name = 'data.csv'): Promise<Dataset> => {
  const res = await t
    .request()
    .post('/v1/datasets')
    .set(auth(t))
    .field('spec', 'housets')
    .attach('file', body, name);
  expect([200, 201]).toContain(res.status);
  return res.body as Dataset;
};

/** A distinct file (so a distinct dataset) built from the CSV: its first `rows` data rows. */
const head = (rows: number) => {
  const all = csv.toString('utf8').trimEnd().split('\n');
  return Buffer.from(`${all.slice(0, rows + 1).join('\n')}\n`);
};

const evaluate = (body: object) => t.request().post('/v1/batch-evaluations').set(auth(t)).send(body);
const deleteDataset = (id: string) => t.request().delete(`/v1/datasets/${id}`).set(auth(t));

beforeAll(async () => {
  const { first } = await testModels();
  dir = mkdtempSync(path.join(os.tmpdir(), 'housing-batch-datasets-'));
  const written = await writeJobCsv(path.join(dir, 'clean.csv'), { size: 'tiny', seed: 21 });
  csv = readFileSync(written.file);
  lines = written.lines.length;
  t = await startTestApp({ MODEL_RECONCILE_INTERVAL_MS: '0' });
  store = createArtifactStore(t.config);
  await registerProduction(t, first);
});

afterAll(async () => {
  (store as { onApplicationShutdown?: () => void } | undefined)?.onApplicationShutdown?.();
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('an evaluation and a batch job name a dataset: the run records its id and sha256 and scores its bytes', async () => {
  const dataset = await register(csv, 'clean.csv');
  const res = await evaluate({ datasetId: dataset.id });
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({
    status: 'queued',
    dataset: { id: dataset.id, sha256: dataset.sha256 },
    inputUri: dataset.uri,
  });
  const job = await t.request().post('/v1/batch-jobs').set(auth(t)).send({ datasetId: dataset.id });
  expect(job.status).toBe(202);
  expect(job.body).toMatchObject({
    dataset: { id: dataset.id, sha256: dataset.sha256 },
    input: { uri: dataset.uri, bytes: csv.length },
  });
  // A run given a URI names no dataset.
  await store.put('inputs/plain.csv', csv);
  const plain = await evaluate({ inputUri: store.uri('inputs/plain.csv') });
  expect(plain.status).toBe(202);
  expect(plain.body.dataset).toBeNull();

  const worker = await startInProcessWorker(t.config);
  try {
    const run = await waitFor(
      async () => {
        const r = (await t.request().get(`/v1/batch-evaluations/${res.body.id}`).set(auth(t))).body;
        return r.status === 'completed' || r.status === 'failed' ? r : undefined;
      },
      120_000,
      'the monthly run on the dataset',
    );
    expect(run).toMatchObject({
      status: 'completed',
      rowsRead: lines,
      dataset: { id: dataset.id, sha256: dataset.sha256 },
    });
    const done = await waitFor(
      async () => {
        const r = (await t.request().get(`/v1/batch-jobs/${job.body.id}`).set(auth(t))).body;
        return r.status === 'completed' || r.status === 'failed' ? r : undefined;
      },
      120_000,
      'the batch job on the dataset',
    );
    expect(done).toMatchObject({ status: 'completed', rowsRead: lines, dataset: { id: dataset.id } });
  } finally {
    await worker.close();
  }
  const listed = await t.request().get('/v1/batch-evaluations').set(auth(t));
  expect(listed.body.items.find((r: { id: string }) => r.id === res.body.id).dataset.sha256).toBe(
    dataset.sha256,
  );
});

test('unknown, malformed, missing or doubled inputs are 4xx problems, and no run is recorded', async () => {
  const before = (await t.request().get('/v1/batch-evaluations').set(auth(t))).body.total as number;
  const unknown = await evaluate({ datasetId: '00000000-0000-4000-8000-000000000000' });
  expect(unknown.status).toBe(404);
  expect(unknown.headers['content-type']).toContain('application/problem+json');
  expect(unknown.body.detail).toContain('00000000-0000-4000-8000-000000000000');
  const unknownJob = await t
    .request()
    .post('/v1/batch-jobs')
    .set(auth(t))
    .send({ datasetId: '00000000-0000-4000-8000-000000000000' });
  expect(unknownJob.status).toBe(404);
  expect(unknownJob.headers['content-type']).toContain('application/problem+json');

  const malformed = await evaluate({ datasetId: 'not-a-uuid' });
  expect(malformed.status).toBe(400);
  expect(JSON.stringify(malformed.body.errors)).toContain('datasetId');
  const dataset = await register(head(5));
  const both = await evaluate({ datasetId: dataset.id, inputUri: dataset.uri });
  expect(both.status).toBe(400);
  expect(JSON.stringify(both.body)).toContain('exactly one of inputUri and datasetId');
  const neither = await evaluate({});
  expect(neither.status).toBe(400);
  expect(JSON.stringify(neither.body.errors)).toContain('inputUri');
  const bothJob = await t
    .request()
    .post('/v1/batch-jobs')
    .set(auth(t))
    .send({ datasetId: dataset.id, inputUri: dataset.uri });
  expect(bothJob.status).toBe(400);
  expect((await t.request().get('/v1/batch-evaluations').set(auth(t))).body.total).toBe(before);
});

test('deleting a dataset an evaluation references is refused (409, evaluation named); row and object stay', async () => {
  const dataset = await register(head(7));
  const run = await evaluate({ datasetId: dataset.id });
  expect(run.status).toBe(202);
  const refused = await deleteDataset(dataset.id);
  expect(refused.status).toBe(409);
  expect(refused.headers['content-type']).toContain('application/problem+json');
  expect(refused.body.detail).toContain(run.body.id);
  expect((await t.request().get(`/v1/datasets/${dataset.id}`).set(auth(t))).status).toBe(200);
  expect(await store.exists(`datasets/sha256/${dataset.sha256}.csv`)).toBe(true);
  // A dataset no run names is still deletable.
  const unused = await register(head(8));
  expect((await deleteDataset(unused.id)).status).toBe(204);
});

test('GET /v1/datasets?sha256= finds the dataset with that checksum (a model lineage’s link)', async () => {
  const dataset = await register(head(9));
  const found = await t.request().get(`/v1/datasets?sha256=${dataset.sha256}`).set(auth(t));
  expect(found.status).toBe(200);
  expect(found.body).toMatchObject({ total: 1, items: [{ id: dataset.id, sha256: dataset.sha256 }] });
  const none = await t
    .request()
    .get(`/v1/datasets?sha256=${'0'.repeat(64)}`)
    .set(auth(t));
  expect(none.body).toMatchObject({ total: 0, items: [] });
  const bad = await t.request().get('/v1/datasets?sha256=XYZ').set(auth(t));
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body.errors)).toContain('sha256');
});

test('two evaluations and a delete of their dataset at once: the delete refuses or comes first, never a run on a deleted dataset', async () => {
  for (let round = 0; round < 6; round++) {
    const dataset = await register(head(10 + round));
    const [a, b, del] = await Promise.all([
      evaluate({ datasetId: dataset.id }),
      evaluate({ datasetId: dataset.id }),
      deleteDataset(dataset.id),
    ]);
    const runs = [a, b].filter((r) => r.status === 202);
    for (const r of [a, b]) expect([202, 404]).toContain(r.status);
    expect([204, 409]).toContain(del.status);
    const exists = (await t.request().get(`/v1/datasets/${dataset.id}`).set(auth(t))).status === 200;
    if (del.status === 204) {
      // Deleted first: no evaluation may reference it, and its object is gone.
      expect(runs).toHaveLength(0);
      expect(exists).toBe(false);
      expect(await store.exists(`datasets/sha256/${dataset.sha256}.csv`)).toBe(false);
    } else {
      expect(runs.length).toBeGreaterThan(0);
      expect(exists).toBe(true);
      expect(await store.exists(`datasets/sha256/${dataset.sha256}.csv`)).toBe(true);
    }
    // Every recorded run points at a dataset that exists.
    for (const r of runs) {
      const run = (await t.request().get(`/v1/batch-evaluations/${r.body.id}`).set(auth(t))).body;
      expect(run.dataset.id).toBe(dataset.id);
      expect((await t.request().get(`/v1/datasets/${run.dataset.id}`).set(auth(t))).status).toBe(200);
    }
  }
});

test('the database itself holds the link: its foreign key refuses a run on a missing dataset and a delete under a run', async () => {
  // The race's losing orders, forced: the service's checks are skipped, the schema still decides.
  const runs = t.app.get(DataSource).getRepository(BatchEvaluationEntity);
  const row = (id: string, datasetId: string) => ({
    id,
    status: 'queued' as const,
    source: 'api' as const,
    inputUri: 'file:///nowhere.csv',
    datasetId,
    datasetSha256: '0'.repeat(64),
    createdAt: Date.now(),
    updatedAt: Date.now(),
  });
  const orphan = await runs
    .insert(row('e0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001'))
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  expect(isForeignKeyViolation(orphan)).toBe(true);
  expect(await runs.findOneBy({ id: 'e0000000-0000-4000-8000-000000000001' })).toBeNull();

  const dataset = await register(head(20));
  await runs.insert(row('e0000000-0000-4000-8000-000000000002', dataset.id));
  expect(await t.app.get(DatasetRepository).deleteById(dataset.id)).toBe('referenced');
  expect((await t.request().get(`/v1/datasets/${dataset.id}`).set(auth(t))).status).toBe(200);
});
