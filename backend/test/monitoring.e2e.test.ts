import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import supertest from 'supertest';
import { readCsv } from '@housing/ml';
import { createApp } from '../src/app.factory';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels, type TestModel } from './support/model-fixture';

/**
 * Drift monitoring through the API: two API processes score records, their counts add up in Redis, and
 * GET /v1/monitoring/drift compares them with the package's training distribution (known answers: the
 * training rows show no drift; the same rows with one feature shifted show it on that feature alone).
 */
jest.setTimeout(300_000);

let t: TestApp;
let first: TestModel;
let second: TestModel;
let other: NestFastifyApplication;
const auth = () => ({ 'x-api-key': t.adminKey });

/** The rows of a generated CSV as raw records (text values, as a client sends them). */
async function records(csv: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let header: string[] = [];
  await readCsv(csv, {
    header: (columns) => (header = columns),
    row: (fields) => out.push(Object.fromEntries(header.map((h, i) => [h, fields[i]]))),
  });
  return out;
}

/** Rows the model was fit on (before its holdout date), every other one. */
const fitRows = (rows: Record<string, unknown>[]) =>
  rows.filter((r, i) => i % 2 === 0 && String(r.date) < '2022-01-01');

async function bulk(app: NestFastifyApplication | null, rows: Record<string, unknown>[]): Promise<number> {
  let scored = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const request = app ? supertest(app.getHttpServer()) : t.request();
    const res = await request
      .post('/v1/predictions/bulk')
      .set(auth())
      .send({ records: rows.slice(i, i + 1000) });
    expect(res.status).toBe(200);
    scored += res.body.succeeded as number;
  }
  return scored;
}

async function driftOnceFlushed(query: string, rows: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await t.request().get(`/v1/monitoring/drift${query}`).set(auth());
    expect(res.status).toBe(200);
    if (res.body.rows >= rows || Date.now() > deadline) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const psiOf = (body: { features: { feature: string; psi: number }[] }, feature: string) =>
  body.features.find((f) => f.feature === feature)!.psi;

beforeAll(async () => {
  ({ first, second } = await testModels());
  t = await startTestApp({ DRIFT_FLUSH_INTERVAL_MS: '200', RATE_LIMIT_PER_MINUTE: '100000' });
  for (const model of [first, second]) {
    const res = await t.request().post('/v1/models').set(auth()).attach('package', model.archive, 'p.tar.gz');
    expect(res.status).toBe(201);
  }
  other = await createApp(t.config);
  await other.init();
  await other.getHttpAdapter().getInstance().ready();
});

afterAll(async () => {
  await other?.close();
  await t?.close();
});

describe('GET /v1/monitoring/drift', () => {
  it('needs a production version, or names one; refuses a bad window', async () => {
    const none = await t.request().get('/v1/monitoring/drift').set(auth());
    expect(none.status).toBe(404);
    expect((await t.request().get('/v1/monitoring/drift?hours=0').set(auth())).status).toBe(400);
    expect((await t.request().get('/v1/monitoring/drift?hours=x').set(auth())).status).toBe(400);
    expect((await t.request().get('/v1/monitoring/drift?name=housets-xgboost').set(auth())).status).toBe(404);
    expect(
      (await t.request().get('/v1/monitoring/drift?name=housets-xgboost&version=9').set(auth())).status,
    ).toBe(404);
    const empty = await t.request().get('/v1/monitoring/drift?name=housets-xgboost&version=1').set(auth());
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ profiled: true, rows: 0, series: [] });
    expect(empty.body.features.length).toBeGreaterThan(10);
    expect(empty.body.features.every((f: { psi: number | null }) => f.psi === null)).toBe(true);
  });

  it('adds up what two API processes score and shows no drift for rows like training', async () => {
    await t
      .request()
      .put('/v1/models/housets-xgboost/versions/1/stage')
      .set(auth())
      .send({ stage: 'production' });
    for (const app of [t.app, other]) {
      const until = Date.now() + 5000;
      while (
        (await supertest(app.getHttpServer()).get('/v1/models/current').set(auth())).body.version !== 1
      ) {
        if (Date.now() > until) throw new Error('version 1 not served');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const rows = fitRows(await records(first.csv));
    const half = Math.floor(rows.length / 2);
    const scored = (await bulk(null, rows.slice(0, half))) + (await bulk(other, rows.slice(half)));
    const body = await driftOnceFlushed('', scored);
    expect(body.model).toEqual({ name: 'housets-xgboost', version: 1 });
    expect(body.rows).toBe(scored);
    expect(body.series.reduce((n: number, b: { rows: number }) => n + b.rows, 0)).toBe(scored);
    for (const f of body.features) expect([f.feature, f.psi < 0.1]).toEqual([f.feature, true]);
    expect(body.price.psi).not.toBeNull();
  });

  it('shows PSI above 0.25 on the one shifted feature, below 0.1 on the others, per version', async () => {
    await t
      .request()
      .put('/v1/models/housets-xgboost/versions/2/stage')
      .set(auth())
      .send({ stage: 'production' });
    const until = Date.now() + 5000;
    while ((await t.request().get('/v1/models/current').set(auth())).body.version !== 2) {
      if (Date.now() > until) throw new Error('version 2 not served');
      await new Promise((r) => setTimeout(r, 50));
    }
    const shifted = fitRows(await records(second.csv)).map((r) => ({
      ...r,
      median_list_price: Number(String(r.median_list_price).replace(/[$,]/g, '')) * 1.6,
    }));
    const scored = await bulk(null, shifted);
    const v2 = await driftOnceFlushed('?name=housets-xgboost&version=2&hours=1', scored);
    expect(v2.rows).toBe(scored);
    expect(v2.features[0].feature).toBe('median_list_price');
    expect(psiOf(v2, 'median_list_price')).toBeGreaterThan(0.25);
    for (const f of v2.features.slice(1)) expect([f.feature, f.psi < 0.1]).toEqual([f.feature, true]);
    // version 1's counts are its own
    const v1 = await t.request().get('/v1/monitoring/drift?name=housets-xgboost&version=1').set(auth());
    expect(psiOf(v1.body, 'median_list_price')).toBeLessThan(0.1);
  });

  it('needs models:read', async () => {
    const key = await t
      .request()
      .post('/v1/keys')
      .set(auth())
      .send({ name: 'predict-only', scopes: ['predict'] });
    const res = await t.request().get('/v1/monitoring/drift').set({ 'x-api-key': key.body.key });
    expect(res.status).toBe(403);
  });
});
