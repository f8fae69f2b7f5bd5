import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  HOLDOUT,
  csvLine,
  loadSpec,
  mulberry32,
  prepareDataset,
  readCsv,
  writeHouseTsCsv,
} from '@housing/ml';
import { createArtifactStore } from '../src/storage/storage.module';
import type { ArtifactStore } from '../src/storage/artifact-store';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels } from './support/model-fixture';
import { WorkerProcess, auth, waitFor, workerEnv } from './batch-support';

/**
 * Promotion with evidence end to end, on real training runs (a training-worker process runs `ml train
 * --fast` on small generated data): each model scored on both holdouts with deltas that match an
 * independent computation (the holdout rows rebuilt here and priced through POST /v1/predictions/bulk),
 * the evidence computed once for concurrent requests, a clearly worse challenger (trained on shuffled
 * prices) refused without force (409 with the evidence), refused with force but no reason (400),
 * promoted with force and a reason (recorded in the history), the deprecated stage endpoint gated alike,
 * specs that differ named, and an uploaded package without a run promoted as before.
 */
jest.setTimeout(600_000);

const ML_CLI = path.resolve(__dirname, '..', '..', 'ml', 'src', 'cli', 'main.ts');
const NAME = 'evidence-model';
/** housets.json's split.holdoutFrom. */
const HOLDOUT_FROM = (loadSpec('housets').split as { holdoutFrom: string }).holdoutFrom;

type Run = {
  id: string;
  status: string;
  specName: string;
  metrics: { holdout?: { mape: number; rows: number } } | null;
  model: { name: string; version: number } | null;
  error: string | null;
};
type Metrics = { mape: number; rmse: number; mae: number; r2: number; n: number };
type Comparison = {
  holdoutOf: 'champion' | 'candidate';
  runId: string;
  rows: number;
  sampledRows: number;
  candidate: Metrics;
  champion: Metrics;
  delta: Omit<Metrics, 'n'>;
};
type Evidence = {
  candidate: { name: string; version: number };
  champion: { name: string; version: number } | null;
  verdict: string;
  needsForce: boolean;
  missing: string[];
  margin: number;
  relativeMapeChange: number | null;
  specName: string | null;
  holdouts: Comparison[];
  computedAt: string | null;
  durationMs: number | null;
};

let t: TestApp;
let store: ArtifactStore;
let dir: string;
let worker: WorkerProcess;
const csvs: Record<'good' | 'shuffled', string> = { good: '', shuffled: '' };
let good: Run;
let worse: Run;
let variant: Run;

const getRun = async (id: string): Promise<Run> =>
  (await t.request().get(`/v1/training-runs/${id}`).set(auth(t))).body;

async function submit(body: Record<string, unknown>): Promise<Run> {
  const res = await t.request().post('/v1/training-runs').set(auth(t)).send(body);
  if (res.status !== 202) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const completed = (id: string) =>
  waitFor(
    async () => {
      const run = await getRun(id);
      if (run.status === 'failed' || run.status === 'cancelled')
        throw new Error(`run ${id} ${run.status}: ${run.error}`);
      return run.status === 'completed' && run;
    },
    400_000,
    `training run ${id}`,
    500,
  );

const evidenceOf = (version: number, query = '') =>
  t.request().get(`/v1/models/${NAME}/versions/${version}/promotion-evidence${query}`).set(auth(t));
const promote = (version: number, body: Record<string, unknown> = {}, name = NAME) =>
  t
    .request()
    .put(`/v1/models/${name}/aliases/champion`)
    .set(auth(t))
    .send({ version, ...body });
/** The version holding champion among `name`'s aliases (undefined when another name holds it). */
const champion = async (name = NAME) => {
  const aliases = (await t.request().get(`/v1/models/${name}/aliases`).set(auth(t))).body as {
    alias: string;
    name: string;
    version: number;
  }[];
  const held = aliases.find((a) => a.alias === 'champion');
  return held && { name: held.name, version: held.version };
};

/**
 * The same CSV with the prices of its training and eval rows (before the spec's holdout date) shuffled
 * between them: a model fitted on it has learnt nothing, and its holdout holds true prices.
 */
async function writeShuffled(from: string, to: string): Promise<void> {
  let header: string[] = [];
  const rows: string[][] = [];
  await readCsv(from, { header: (c) => void (header = c), row: (f) => void rows.push(f) });
  const [price, date] = [header.indexOf('price'), header.indexOf('date')];
  const fitted = rows.filter((r) => r[date]! < HOLDOUT_FROM);
  const prices = fitted.map((r) => r[price]!);
  const random = mulberry32(5);
  for (let i = prices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [prices[i], prices[j]] = [prices[j]!, prices[i]!];
  }
  fitted.forEach((r, i) => (r[price] = prices[i]!));
  writeFileSync(to, [header, ...rows].map((r) => csvLine(r)).join('\n') + '\n');
}

/** A run's holdout rows, rebuilt here from its CSV with the spec's own split (records of raw text). */
async function holdoutRecords(csv: string): Promise<Record<string, string>[]> {
  const prepared = await prepareDataset(loadSpec('housets'), csv);
  const lines = new Set<number>();
  for (let i = 0; i < prepared.rows; i++) if (prepared.split[i] === HOLDOUT) lines.add(prepared.lines[i]!);
  let header: string[] = [];
  const records: Record<string, string>[] = [];
  await readCsv(csv, {
    header: (c) => void (header = c),
    row: (fields, line) => {
      if (lines.has(line)) records.push(Object.fromEntries(header.map((h, i) => [h, fields[i]!])));
    },
  });
  return records;
}

/** A version's metrics on records, priced through the public bulk prediction endpoint. */
async function metricsThroughApi(version: number, records: Record<string, string>[]): Promise<Metrics> {
  const actual: number[] = [];
  const predicted: number[] = [];
  for (let at = 0; at < records.length; at += 1000) {
    const chunk = records.slice(at, at + 1000);
    const res = await t
      .request()
      .post('/v1/predictions/bulk')
      .set(auth(t))
      .send({ records: chunk, model: `${NAME}/${version}` });
    expect(res.status).toBe(200);
    for (const result of res.body.results as { index: number; price?: number }[]) {
      if (result.price === undefined) continue;
      actual.push(Number(chunk[result.index]!.price));
      predicted.push(result.price);
    }
  }
  const n = actual.length;
  const mean = actual.reduce((a, b) => a + b, 0) / n;
  const errors = actual.map((a, i) => predicted[i]! - a);
  const sq = errors.reduce((s, e) => s + e * e, 0);
  return {
    n,
    mae: errors.reduce((s, e) => s + Math.abs(e), 0) / n,
    rmse: Math.sqrt(sq / n),
    r2: 1 - sq / actual.reduce((s, a) => s + (a - mean) ** 2, 0),
    mape: (100 * errors.reduce((s, e, i) => s + Math.abs(e / actual[i]!), 0)) / n,
  };
}

/** promotion_evidence_computations_total{outcome="computed"} from the API's /metrics. */
async function computations(): Promise<number> {
  const text = (await t.request().get('/metrics').set(auth(t))).text;
  const line = text
    .split('\n')
    .find((l) => l.startsWith('promotion_evidence_computations_total{outcome="computed"}'));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Close in relative terms (the API's prices are rounded to cents). */
const expectClose = (got: number, want: number, relative = 1e-6) =>
  expect(Math.abs(got - want)).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(want)));

function expectMetrics(got: Metrics, want: Metrics) {
  expect(got.n).toBe(want.n);
  for (const key of ['mape', 'rmse', 'mae', 'r2'] as const) expectClose(got[key], want[key]);
}

beforeAll(async () => {
  t = await startTestApp({
    TRAINING_ML_CLI: ML_CLI,
    TRAINING_PROGRESS_INTERVAL_MS: '200',
    TRAINING_TIME_LIMIT_SECONDS: '900',
    MODEL_RECONCILE_INTERVAL_MS: '0',
  });
  store = createArtifactStore(t.config);
  dir = mkdtempSync(path.join(os.tmpdir(), 'evidence-e2e-'));
  csvs.good = path.join(dir, 'good.csv');
  csvs.shuffled = path.join(dir, 'shuffled.csv');
  await writeHouseTsCsv(csvs.good, { size: 'tiny', dirty: false, seed: 23 });
  await writeShuffled(csvs.good, csvs.shuffled);
  await store.put('datasets/good.csv', readFileSync(csvs.good));
  await store.put('datasets/shuffled.csv', readFileSync(csvs.shuffled));
  worker = new WorkerProcess(workerEnv(t, { TRAINING_WORKER_METRICS_PORT: '0' }), 'training-worker.ts');
  await worker.ready();
  // One worker trains them one after the other.
  const submitted = [
    await submit({ inputUri: store.uri('datasets/good.csv'), fast: true, modelName: NAME }),
    await submit({ inputUri: store.uri('datasets/shuffled.csv'), fast: true, modelName: NAME }),
    await submit({
      inputUri: store.uri('datasets/good.csv'),
      fast: true,
      modelName: NAME,
      spec: { ...loadSpec('housets'), name: 'housets-variant' },
    }),
  ];
  [good, worse, variant] = [
    await completed(submitted[0]!.id),
    await completed(submitted[1]!.id),
    await completed(submitted[2]!.id),
  ];
});

afterAll(async () => {
  await worker?.stop();
  await t?.close();
  if (process.env.TEST_WORKER_VERBOSE) process.stderr.write(worker?.output() ?? '');
  rmSync(dir, { recursive: true, force: true });
});

describe('promotion evidence', () => {
  it('promotes the first champion without evidence (there is nothing to compare with)', async () => {
    const evidence = (await evidenceOf(good.model!.version)).body as Evidence;
    expect(evidence).toMatchObject({
      verdict: 'no-evidence',
      champion: null,
      needsForce: false,
      holdouts: [],
    });
    expect(evidence.missing).toEqual(['there is no champion to compare with']);
    const res = await promote(good.model!.version, { reason: 'first trained model' });
    expect(res.status).toBe(200);
    expect(res.body.promotion).toEqual({ verdict: 'no-evidence', missing: evidence.missing, forced: false });
    expect(await champion()).toMatchObject({ name: NAME, version: good.model!.version });
  });

  it('computes the evidence once for concurrent requests and keeps it', async () => {
    const before = await computations();
    const answers = await Promise.all(Array.from({ length: 6 }, () => evidenceOf(worse.model!.version)));
    for (const res of answers) expect(res.status).toBe(200);
    const first = answers[0]!.body as Evidence;
    expect(first.computedAt).not.toBeNull();
    for (const res of answers) expect(res.body).toEqual(first);
    // Read back later: the kept evidence, not a new computation.
    expect((await evidenceOf(worse.model!.version)).body).toEqual(first);
    expect((await computations()) - before).toBe(1);
    process.stdout.write(
      `promotion evidence: ${first.holdouts.map((h) => h.sampledRows).join(' + ')} holdout rows, ` +
        `4 scorings in ${first.durationMs} ms\n`,
    );
  });

  it('scores each model on both holdouts, with deltas matching an independent computation', async () => {
    const evidence = (await evidenceOf(worse.model!.version)).body as Evidence;
    expect(evidence).toMatchObject({
      candidate: { name: NAME, version: worse.model!.version },
      champion: { name: NAME, version: good.model!.version },
      specName: 'housets',
      margin: 0.02,
      missing: [],
    });
    const [onChampion, onCandidate] = evidence.holdouts;
    expect(onChampion).toMatchObject({ holdoutOf: 'champion', runId: good.id });
    expect(onCandidate).toMatchObject({ holdoutOf: 'candidate', runId: worse.id });

    const championHoldout = await holdoutRecords(csvs.good);
    const candidateHoldout = await holdoutRecords(csvs.shuffled);
    expect(onChampion!.rows).toBe(championHoldout.length);
    expect(onChampion!.sampledRows).toBe(championHoldout.length);
    expect(onCandidate!.rows).toBe(candidateHoldout.length);
    expectMetrics(onChampion!.champion, await metricsThroughApi(good.model!.version, championHoldout));
    expectMetrics(onChampion!.candidate, await metricsThroughApi(worse.model!.version, championHoldout));
    expectMetrics(onCandidate!.champion, await metricsThroughApi(good.model!.version, candidateHoldout));
    expectMetrics(onCandidate!.candidate, await metricsThroughApi(worse.model!.version, candidateHoldout));
    for (const c of [onChampion!, onCandidate!])
      for (const key of ['mape', 'rmse', 'mae', 'r2'] as const)
        expectClose(c.delta[key], c.candidate[key] - c.champion[key]);
    // Each model on its own holdout agrees with what its trainer measured.
    expectClose(onChampion!.champion.mape, good.metrics!.holdout!.mape, 1e-3);
    expectClose(onCandidate!.candidate.mape, worse.metrics!.holdout!.mape, 1e-3);

    const change = (onChampion!.candidate.mape - onChampion!.champion.mape) / onChampion!.champion.mape;
    expectClose(evidence.relativeMapeChange!, change);
    expect(change).toBeGreaterThan(0.02);
    expect(evidence).toMatchObject({ verdict: 'worse', needsForce: true });
  });

  it('refuses a clearly worse challenger without force (409 with the evidence), and force without a reason (400)', async () => {
    const refused = await promote(worse.model!.version);
    expect(refused.status).toBe(409);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body.type).toMatch(/promotion-needs-force$/);
    expect(refused.body.evidence).toMatchObject({ verdict: 'worse', needsForce: true });
    expect(refused.body.evidence.holdouts).toHaveLength(2);

    for (const body of [{ force: true }, { force: true, reason: '   ' }]) {
      const noReason = await promote(worse.model!.version, body);
      expect(noReason.status).toBe(400);
      expect(noReason.body.errors.map((e: { field: string }) => e.field)).toEqual(['reason']);
    }
    const badForce = await promote(worse.model!.version, { force: 'yes', reason: 'x' });
    expect(badForce.status).toBe(400);
    expect(badForce.body.errors.map((e: { field: string }) => e.field)).toContain('force');

    // The deprecated stage endpoint is gated alike.
    const staged = await t
      .request()
      .put(`/v1/models/${NAME}/versions/${worse.model!.version}/stage`)
      .set(auth(t))
      .send({ stage: 'production' });
    expect(staged.status).toBe(409);
    expect(staged.body.type).toMatch(/promotion-needs-force$/);
    expect(await champion()).toMatchObject({ version: good.model!.version });
  });

  it('promotes it with force and a reason, recorded in the history; the better one comes back without force', async () => {
    const reason = 'shadow test of the shuffled-price model';
    const forced = await promote(worse.model!.version, { force: true, reason });
    expect(forced.status).toBe(200);
    expect(forced.body.promotion).toEqual({ verdict: 'worse', missing: [], forced: true });
    expect(await champion()).toMatchObject({ version: worse.model!.version });
    const history = (await t.request().get(`/v1/models/${NAME}/history`).set(auth(t))).body.items;
    expect(history[0]).toMatchObject({
      alias: 'champion',
      to: { name: NAME, version: worse.model!.version },
      reason,
      forced: true,
    });
    expect(history.filter((h: { forced: boolean }) => h.forced)).toHaveLength(1);

    // Against the worse champion the good model is better: the deprecated endpoint promotes it as is.
    const back = await t
      .request()
      .put(`/v1/models/${NAME}/versions/${good.model!.version}/stage`)
      .set(auth(t))
      .send({ stage: 'production' });
    expect(back.status).toBe(200);
    expect(back.body.promotion).toEqual({ verdict: 'better', missing: [], forced: false });
    expect(back.headers.deprecation).toBeDefined();
    const latest = (await t.request().get(`/v1/models/${NAME}/history`).set(auth(t))).body.items[0];
    expect(latest).toMatchObject({ to: { version: good.model!.version }, forced: false });
  });

  it('compares with another version through ?against=, and refuses a reference that is not one', async () => {
    const against = (await evidenceOf(good.model!.version, `?against=${NAME}/${worse.model!.version}`))
      .body as Evidence;
    expect(against).toMatchObject({
      candidate: { version: good.model!.version },
      champion: { version: worse.model!.version },
      verdict: 'better',
      needsForce: false,
    });
    expect(against.holdouts[0]).toMatchObject({ holdoutOf: 'champion', runId: worse.id });
    expect((await evidenceOf(good.model!.version, '?against=no%20such')).status).toBe(400);
    expect((await evidenceOf(good.model!.version, `?against=${'a'.repeat(5000)}`)).status).toBe(400);
    expect((await evidenceOf(good.model!.version, `?against=${NAME}/1&against=${NAME}/2`)).status).toBe(400);
    expect((await evidenceOf(good.model!.version, `?against=${NAME}/999`)).status).toBe(404);
    expect((await evidenceOf(999)).status).toBe(404);
  });

  it('says so when the specs differ, and promotion is not refused for it', async () => {
    const evidence = (await evidenceOf(variant.model!.version)).body as Evidence;
    expect(evidence).toMatchObject({ verdict: 'no-evidence', needsForce: false, holdouts: [] });
    expect(evidence.missing).toEqual(['specs differ: housets-variant vs housets']);
  });

  it('has no evidence for a run recorded from the CLI (it keeps no input to rebuild its holdout)', async () => {
    const { second } = await testModels();
    const recorded = await t
      .request()
      .post('/v1/training-runs/recorded')
      .set(auth(t))
      .field('run', JSON.stringify({ specName: 'housets' }))
      .attach('package', second.archive, 'p.tar.gz');
    expect(recorded.status).toBe(201);
    const { id, model } = recorded.body as { id: string; model: { name: string; version: number } };
    const evidence = (
      await t
        .request()
        .get(`/v1/models/${model.name}/versions/${model.version}/promotion-evidence`)
        .set(auth(t))
    ).body as Evidence;
    expect(evidence).toMatchObject({ verdict: 'no-evidence', needsForce: false });
    expect(evidence.missing).toEqual([
      `${model.name} v${model.version} has no training run with a holdout (its run ${id} was recorded from the CLI)`,
    ]);
  });

  it('has no evidence for an uploaded package without a training run; its promotion proceeds', async () => {
    const { first } = await testModels();
    const uploaded = await t
      .request()
      .post('/v1/models')
      .set(auth(t))
      .attach('package', first.archive, 'p.tar.gz');
    expect(uploaded.status).toBe(201);
    const { name, version } = uploaded.body as { name: string; version: number };
    const evidence = (
      await t.request().get(`/v1/models/${name}/versions/${version}/promotion-evidence`).set(auth(t))
    ).body as Evidence;
    expect(evidence.verdict).toBe('no-evidence');
    expect(evidence.missing).toEqual([
      `${name} v${version} has no training run with a holdout (uploaded package)`,
    ]);
    const res = await promote(version, {}, name);
    expect(res.status).toBe(200);
    expect(res.body.promotion).toEqual({ verdict: 'no-evidence', missing: evidence.missing, forced: false });
    expect(await champion(name)).toMatchObject({ name, version });
    expect(await champion()).toBeUndefined();
  });
});
