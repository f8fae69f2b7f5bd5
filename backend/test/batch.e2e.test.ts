import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createReadStream } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config/config';
import { createArtifactStore } from '../src/storage/storage.module';
import type { ArtifactStore } from '../src/storage/artifact-store';
import { BatchQueueService } from '../src/batch/shared/batch-queue.service';
import { RegistryService } from '../src/model-registry/registry.service';
import { EVALUATION_JOB, MONTHLY_JOB, MONTHLY_SCHEDULER_ID } from '../src/batch/shared/batch.constants';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels, type TestModel } from './support/model-fixture';
import {
  auth,
  batchKey,
  expectedPrices,
  parseCsv,
  registerProduction,
  startInProcessWorker,
  waitFor,
  writeJobCsv,
} from './batch-support';
import { MetricsService } from '../src/metrics/metrics.service';

jest.setTimeout(240_000);

const UPLOAD_LIMIT = 4 * 1024 * 1024;
const OVERRIDES = {
  BATCH_UPLOAD_LIMIT_BYTES: String(UPLOAD_LIMIT),
  BATCH_CHUNK_ROWS: '500',
  BATCH_PROGRESS_INTERVAL_MS: '50',
  BATCH_BAD_ROW_MIN_ROWS: '200',
  BATCH_STALLED_MS: '3000',
  BATCH_RECONCILE_INTERVAL_MS: '1000',
  BATCH_QUEUE_METRICS_INTERVAL_MS: '0',
  // Long enough for the retry test to restore what the first attempt missed.
  BATCH_BACKOFF_MS: '1500',
};

let t: TestApp;
let first: TestModel;
let second: TestModel;
let store: ArtifactStore;
let dir: string;
let worker: Awaited<ReturnType<typeof startInProcessWorker>> | undefined;
let small: { file: string; lines: number[] };
let big: { file: string; lines: number[] };
let clean: { file: string; lines: number[] };
let smallUri: string;
let bigUri: string;
let model: { name: string; version: number };
/** Jobs submitted before the worker started. */
const queuedEarly: string[] = [];

type Job = {
  id: string;
  status: string;
  rowsRead: number;
  rowsDone: number;
  rowsFailed: number;
  error: string | null;
  [k: string]: unknown;
};

const getJob = async (id: string): Promise<Job> =>
  (await t.request().get(`/v1/batch-jobs/${id}`).set(auth(t))).body as Job;

async function waitForStatus(id: string, statuses: string[], timeoutMs = 60_000): Promise<Job> {
  return waitFor(
    async () => {
      const job = await getJob(id);
      return statuses.includes(job.status) ? job : undefined;
    },
    timeoutMs,
    `job ${id} to be ${statuses.join(' or ')}`,
  );
}

async function upload(file: string | Buffer, headers: Record<string, string> = {}, name = 'input.csv') {
  const body = typeof file === 'string' ? readFileSync(file) : file;
  return t
    .request()
    .post('/v1/batch-jobs')
    .set({ ...auth(t), ...headers })
    .attach('file', body, name);
}

/** A CSV of `rows` rows taken from the small file (header first), with `row_id` renumbered to the new lines. */
function subset(rows: string[][], header: string[]): string {
  return (
    [header.join(','), ...rows.map((r, i) => [String(i + 2), ...r.slice(1)].join(','))].join('\n') + '\n'
  );
}

beforeAll(async () => {
  ({ first, second } = await testModels());
  dir = mkdtempSync(path.join(os.tmpdir(), 'housing-batch-e2e-'));
  [small, clean, big] = await Promise.all([
    writeJobCsv(path.join(dir, 'small.csv'), { size: 'tiny', seed: 11, dirty: true }),
    writeJobCsv(path.join(dir, 'clean.csv'), { size: 'tiny', seed: 12 }),
    writeJobCsv(path.join(dir, 'big.csv'), { metros: 8, zipsPerMetro: 50, seed: 5 }),
  ]);
  t = await startTestApp(OVERRIDES);
  store = createArtifactStore(t.config);
  await store.putStream('datasets/small.csv', createReadStream(small.file));
  await store.putStream('datasets/big.csv', createReadStream(big.file));
  await store.putStream('datasets/clean.csv', createReadStream(clean.file));
  smallUri = store.uri('datasets/small.csv');
  bigUri = store.uri('datasets/big.csv');
  model = await registerProduction(t, first);
});

afterAll(async () => {
  await worker?.close();
  (store as { onApplicationShutdown?: () => void } | undefined)?.onApplicationShutdown?.();
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('batch jobs: submission (no worker running yet)', () => {
  it('needs the batch scope and rejects bad submissions with problem+json', async () => {
    expect((await t.request().get('/v1/batch-jobs')).status).toBe(401);
    const predictOnly = await t
      .request()
      .post('/v1/keys')
      .set(auth(t))
      .send({ name: 'p', scopes: ['predict'] });
    const forbidden = await t.request().get('/v1/batch-jobs').set('x-api-key', predictOnly.body.key);
    expect(forbidden.status).toBe(403);

    const missing = await t.request().post('/v1/batch-jobs').set(auth(t)).send({});
    expect(missing.status).toBe(400);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toContain('inputUri');

    const extra = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .send({ inputUri: smallUri, other: 1 });
    expect(extra.status).toBe(400);

    const outside = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .send({ inputUri: 'file:///etc/passwd' });
    expect(outside.status).toBe(422);
    expect(outside.body.detail).toContain('not inside the artifact store');

    const absent = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .send({ inputUri: store.uri('datasets/nope.csv') });
    expect(absent.status).toBe(422);
    expect(absent.body.detail).toContain('no such object');

    const unknownModel = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .send({ inputUri: smallUri, modelVersion: { name: model.name, version: 99 } });
    expect(unknownModel.status).toBe(422);
    expect(unknownModel.body.detail).toContain('version 99 is not registered');

    const noFile = await t.request().post('/v1/batch-jobs').set(auth(t)).field('modelName', model.name);
    expect(noFile.status).toBe(400);
    expect(noFile.body.errors[0].field).toBe('file');

    const badQuery = await t.request().get('/v1/batch-jobs?limit=0&status=bogus').set(auth(t));
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'status']);
    expect((await t.request().get('/v1/batch-jobs/not-a-uuid').set(auth(t))).status).toBe(400);
    expect(
      (await t.request().get('/v1/batch-jobs/6f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11').set(auth(t))).status,
    ).toBe(404);

    const badKey = await t
      .request()
      .post('/v1/batch-jobs')
      .set({ ...auth(t), 'idempotency-key': 'has space' })
      .send({ inputUri: smallUri });
    expect(badKey.status).toBe(400);

    // A batch-only key may not read other jobs' files or model packages through inputUri.
    const client = await batchKey(t);
    const sneaky = await t
      .request()
      .post('/v1/batch-jobs')
      .set('x-api-key', client)
      .send({ inputUri: store.uri(`models/${model.name}/1/manifest.json`) });
    expect(sneaky.status).toBe(422);
    expect(sneaky.body.type).toContain('input-not-allowed');
  });

  it('refuses bodies that are not a JSON object or a well-formed upload with a 400 naming the field, storing nothing', async () => {
    const before = await store.list('batch/');
    const notAnObject =
      'must be a JSON object {inputUri or datasetId, modelVersion?, explain?}, or a multipart/form-data upload';
    const json = (body: string) =>
      t.request().post('/v1/batch-jobs').set(auth(t)).set('content-type', 'application/json').send(body);
    for (const res of [
      await json('[]'),
      await json('null'),
      await json('"inputUri"'),
      await json('42'),
      await t.request().post('/v1/batch-jobs').set(auth(t)),
    ]) {
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors).toEqual([{ field: 'body', message: notAnObject }]);
    }

    const nested = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .send({ inputUri: smallUri, modelVersion: { name: model.name, version: 0, extra: true }, explain: 21 });
    expect(nested.status).toBe(400);
    expect(nested.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'explain',
      'modelVersion.extra',
      'modelVersion.version',
    ]);

    const csv = readFileSync(small.file);
    const twice = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .field('modelVersion', '1')
      .field('modelVersion', '2')
      .attach('file', csv, 'input.csv');
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([{ field: 'modelVersion', message: 'must be sent once' }]);

    const halfRef = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .field('modelVersion', '1')
      .attach('file', csv, 'input.csv');
    expect(halfRef.status).toBe(400);
    expect(halfRef.body.errors[0].field).toBe('modelVersion');

    const otherField = await t.request().post('/v1/batch-jobs').set(auth(t)).attach('data', csv, 'input.csv');
    expect(otherField.status).toBe(400);
    expect(otherField.body.errors[0].field).toBe('file');

    // A multipart body that ends before its closing boundary: the upload was cut short.
    const boundary = 'cut-short-boundary';
    const cut = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .set('content-type', `multipart/form-data; boundary=${boundary}`)
      .send(
        `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="input.csv"\r\n` +
          `content-type: text/csv\r\n\r\n${csv.toString('utf8').slice(0, 2000)}`,
      );
    expect(cut.status).toBe(400);
    expect(cut.headers['content-type']).toContain('application/problem+json');
    expect(cut.body.errors[0].field).toBe('file');
    expect(cut.body.errors[0].message).toMatch(/^the upload is malformed or was cut short: /);

    expect(await store.list('batch/')).toEqual(before);
  });

  it('answers 413 past BATCH_UPLOAD_LIMIT_BYTES and stores nothing', async () => {
    const before = await store.list('batch/');
    const res = await upload(big.file);
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.detail).toContain(`BATCH_UPLOAD_LIMIT_BYTES (${UPLOAD_LIMIT} bytes)`);
    expect(await store.list('batch/')).toEqual(before);
  });

  it('queues an upload with the production model and cancels a queued job by removing it from the queue', async () => {
    const res = await upload(small.file);
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/v1/batch-jobs/${res.body.id}`);
    expect(res.body).toMatchObject({ status: 'queued', model, progress: 0, rowsRead: 0, attempts: 0 });
    expect(res.body.input.bytes).toBe(readFileSync(small.file).length);
    const queue = t.app.get(BatchQueueService);
    expect(await queue.getJob(res.body.id)).toBeDefined();

    const cancel = await t.request().delete(`/v1/batch-jobs/${res.body.id}`).set(auth(t));
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    expect(await queue.getJob(res.body.id)).toBeUndefined();
    const again = await t.request().delete(`/v1/batch-jobs/${res.body.id}`).set(auth(t));
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('already cancelled');
    const result = await t.request().get(`/v1/batch-jobs/${res.body.id}/result`).set(auth(t));
    expect(result.status).toBe(404);
  });

  it('gives the same job for the same Idempotency-Key from the same API key, and only then', async () => {
    const one = await upload(small.file, { 'idempotency-key': 'upload-1' });
    const two = await upload(small.file, { 'idempotency-key': 'upload-1' });
    expect(one.status).toBe(202);
    expect(two.status).toBe(202);
    expect(two.body.id).toBe(one.body.id);
    expect(two.headers['idempotent-replayed']).toBe('true');
    const json1 = await t
      .request()
      .post('/v1/batch-jobs')
      .set({ ...auth(t), 'idempotency-key': 'uri-1' })
      .send({ inputUri: smallUri });
    const json2 = await t
      .request()
      .post('/v1/batch-jobs')
      .set({ ...auth(t), 'idempotency-key': 'uri-1' })
      .send({ inputUri: smallUri });
    expect(json2.body.id).toBe(json1.body.id);
    expect(json1.body.id).not.toBe(one.body.id);
    // Same key, other API key: another job. Concurrent repeats: still one job.
    const client = await batchKey(t, 'other-client');
    const other = await t
      .request()
      .post('/v1/batch-jobs')
      .set({ 'x-api-key': client, 'idempotency-key': 'uri-1' })
      .send({ inputUri: smallUri });
    expect(other.status).toBe(202);
    expect(other.body.id).not.toBe(json1.body.id);
    const burst = await Promise.all(
      [1, 2, 3, 4].map(() =>
        t
          .request()
          .post('/v1/batch-jobs')
          .set({ ...auth(t), 'idempotency-key': 'burst' })
          .send({ inputUri: smallUri }),
      ),
    );
    expect(new Set(burst.map((r) => r.body.id)).size).toBe(1);
    const listed = await t.request().get('/v1/batch-jobs?limit=100').set(auth(t));
    expect(
      listed.body.items.filter((j: { idempotencyKey: string }) => j.idempotencyKey === 'burst'),
    ).toHaveLength(1);
    queuedEarly.push(one.body.id, json1.body.id, other.body.id, burst[0]!.body.id);
    // The other key sees only its own job.
    const own = await t.request().get('/v1/batch-jobs').set('x-api-key', client);
    expect(own.body.items.map((j: { id: string }) => j.id)).toEqual([other.body.id]);
    expect((await t.request().get(`/v1/batch-jobs/${one.body.id}`).set('x-api-key', client)).status).toBe(
      404,
    );
  });

  it('names the model by reference (name@alias, name/version, a bare name), resolved and pinned at submit', async () => {
    const submitJson = (body: object) =>
      t
        .request()
        .post('/v1/batch-jobs')
        .set(auth(t))
        .send({ inputUri: smallUri, ...body });
    const ids: string[] = [];
    for (const reference of [`${model.name}@champion`, `${model.name}/${model.version}`, model.name]) {
      const res = await submitJson({ model: reference });
      expect(res.status).toBe(202);
      expect(res.body.model).toEqual({ name: model.name, version: model.version });
      ids.push(res.body.id);
    }
    const form = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .field('model', `${model.name}@champion`)
      .attach('file', small.file);
    expect(form.status).toBe(202);
    expect(form.body.model).toEqual({ name: model.name, version: model.version });
    ids.push(form.body.id);

    const unknown = await submitJson({ model: `${model.name}/999` });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail).toContain(`${model.name}/999`);
    const noAlias = await submitJson({ model: `${model.name}@nobody` });
    expect(noAlias.status).toBe(422);
    const bad = await submitJson({ model: 'not a reference!' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('model');
    const both = await submitJson({
      model: model.name,
      modelVersion: { name: model.name, version: model.version },
    });
    expect(both.status).toBe(400);
    expect(both.body.errors?.[0]?.field ?? both.body.detail).toMatch(/model/);
    // A reference and a name/version are different requests under one Idempotency-Key.
    const keyed = await submitJson({ model: model.name }).set('Idempotency-Key', 'ref-key');
    expect(keyed.status).toBe(202);
    ids.push(keyed.body.id);
    const reused = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .set('Idempotency-Key', 'ref-key')
      .send({ inputUri: smallUri, modelVersion: { name: model.name, version: model.version } });
    expect(reused.status).toBe(422);
    for (const id of ids) await t.request().delete(`/v1/batch-jobs/${id}`).set(auth(t));
  });
});

describe('batch jobs: a worker runs them', () => {
  beforeAll(async () => {
    worker = await startInProcessWorker(t.config);
  });

  it('completes an upload: every input line once in result or errors, predictions equal to the in-process pipeline', async () => {
    const res = await upload(small.file);
    const job = await waitForStatus(res.body.id, ['completed', 'failed']);
    expect(job.status).toBe('completed');
    expect(job).toMatchObject({ progress: 1, attempts: 1, stalledCount: 0, error: null, model });
    expect(job.rowsRead).toBe(small.lines.length);
    expect(job.rowsDone + job.rowsFailed).toBe(job.rowsRead);
    expect(job.rowsFailed).toBeGreaterThan(0); // the dirty file has unusable rows
    expect(Date.parse(job.finishedAt as string)).toBeGreaterThanOrEqual(Date.parse(job.startedAt as string));

    const resultRes = await t.request().get(`/v1/batch-jobs/${job.id}/result`).set(auth(t)).buffer(true);
    expect(resultRes.status).toBe(200);
    expect(resultRes.headers['content-type']).toContain('text/csv');
    const result = await parseCsv(resultRes.body instanceof Buffer ? resultRes.body : resultRes.text);
    expect(result.header.slice(-5)).toEqual([
      'predicted_price',
      'actual_price',
      'warnings',
      'price_low',
      'price_high',
    ]);
    expect(result.header[0]).toBe('row_id');
    expect(result.rows).toHaveLength(job.rowsDone);
    const expected = await expectedPrices(first.pkg, result);
    const predicted = result.header.indexOf('predicted_price');
    const price = result.header.indexOf('price');
    result.rows.forEach((row, i) => {
      // Cents, up to float32 noise (the ONNX session here may sum trees in another order).
      expect(Math.abs(Number(row[predicted]) - expected[i]!)).toBeLessThanOrEqual(0.01 + 1e-6 * expected[i]!);
      expect(row[result.header.indexOf('actual_price')]).toBe(row[price]);
    });
    // Rows the model prices with less confidence say why, and the worker counts them by kind.
    const warnings = result.header.indexOf('warnings');
    const warned = result.rows.filter((row) => row[warnings] !== '').length;
    expect(warned).toBeGreaterThan(0);
    const counter = await worker!.app
      .get(MetricsService)
      .registry.getSingleMetric('prediction_warnings_total')!
      .get();
    const batchWarnings = counter.values
      .filter((v) => v.labels.channel === 'batch')
      .reduce((n, v) => n + v.value, 0);
    expect(batchWarnings).toBeGreaterThanOrEqual(warned);

    // The input had actual prices: the job keeps its accuracy, in the holdout evaluation's cells.
    const actual = result.header.indexOf('actual_price');
    const scored = result.rows.filter((r) => r[actual] !== '' && Number.isFinite(Number(r[actual])));
    const mae =
      scored.reduce((sum, r) => sum + Math.abs(Number(r[predicted]) - Number(r[actual])), 0) / scored.length;
    const accuracy = job.accuracy as { n: number; mae: number; rmse: number; mape: number };
    expect(accuracy.n).toBe(scored.length);
    expect(Math.abs(accuracy.mae - mae)).toBeLessThan(0.01); // the file's prices are rounded to cents
    expect((job.links as { evaluation: string }).evaluation).toBe(`/v1/batch-jobs/${job.id}/evaluation`);
    const evaluation = await t.request().get(`/v1/batch-jobs/${job.id}/evaluation`).set(auth(t));
    expect(evaluation.status).toBe(200);
    expect(evaluation.body).toMatchObject({ dateColumn: 'date', regionColumn: 'city_full' });
    const cells = evaluation.body.cells as { month: string; n: number; sumAbsError: number }[];
    expect(cells.reduce((n, c) => n + c.n, 0)).toBe(scored.length);
    expect(cells.reduce((a, c) => a + c.sumAbsError, 0) / scored.length).toBeCloseTo(accuracy.mae, 6);
    expect(cells.every((c) => /^\d{4}-\d{2}$/.test(c.month))).toBe(true);

    const errorsRes = await t.request().get(`/v1/batch-jobs/${job.id}/errors`).set(auth(t)).buffer(true);
    expect(errorsRes.status).toBe(200);
    const errors = await parseCsv(errorsRes.text);
    expect(errors.header).toEqual(['line', 'reason', 'row']);
    expect(errors.rows).toHaveLength(job.rowsFailed);
    // Each rejected row comes back whole in the last column: the very fields of that input line.
    const input = await parseCsv(readFileSync(small.file));
    const inputByLine = new Map(input.rows.map((fields) => [fields[0]!, fields]));
    for (const [line, , row] of errors.rows) {
      const echoed = await parseCsv(`${input.header.join(',')}\n${row}\n`);
      expect(echoed.rows).toEqual([inputByLine.get(line!)]);
    }
    const seen = [...result.rows.map((r) => Number(r[0])), ...errors.rows.map((r) => Number(r[0]))].sort(
      (a, b) => a - b,
    );
    expect(seen).toEqual(small.lines);
    // The attempt's temporary objects are gone.
    expect(await store.list(`batch/${job.id}/`)).toEqual([
      `batch/${job.id}/errors.csv`,
      `batch/${job.id}/input.csv`,
      `batch/${job.id}/result.csv`,
    ]);
  });

  it('runs the idempotent jobs queued before the worker started', async () => {
    expect(queuedEarly).toHaveLength(4);
    for (const id of queuedEarly)
      expect((await waitForStatus(id, ['completed', 'failed'])).status).toBe('completed');
    const completed = await t.request().get('/v1/batch-jobs?status=completed&limit=2&offset=1').set(auth(t));
    expect(completed.body).toMatchObject({ limit: 2, offset: 1 });
    expect(completed.body.items).toHaveLength(2);
    expect(completed.body.total).toBeGreaterThanOrEqual(queuedEarly.length + 1);
  });

  it('scores a URI input with an explicit model version, and puts each bad row in the errors file with its line and reason', async () => {
    const parsed = await parseCsv(readFileSync(clean.file));
    const good = parsed.rows.slice(0, 56);
    const col = (name: string) => parsed.header.indexOf(name);
    const bad = (mutate: (r: string[]) => string[]) => mutate([...good[0]!]);
    const rows = [
      good[0]!,
      bad((r) => r.slice(0, 10)), // line 3: too few fields
      bad((r) => ((r[col('date')] = 'not-a-date'), r)), // line 4
      ...good.slice(1, 5),
      bad((r) => ((r[col('median_list_price')] = 'abc'), r)), // line 9
      bad((r) => ((r[col('date')] = ''), r)), // line 10: required field missing
      ...good.slice(5, 56),
    ];
    writeFileSync(path.join(dir, 'mixed.csv'), subset(rows, parsed.header));
    await store.putStream('datasets/mixed.csv', createReadStream(path.join(dir, 'mixed.csv')));
    const res = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .send({ inputUri: store.uri('datasets/mixed.csv'), modelVersion: model });
    expect(res.status).toBe(202);
    const job = await waitForStatus(res.body.id, ['completed', 'failed']);
    expect(job.error).toBeNull();
    expect(job).toMatchObject({ status: 'completed', rowsRead: 60, rowsDone: 56, rowsFailed: 4, model });
    const errors = await parseCsv(
      (await t.request().get(`/v1/batch-jobs/${job.id}/errors`).set(auth(t)).buffer(true)).text,
    );
    expect(errors.rows.map((r) => Number(r[0]))).toEqual([3, 4, 9, 10]);
    expect(errors.rows[0]![1]).toContain(`has 10 fields, header has ${parsed.header.length}`);
    expect(errors.rows[1]![1]).toMatch(/^date must be a date/);
    expect(errors.rows[2]![1]).toMatch(/^median_list_price must be a number/);
    expect(errors.rows[3]![1]).toBe('date is required');
    const result = await parseCsv(
      (await t.request().get(`/v1/batch-jobs/${job.id}/result`).set(auth(t)).buffer(true)).text,
    );
    expect(result.rows.map((r) => Number(r[0]))).toEqual([
      2,
      5,
      6,
      7,
      8,
      ...Array.from({ length: 51 }, (_, i) => 11 + i),
    ]);
  });

  it('keeps no accuracy for an input without actual prices: no evaluation link, a 404 naming why', async () => {
    const parsed = await parseCsv(readFileSync(clean.file));
    const keep = parsed.header.map((_, i) => i).filter((i) => parsed.header[i] !== 'price');
    const rows = parsed.rows.slice(0, 20).map((r) => keep.map((i) => r[i]!));
    writeFileSync(
      path.join(dir, 'unlabelled.csv'),
      subset(
        rows,
        keep.map((i) => parsed.header[i]!),
      ),
    );
    await store.putStream('datasets/unlabelled.csv', createReadStream(path.join(dir, 'unlabelled.csv')));
    const res = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .send({ inputUri: store.uri('datasets/unlabelled.csv'), modelVersion: model });
    const job = await waitForStatus(res.body.id, ['completed', 'failed']);
    expect(job).toMatchObject({ status: 'completed', rowsDone: 20, accuracy: null });
    expect((job.links as { evaluation: string | null }).evaluation).toBeNull();
    const evaluation = await t.request().get(`/v1/batch-jobs/${job.id}/evaluation`).set(auth(t));
    expect(evaluation.status).toBe(404);
    expect(evaluation.body.detail).toContain('no actual prices');
  });

  it('lists each row’s top contributions when asked (explain), and refuses a bad explain value', async () => {
    const parsed = await parseCsv(readFileSync(clean.file));
    writeFileSync(path.join(dir, 'explained.csv'), subset(parsed.rows.slice(0, 12), parsed.header));
    await store.putStream('datasets/explained.csv', createReadStream(path.join(dir, 'explained.csv')));
    const inputUri = store.uri('datasets/explained.csv');
    for (const explain of [21, -1, 2.5, 'three']) {
      const bad = await t.request().post('/v1/batch-jobs').set(auth(t)).send({ inputUri, explain });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('explain');
    }
    const badField = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .field('explain', 'lots')
      .attach('file', readFileSync(path.join(dir, 'explained.csv')), 'explained.csv');
    expect(badField.status).toBe(400);
    expect(badField.body.errors[0].field).toBe('explain');

    const res = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .send({ inputUri, modelVersion: model, explain: 3 });
    expect(res.status).toBe(202);
    expect(res.body.explain).toBe(3);
    const job = await waitForStatus(res.body.id, ['completed', 'failed']);
    expect(job).toMatchObject({ status: 'completed', rowsDone: 12 });
    const result = await parseCsv(
      (await t.request().get(`/v1/batch-jobs/${job.id}/result`).set(auth(t)).buffer(true)).text,
    );
    expect(result.header.slice(-3)).toEqual(['price_low', 'price_high', 'explanation']);
    const cell = result.header.indexOf('explanation');
    for (const row of result.rows) {
      const parts = row[cell]!.split('; ');
      expect(parts).toHaveLength(3);
      for (const part of parts) expect(part).toMatch(/^.+ [+-]\d+\.\d{2}$/);
    }
    // the same record through the API: the batch cell lists the API's three largest columns
    const record = Object.fromEntries(parsed.header.map((h, i) => [h, parsed.rows[0]![i]]));
    const api = await t.request().post('/v1/predictions?explain=true').set(auth(t)).send({ record });
    const top3 = (api.body.explanation.columns as { source: string }[]).slice(0, 3).map((c) => c.source);
    expect(result.rows[0]![cell]!.split('; ').map((p) => p.replace(/ [+-][\d.]+$/, ''))).toEqual(top3);
  });

  it('retries a transient failure with exponential backoff, then completes with the pinned model version', async () => {
    const up = await t
      .request()
      .post('/v1/models')
      .set(auth(t))
      .attach('package', second.archive, 'package.tar.gz');
    expect(up.status).toBe(201);
    const v2 = { name: up.body.name as string, version: up.body.version as number };
    // The version's ONNX file is missing for a while (a restore in progress): loading the model fails.
    // Packages live under a key unique to their upload: the row says where.
    const row = await t.app.get(RegistryService).get(v2.name, v2.version);
    const onnxKey = `${row.artifactPrefix}/model.onnx`;
    const onnx = await store.get(onnxKey);
    await store.delete(onnxKey);
    const res = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .send({ inputUri: store.uri('datasets/clean.csv'), modelVersion: v2 });
    expect(res.status).toBe(202);
    const retrying = await waitFor(
      async () => {
        const job = await getJob(res.body.id);
        return job.status === 'queued' && job.error?.startsWith('attempt 1 of 3 failed') ? job : undefined;
      },
      30_000,
      'the first attempt to fail',
      20,
    );
    expect(retrying.error).toContain(`artifact ${onnxKey} not found; retrying`);
    await store.put(onnxKey, onnx);
    const job = await waitForStatus(res.body.id, ['completed', 'failed']);
    expect(job).toMatchObject({
      status: 'completed',
      attempts: 2,
      error: null,
      model: v2,
      rowsRead: clean.lines.length,
      rowsFailed: 0,
    });
    const result = await parseCsv(
      (await t.request().get(`/v1/batch-jobs/${job.id}/result`).set(auth(t)).buffer(true)).text,
    );
    const expected = await expectedPrices(second.pkg, result);
    const predicted = result.header.indexOf('predicted_price');
    result.rows.forEach((row, i) =>
      expect(Math.abs(Number(row[predicted]) - expected[i]!)).toBeLessThanOrEqual(0.01 + 1e-6 * expected[i]!),
    );
  });

  it('fails a job past BATCH_MAX_BAD_ROW_RATIO with the reason, at the end and early, keeping the errors file', async () => {
    const parsed = await parseCsv(readFileSync(clean.file));
    const date = parsed.header.indexOf('date');
    const spoil = (rows: string[][], bad: (i: number) => boolean) =>
      rows.map((r, i) => (bad(i) ? Object.assign([...r], { [date]: 'garbage' }) : r));
    // 100 rows, 30 bad: below BATCH_BAD_ROW_MIN_ROWS, so only the final check applies.
    writeFileSync(
      path.join(dir, 'bad-end.csv'),
      subset(
        spoil(parsed.rows.slice(0, 100), (i) => i % 10 < 3),
        parsed.header,
      ),
    );
    // 1,500 rows, half bad: the early check stops it once 200 rows were read.
    writeFileSync(
      path.join(dir, 'bad-early.csv'),
      subset(
        spoil(parsed.rows.slice(0, 1500), (i) => i % 2 === 0),
        parsed.header,
      ),
    );
    const end = await upload(path.join(dir, 'bad-end.csv'));
    const early = await upload(path.join(dir, 'bad-early.csv'));
    const endJob = await waitForStatus(end.body.id, ['completed', 'failed']);
    expect(endJob.status).toBe('failed');
    expect(endJob.error).toBe(
      '30 of 100 rows were rejected (30.0%), more than BATCH_MAX_BAD_ROW_RATIO 0.1 (10.0%): see the errors file for each line and reason',
    );
    expect(endJob.attempts).toBe(1);
    const endErrors = await parseCsv(
      (await t.request().get(`/v1/batch-jobs/${endJob.id}/errors`).set(auth(t)).buffer(true)).text,
    );
    expect(endErrors.rows).toHaveLength(30);
    const noResult = await t.request().get(`/v1/batch-jobs/${endJob.id}/result`).set(auth(t));
    expect(noResult.status).toBe(404);
    expect(noResult.body.detail).toContain('failed');

    const earlyJob = await waitForStatus(early.body.id, ['completed', 'failed']);
    expect(earlyJob.status).toBe('failed');
    expect(earlyJob.error).toMatch(
      /^\d+ of \d+ rows read so far were rejected \((4|5)\d\.\d%\), more than BATCH_MAX_BAD_ROW_RATIO 0.1/,
    );
    expect(earlyJob.rowsRead).toBeLessThan(1500);
  });

  it('fails unreadable input (missing required column, not a CSV, empty) with the reason and no retries', async () => {
    const parsed = await parseCsv(readFileSync(clean.file));
    const date = parsed.header.indexOf('date');
    const noDate = [
      parsed.header.filter((_, i) => i !== date).join(','),
      ...parsed.rows.slice(0, 5).map((r) => r.filter((_, i) => i !== date).join(',')),
    ].join('\n');
    const cases = [
      { body: Buffer.from(noDate), reason: 'unreadable input: CSV is missing required column: date' },
      { body: randomBytes(4096), reason: 'unreadable input: CSV is missing required column' },
      { body: Buffer.alloc(0), reason: 'unreadable input: CSV is empty: no header line' },
    ];
    const ids = [];
    for (const c of cases) ids.push((await upload(c.body, {}, 'weird.bin')).body.id as string);
    for (const [i, id] of ids.entries()) {
      const job = await waitForStatus(id, ['completed', 'failed']);
      expect(job.status).toBe('failed');
      expect(job.error).toContain(cases[i]!.reason);
      expect(job.attempts).toBe(1);
      expect((await t.request().get(`/v1/batch-jobs/${id}/errors`).set(auth(t))).status).toBe(404);
    }
  });

  it('cancels a running job: it stops at its next chunk and leaves no result', async () => {
    const res = await t.request().post('/v1/batch-jobs').set(auth(t)).send({ inputUri: bigUri });
    const running = await waitFor(
      async () => {
        const job = await getJob(res.body.id);
        return job.status === 'running' && job.rowsRead > 0 ? job : undefined;
      },
      60_000,
      'the big job to run',
      20,
    );
    const cancel = await t.request().delete(`/v1/batch-jobs/${running.id}`).set(auth(t));
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    await waitFor(async () => worker!.service.running.size === 0, 10_000, 'the worker to stop the job');
    const after = await getJob(running.id);
    expect(after.status).toBe('cancelled');
    expect(after.rowsRead).toBeLessThan(big.lines.length);
    await new Promise((r) => setTimeout(r, 300));
    expect((await getJob(running.id)).rowsRead).toBe(after.rowsRead);
    expect((await t.request().get(`/v1/batch-jobs/${running.id}/result`).set(auth(t))).status).toBe(404);
    expect((await t.request().delete(`/v1/batch-jobs/${running.id}`).set(auth(t))).status).toBe(409);
    expect(await store.list(`batch/${running.id}/`)).toEqual([]);
  });

  it('shows queue depth on /metrics and in /health/ready', async () => {
    const metrics = await t.request().get('/metrics');
    expect(metrics.status).toBe(200);
    for (const state of ['waiting', 'active', 'delayed', 'failed'])
      expect(metrics.text).toMatch(new RegExp(`batch_queue_jobs\\{state="${state}"\\} \\d+`));
    const ready = await t.request().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details.queue).toMatchObject({
      status: 'up',
      waiting: expect.any(Number),
      active: expect.any(Number),
      failed: expect.any(Number),
      delayed: expect.any(Number),
    });
    expect(ready.body.details.queue.failed).toBeGreaterThanOrEqual(5); // the jobs failed above
  });
});

describe('monthly batch', () => {
  it('scores a dataset month by month into one file per month with an evaluation by month and region', async () => {
    const res = await t.request().post('/v1/batch-evaluations').set(auth(t)).send({ inputUri: smallUri });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'queued', source: 'api', model });
    const run = await waitFor(
      async () => {
        const r = (await t.request().get(`/v1/batch-evaluations/${res.body.id}`).set(auth(t))).body;
        return r.status === 'completed' || r.status === 'failed' ? r : undefined;
      },
      60_000,
      'the monthly run',
    );
    expect(run.status).toBe('completed');
    expect(run.rowsRead).toBe(small.lines.length);
    // tiny: 2012-03 … 2023-12 is 142 months.
    expect(run.files).toHaveLength(142);
    expect(run.files[0].month).toBe('2012-03');
    expect(run.files.reduce((n: number, f: { rows: number }) => n + f.rows, 0)).toBe(run.rowsDone);
    const march = await parseCsv(await store.get(store.keyOf(run.files[0].uri)!));
    // The one scored-row format: the same columns as a predict job's result.
    expect(march.header.slice(-5)).toEqual([
      'predicted_price',
      'actual_price',
      'warnings',
      'price_low',
      'price_high',
    ]);
    expect(march.rows).toHaveLength(run.files[0].rows);
    for (const row of march.rows) expect(row[march.header.indexOf('date')]).toMatch(/^2012-03/);
    const s = run.summary;
    expect(s).toMatchObject({ dateColumn: 'date', regionColumn: 'city_full' });
    expect(s.byMonth).toHaveLength(142);
    expect(s.byRegion).toHaveLength(3);
    expect(s.overall.n).toBe(s.byMonth.reduce((n: number, m: { n: number }) => n + m.n, 0));
    expect(s.overall.mae).toBeGreaterThan(0);
    expect(s.overall.rmse).toBeGreaterThanOrEqual(s.overall.mae);
    expect(s.overall.mape).toBeGreaterThan(0);
    // The same rows in the holdout's (month, region) cells: summed, they give the summary's figures.
    const cells = run.cells as {
      month: string;
      region: string;
      n: number;
      sumAbsError: number;
      sumSquaredError: number;
    }[];
    expect(new Set(cells.map((c) => c.month)).size).toBe(142);
    expect(new Set(cells.map((c) => c.region)).size).toBe(3);
    const n = cells.reduce((a, c) => a + c.n, 0);
    expect(n).toBe(s.overall.n);
    expect(cells.reduce((a, c) => a + c.sumAbsError, 0) / n).toBeCloseTo(s.overall.mae, 6);
    expect(Math.sqrt(cells.reduce((a, c) => a + c.sumSquaredError, 0) / n)).toBeCloseTo(s.overall.rmse, 6);
    const list = await t.request().get('/v1/batch-evaluations').set(auth(t));
    expect(list.body.items.map((r: { id: string }) => r.id)).toContain(run.id);
  });

  it('registers the BATCH_MONTHLY_CRON job scheduler, and runs a scheduler-made job into its own row', async () => {
    const config = loadConfig({
      ...t.env,
      BATCH_MONTHLY_CRON: '0 3 1 * *',
      BATCH_MONTHLY_INPUT_URI: smallUri,
    });
    const scheduling = await startInProcessWorker(config);
    try {
      const queue = t.app.get(BatchQueueService).queue;
      const scheduler = await waitFor(
        async () => queue.getJobScheduler(MONTHLY_SCHEDULER_ID),
        10_000,
        'the job scheduler',
      );
      expect(scheduler.pattern).toBe('0 3 1 * *');
      expect(scheduler.template?.data).toEqual({ kind: 'evaluation', inputUri: smallUri });
      expect(scheduler.name).toBe(EVALUATION_JOB);
      // What the scheduler enqueues at the cron time (no evaluation id: the worker makes the row); a job
      // queued under the name it had before the rename still runs.
      await queue.add(MONTHLY_JOB, { kind: 'monthly', inputUri: smallUri }, { jobId: 'repeat:test:1' });
      const run = await waitFor(
        async () => {
          const items = (await t.request().get('/v1/batch-evaluations').set(auth(t))).body.items as Array<{
            source: string;
            status: string;
          }>;
          return items.find((r) => r.source === 'schedule' && r.status === 'completed');
        },
        60_000,
        'the scheduled run',
      );
      expect(run).toMatchObject({ model, rowsRead: small.lines.length });
    } finally {
      await scheduling.close();
    }
    // A worker without BATCH_MONTHLY_CRON removes the scheduler.
    const plain = await startInProcessWorker(t.config);
    await waitFor(
      async () =>
        (await t.app.get(BatchQueueService).queue.getJobScheduler(MONTHLY_SCHEDULER_ID)) === undefined,
      10_000,
      'the scheduler to go',
    );
    await plain.close();
  });
});
