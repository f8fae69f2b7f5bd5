import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import supertest from 'supertest';
import { DataSource } from 'typeorm';
import { CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import {
  PACKAGE_LIMITS,
  coversBytes,
  packArchive,
  packPackage,
  parsePackageFiles,
  type ModelPackage,
} from '@housing/ml';
import { createApp } from '../../src/app.factory';
import { InferenceService } from '../../src/inference/inference.service';
import { ArtifactSweeper } from '../../src/model-registry/artifact-sweeper';
import { ModelVersionEntity } from '../../src/model-registry/model-version.entity';
import { RegistryService } from '../../src/model-registry/registry.service';
import { ARTIFACT_STORE, type ArtifactStore } from '../../src/storage';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { S3ArtifactStore } from '../../src/storage/s3-artifact-store';
import { startTestApp, testProfile, type TestApp } from '../support/test-app';
import { testModels, type TestModel } from '../support/model-fixture';
import { rawArchive, writeLargeArchive } from './registry-archives';

/**
 * Issue 11 (registry items) and issue 9 item 5, as an attacker and a careless user would try them.
 * Runs on both profiles (SQLite + local store; Postgres + S3).
 */
jest.setTimeout(600_000);

let t: TestApp;
let first: TestModel;
let second: TestModel;
const others: NestFastifyApplication[] = [];
const auth = () => ({ 'x-api-key': t.adminKey });
const NAME = 'housets-xgboost';

const upload = (archive: Buffer, app?: NestFastifyApplication) =>
  supertest(app?.getHttpServer() ?? t.app.getHttpServer())
    .post('/v1/models')
    .set(auth())
    .attach('package', archive, 'package.tar.gz');

const setStage = (version: number, stage: string, app?: NestFastifyApplication, name = NAME) =>
  supertest(app?.getHttpServer() ?? t.app.getHttpServer())
    .put(`/v1/models/${name}/versions/${version}/stage`)
    .set(auth())
    .send({ stage });

/** A key whose rate limit the prediction loops below cannot reach (the admin key has the default 1200/min). */
let predictKey: string;

const predict = (app?: NestFastifyApplication) =>
  supertest(app?.getHttpServer() ?? t.app.getHttpServer())
    .post('/v1/predictions')
    .set({ 'x-api-key': predictKey })
    .send({ record: first.pkg.manifest.parity.records[0] });

/** Predicts every 20 ms until `stop()` says so; returns the statuses and latencies. */
async function predictUntil(stop: () => boolean): Promise<{ statuses: number[]; latencies: number[] }> {
  const statuses: number[] = [];
  const latencies: number[] = [];
  while (!stop()) {
    const at = Date.now();
    statuses.push((await predict()).status);
    latencies.push(Date.now() - at);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { statuses, latencies };
}

/** A package like `base` with changes applied to a copy of it. */
function variant(base: TestModel, change: (pkg: ModelPackage) => void): Buffer {
  const pkg = structuredClone(base.pkg);
  change(pkg);
  return packPackage(pkg);
}

async function anotherInstance(): Promise<NestFastifyApplication> {
  const app = await createApp(t.config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  others.push(app);
  return app;
}

const store = () => t.app.get<ArtifactStore>(ARTIFACT_STORE);
const registry = () => t.app.get(RegistryService);
const rows = () => t.app.get(DataSource).getRepository(ModelVersionEntity);

/** Everything in the store under models/ (what a refused request must not add to). */
const modelKeys = async () => store().list('models/');

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function promoteAndWait(version: number): Promise<void> {
  expect((await setStage(version, 'production')).status).toBe(200);
  await waitFor(async () => t.app.get(InferenceService).model()?.version.version === version);
}

beforeAll(async () => {
  ({ first, second } = await testModels());
  t = await startTestApp({ MODEL_RECONCILE_INTERVAL_MS: '0', ARTIFACT_SWEEP_INTERVAL_MS: '0' });
  const created = await t
    .request()
    .post('/v1/keys')
    .set(auth())
    .send({ name: 'predictions', scopes: ['predict'], rateLimitPerMinute: 10_000_000 });
  predictKey = created.body.key;
});

afterAll(async () => {
  for (const app of others) await app.close();
  await t?.close();
});

describe(`registry under hostile input (${testProfile()} profile)`, () => {
  it('item 1: concurrent registrations of one name each keep their own files, and every version serves its own package', async () => {
    // Four different packages of one name: two models, each under two package versions.
    const packages = [first, second].flatMap((model) =>
      ['a', 'b'].map((tag) => ({
        model,
        packageVersion: `${model.pkg.manifest.model.version}-${tag}`,
        archive: variant(
          model,
          (pkg) => (pkg.manifest.model.version = `${pkg.manifest.model.version}-${tag}`),
        ),
      })),
    );
    const inference = t.app.get(InferenceService);
    const record = first.pkg.manifest.parity.records[0]!;
    const expected = new Map<string, number>();
    for (const model of [first, second]) {
      const index = model.pkg.manifest.parity.records.findIndex(
        (r) => JSON.stringify(r) === JSON.stringify(record),
      );
      // The record is in first's fixture; for second, predict it in-process through its own package.
      if (index >= 0)
        expected.set(model.pkg.manifest.onnx.sha256, model.pkg.manifest.parity.predictions[index]!);
    }
    const rounds = 3;
    for (let round = 0; round < rounds; round++) {
      const results = await Promise.all(packages.map((p) => upload(p.archive)));
      for (const res of results) expect(res.status).toBe(201);
      expect(new Set(results.map((r) => r.body.version)).size).toBe(packages.length);
    }
    const all = await rows().find({ where: { name: NAME } });
    expect(all).toHaveLength(rounds * packages.length);
    expect(new Set(all.map((r) => r.artifactPrefix)).size).toBe(all.length);
    const pricesBySha = new Map<string, number>();
    for (const row of all) {
      // The loader's checks (checksums, name) pass, and the stored package is the one the row describes.
      const stored = await registry().readPackage(row);
      expect(stored.manifest.model.version).toBe(row.packageVersion);
      const uploaded = packages.find((p) => p.packageVersion === row.packageVersion)!;
      expect(stored.manifest.onnx.sha256).toBe(uploaded.model.pkg.manifest.onnx.sha256);
      const loaded = await inference.loadVersion(row);
      const [price] = await loaded.predict([record]);
      const sha = row.onnxSha256;
      if (expected.has(sha)) expect(price).toBeCloseTo(expected.get(sha)!, 0);
      if (pricesBySha.has(sha)) expect(price).toBeCloseTo(pricesBySha.get(sha)!, 3);
      pricesBySha.set(sha, price!);
    }
    // Two models, two different prices: a version holding the other model's files would show here.
    expect(pricesBySha.size).toBe(2);
    const [a, b] = [...pricesBySha.values()];
    expect(Math.abs(a! - b!)).toBeGreaterThan(1);
  });

  it('item 1: the loader refuses a stored package that does not match its row', async () => {
    const row = (await rows().findOne({ where: { name: NAME, version: 1 } }))!;
    const other = (await rows().findOne({ where: { name: NAME, version: 2 } }))!;
    const original = await store().get(`${row.artifactPrefix}/manifest.json`);
    // Another upload's manifest (same model file, different package version) put in place of this one's.
    await store().put(
      `${row.artifactPrefix}/manifest.json`,
      await store().get(`${other.artifactPrefix}/manifest.json`),
    );
    try {
      await expect(registry().readPackage(row)).rejects.toThrow(
        /manifest\.json .* does not match its registry checksum/,
      );
    } finally {
      await store().put(`${row.artifactPrefix}/manifest.json`, original);
    }
    await expect(registry().readPackage(row)).resolves.toBeDefined();
    // Another model's model.onnx in place of this one's: refused at load by its checksum.
    const onnx = await store().get(`${row.artifactPrefix}/model.onnx`);
    const foreign = [first, second].find((m) => m.pkg.manifest.onnx.sha256 !== row.onnxSha256)!;
    await store().put(`${row.artifactPrefix}/model.onnx`, Buffer.from(foreign.pkg.model));
    try {
      await expect(registry().readPackage(row)).rejects.toThrow(
        /model\.onnx of .* does not match its registry checksum/,
      );
      await expect(t.app.get(InferenceService).loadVersion(row)).rejects.toThrow(/registry checksum/);
    } finally {
      await store().put(`${row.artifactPrefix}/model.onnx`, onnx);
    }
    await expect(registry().readPackage(row)).resolves.toBeDefined();
  });

  it('item 2: a package cannot loosen the parity tolerance (1e9 with a wrong target transform is refused)', async () => {
    const before = await modelKeys();
    const res = await upload(
      variant(first, (pkg) => {
        pkg.manifest.parity.tolerance = { relative: 1e9, absolute: 1e9 };
        pkg.manifest.target.transform = pkg.manifest.target.transform === 'log' ? 'none' : 'log';
      }),
    );
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.detail).toContain('parity fixture not reproduced');
    expect(res.body.detail).toContain('PARITY_MAX_RELATIVE_TOLERANCE');
    expect(await modelKeys()).toEqual(before);
    // A tighter tolerance than the ceiling is the package's right.
    const tighter = await upload(
      variant(first, (pkg) => (pkg.manifest.parity.tolerance = { relative: 1e-5, absolute: 0.5 })),
    );
    expect(tighter.status).toBe(201);
  });

  it("item 2: the ceiling is the server's setting: a lenient one admits what the default refuses, and a package may still tighten it", async () => {
    // Predictions 0.1 % off (hundreds of dollars): beyond the default ceiling (1e-4 relative, 1 absolute).
    const off = (tolerance: { relative: number; absolute: number }) =>
      variant(first, (pkg) => {
        pkg.manifest.parity.predictions = pkg.manifest.parity.predictions.map((p) => p * 1.001);
        pkg.manifest.parity.tolerance = tolerance;
      });
    const loose = { relative: 1e9, absolute: 1e9 };
    const refused = await upload(off(loose));
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toMatch(/relative 0\.0001, absolute 1\b/);
    const lenient = await createApp({
      ...t.config,
      PARITY_MAX_RELATIVE_TOLERANCE: 0.01,
      PARITY_MAX_ABSOLUTE_TOLERANCE: 1000,
    });
    others.push(lenient);
    await lenient.init();
    await lenient.getHttpAdapter().getInstance().ready();
    const admitted = await upload(off(loose), lenient);
    expect(admitted.status).toBe(201);
    const tightened = await upload(off({ relative: 1e-5, absolute: 0.5 }), lenient);
    expect(tightened.status).toBe(422);
    expect(tightened.body.detail).toMatch(/relative 0\.00001, absolute 0\.5\b/);
  });

  it('item 2 (issue 10): a raw parity value the server reads differently than training is refused at registration', async () => {
    const before = await modelKeys();
    const numbers = first.pkg.manifest.signature.filter((f) => f.type === 'number').map((f) => f.name);
    const res = await upload(
      variant(first, (pkg) => {
        const record = pkg.manifest.parity.records[0]!;
        // The same digits, read as ten times the value ("$1,500" → 1500 becomes "$15,000" → 15000):
        // the fixture's expected price was made from the original text.
        for (const name of numbers) {
          const value = Number(String(record[name] ?? '').replace(/[$,]/g, ''));
          if (Number.isFinite(value) && value !== 0)
            record[name] = `$${(value * 10).toLocaleString('en-US')}`;
        }
      }),
    );
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/parity fixture not reproduced: .*\(record 0: expected/);
    expect(await modelKeys()).toEqual(before);
  });

  it('item 3: production cannot be archived without a replacement, on any instance; rollback still works', async () => {
    await promoteAndWait(1);
    const b = await anotherInstance();
    await waitFor(
      async () => (await supertest(b.getHttpServer()).get('/v1/models/current').set(auth())).status === 200,
    );
    for (const stage of ['archived', 'none', 'staging']) {
      const res = await setStage(1, stage, b);
      expect(res.status).toBe(409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.detail).toMatch(/is in production; promote another version/);
    }
    // Every instance, and a fresh one, keep serving the same version.
    for (const app of [t.app, b, await anotherInstance()]) {
      const res = await predict(app);
      expect(res.status).toBe(200);
      expect(res.body.model.version).toBe(1);
    }
    await promoteAndWait(2);
    const back = await supertest(b.getHttpServer()).post('/v1/models/rollback').set(auth());
    expect(back.status).toBe(200);
    expect(back.body.version).toBe(1);
  });

  it('item 3: if the database loses production anyway, every instance stops serving alike and warns once', async () => {
    await promoteAndWait(1);
    const b = others[0]!;
    await waitFor(async () => b.get(InferenceService).model()?.version.version === 1);
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      // A manual edit: nothing is in production any more.
      await rows().update({ stage: 'production' }, { stage: 'archived' });
      for (let i = 0; i < 20; i++)
        await Promise.all([t.app.get(InferenceService).reload(), b.get(InferenceService).reload()]);
      for (const app of [t.app, b]) expect((await predict(app)).status).toBe(503);
      const warnings = warn.mock.calls.filter((c) => String(c[0]).includes('no longer in production'));
      expect(warnings).toHaveLength(2);
    } finally {
      warn.mockRestore();
    }
    await promoteAndWait(1);
  });

  it('item 3: concurrent promotions, archives and rollbacks on two instances leave exactly one production version', async () => {
    const b = others[0] ?? (await anotherInstance());
    // Versions of their own, so that this test does not depend on the ones above.
    const versions: number[] = [];
    for (const tag of ['race-a', 'race-b', 'race-c', 'race-d']) {
      const res = await upload(
        variant(first, (pkg) => (pkg.manifest.model.version = `${pkg.manifest.model.version}-${tag}`)),
      );
      expect(res.status).toBe(201);
      versions.push(res.body.version);
    }
    await promoteAndWait(versions[0]!);
    const statuses: number[] = [];
    for (let round = 0; round < 4; round++) {
      const production = (await rows().findOne({ where: { stage: 'production' } }))!;
      // Every other version promoted and archived at once, half through each instance, while the
      // production version is archived through both and a rollback races them.
      const others = versions.filter((v) => v !== production.version);
      const results = await Promise.all([
        ...others.map((v, i) => setStage(v, 'production', i % 2 === 0 ? b : undefined)),
        ...others.map((v, i) => setStage(v, 'archived', i % 2 === 0 ? undefined : b)),
        setStage(production.version, 'archived', b, production.name),
        setStage(production.version, 'archived', undefined, production.name),
        supertest(b.getHttpServer()).post('/v1/models/rollback').set(auth()),
      ]);
      for (const res of results) {
        statuses.push(res.status);
        expect([200, 409]).toContain(res.status);
        if (res.status === 409) expect(res.headers['content-type']).toContain('application/problem+json');
      }
      expect(await rows().count({ where: { stage: 'production' } })).toBe(1);
    }
    // The promotions did happen (not every request refused), and the production version serves.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(4);
    const production = (await rows().findOne({ where: { stage: 'production' } }))!;
    await waitFor(async () => t.app.get(InferenceService).model()?.version.id === production.id);
    const res = await predict();
    expect(res.status).toBe(200);
    expect(res.body.model.version).toBe(production.version);
  });

  it('item 3: the database itself refuses a second production version', async () => {
    const [one, two] = await rows().find({ where: { name: NAME }, order: { version: 'ASC' }, take: 2 });
    const production = (await rows().findOne({ where: { stage: 'production' } }))!;
    const other = production.id === one!.id ? two! : one!;
    await expect(rows().update({ id: other.id }, { stage: 'production' })).rejects.toThrow(
      /unique|duplicate/i,
    );
    expect(await rows().count({ where: { stage: 'production' } })).toBe(1);
  });

  it('item 9: names, versions and spec names the store or database cannot hold are a 422, with no orphan artifact', async () => {
    const before = await modelKeys();
    const cases: Array<[string, (pkg: ModelPackage) => void, RegExp]> = [
      ['../../evil', (p) => (p.manifest.model.name = '../../evil'), /model\.name/],
      ['..', (p) => (p.manifest.model.name = '..'), /model\.name/],
      ['NUL name', (p) => (p.manifest.model.name = 'evil\u0000name'), /model\.name/],
      ['long name', (p) => (p.manifest.model.name = 'a'.repeat(201)), /model\.name/],
      ['long version', (p) => (p.manifest.model.version = 'v'.repeat(101)), /model\.version/],
      ['NUL version', (p) => (p.manifest.model.version = '1\u00002'), /model\.version/],
      ['long spec name', (p) => (p.manifest.spec.name = 's'.repeat(201)), /spec\.name/],
    ];
    for (const [label, change, field] of cases) {
      const res = await upload(variant(first, change));
      expect({ label, status: res.status }).toEqual({ label, status: 422 });
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.detail).toMatch(field);
    }
    expect(await modelKeys()).toEqual(before);
    expect(await rows().count({ where: { name: '../../evil' } })).toBe(0);
  });

  it('item 9: an API key name with a NUL byte is a 400, not a database error', async () => {
    const res = await t
      .request()
      .post('/v1/keys')
      .set(auth())
      .send({ name: 'nightly\u0000batch', scopes: ['predict'] });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(res.body)).toContain('control characters');
  });

  it('item 11: one name rule: names the API cannot address are refused at registration and in routes', async () => {
    const before = await modelKeys();
    for (const name of ['has space', 'a/b', 'émoji-🏠', '-leading-dash']) {
      const res = await upload(variant(first, (p) => (p.manifest.model.name = name)));
      expect({ name, status: res.status }).toEqual({ name, status: 422 });
      expect(res.body.detail).toContain('must be a model name');
      const route = await t
        .request()
        .get(`/v1/models/${encodeURIComponent(name)}/versions/1`)
        .set(auth());
      // The route refuses the name itself (400 naming the rule), not merely finds nothing (404).
      expect({ name, status: route.status }).toEqual({ name, status: 400 });
      expect(route.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(route.body)).toContain('must be a model name');
    }
    expect(await modelKeys()).toEqual(before);
    // A name the rule allows registers and is addressable.
    const ok = await upload(variant(first, (p) => (p.manifest.model.name = 'Valid_name-2.x')));
    expect(ok.status).toBe(201);
    expect((await t.request().get('/v1/models/Valid_name-2.x/versions/1').set(auth())).status).toBe(200);
  });

  it('item 10: every package file is checked against its schema and size; huge files are refused while predictions answer', async () => {
    const before = await modelKeys();
    const files = {
      'manifest.json': JSON.stringify(first.pkg.manifest),
      'model.onnx': Buffer.from(first.pkg.model),
      'evaluation.json': JSON.stringify(first.pkg.evaluation),
      'trees.json': coversBytes(first.pkg),
    };
    // evaluation.json of the wrong shape.
    const shape = await upload(
      packArchive({ ...files, 'evaluation.json': JSON.stringify({ cells: 'all of them' }) }),
    );
    expect(shape.status).toBe(422);
    expect(shape.body.detail).toMatch(/evaluation\.json is not a valid evaluation file[\s\S]*formatVersion/);
    // A 400 MiB evaluation.json (zeros: the upload is small, the entry is not): refused from its header.
    const huge = rawArchive([
      { name: 'manifest.json', body: files['manifest.json'] },
      { name: 'model.onnx', body: files['model.onnx'] },
      { name: 'evaluation.json', size: 400 * 1024 * 1024 },
    ]);
    // A parity fixture of 100,000 records.
    const records = Array.from({ length: 100_000 }, (_, i) => first.pkg.manifest.parity.records[i % 50]!);
    const bigFixture = packArchive({
      ...files,
      'manifest.json': JSON.stringify({
        ...first.pkg.manifest,
        parity: { ...first.pkg.manifest.parity, records, predictions: records.map(() => 1) },
      }),
    });
    // 1001 records: under the byte limit, over the record limit.
    const overRecords = Array.from({ length: 1001 }, (_, i) => first.pkg.manifest.parity.records[i % 50]!);
    const manyRecords = packArchive({
      ...files,
      'manifest.json': JSON.stringify({
        ...first.pkg.manifest,
        parity: { ...first.pkg.manifest.parity, records: overRecords, predictions: overRecords.map(() => 1) },
      }),
    });
    await promoteAndWait(1);
    let stop = false;
    const predicting = predictUntil(() => stop);
    const [hugeRes, bigRes, manyRes] = await Promise.all([
      upload(huge),
      upload(bigFixture),
      upload(manyRecords),
    ]);
    stop = true;
    const { statuses } = await predicting;
    expect(hugeRes.status).toBe(422);
    expect(hugeRes.body.detail).toMatch(/evaluation\.json is 419430400 bytes; .* at most \d+ bytes/);
    expect(bigRes.status).toBe(422);
    expect(bigRes.body.detail).toMatch(/manifest\.json is \d+ bytes; .* at most/);
    expect(manyRes.status).toBe(422);
    expect(manyRes.body.detail).toMatch(/parity\.records/);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await modelKeys()).toEqual(before);
  });

  it('item 10: registering a large valid package (200,000 evaluation cells, 1,000 parity records) keeps prediction latency near its baseline', async () => {
    await promoteAndWait(1);
    const base = first.pkg;
    const cells = Array.from({ length: PACKAGE_LIMITS.evaluationCells }, (_, i) => ({
      month: `20${10 + (i % 10)}-0${1 + (i % 9)}`,
      region: `region-${i % 997}`,
      n: 3,
      sumActual: 1e6 + i,
      sumPredicted: 1e6 - i,
      sumAbsError: 1234.5,
      sumSquaredError: 99999.25,
      sumAbsPercentError: 3.25,
    }));
    const { records, predictions } = base.manifest.parity;
    const contributions = base.manifest.explain!.parityContributions;
    const size = PACKAGE_LIMITS.parityRecords;
    const files = {
      'manifest.json': JSON.stringify({
        ...base.manifest,
        model: { ...base.manifest.model, version: `${base.manifest.model.version}-large` },
        parity: {
          ...base.manifest.parity,
          records: Array.from({ length: size }, (_, i) => records[i % records.length]),
          predictions: Array.from({ length: size }, (_, i) => predictions[i % predictions.length]),
        },
        explain: {
          ...base.manifest.explain!,
          parityContributions: Array.from(
            { length: size },
            (_, i) => contributions[i % contributions.length],
          ),
        },
      }),
      'model.onnx': Buffer.from(base.model),
      'evaluation.json': JSON.stringify({ ...base.evaluation, cells }),
      'trees.json': coversBytes(base),
    };
    // What verification costs when run synchronously (parse and schema check only, no ONNX or
    // parity): the stall a prediction would see if it ran on the event loop again.
    const started = performance.now();
    parsePackageFiles({
      manifest: Buffer.from(files['manifest.json']),
      model: Buffer.from(files['model.onnx']),
      evaluation: Buffer.from(files['evaluation.json']),
      covers: Buffer.from(files['trees.json']),
    });
    const synchronousMs = performance.now() - started;
    const archive = packArchive(files);

    /** Four clients predicting back to back (always one in flight each) until `stop()`; their latencies. */
    const latenciesUntil = async (stop: () => boolean) => {
      const latencies: number[] = [];
      await Promise.all(
        [0, 1, 2, 3].map(async () => {
          while (!stop()) {
            const at = performance.now();
            expect((await predict()).status).toBe(200);
            latencies.push(performance.now() - at);
          }
        }),
      );
      return latencies;
    };
    // The fourth longest wait: a stall of the event loop delays the request every client has in
    // flight, so it shows four times, where one slow request (a GC pause in one) shows once.
    const stall = (xs: number[]) => [...xs].sort((a, b) => b - a)[3] ?? 0;
    const baselineEnd = Date.now() + 2000;
    const baseline = await latenciesUntil(() => Date.now() > baselineEnd);
    let done = false;
    const registering = Promise.resolve(upload(archive)).finally(() => (done = true));
    const during = await latenciesUntil(() => done);
    const res = await registering;
    expect(res.status).toBe(201);
    // Generous on a loaded machine (10 × the baseline median, at least 750 ms), yet below what the
    // verification costs on the event loop: the test could see it there.
    const median = [...baseline].sort((a, b) => a - b)[Math.floor(baseline.length / 2)]!;
    const bound = Math.max(10 * median, 750);
    process.stderr.write(
      `item 10 latency: baseline median ${median.toFixed(0)} ms, fourth longest ${stall(baseline).toFixed(0)} ms, during registration ${stall(during).toFixed(0)} ms ` +
        `(${during.length} requests), bound ${bound.toFixed(0)} ms, verification on the event loop ${synchronousMs.toFixed(0)} ms\n`,
    );
    expect(synchronousMs).toBeGreaterThan(bound);
    expect(during.length).toBeGreaterThanOrEqual(20);
    expect(stall(during)).toBeLessThan(bound);
  });

  it('item 5 (issue 9): an archive made by `tar czf` with paths over 100 characters registers', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'long-tar-'));
    try {
      const nested = path.join(
        'package',
        'a-directory-name-long-enough'.repeat(3),
        'and-another-level-of-it'.repeat(2),
      );
      mkdirSync(path.join(dir, nested), { recursive: true });
      writeFileSync(path.join(dir, nested, 'manifest.json'), JSON.stringify(first.pkg.manifest));
      writeFileSync(path.join(dir, nested, 'model.onnx'), first.pkg.model);
      writeFileSync(path.join(dir, nested, 'evaluation.json'), JSON.stringify(first.pkg.evaluation));
      writeFileSync(path.join(dir, nested, 'trees.json'), coversBytes(first.pkg));
      expect(path.join(nested, 'evaluation.json').length).toBeGreaterThan(100);
      execFileSync('tar', ['czf', 'pkg.tar.gz', 'package'], { cwd: dir });
      const res = await t
        .request()
        .post('/v1/models')
        .set(auth())
        .attach('package', path.join(dir, 'pkg.tar.gz'));
      expect(res.status).toBe(201);
      expect(res.body.name).toBe(NAME);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('item 5 (issue 9): links, absolute paths, `..` and oversize entries are refused with a problem naming them', async () => {
    const before = await modelKeys();
    const good = [
      { name: 'manifest.json', body: JSON.stringify(first.pkg.manifest) },
      { name: 'model.onnx', body: Buffer.from(first.pkg.model) },
      { name: 'evaluation.json', body: JSON.stringify(first.pkg.evaluation) },
      { name: 'trees.json', body: coversBytes(first.pkg) },
    ];
    const cases: Array<[string, Parameters<typeof rawArchive>[0], RegExp]> = [
      [
        'symlink',
        [...good.slice(0, 2), { name: 'evaluation.json', type: '2', linkname: '/etc/passwd' }],
        /is a link/,
      ],
      [
        'hard link',
        [{ name: 'x', body: 'x' }, { name: 'notes', type: '1', linkname: 'x' }, ...good],
        /is a link/,
      ],
      ['absolute', [{ name: '/etc/manifest.json', body: '{}' }, ...good], /absolute/],
      ['dot-dot', [{ name: '../manifest.json', body: '{}' }, ...good], /contains "\.\."/],
      [
        'oversize manifest',
        [{ name: 'manifest.json', size: 17 * 1024 * 1024 }, ...good.slice(1)],
        /manifest\.json is \d+ bytes/,
      ],
      ['duplicate', [...good, good[0]!], /manifest\.json twice/],
    ];
    for (const [label, entries, message] of cases) {
      const res = await upload(rawArchive(entries));
      expect({ label, status: res.status }).toEqual({ label, status: 422 });
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.detail).toMatch(message);
    }
    expect(await modelKeys()).toEqual(before);
  });

  it('item 5 (issue 9): predictions keep answering while a 200 MB package uploads', async () => {
    await promoteAndWait(1);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'big-package-'));
    const file = path.join(dir, 'big.tar.gz');
    try {
      await writeLargeArchive(file, 200 * 1024 * 1024, {
        'manifest.json': JSON.stringify(first.pkg.manifest),
        'model.onnx': Buffer.from(first.pkg.model),
        'evaluation.json': JSON.stringify(first.pkg.evaluation),
        'trees.json': coversBytes(first.pkg),
      });
      expect(statSync(file).size).toBeGreaterThan(200 * 1024 * 1024);
      const started = Date.now();
      let uploadEnded = 0;
      const uploading = t
        .request()
        .post('/v1/models')
        .set(auth())
        .attach('package', file)
        .then((res) => {
          uploadEnded = Date.now();
          return res;
        });
      const { statuses, latencies } = await predictUntil(() => uploadEnded > 0);
      const res = await uploading;
      const duration = uploadEnded - started;
      // The padding entry is skipped unread; the package after it registers.
      expect(res.status).toBe(201);
      expect(statuses.every((s) => s === 200)).toBe(true);
      // Predictions answered during the upload, each in a small part of its duration (not a timing
      // assertion on milliseconds: the upload was not serialised in front of them).
      expect(latencies.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...latencies)).toBeLessThan(duration / 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('item 12: crash leftovers are swept after the grace period, never a live attempt or a referenced package', async () => {
    const sweeper = t.app.get(ArtifactSweeper);
    const referenced = await registry().referencedPrefixes();
    // A half-written version folder (files, no row), as an API killed between them leaves it.
    const orphan = `models/${NAME}/u-crashed-upload`;
    await store().put(`${orphan}/model.onnx`, Buffer.from(first.pkg.model));
    await store().put(`${orphan}/manifest.json`, '{}');
    // An interrupted write's temporary: a .partial file (local) or an incomplete multipart upload (S3).
    const s = store();
    let temporary: () => Promise<boolean>;
    if (s instanceof LocalArtifactStore) {
      const partial = path.join(
        s.root,
        'models',
        NAME,
        `.model.onnx.${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}.partial`,
      );
      writeFileSync(partial, 'half');
      temporary = async () => {
        try {
          statSync(partial);
          return true;
        } catch {
          return false;
        }
      };
    } else {
      const s3 = s as S3ArtifactStore;
      const key = `${s3.prefix}/batch/in-flight.csv`;
      await s3.client.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: key }));
      const { ListMultipartUploadsCommand } = await import('@aws-sdk/client-s3');
      temporary = async () =>
        (
          (await s3.client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: key })))
            .Uploads ?? []
        ).length > 0;
    }
    // Now: everything is younger than the grace period, so nothing is touched (it could be live).
    const live = await sweeper.sweep();
    expect(live).toEqual({ temporaries: 0, folders: [] });
    expect(await store().exists(`${orphan}/model.onnx`)).toBe(true);
    expect(await temporary()).toBe(true);
    // Past the grace period: the leftovers go, every referenced package stays.
    const later = await sweeper.sweep(Date.now() + t.config.ARTIFACT_SWEEP_GRACE_MS + 60_000);
    expect(later.folders).toEqual([orphan]);
    expect(later.temporaries).toBe(1);
    expect(await store().list(`${orphan}/`)).toEqual([]);
    expect(await temporary()).toBe(false);
    for (const prefix of referenced) expect(await store().exists(`${prefix}/model.onnx`)).toBe(true);
    expect((await predict()).status).toBe(200);
  });
});
