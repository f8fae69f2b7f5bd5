import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import supertest from 'supertest';
import { createApp } from '../src/app.factory';
import { ARTIFACT_STORE, type ArtifactStore } from '../src/storage';
import { RegistryService } from '../src/model-registry/registry.service';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels, type TestModel } from './support/model-fixture';

/**
 * Serving across processes: several API instances share one database, artifact store and Redis, as
 * behind a load balancer. Reconciliation is off here, so only Redis pub/sub can carry a promotion.
 */
jest.setTimeout(300_000);

let t: TestApp;
let first: TestModel;
let second: TestModel;
const others: NestFastifyApplication[] = [];
const auth = () => ({ 'x-api-key': t.adminKey });

async function anotherInstance(): Promise<NestFastifyApplication> {
  const app = await createApp(t.config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  others.push(app);
  return app;
}

async function servedVersion(app: NestFastifyApplication): Promise<number | undefined> {
  const res = await supertest(app.getHttpServer()).get('/v1/models/current').set(auth());
  return res.status === 200 ? (res.body.version as number) : undefined;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

beforeAll(async () => {
  ({ first, second } = await testModels());
  t = await startTestApp({ MODEL_RECONCILE_INTERVAL_MS: '0' });
});

afterAll(async () => {
  for (const app of others) await app.close();
  await t?.close();
});

describe('serving across API processes', () => {
  it('registers from an artifact URI inside the store, and rejects one outside it', async () => {
    const store = t.app.get<ArtifactStore>(ARTIFACT_STORE);
    await store.put('uploads/first.tar.gz', first.archive);
    const res = await t
      .request()
      .post('/v1/models/from-uri')
      .set(auth())
      .send({ uri: store.uri('uploads/first.tar.gz') });
    expect(res.status).toBe(201);
    expect(res.body.version).toBe(1);
    const outside = await t
      .request()
      .post('/v1/models/from-uri')
      .set(auth())
      .send({ uri: 'file:///etc/passwd.tar.gz' });
    expect(outside.status).toBe(422);
    expect(outside.body.detail).toContain('not inside');
    const missing = await t
      .request()
      .post('/v1/models/from-uri')
      .set(auth())
      .send({ uri: store.uri('uploads/none.tar.gz') });
    expect(missing.status).toBe(422);
  });

  it('a promotion through one instance reaches the others within a second', async () => {
    const b = await anotherInstance();
    const c = await anotherInstance();
    expect(await servedVersion(b)).toBeUndefined();
    expect(
      (
        await t
          .request()
          .put('/v1/models/housets-xgboost/versions/1/stage')
          .set(auth())
          .send({ stage: 'production' })
      ).status,
    ).toBe(200);
    const elapsed = await waitUntil(
      async () => (await servedVersion(b)) === 1 && (await servedVersion(c)) === 1,
      5000,
    );
    expect(elapsed).toBeLessThan(1000);

    const registered = await t
      .request()
      .post('/v1/models')
      .set(auth())
      .attach('package', second.archive, 'second.tar.gz');
    expect(registered.body.version).toBe(2);
    // Promote through instance b this time; the first instance and c follow.
    expect(
      (
        await supertest(b.getHttpServer())
          .put('/v1/models/housets-xgboost/versions/2/stage')
          .set(auth())
          .send({ stage: 'production' })
      ).status,
    ).toBe(200);
    const again = await waitUntil(
      async () => (await servedVersion(t.app)) === 2 && (await servedVersion(c)) === 2,
      5000,
    );
    expect(again).toBeLessThan(1000);
  });

  it('an alias change and a rollback through one instance reach the others within a second', async () => {
    const [b, c] = others;
    expect(await servedVersion(b!)).toBe(2);
    const moved = await supertest(c!.getHttpServer())
      .put('/v1/models/housets-xgboost/aliases/champion')
      .set(auth())
      .send({ version: 1, reason: 'back to the first' });
    expect(moved.status).toBe(200);
    const elapsed = await waitUntil(
      async () => (await servedVersion(t.app)) === 1 && (await servedVersion(b!)) === 1,
      5000,
    );
    expect(elapsed).toBeLessThan(1000);

    const rollback = await supertest(b!.getHttpServer()).post('/v1/models/rollback').set(auth()).send({});
    expect(rollback.body).toMatchObject({ version: 2, from: { version: 1 } });
    const back = await waitUntil(
      async () => (await servedVersion(t.app)) === 2 && (await servedVersion(c!)) === 2,
      5000,
    );
    expect(back).toBeLessThan(1000);
  });

  it('starts without a loadable production model, reports not-ready with the reason, and keeps answering', async () => {
    const store = t.app.get<ArtifactStore>(ARTIFACT_STORE);
    // The production version's model file is damaged in the store (disk corruption, a bad copy).
    const v2 = await t.app.get(RegistryService).get('housets-xgboost', 2);
    await store.put(`${v2.artifactPrefix}/model.onnx`, Buffer.from('damaged'));
    const fresh = await anotherInstance();
    const ready = await supertest(fresh.getHttpServer()).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.detail).toMatch(/model: could not load housets-xgboost v2: .*checksum/);
    const predict = await supertest(fresh.getHttpServer())
      .post('/v1/predictions')
      .set(auth())
      .send({ record: first.pkg.manifest.parity.records[0] });
    expect(predict.status).toBe(503);
    expect(predict.body.detail).toContain('could not load housets-xgboost v2');
    expect((await supertest(fresh.getHttpServer()).get('/health/live')).status).toBe(200);
    // Instances that loaded it before the damage keep serving it.
    const served = await t
      .request()
      .post('/v1/predictions')
      .set(auth())
      .send({ record: first.pkg.manifest.parity.records[0] });
    expect(served.status).toBe(200);
    expect(served.body.model.version).toBe(2);
  });
});
