import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { BatchJobEntity } from '../../src/batch/shared/batch-job.entity';
import { ARTIFACT_STORE, type ArtifactStore } from '../../src/storage/artifact-store';
import { createArtifactStore } from '../../src/storage/storage.module';
import {
  auth,
  parseCsv,
  registerProduction,
  startInProcessWorker,
  waitFor,
  writeJobCsv,
  type ParsedCsv,
} from '../batch-support';
import { testModels } from '../support/model-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Hostile input to batch jobs (issue 11, items 4-9): bad-row bursts, early failures, very long lines,
 * reused idempotency keys, spreadsheet formulas and NUL bytes. Both profiles (SQLite + local store,
 * Postgres + S3).
 */
jest.setTimeout(300_000);

const MAX_LINE = 64 * 1024;

let t: TestApp;
let store: ArtifactStore;
let dir: string;
let worker: Awaited<ReturnType<typeof startInProcessWorker>> | undefined;
let clean: ParsedCsv;
let model: { name: string; version: number };

type Job = {
  id: string;
  status: string;
  rowsRead: number;
  rowsDone: number;
  rowsFailed: number;
  error: string | null;
  idempotencyKey: string | null;
  links: { errors: string | null; result: string | null };
};

const getJob = async (id: string): Promise<Job> =>
  (await t.request().get(`/v1/batch-jobs/${id}`).set(auth(t))).body as Job;

const finished = (id: string, timeoutMs = 120_000) =>
  waitFor(
    async () => {
      const job = await getJob(id);
      return ['completed', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
    },
    timeoutMs,
    `job ${id} to finish`,
  );

const upload = (body: Buffer | string, headers: Record<string, string> = {}, name = 'input.csv') =>
  t
    .request()
    .post('/v1/batch-jobs')
    .set({ ...auth(t), ...headers })
    .attach('file', Buffer.from(body), name);

const download = async (id: string, which: 'result' | 'errors') =>
  parseCsv((await t.request().get(`/v1/batch-jobs/${id}/${which}`).set(auth(t)).buffer(true)).text);

/** The clean rows with `row_id` renumbered to their new lines, and `bad(i)` rows given an impossible date. */
function csvOf(rows: string[][], bad: (i: number) => boolean = () => false): string {
  const date = clean.header.indexOf('date');
  const lines = rows.map((r, i) => {
    const fields = [String(i + 2), ...r.slice(1)];
    if (bad(i)) fields[date] = 'garbage';
    return fields.join(',');
  });
  return [clean.header.join(','), ...lines].join('\n') + '\n';
}

/** Resolves once no job is queued or running (their result and errors files are then in place). */
const idle = () =>
  waitFor(
    async () => {
      for (const status of ['queued', 'running']) {
        const res = await t.request().get(`/v1/batch-jobs?status=${status}`).set(auth(t));
        if (res.body.total !== 0) return false;
      }
      return true;
    },
    120_000,
    'every job to finish',
  );

/** Objects under `batch/` in the store (inputs, results, errors). */
const batchObjects = async () => (await store.list('batch/')).filter((k) => !k.includes('/attempts/'));

beforeAll(async () => {
  const { first } = await testModels();
  dir = mkdtempSync(path.join(os.tmpdir(), 'housing-hostile-batch-'));
  const generated = await writeJobCsv(path.join(dir, 'clean.csv'), { size: 'tiny', seed: 12 });
  clean = await parseCsv(readFileSync(generated.file));
  t = await startTestApp({
    BATCH_CHUNK_ROWS: '200',
    BATCH_PROGRESS_INTERVAL_MS: '50',
    BATCH_BAD_ROW_MIN_ROWS: '200',
    BATCH_RECONCILE_INTERVAL_MS: '1000',
    BATCH_QUEUE_METRICS_INTERVAL_MS: '0',
    CSV_MAX_LINE_BYTES: String(MAX_LINE),
  });
  store = createArtifactStore(t.config);
  model = await registerProduction(t, first);
  worker = await startInProcessWorker(t.config);
});

afterAll(async () => {
  await worker?.close();
  (store as { onApplicationShutdown?: () => void } | undefined)?.onApplicationShutdown?.();
  await t?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('hostile batch input', () => {
  it('item 4: a burst of bad rows below the threshold overall does not fail the job early', async () => {
    // 12.5 % of the first 600 rows are bad (the old rule failed at 200 rows), 5 % of all 1,500.
    const res = await upload(csvOf(clean.rows.slice(0, 1500), (i) => i < 600 && i % 8 === 0));
    expect(res.status).toBe(202);
    const job = await finished(res.body.id);
    expect(job).toMatchObject({ status: 'completed', rowsRead: 1500, rowsFailed: 75, rowsDone: 1425 });
  });

  it('item 5: an early-failed job keeps the header and every rejected line so far, with true counters', async () => {
    // 30 % bad: far above 10 % with 99.9 % confidence after the first chunk.
    const res = await upload(csvOf(clean.rows.slice(0, 1500), (i) => i % 10 < 3));
    const job = await finished(res.body.id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(
      /^\d+ of \d+ rows read so far were rejected \((2|3)\d\.\d%\), more than BATCH_MAX_BAD_ROW_RATIO 0.1/,
    );
    const [, failed, read] = /^(\d+) of (\d+)/.exec(job.error!)!.map(Number);
    expect(job.rowsRead).toBe(read);
    expect(job.rowsFailed).toBe(failed);
    expect(job.rowsRead).toBeGreaterThan(0);
    expect(job.rowsRead).toBeLessThan(1500);
    expect(job.links.errors).toBe(`/v1/batch-jobs/${job.id}/errors`);
    const errors = await download(job.id, 'errors');
    expect(errors.header).toEqual(['line', 'reason', 'row']);
    expect(errors.rows).toHaveLength(job.rowsFailed);
    // Exactly the bad lines read so far: rows i with i % 10 < 3 sit on line i + 2.
    const expected = [];
    for (let i = 0; expected.length < job.rowsFailed; i++) if (i % 10 < 3) expected.push(String(i + 2));
    expect(errors.rows.map((r) => r[0])).toEqual(expected);
    expect(errors.rows[0]![1]).toMatch(/^date /);
    // The row itself: its first field is the line number csvOf wrote, the date is the bad one.
    expect(errors.rows[0]![2]).toMatch(/^2,garbage,/);
  });

  it("item 5: after a mid-stream transient failure the requeued job counts from zero, and the retry's counters and files are exact", async () => {
    await idle();
    const bad = (i: number) => i % 50 === 7; // 2 %: 30 of 1,500, below the threshold
    const body = Buffer.from(csvOf(clean.rows.slice(0, 1500), bad));
    // The worker's store loses the connection to the input 60 % of the way through, once.
    const workerStore = worker!.app.get<ArtifactStore>(ARTIFACT_STORE);
    const getStream = workerStore.getStream.bind(workerStore);
    let broken = 0;
    const spy = jest.spyOn(workerStore, 'getStream').mockImplementation(async (key: string) => {
      if (!key.endsWith('/input.csv') || broken++ > 0) return getStream(key);
      const cut = Math.floor(body.length * 0.6);
      return Readable.from(
        (async function* () {
          // In pieces with pauses, so the attempt reports progress before it breaks.
          for (let at = 0; at < cut; at += 8192) {
            yield body.subarray(at, Math.min(cut, at + 8192));
            await new Promise((r) => setTimeout(r, 15));
          }
          throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
        })(),
      );
    });
    try {
      const res = await upload(body);
      expect(res.status).toBe(202);
      const requeued = await waitFor(
        async () => {
          const job = await getJob(res.body.id);
          return job.status === 'queued' && job.error?.startsWith('attempt 1 of') ? job : undefined;
        },
        60_000,
        'the first attempt to fail',
        10,
      );
      // The dead attempt read rows (the error says how many) but the queued job shows none:
      // its next attempt starts from the first row.
      const [, read, rejected] = /after reading (\d+) rows \((\d+) rejected\): read ECONNRESET; retrying$/
        .exec(requeued.error!)!
        .map(Number);
      expect(read).toBeGreaterThan(200);
      expect(read).toBeLessThan(1500);
      expect(rejected).toBeGreaterThan(0);
      expect(requeued).toMatchObject({ rowsRead: 0, rowsDone: 0, rowsFailed: 0 });
      const job = await finished(res.body.id);
      expect(job).toMatchObject({ status: 'completed', rowsRead: 1500, rowsFailed: 30, rowsDone: 1470 });
      // Each bad line once and each good row once: nothing of the dead attempt leaks into the files.
      const errors = await download(job.id, 'errors');
      expect(errors.rows.map((r) => Number(r[0]))).toEqual(
        Array.from({ length: 1500 }, (_, i) => i)
          .filter(bad)
          .map((i) => i + 2),
      );
      expect((await download(job.id, 'result')).rows).toHaveLength(1470);
    } finally {
      spy.mockRestore();
    }
  });

  it('item 6: a line longer than CSV_MAX_LINE_BYTES goes to the errors file with its line; the rows after it are scored', async () => {
    const rows = clean.rows.slice(0, 300).map((r) => [...r]);
    const city = clean.header.indexOf('city_full');
    rows[100]![city] = 'x'.repeat(4 * 1024 * 1024);
    const res = await upload(csvOf(rows));
    expect(res.status).toBe(202);
    const job = await finished(res.body.id);
    expect(job).toMatchObject({ status: 'completed', rowsRead: 300, rowsFailed: 1, rowsDone: 299 });
    const errors = await download(job.id, 'errors');
    // The row cell holds only the start of the 4 MiB line, marked as cut.
    expect(errors.rows).toEqual([
      [
        '102',
        expect.stringMatching(/^line is longer than the 65536-byte limit \(CSV_MAX_LINE_BYTES/),
        expect.stringMatching(/^102,.*x{100}…$/),
      ],
    ]);
    expect(errors.rows[0]![2]!.length).toBeLessThan(1100);
    const result = await download(job.id, 'result');
    expect(result.rows.map((r) => r[0])).toEqual(
      Array.from({ length: 300 }, (_, i) => String(i + 2)).filter((l) => l !== '102'),
    );
  });

  it('item 7: a reused Idempotency-Key with another file, URI or model version is a 422 and stores nothing', async () => {
    const file = csvOf(clean.rows.slice(0, 20));
    const other = csvOf(clean.rows.slice(20, 40));
    const one = await upload(file, { 'idempotency-key': 'reuse-1' });
    expect(one.status).toBe(202);
    await idle();
    const before = await batchObjects();
    const same = await upload(file, { 'idempotency-key': 'reuse-1' });
    expect(same.status).toBe(202);
    expect(same.body.id).toBe(one.body.id);
    expect(same.headers['idempotent-replayed']).toBe('true');
    const otherFile = await upload(other, { 'idempotency-key': 'reuse-1' });
    expect(otherFile.status).toBe(422);
    expect(otherFile.headers['content-type']).toContain('application/problem+json');
    expect(otherFile.body.type).toMatch(/idempotency-key-reused$/);
    expect(otherFile.body.detail).toContain(one.body.id);
    expect(await batchObjects()).toEqual(before);

    await store.putStream('datasets/a.csv', Readable.from([Buffer.from(file)]));
    await store.putStream('datasets/b.csv', Readable.from([Buffer.from(other)]));
    const uri = (key: string) => store.uri(key);
    const post = (body: object, key: string) =>
      t
        .request()
        .post('/v1/batch-jobs')
        .set({ ...auth(t), 'idempotency-key': key })
        .send(body);
    const a = await post({ inputUri: uri('datasets/a.csv') }, 'reuse-2');
    expect(a.status).toBe(202);
    expect((await post({ inputUri: uri('datasets/a.csv') }, 'reuse-2')).body.id).toBe(a.body.id);
    expect((await post({ inputUri: uri('datasets/b.csv') }, 'reuse-2')).status).toBe(422);
    const pinned = {
      inputUri: uri('datasets/a.csv'),
      modelVersion: { name: model.name, version: model.version },
    };
    expect((await post(pinned, 'reuse-2')).status).toBe(422);
  });

  it('item 7: concurrent requests with one key give one job (identical) or one job and 422s (different), and no orphan input', async () => {
    await idle();
    const before = await batchObjects();
    const file = csvOf(clean.rows.slice(0, 20));
    const identical = await Promise.all(
      [1, 2, 3, 4].map(() => upload(file, { 'idempotency-key': 'burst-same' })),
    );
    expect(identical.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    expect(new Set(identical.map((r) => r.body.id)).size).toBe(1);

    const different = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        upload(csvOf(clean.rows.slice(i * 10, i * 10 + 10)), { 'idempotency-key': 'burst-diff' }),
      ),
    );
    const accepted = different.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(1);
    expect(different.filter((r) => r.status === 422)).toHaveLength(3);
    const listed = await t.request().get('/v1/batch-jobs?limit=200').set(auth(t));
    expect(listed.body.items.filter((j: Job) => j.idempotencyKey === 'burst-diff')).toHaveLength(1);

    // Only the two jobs' own objects were added: the losers' uploads were removed.
    const jobs = [identical[0]!.body.id as string, accepted[0]!.body.id as string];
    for (const id of jobs) expect((await finished(id)).status).toBe('completed');
    const added = (await batchObjects()).filter((k) => !before.includes(k)).sort();
    expect(added).toEqual(
      jobs.flatMap((id) => ['errors', 'input', 'result'].map((f) => `batch/${id}/${f}.csv`)).sort(),
    );
  });

  it('item 7: a key expires after IDEMPOTENCY_KEY_TTL_SECONDS and then makes a new job', async () => {
    const file = csvOf(clean.rows.slice(0, 20));
    const first = await upload(file, { 'idempotency-key': 'ttl-1' });
    expect(first.status).toBe(202);
    // Age the job past the window (24 h by default) instead of waiting for it.
    const jobs = t.app.get<Repository<BatchJobEntity>>(getRepositoryToken(BatchJobEntity));
    await jobs.update(
      { id: first.body.id },
      { createdAt: Date.now() - (t.config.IDEMPOTENCY_KEY_TTL_SECONDS + 60) * 1000 },
    );
    const second = await upload(csvOf(clean.rows.slice(20, 40)), { 'idempotency-key': 'ttl-1' });
    expect(second.status).toBe(202);
    expect(second.body.id).not.toBe(first.body.id);
    expect((await getJob(first.body.id)).idempotencyKey).toBeNull();
    expect(second.body.idempotencyKey).toBe('ttl-1');
  });

  it('item 8: formula-like cells come back neutralised in the result; plain negative numbers stay numbers', async () => {
    const header = [...clean.header, 'note'];
    const notes = ["=cmd|' /C calc'!A0", '+SUM(1,2)', '@SUM(A1)', '-2+3', '\tTAB', '-5', '+3.2', 'plain'];
    const rows = clean.rows.slice(0, notes.length).map((r, i) => [String(i + 2), ...r.slice(1), notes[i]!]);
    const quote = (v: string) => (/[",\n\r\t]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const body = [header.join(','), ...rows.map((r) => r.map(quote).join(','))].join('\n') + '\n';
    const res = await upload(body);
    const job = await finished(res.body.id);
    expect(job.status).toBe('completed');
    const result = await download(job.id, 'result');
    const note = result.header.indexOf('note');
    expect(result.rows.map((r) => r[note])).toEqual([
      "'=cmd|' /C calc'!A0",
      "'+SUM(1,2)",
      "'@SUM(A1)",
      "'-2+3",
      "'\tTAB",
      '-5',
      '+3.2',
      'plain',
    ]);
  });

  it('item 9: NUL bytes and control characters in file names, URIs and model names are a 400, never a 500, and leave nothing stored', async () => {
    await idle();
    const before = await batchObjects();
    const nulName = await upload(csvOf(clean.rows.slice(0, 5)), {}, 'evil\u0000name.csv');
    expect(nulName.status).toBe(400);
    expect(nulName.headers['content-type']).toContain('application/problem+json');
    expect(nulName.body.errors[0].field).toBe('file');
    const nulModel = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .field('modelName', 'a\u0000b')
      .field('modelVersion', '1')
      .attach('file', Buffer.from(csvOf(clean.rows.slice(0, 5))), 'x.csv');
    expect(nulModel.status).toBe(400);
    const hugeVersion = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .field('modelName', model.name)
      .field('modelVersion', '7e86')
      .attach('file', Buffer.from(csvOf(clean.rows.slice(0, 5))), 'x.csv');
    expect(hugeVersion.status).toBe(400);
    const twice = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .field('modelVersion', '1')
      .field('modelVersion', '2')
      .attach('file', Buffer.from(csvOf(clean.rows.slice(0, 5))), 'x.csv');
    expect([twice.status, twice.body.errors?.[0]?.field]).toEqual([400, 'modelVersion']);
    // Only fields before the file are read: one after it is refused, not read or dropped by chance
    // (found by schemathesis: a bad modelVersion after the file, past the field limit, was accepted).
    const late = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .attach('file', Buffer.from(csvOf(clean.rows.slice(0, 5))), 'x.csv')
      .field('modelVersion', '-19672247');
    expect([late.status, late.body.errors?.[0]?.field]).toEqual([400, 'modelVersion']);
    // More than 10 form fields: refused with 413, not read as the first ten.
    const crowded = t.request().post('/v1/batch-jobs').set(auth(t));
    for (let i = 0; i < 11; i++) crowded.field(`extra${i}`, 'x');
    const tooMany = await crowded.attach('file', Buffer.from(csvOf(clean.rows.slice(0, 5))), 'x.csv');
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.detail).toContain('more than 10 fields');
    const nulUri = await t
      .request()
      .post('/v1/batch-jobs')
      .set(auth(t))
      .send({ inputUri: `${store.uri('datasets/a.csv')}\u0000` });
    expect(nulUri.status).toBe(400);
    expect(nulUri.body.errors.map((e: { field: string }) => e.field)).toContain('inputUri');
    const nulKey = await t
      .request()
      .post('/v1/batch-evaluations')
      .set(auth(t))
      .send({ inputUri: 'file://x\u0000' });
    expect(nulKey.status).toBe(400);
    expect(await batchObjects()).toEqual(before);
  });

  it("item 11: a batch job names its model by the registry's one name rule (400 naming the rule, nothing stored)", async () => {
    await idle();
    const before = await batchObjects();
    for (const name of ['has space', 'a/b', '-leading-dash', 'a'.repeat(201), '']) {
      const multipart = await t
        .request()
        .post('/v1/batch-jobs')
        .set(auth(t))
        .field('modelName', name)
        .field('modelVersion', '1')
        .attach('file', Buffer.from(csvOf(clean.rows.slice(0, 5))), 'x.csv');
      expect({ name, status: multipart.status }).toEqual({ name, status: 400 });
      expect(multipart.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(multipart.body)).toContain('starting with a letter or digit');
      const json = await t
        .request()
        .post('/v1/batch-jobs')
        .set(auth(t))
        .send({ inputUri: store.uri('datasets/a.csv'), modelVersion: { name, version: 1 } });
      expect({ name, status: json.status }).toEqual({ name, status: 400 });
      expect(JSON.stringify(json.body)).toContain('must be a model name');
    }
    expect(await batchObjects()).toEqual(before);
  });
});
