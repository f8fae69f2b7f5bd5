import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cellMetrics, type EvaluationCell } from '@housing/ml';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels, type TestModel } from './support/model-fixture';
import { auth } from './batch-support';
import { createArtifactStore } from '../src/storage/storage.module';

/**
 * Comparing training runs and model versions side by side, on both profiles: runs recorded the way
 * `ml train --server` records them (two real packages of different data, so two versions with real
 * evaluation cells), plus a queued run no worker has taken (nothing registered: no error cells).
 */
jest.setTimeout(300_000);

type Comparison = {
  items: { kind: string; label: string; runId: string | null; status: string | null; model: { name: string; version: number } | null; tuningMetric: string | null }[];
  metrics: { key: string; better: string | null; values: (number | null)[]; deltas: (number | null)[]; relativeDeltas: (number | null)[] }[];
  params: { key: string; values: unknown[]; differs: boolean }[];
  errorByMonth: { month: string; values: ({ n: number; mae: number; rmse: number } | null)[] }[];
  errorByRegion: { region: string; values: ({ n: number; mae: number; rmse: number } | null)[] }[];
  errorByCell?: { month: string; region: string; values: unknown[] }[];
  tuning: { trials: { n: number; score: number | null; best: number | null }[] }[];
};

let t: TestApp;
let dir: string;
let first: TestModel;
let second: TestModel;
let runA: { id: string; model: { name: string; version: number } };
let runB: { id: string; model: { name: string; version: number } };

async function record(model: TestModel, run: Record<string, unknown>) {
  const res = await t
    .request()
    .post('/v1/training-runs/recorded')
    .set(auth(t))
    .field('run', JSON.stringify(run))
    .attach('package', model.archive, 'package.tar.gz');
  if (res.status !== 201) throw new Error(`record failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; model: { name: string; version: number } };
}

const compareRuns = (ids: string[], query = '', key = t.adminKey) =>
  t.request().get(`/v1/training-runs/compare?ids=${ids.join(',')}${query}`).set({ 'x-api-key': key });

async function evaluationCells(model: { name: string; version: number }): Promise<EvaluationCell[]> {
  const res = await t.request().get(`/v1/models/${model.name}/versions/${model.version}/evaluation`).set(auth(t));
  return res.body.cells;
}

async function keyWith(scopes: string[], name: string): Promise<string> {
  const res = await t.request().post('/v1/keys').set(auth(t)).send({ name, scopes });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status}`);
  return res.body.key;
}

beforeAll(async () => {
  ({ first, second } = await testModels());
  t = await startTestApp({ MODEL_RECONCILE_INTERVAL_MS: '0' });
  dir = mkdtempSync(path.join(os.tmpdir(), 'compare-e2e-'));
  const params = first.pkg.manifest.hyperparameters;
  runA = await record(first, {
    specName: 'housets',
    params: { ...params, max_depth: 4 },
    metrics: first.pkg.manifest.metrics,
    trials: [
      { n: 0, params: {}, score: 300 },
      { n: 1, params: {}, score: 250 },
      { n: 2, params: {}, score: 280 },
    ],
    options: { metric: 'rmse', trials: 3 },
  });
  runB = await record(second, {
    specName: 'housets',
    params: { ...params, max_depth: 7 },
    metrics: second.pkg.manifest.metrics,
    trials: [
      { n: 0, params: {}, score: 260 },
      { n: 1, params: {}, score: null },
    ],
    options: { metric: 'mae' },
  });
});

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /v1/training-runs/compare', () => {
  it('compares two runs: metrics with deltas against the first, the differing parameters, error by month and region, tuning histories', async () => {
    const res = await compareRuns([runB.id, runA.id]);
    expect(res.status).toBe(200);
    const body = res.body as Comparison;
    expect(body.items.map((i) => [i.kind, i.runId, i.status, i.model?.version, i.tuningMetric])).toEqual([
      ['run', runB.id, 'completed', runB.model.version, 'mae'],
      ['run', runA.id, 'completed', runA.model.version, 'rmse'],
    ]);

    const rmse = body.metrics.find((m) => m.key === 'holdout.rmse')!;
    const [b, a] = [second.pkg.manifest.metrics.holdout.rmse, first.pkg.manifest.metrics.holdout.rmse];
    expect(rmse.values).toEqual([b, a]);
    expect(rmse.deltas[0]).toBe(0);
    expect(rmse.deltas[1]).toBeCloseTo(a - b, 6);
    expect(rmse.relativeDeltas[1]).toBeCloseTo((a - b) / b, 9);
    expect(rmse.better).toBe('lower');
    expect(body.metrics.find((m) => m.key === 'holdout.r2')!.better).toBe('higher');

    expect(body.params).toEqual([{ key: 'max_depth', values: [7, 4], differs: true }]);

    // Error by month is each version's own evaluation cells summed exactly.
    const [cellsB, cellsA] = [await evaluationCells(runB.model), await evaluationCells(runA.model)];
    const months = [...new Set([...cellsA, ...cellsB].map((c) => c.month))].sort();
    expect(body.errorByMonth.map((r) => r.month)).toEqual(months);
    for (const row of body.errorByMonth) {
      const expected = [cellsB, cellsA].map((cells) => cellMetrics(cells.filter((c) => c.month === row.month)));
      row.values.forEach((value, i) => {
        if (expected[i]!.n === 0) return expect(value).toBeNull();
        expect(value!.n).toBe(expected[i]!.n);
        expect(value!.rmse).toBeCloseTo(expected[i]!.rmse!, 6);
      });
    }
    const regions = [...new Set([...cellsA, ...cellsB].map((c) => c.region))].sort();
    expect(body.errorByRegion.map((r) => r.region)).toEqual(regions);
    const totalRows = body.errorByRegion.reduce((sum, r) => sum + (r.values[1]?.n ?? 0), 0);
    expect(totalRows).toBe(cellMetrics(cellsA).n);
    expect(body.errorByCell).toBeUndefined();

    expect(body.tuning).toEqual([
      { trials: [{ n: 0, score: 260, best: 260 }, { n: 1, score: null, best: 260 }] },
      {
        trials: [
          { n: 0, score: 300, best: 300 },
          { n: 1, score: 250, best: 250 },
          { n: 2, score: 280, best: 250 },
        ],
      },
    ]);
  });

  it('lists every parameter with allParams=true and every (month, region) cell with cells=true', async () => {
    const res = await compareRuns([runA.id, runB.id], '&allParams=true&cells=true');
    expect(res.status).toBe(200);
    const body = res.body as Comparison;
    expect(body.params.length).toBeGreaterThan(1);
    expect(body.params.filter((p) => p.differs).map((p) => p.key)).toEqual(['max_depth']);
    const cells = await evaluationCells(runA.model);
    expect(body.errorByCell!.filter((r) => r.values[0] !== null)).toHaveLength(cells.length);
  });

  it('compares a queued run, not registered yet, with no error cells of its own', async () => {
    const store = createArtifactStore(t.config);
    await store.put('datasets/compare.csv', readFileSync(first.csv));
    const queued = await t
      .request()
      .post('/v1/training-runs')
      .set(auth(t))
      .send({ inputUri: store.uri('datasets/compare.csv'), fast: true });
    expect(queued.status).toBe(202);
    const res = await compareRuns([runA.id, queued.body.id]);
    expect(res.status).toBe(200);
    const body = res.body as Comparison;
    expect(body.items[1]).toMatchObject({ status: 'queued', model: null, tuningMetric: null });
    expect(body.errorByMonth.every((r) => r.values[1] === null)).toBe(true);
    expect(body.metrics.find((m) => m.key === 'holdout.rmse')!.values[1]).toBeNull();
    expect(body.tuning[1]!.trials).toEqual([]);
  });

  it('refuses too few, too many, repeated and malformed ids with a 400 naming the field', async () => {
    const ids = Array.from({ length: 11 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (const bad of [[runA.id], ids, [runA.id, runA.id], [runA.id, 'not-a-uuid'], []]) {
      const res = await compareRuns(bad);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('ids');
    }
    const noIds = await t.request().get('/v1/training-runs/compare').set(auth(t));
    expect(noIds.status).toBe(400);
    const long = await compareRuns([runA.id, 'x'.repeat(5000)]);
    expect(long.status).toBe(400);
    const badFlag = await compareRuns([runA.id, runB.id], '&allParams=maybe');
    expect(badFlag.status).toBe(400);
    expect(badFlag.body.errors[0].field).toBe('allParams');
  });

  it('answers 404 naming every unknown run, and treats another key’s runs as unknown', async () => {
    const missing = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
    const res = await compareRuns([runA.id, ...missing]);
    expect(res.status).toBe(404);
    for (const id of missing) expect(res.body.detail).toContain(id);
    expect(res.body.detail).not.toContain(runA.id);

    const trainer = await keyWith(['train'], 'other-trainer');
    const other = await compareRuns([runA.id, runB.id], '', trainer);
    expect(other.status).toBe(404);
    expect(other.body.detail).toContain(runA.id);
    const predictOnly = await compareRuns([runA.id, runB.id], '', await keyWith(['predict'], 'predictor'));
    expect(predictOnly.status).toBe(403);
  });
});

describe('GET /v1/models/{name}/compare', () => {
  it('compares versions: their metrics with deltas, hyper-parameters and error cells', async () => {
    const name = runA.model.name;
    const res = await t.request().get(`/v1/models/${name}/compare?versions=${runA.model.version},${runB.model.version}`).set(auth(t));
    expect(res.status).toBe(200);
    const body = res.body as Comparison;
    expect(body.items.map((i) => [i.kind, i.label, i.runId])).toEqual([
      ['version', `${name} v${runA.model.version}`, null],
      ['version', `${name} v${runB.model.version}`, null],
    ]);
    const rmse = body.metrics.find((m) => m.key === 'holdout.rmse')!;
    expect(rmse.values).toEqual([first.pkg.manifest.metrics.holdout.rmse, second.pkg.manifest.metrics.holdout.rmse]);
    expect(rmse.deltas[1]).toBeCloseTo(second.pkg.manifest.metrics.holdout.rmse - first.pkg.manifest.metrics.holdout.rmse, 6);
    const [hpA, hpB] = [first.pkg.manifest.hyperparameters, second.pkg.manifest.hyperparameters];
    const differing = [...new Set([...Object.keys(hpA), ...Object.keys(hpB)])]
      .filter((k) => JSON.stringify(hpA[k] ?? null) !== JSON.stringify(hpB[k] ?? null))
      .sort();
    expect(body.params.map((p) => p.key)).toEqual(differing);
    const all = await t.request().get(`/v1/models/${name}/compare?versions=${runA.model.version},${runB.model.version}&allParams=true`).set(auth(t));
    expect(all.body.params.map((p: { key: string }) => p.key)).toEqual(Object.keys({ ...hpA, ...hpB }).sort());
    expect(body.errorByMonth.length).toBeGreaterThan(0);
    expect(body.errorByMonth.every((r) => r.values.every((v) => v === null || v.n > 0))).toBe(true);
  });

  it('answers 404 naming the unknown versions, 400 for a bad list or name', async () => {
    const name = runA.model.name;
    const unknown = await t.request().get(`/v1/models/${name}/compare?versions=${runA.model.version},998,999`).set(auth(t));
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/998, 999/);
    const noModel = await t.request().get(`/v1/models/no-such-model/compare?versions=1,2`).set(auth(t));
    expect(noModel.status).toBe(404);
    for (const versions of ['1', '1,1', '1,x', '0,1', Array.from({ length: 11 }, (_, i) => i + 1).join(',')]) {
      const res = await t.request().get(`/v1/models/${name}/compare?versions=${versions}`).set(auth(t));
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('versions');
    }
    const badName = await t.request().get(`/v1/models/${'%00'}bad/compare?versions=1,2`).set(auth(t));
    expect(badName.status).toBe(400);
  });
});
