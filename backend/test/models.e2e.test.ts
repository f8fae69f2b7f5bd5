import {
  packArchive,
  packPackage,
  priceInterval,
  transform,
  loadPackageModel,
  type ModelPackage,
} from '@housing/ml';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels, type TestModel } from './support/model-fixture';

jest.setTimeout(300_000);

let t: TestApp;
let first: TestModel;
let second: TestModel;
const auth = () => ({ 'x-api-key': t.adminKey });

async function upload(archive: Buffer) {
  return t.request().post('/v1/models').set(auth()).attach('package', archive, 'package.tar.gz');
}

async function waitForServed(version: number, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.request().get('/v1/models/current').set(auth());
    if (res.status === 200 && res.body.version === version) return;
    if (Date.now() > end)
      throw new Error(
        `model v${version} not served within ${timeoutMs} ms (last: ${res.status} ${JSON.stringify(res.body)})`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  ({ first, second } = await testModels());
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('model registry, inference and predictions', () => {
  it('starts without a model, reports not-ready and says why', async () => {
    const ready = await t.request().get('/health/ready');
    expect(ready.status).toBe(503);
    expect(JSON.stringify(ready.body)).toContain('no model version is in production');
    const live = await t.request().get('/health/live');
    expect(live.status).toBe(200);
    const current = await t.request().get('/v1/models/current').set(auth());
    expect(current.status).toBe(503);
    expect(current.headers['content-type']).toContain('application/problem+json');
    expect(current.body.detail).toContain('no model version is in production');
    const predict = await t
      .request()
      .post('/v1/predictions')
      .set(auth())
      .send({ record: first.pkg.manifest.parity.records[0] });
    expect(predict.status).toBe(503);
  });

  it('registers verified packages as numbered versions and lists them with metrics and lineage', async () => {
    const one = await upload(first.archive);
    expect(one.status).toBe(201);
    expect(one.body).toMatchObject({
      name: 'housets-xgboost',
      version: 1,
      stage: 'none',
      packageVersion: 'test-first',
    });
    expect(one.body.metrics.holdout.rmse).toBeGreaterThan(0);
    expect(one.body.lineage.datasetSha256).toBe(first.pkg.manifest.lineage.datasetSha256);
    const two = await upload(second.archive);
    expect(two.status).toBe(201);
    expect(two.body.version).toBe(2);
    const list = await t.request().get('/v1/models').set(auth());
    expect(list.status).toBe(200);
    expect(list.body.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const evaluation = await t.request().get('/v1/models/housets-xgboost/versions/1/evaluation').set(auth());
    expect(evaluation.status).toBe(200);
    const n = evaluation.body.cells.reduce((sum: number, c: { n: number }) => sum + c.n, 0);
    expect(n).toBe(first.pkg.manifest.lineage.rows.holdout);
    expect(evaluation.body.importances.length).toBe(first.pkg.manifest.features.names.length);
  });

  it('rejects a corrupt archive and a package whose ONNX does not load, with the reason', async () => {
    const truncated = await upload(first.archive.subarray(0, 200));
    expect(truncated.status).toBe(422);
    expect(truncated.body.type).toContain('package-rejected');
    expect(truncated.body.detail).toMatch(/tar\.gz|truncated|corrupt/);

    const tampered = await upload(
      packArchive({
        'manifest.json': JSON.stringify(first.pkg.manifest),
        'model.onnx': Buffer.from('not an onnx model'),
        'evaluation.json': JSON.stringify(first.pkg.evaluation),
      }),
    );
    expect(tampered.status).toBe(422);
    expect(tampered.body.detail).toContain('checksum');

    const notAManifest = await upload(
      packArchive({ 'manifest.json': '{}', 'model.onnx': first.pkg.model, 'evaluation.json': '{}' }),
    );
    expect(notAManifest.status).toBe(422);
    expect(notAManifest.body.detail).toContain('formatVersion');
  });

  it('rejects a package whose parity fixture the served pipeline does not reproduce', async () => {
    const pkg: ModelPackage = structuredClone(first.pkg);
    pkg.manifest.parity.predictions = pkg.manifest.parity.predictions.map((p) => p * 1.05);
    const res = await upload(packPackage(pkg));
    expect(res.status).toBe(422);
    expect(res.body.detail).toContain('parity fixture not reproduced');
    const list = await t.request().get('/v1/models').set(auth());
    expect(list.body).toHaveLength(2);
  });

  it('rejects a package whose explanations the served TreeSHAP does not reproduce, or whose trees.json is not its own', async () => {
    const wrong: ModelPackage = structuredClone(first.pkg);
    wrong.manifest.explain!.parityContributions[0]![0]! += 0.01;
    const res = await upload(packPackage(wrong));
    expect(res.status).toBe(422);
    expect(res.body.detail).toContain('explanations not reproduced');

    const missing: ModelPackage = structuredClone(first.pkg);
    delete missing.covers;
    const lacking = await upload(packPackage(missing));
    expect(lacking.status).toBe(422);
    expect(lacking.body.detail).toContain('declares trees.json');

    // covers of another model: the checksum in the manifest refuses them before any tree is compared
    const swapped: ModelPackage = { ...structuredClone(first.pkg), covers: second.pkg.covers };
    const other = await upload(packPackage(swapped));
    expect(other.status).toBe(422);
    expect(other.body.detail).toContain('trees.json does not match the checksum');
    const list = await t.request().get('/v1/models').set(auth());
    expect(list.body).toHaveLength(2);
  });

  it('promotes a version and serves exactly what the shared transform and ONNX give in-process', async () => {
    const promote = await t
      .request()
      .put('/v1/models/housets-xgboost/versions/1/stage')
      .set(auth())
      .send({ stage: 'production' });
    expect(promote.status).toBe(200);
    expect(promote.body.stage).toBe('production');
    await waitForServed(1);
    const ready = await t.request().get('/health/ready');
    expect(ready.status).toBe(200);

    const session = await loadPackageModel(first.pkg.manifest, first.pkg.model);
    try {
      for (const record of first.pkg.manifest.parity.records.slice(0, 10)) {
        const res = await t.request().post('/v1/predictions').set(auth()).send({ record });
        expect(res.status).toBe(200);
        const [expected] = await session.predict(transform(record, first.pkg.manifest), 1);
        expect(res.body.price).toBeCloseTo(expected!, 1);
        // the calibrated range of the package, around the price (priceInterval is unit-tested in ml)
        const range = priceInterval(first.pkg.manifest, expected!)!;
        expect(res.body.interval.level).toBe(0.9);
        expect(res.body.interval.low).toBeCloseTo(range.low, 1);
        expect(res.body.interval.high).toBeCloseTo(range.high, 1);
        expect(res.body.interval.low).toBeLessThan(res.body.price);
        expect(res.body.interval.high).toBeGreaterThan(res.body.price);
        expect(res.body.model).toEqual({ name: 'housets-xgboost', version: 1 });
        expect(res.body.requestId).toBe(res.headers['x-request-id']);
      }
    } finally {
      await session.release();
    }
  });

  it('explains a price on request: exact TreeSHAP by raw column, adding up to the price', async () => {
    const record = first.pkg.manifest.parity.records[3]!;
    const plain = await t.request().post('/v1/predictions').set(auth()).send({ record });
    expect(plain.status).toBe(200);
    expect(plain.body.explanation).toBeUndefined();

    const top = await t.request().post('/v1/predictions?explain=true').set(auth()).send({ record });
    expect(top.status).toBe(200);
    const e = top.body.explanation;
    expect(e.space).toBe('log1p');
    expect(e.price).toBeCloseTo(top.body.price, -1);
    expect(e.columns.length).toBeLessThanOrEqual(10);
    const sizes = e.columns.map((c: { contribution: number }) => Math.abs(c.contribution));
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    // the waterfall: base price, each column, the rest; cents rounding only
    const sum =
      e.basePrice +
      e.columns.reduce((a: number, c: { priceContribution: number }) => a + c.priceContribution, 0) +
      e.rest.priceContribution;
    expect(Math.abs(sum - e.price)).toBeLessThan(0.01 * (e.columns.length + 2));
    expect(e.features).toBeUndefined();

    const all = await t.request().post('/v1/predictions?explain=all').set(auth()).send({ record });
    const width = first.pkg.manifest.features.names.length;
    expect(all.body.explanation.features).toHaveLength(width);
    expect(all.body.explanation.rest).toMatchObject({ columns: 0, priceContribution: 0 });
    // in model space the feature contributions and the bias add up to the model output
    const margin =
      all.body.explanation.bias +
      all.body.explanation.features.reduce((a: number, f: { contribution: number }) => a + f.contribution, 0);
    expect(Math.expm1(margin)).toBeCloseTo(all.body.price, -1);

    const bulk = await t
      .request()
      .post('/v1/predictions/bulk?explain=true')
      .set(auth())
      .send({ records: [record, { ...record, date: 'never' }] });
    expect(bulk.body.results[0].explanation.columns).toEqual(e.columns);
    expect(bulk.body.results[1].explanation).toBeUndefined();

    const bad = await t.request().post('/v1/predictions?explain=yes').set(auth()).send({ record });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('query.explain');
  });

  it('names every bad field of an invalid record in a problem+json 400', async () => {
    const record = {
      ...first.pkg.manifest.parity.records[0]!,
      date: 'not-a-date',
      median_list_price: 'abc',
      median_dom: true,
      city_full: { nested: true },
    };
    const res = await t.request().post('/v1/predictions').set(auth()).send({ record });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual([
      'record.city_full',
      'record.date',
      'record.median_dom',
      'record.median_list_price',
    ]);
    const missing = await t
      .request()
      .post('/v1/predictions')
      .set(auth())
      .send({ record: { zipcode: '30001' } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toContainEqual({ field: 'record.date', message: 'is required' });
  });

  it('refuses a record without required model fields, naming each, before scoring', async () => {
    const { median_list_price: _price, zipcode: _zip, ...partial } = first.pkg.manifest.parity.records[0]!;
    const res = await t.request().post('/v1/predictions').set(auth()).send({ record: partial });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.errors).toEqual([
      { field: 'record.median_list_price', message: 'is required' },
      { field: 'record.zipcode', message: 'is required' },
    ]);
    const token = await t
      .request()
      .post('/v1/predictions')
      .set(auth())
      .send({ record: { ...first.pkg.manifest.parity.records[0]!, median_list_price: 'NA' } });
    expect(token.status).toBe(400);
    expect(token.body.errors).toEqual([
      { field: 'record.median_list_price', message: 'is required (got "NA", which means missing)' },
    ]);
  });

  it('reads a value the same way as batch ("$251,000" is 251000) and warns about what it cannot vouch for', async () => {
    const record = { ...first.pkg.manifest.parity.records[0]!, median_list_price: 251000 };
    const plain = await t.request().post('/v1/predictions').set(auth()).send({ record });
    const dirty = await t
      .request()
      .post('/v1/predictions')
      .set(auth())
      .send({ record: { ...record, median_list_price: '$251,000' } });
    expect([plain.status, dirty.status]).toEqual([200, 200]);
    expect(dirty.body.price).toBe(plain.body.price);
    const odd = await t
      .request()
      .post('/v1/predictions')
      .set(auth())
      .send({ record: { ...record, zipcode: '00000', date: '2035-06-30', median_dom: -5 } });
    expect(odd.status).toBe(200);
    const kinds = odd.body.warnings.map((w: { field: string; kind: string }) => `${w.kind} ${w.field}`);
    expect(kinds).toEqual(
      expect.arrayContaining(['unseen_category zipcode', 'extrapolated_date date', 'imputed median_dom']),
    );
    const bulk = await t
      .request()
      .post('/v1/predictions/bulk')
      .set(auth())
      .send({ records: [record, { ...record, zipcode: '00000' }] });
    expect(bulk.status).toBe(200);
    expect(bulk.body.results[1].warnings.map((w: { kind: string }) => w.kind)).toContain('unseen_category');
    const metrics = await t.request().get('/metrics');
    expect(metrics.text).toMatch(
      /prediction_warnings_total\{kind="unseen_category",channel="online"\} [1-9]/,
    );
    expect(metrics.text).toMatch(
      /prediction_warnings_total\{kind="extrapolated_date",channel="online"\} [1-9]/,
    );
    expect(metrics.text).toMatch(/prediction_warnings_total\{kind="unseen_category",channel="bulk"\} [1-9]/);
  });

  it('rejects bad envelopes: not an object, extra fields, malformed JSON, oversized bodies', async () => {
    const notObject = await t
      .request()
      .post('/v1/predictions')
      .set(auth())
      .send({ record: [1, 2] });
    expect(notObject.status).toBe(400);
    expect(notObject.body.errors[0].field).toBe('record');
    const extra = await t.request().post('/v1/predictions').set(auth()).send({ record: {}, other: 1 });
    expect(extra.status).toBe(400);
    expect(extra.body.errors.map((e: { field: string }) => e.field)).toContain('other');
    const malformed = await t
      .request()
      .post('/v1/predictions')
      .set(auth())
      .set('content-type', 'application/json')
      .send('{"record": {');
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toContain('application/problem+json');
    const huge = await t
      .request()
      .post('/v1/predictions')
      .set(auth())
      .send({ record: { pad: 'x'.repeat(3 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
  });

  it('bulk: good records get prices, bad ones their errors, in request order', async () => {
    const good = first.pkg.manifest.parity.records.slice(0, 5);
    const records = [
      good[0],
      { ...good[1], date: '2020-02-30' },
      good[2],
      { ...good[3], median_list_price: 'x' },
      good[4],
    ];
    const res = await t.request().post('/v1/predictions/bulk').set(auth()).send({ records });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ succeeded: 3, failed: 2 });
    expect(res.body.results.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(res.body.results[1].errors[0].field).toBe('records[1].date');
    expect(res.body.results[3].errors[0].field).toBe('records[3].median_list_price');
    expect(res.body.results[0].price).toBeGreaterThan(0);
    for (const index of [0, 2, 4]) {
      const { price, interval } = res.body.results[index];
      expect(interval.level).toBe(0.9);
      expect(interval.low).toBeLessThan(price);
      expect(interval.high).toBeGreaterThan(price);
    }
    expect(res.body.results[1].interval).toBeUndefined();
    const tooMany = await t
      .request()
      .post('/v1/predictions/bulk')
      .set(auth())
      .send({ records: new Array(1001).fill(good[0]) });
    expect(tooMany.status).toBe(400);
    const empty = await t.request().post('/v1/predictions/bulk').set(auth()).send({ records: [] });
    expect(empty.status).toBe(400);
  });

  it('promotes and rolls back while clients send requests continuously, without a failed request', async () => {
    const record = first.pkg.manifest.parity.records[3];
    const statuses: number[] = [];
    const versions = new Set<number>();
    let stop = false;
    const client = async () => {
      while (!stop) {
        const res = await t.request().post('/v1/predictions').set(auth()).send({ record });
        statuses.push(res.status);
        if (res.status === 200) versions.add(res.body.model.version);
      }
    };
    const clients = [client(), client(), client()];
    await new Promise((r) => setTimeout(r, 200));
    expect(
      (
        await t
          .request()
          .put('/v1/models/housets-xgboost/versions/2/stage')
          .set(auth())
          .send({ stage: 'production' })
      ).status,
    ).toBe(200);
    await waitForServed(2);
    await new Promise((r) => setTimeout(r, 200));
    const rollback = await t.request().post('/v1/models/rollback').set(auth());
    expect(rollback.status).toBe(200);
    expect(rollback.body.version).toBe(1);
    await waitForServed(1);
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(clients);
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect([...versions].sort()).toEqual([1, 2]);
    const v2 = await t.request().get('/v1/models/housets-xgboost/versions/2').set(auth());
    expect(v2.body.stage).toBe('archived');
  });

  it('exposes request latency and predictions by model version on /metrics', async () => {
    const res = await t.request().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/v1\/predictions"/);
    expect(res.text).toMatch(/predictions_total\{model="housets-xgboost",version="1",channel="online"\} \d+/);
    expect(res.text).toMatch(/prediction_validation_failures_total\{route="predictions"\} [1-9]/);
    expect(res.text).toContain('model_loaded_info{model="housets-xgboost",version="1"} 1');
  });

  it('refuses registration and promotion to a key without models:write', async () => {
    const created = await t
      .request()
      .post('/v1/keys')
      .set(auth())
      .send({ name: 'reader', scopes: ['predict', 'models:read'] });
    expect(created.status).toBe(201);
    const reader = { 'x-api-key': created.body.key };
    expect((await t.request().get('/v1/models').set(reader)).status).toBe(200);
    const upload403 = await t
      .request()
      .post('/v1/models')
      .set(reader)
      .attach('package', first.archive, 'p.tar.gz');
    expect(upload403.status).toBe(403);
    const promote403 = await t
      .request()
      .put('/v1/models/housets-xgboost/versions/2/stage')
      .set(reader)
      .send({ stage: 'production' });
    expect(promote403.status).toBe(403);
  });
});
