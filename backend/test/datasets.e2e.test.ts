import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pullDataset, pushDataset } from '@housing/ml';
import { createArtifactStore } from '../src/storage/storage.module';
import type { ArtifactStore } from '../src/storage/artifact-store';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels, type TestModel } from './support/model-fixture';
import { auth, registerProduction } from './batch-support';

/**
 * Datasets versioned like code (POST/GET/DELETE /v1/datasets) on both profiles: content addressing,
 * dedupe (also under concurrent uploads of the same bytes), the profile, the 4xx answers with no object
 * left behind, and the link to the model versions trained on a dataset.
 */
jest.setTimeout(180_000);

const LIMIT = 400_000;
let t: TestApp;
let store: ArtifactStore;
let first: TestModel;
let csv: Buffer;
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The first `rows` data rows of the training CSV (a different file, so a different dataset). */
function head(rows: number): Buffer {
  const lines = csv.toString('utf8').split('\n');
  return Buffer.from(`${lines.slice(0, rows + 1).join('\n')}\n`);
}

const upload = (body: Buffer, spec = 'housets', name = 'data.csv') =>
  t.request().post('/v1/datasets').set(auth(t)).field('spec', spec).attach('file', body, name);

/** Every object under datasets/ (the content-addressed ones and any temporary one). */
const objects = async () => (await store.list('datasets/')).sort();

beforeAll(async () => {
  t = await startTestApp({ DATASET_UPLOAD_LIMIT_BYTES: String(LIMIT), MODEL_RECONCILE_INTERVAL_MS: '0' });
  store = createArtifactStore(t.config);
  ({ first } = await testModels());
  csv = readFileSync(first.csv);
  expect(csv.length).toBeLessThan(LIMIT);
});

afterAll(async () => {
  (store as { onApplicationShutdown?: () => void } | undefined)?.onApplicationShutdown?.();
  await t?.close();
});

test('an upload is stored under its sha256 with spec, rows, column profile and who added it', async () => {
  const res = await upload(csv, 'housets', 'training.csv');
  expect(res.status).toBe(201);
  expect(res.headers.location).toBe(`/v1/datasets/${res.body.id}`);
  const rows = csv.toString('utf8').trimEnd().split('\n').length - 1;
  expect(res.body).toMatchObject({
    sha256: sha(csv),
    spec: 'housets',
    fileName: 'training.csv',
    bytes: csv.length,
    rows,
    addedBy: expect.any(String),
  });
  const price = res.body.columns.find((c: { name: string }) => c.name === 'price');
  expect(price).toMatchObject({ kind: 'numeric', min: expect.any(Number), max: expect.any(Number) });
  expect(price.max).toBeGreaterThan(price.min);
  const city = res.body.columns.find((c: { name: string }) => c.name === 'city_full');
  expect(city.kind).toBe('categorical');
  expect(city.top.length).toBeGreaterThan(0);
  expect(await objects()).toEqual([`datasets/sha256/${sha(csv)}.csv`]);
  // the stored bytes are the uploaded ones, and they come back through the API
  expect(sha(await store.get(`datasets/sha256/${sha(csv)}.csv`))).toBe(sha(csv));
  const content = await t
    .request()
    .get(`/v1/datasets/${res.body.id}/content`)
    .set(auth(t))
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(content.status).toBe(200);
  expect(sha(content.body as Buffer)).toBe(sha(csv));
  // listed and shown
  const list = await t.request().get('/v1/datasets').set(auth(t));
  expect(list.body.items.map((d: { id: string }) => d.id)).toContain(res.body.id);
  const one = await t.request().get(`/v1/datasets/${res.body.id}`).set(auth(t));
  expect(one.body).toMatchObject({ id: res.body.id, sha256: sha(csv), models: [] });
});

test('the same bytes again return the same dataset (200), not a second one', async () => {
  const again = await upload(csv, 'housets', 'renamed.csv');
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ sha256: sha(csv), fileName: 'training.csv' });
  const list = await t.request().get('/v1/datasets').set(auth(t));
  expect(list.body.items.filter((d: { sha256: string }) => d.sha256 === sha(csv))).toHaveLength(1);
});

test('concurrent uploads of identical bytes make exactly one dataset and leave one object', async () => {
  const body = head(300);
  const before = (await t.request().get('/v1/datasets').set(auth(t))).body.total as number;
  const responses = await Promise.all(Array.from({ length: 6 }, () => upload(body)));
  expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
  expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
  expect((await t.request().get('/v1/datasets').set(auth(t))).body.total).toBe(before + 1);
  expect(await objects()).toEqual(
    [`datasets/sha256/${sha(csv)}.csv`, `datasets/sha256/${sha(body)}.csv`].sort(),
  );
});

test('bad input answers 4xx problem+json and leaves no object behind', async () => {
  const kept = await objects();
  const cases: Array<{ res: Awaited<ReturnType<typeof upload>>; status: number; text: RegExp }> = [
    { res: await upload(head(50), '../etc/passwd'), status: 400, text: /spec/ },
    { res: await upload(head(50), 'house\u0000ts'), status: 400, text: /spec/ },
    { res: await upload(head(50), 'no-such-spec'), status: 400, text: /unknown spec \\"no-such-spec\\"/ },
    { res: await upload(head(50), 'housets', 'evil\u0000.csv'), status: 400, text: /control characters/ },
    { res: await upload(Buffer.from('a,b\n1,2\n')), status: 422, text: /missing \d+ required columns/ },
    { res: await upload(head(0)), status: 422, text: /no data rows/ },
    { res: await upload(Buffer.alloc(LIMIT + 10, 'x')), status: 413, text: /DATASET_UPLOAD_LIMIT_BYTES/ },
    {
      res: await t
        .request()
        .post('/v1/datasets')
        .set(auth(t))
        .send({ spec: 'housets', uri: 'file:///etc/passwd' }),
      status: 422,
      text: /not inside the artifact store/,
    },
    {
      res: await t.request().post('/v1/datasets').set(auth(t)).send({ spec: 'housets' }),
      status: 400,
      text: /uri/,
    },
  ];
  for (const { res, status, text } of cases) {
    expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
      status,
      type: expect.stringContaining('application/problem+json'),
    });
    expect(JSON.stringify(res.body)).toMatch(text);
  }
  expect(await objects()).toEqual(kept);
});

test('a CSV already in the artifact store registers by URI (the source object stays)', async () => {
  const body = head(120);
  await store.put('uploads/listings.csv', body);
  const res = await t
    .request()
    .post('/v1/datasets')
    .set(auth(t))
    .send({ spec: 'housets', uri: store.uri('uploads/listings.csv') });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ sha256: sha(body), rows: 120, fileName: 'listings.csv' });
  expect(await store.exists('uploads/listings.csv')).toBe(true);
});

test('deletion refuses (409) while a model version was trained on the dataset; otherwise it removes row and object', async () => {
  const trained = (await upload(csv)).body as { id: string; sha256: string };
  // The model package's lineage records the training CSV's sha256: that is the reference.
  expect(first.pkg.manifest.lineage.datasetSha256).toBe(trained.sha256);
  const { name, version } = await registerProduction(t, first);
  const shown = await t.request().get(`/v1/datasets/${trained.id}`).set(auth(t));
  expect(shown.body.models).toEqual([{ name, version }]);
  const refused = await t.request().delete(`/v1/datasets/${trained.id}`).set(auth(t));
  expect(refused.status).toBe(409);
  expect(refused.body.detail).toContain(`${name} v${version}`);
  // it says what holds (there is no deleting a model version), not an impossible next step
  expect(refused.body.detail).toContain('model versions are kept with their lineage');
  expect(await store.exists(`datasets/sha256/${trained.sha256}.csv`)).toBe(true);

  const other = (await upload(head(77))).body as { id: string; sha256: string };
  const deletes = await Promise.all(
    Array.from({ length: 4 }, () => t.request().delete(`/v1/datasets/${other.id}`).set(auth(t))),
  );
  expect(deletes.map((r) => r.status).sort()).toEqual([204, 404, 404, 404]);
  expect((await t.request().get(`/v1/datasets/${other.id}`).set(auth(t))).status).toBe(404);
  expect(await store.exists(`datasets/sha256/${other.sha256}.csv`)).toBe(false);
  expect((await t.request().delete(`/v1/datasets/${other.id}`).set(auth(t))).status).toBe(404);
});

test('a delete racing an identical re-upload never leaves a row without its file, nor a file without a row', async () => {
  // The re-upload starts first and the delete a little later each round, so the delete lands at every
  // stage of the upload's commit (checking for a twin, moving the object, inserting the row).
  for (let round = 0; round < 16; round++) {
    const body = head(20 + round);
    const key = `datasets/sha256/${sha(body)}.csv`;
    const created = (await upload(body)).body as { id: string };
    const reupload = upload(body).then((r) => r);
    await new Promise((r) => setTimeout(r, round * 2));
    const [deleted, uploaded] = await Promise.all([
      t.request().delete(`/v1/datasets/${created.id}`).set(auth(t)),
      reupload,
    ]);
    expect({ round, deleted: deleted.status }).toEqual({ round, deleted: 204 });
    expect({ round, uploaded: [200, 201].includes(uploaded.status) }).toEqual({ round, uploaded: true });
    const rows = (
      await t
        .request()
        .get(`/v1/datasets?sha256=${sha(body)}`)
        .set(auth(t))
    ).body.items as Array<{
      id: string;
    }>;
    // the row exists exactly when the object does, and then its content is the uploaded bytes
    expect({ round, rows: rows.length, object: await store.exists(key) }).toEqual({
      round,
      rows: rows.length,
      object: rows.length === 1,
    });
    if (rows.length === 1) {
      expect(sha(await store.get(key))).toBe(sha(body));
      expect((await t.request().delete(`/v1/datasets/${rows[0]!.id}`).set(auth(t))).status).toBe(204);
    }
  }
});

async function readerKey(): Promise<{ key: string }> {
  const res = await t
    .request()
    .post('/v1/keys')
    .set(auth(t))
    .send({ name: 'reader', scopes: ['models:read'] });
  return { key: res.body.key as string };
}

test('reading needs models:read, registering models:write', async () => {
  const reader = { 'x-api-key': (await readerKey()).key };
  expect((await t.request().get('/v1/datasets').set(reader)).status).toBe(200);
  const denied = await t
    .request()
    .post('/v1/datasets')
    .set(reader)
    .field('spec', 'housets')
    .attach('file', head(5), 'x.csv');
  expect(denied.status).toBe(403);
});

test('ml dataset push / pull talk to the API with --server and --key', async () => {
  await t.app.listen(0, '127.0.0.1');
  const server = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-dataset-'));
  try {
    const file = path.join(dir, 'listings.csv');
    const body = head(210);
    writeFileSync(file, body);
    const pushed = await pushDataset({ server, key: t.adminKey, file, spec: 'housets' });
    expect(pushed).toMatchObject({ created: true, dataset: { sha256: sha(body), rows: 210 } });
    expect((await pushDataset({ server, key: t.adminKey, file, spec: 'housets' })).created).toBe(false);
    const out = path.join(dir, 'pulled.csv');
    const pulled = await pullDataset({ server, key: t.adminKey, id: pushed.dataset.id, out });
    expect(pulled.sha256).toBe(sha(body));
    expect(sha(readFileSync(out))).toBe(sha(body));
    // a wrong key is the API's 401, reported as an input error, and leaves no file
    await expect(
      pullDataset({ server, key: 'hp_wrong', id: pushed.dataset.id, out: path.join(dir, 'x.csv') }),
    ).rejects.toThrow(/401/);
    expect(readdirSync(dir).sort()).toEqual(['listings.csv', 'pulled.csv']);
    // a reader key cannot push: the API's 403, as an input error
    await expect(
      pushDataset({ server, key: (await readerKey()).key, file, spec: 'housets' }),
    ).rejects.toThrow(/403/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an upload cut off mid-file leaves no temporary object and no dataset', async () => {
  const before = (await t.request().get('/v1/datasets').set(auth(t))).body.total as number;
  const address = t.app.getHttpServer().address() as AddressInfo | null;
  if (!address) await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  const boundary = 'cutoff' + Date.now();
  const headPart = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="spec"\r\n\r\nhousets\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.csv"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  const body = head(2000);
  const { request } = await import('node:http');
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/v1/datasets',
    headers: {
      'x-api-key': t.adminKey,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(headPart.length + body.length + 100),
    },
  });
  req.on('error', () => undefined);
  req.write(headPart);
  req.write(body.subarray(0, Math.floor(body.length / 2)));
  await new Promise((r) => setTimeout(r, 300));
  req.destroy();
  // the server notices the closed connection, aborts the upload and removes its temporary object
  const deadline = Date.now() + 10_000;
  let incoming: string[];
  do {
    await new Promise((r) => setTimeout(r, 200));
    incoming = (await objects()).filter((k) => k.startsWith('datasets/incoming/'));
  } while (incoming.length > 0 && Date.now() < deadline);
  expect(incoming).toEqual([]);
  expect((await t.request().get('/v1/datasets').set(auth(t))).body.total).toBe(before);
});
