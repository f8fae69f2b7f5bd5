import type {
  CurrentModel,
  EvaluationCell,
  ModelEvaluation,
  ModelVersion,
  MyKey,
  Scope,
  TrainingRun,
} from '../api/types';

export const ADMIN_KEY = 'hp_test_admin_key_0123456789abcdefghijkl';

export function myKey(scopes: Scope[], name = 'test key'): MyKey {
  const all: Scope[] = ['predict', 'batch', 'models:read', 'models:write', 'train', 'admin'];
  return {
    id: '00000000-0000-4000-8000-000000000001',
    name,
    prefix: 'hp_test_admi',
    scopes,
    effectiveScopes: scopes.includes('admin') ? all : scopes,
    expiresAt: null,
    rateLimitPerMinute: 1200,
  };
}

const metrics = (mae: number) => ({ mae, rmse: mae * 1.4, r2: 0.95, mape: mae / 10000, rows: 100 });

export const currentModel: CurrentModel = {
  name: 'housets-xgboost',
  version: 3,
  packageVersion: '20261123.025440',
  loadedAt: '2026-11-23T02:55:00.000Z',
  target: 'price',
  featureNames: ['year', 'month', 'median_list_price'],
  metrics: {
    eval: metrics(17000),
    holdout: metrics(25000),
    baseline: { eval: metrics(140000), holdout: metrics(180000) },
  },
  signature: [
    { name: 'date', type: 'date', required: true, observed: { min: '2012-03-31', max: '2019-12-31' } },
    {
      name: 'median_list_price',
      type: 'number',
      required: false,
      min: 0,
      observed: { min: 94300, max: 792900 },
    },
    {
      name: 'avg_sale_to_list',
      type: 'number',
      required: false,
      min: 0,
      max: 3,
      observed: { min: 0.95, max: 1.01 },
    },
    {
      name: 'zipcode',
      type: 'string',
      required: false,
      categories: ['10010', '30014', '75003'],
      unknownCategory: 'accepted; encoded as frequency 0',
    },
  ],
  exampleRecord: {
    date: '2022-01-31',
    median_list_price: 227400,
    avg_sale_to_list: 0.9947,
    zipcode: '30001',
  },
};

export function cell(
  month: string,
  region: string,
  n: number,
  actual: number,
  predicted: number,
): EvaluationCell {
  const err = predicted - actual;
  return {
    month,
    region,
    n,
    sumActual: n * actual,
    sumPredicted: n * predicted,
    sumAbsError: n * Math.abs(err),
    sumSquaredError: n * err * err,
    sumAbsPercentError: n * Math.abs((100 * err) / actual),
  };
}

export const evaluation: ModelEvaluation = {
  split: 'holdout',
  regionColumn: 'city_full',
  cells: [
    cell('2022-01', 'Atlanta', 2, 200_000, 210_000),
    cell('2022-01', 'Dallas', 1, 300_000, 270_000),
    cell('2022-02', 'Atlanta', 1, 220_000, 220_000),
    cell('2023-01', 'Atlanta', 1, 250_000, 240_000),
  ],
  points: [
    { month: '2022-01', region: 'Atlanta', actual: 200_000, predicted: 210_000 },
    { month: '2022-01', region: 'Dallas', actual: 300_000, predicted: 270_000 },
    { month: '2023-01', region: 'Atlanta', actual: 250_000, predicted: 240_000 },
  ],
  importances: [
    { feature: 'median_list_price', gain: 0.9, weight: 500 },
    { feature: 'median_ppsf', gain: 0.1, weight: 300 },
  ],
  trials: [],
};

export function modelVersion(version: number, stage: ModelVersion['stage']): ModelVersion {
  return {
    id: `00000000-0000-4000-8000-00000000010${version}`,
    name: 'housets-xgboost',
    version,
    packageVersion: `2026112${version}.000000`,
    stage,
    aliases: stage === 'production' ? ['champion'] : stage === 'staging' ? ['challenger'] : [],
    description: null,
    tags: {},
    datasetSpec: 'housets',
    featureCount: 37,
    metrics: currentModel.metrics,
    lineage: {
      datasetSha256: 'abc123',
      rows: { train: 1109, eval: 283, holdout: 283 },
      gitCommit: 'fadabcc',
    },
    hyperparameters: { max_depth: 6 },
    createdAt: '2026-11-23T02:55:00.000Z',
    stageChangedAt: null,
  };
}

export const RUN_ID = '0d6f1c2a-4e0b-4d55-9a55-2f0a3d1c9b11';

/** A training run as GET /v1/training-runs/{id} answers, in the given status. */
export function trainingRun(status: TrainingRun['status'], over: Partial<TrainingRun> = {}): TrainingRun {
  const id = over.id ?? RUN_ID;
  const done = status === 'completed';
  return {
    id,
    source: 'queue',
    status,
    specName: 'housets',
    inputUri: `file:///a/training/${id}/input.csv`,
    dataset: null,
    options: { trials: 5, metric: 'rmse' },
    progress:
      status === 'queued'
        ? null
        : {
            phase: done ? 'done' : 'trial',
            rowsRead: 1200,
            rowsKept: 1150,
            cleaning: {
              rowsRead: 1200,
              rowsKept: 1150,
              dropped: { duplicate: 30, target_outlier: 20 },
              ignoredColumns: [],
            },
            ...(done ? {} : { trial: { n: 2, of: 5, metric: 'rmse', score: 31000, best: 29000 } }),
          },
    params: done ? { max_depth: 6, learning_rate: 0.0812345 } : null,
    metrics: done ? { holdout: { rmse: 30500, r2: 0.91 }, eval: { rmse: 28000 } } : null,
    trials: done
      ? [
          { n: 0, params: {}, score: 33000 },
          { n: 1, params: {}, score: 29000 },
          { n: 2, params: {}, score: 31000 },
        ]
      : null,
    datasetSha256: null,
    durationMs: done ? 12500 : null,
    model: done
      ? { name: 'housets-xgboost', version: 4, href: '/v1/models/housets-xgboost/versions/4' }
      : null,
    holdoutUri: null,
    mlflowRunId: null,
    error: null,
    attempts: 1,
    workerId: null,
    createdAt: '2026-12-07T05:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    logs: `/v1/training-runs/${id}/logs`,
    ...over,
  };
}
