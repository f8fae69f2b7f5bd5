/**
 * MLflow interop end to end: a real MLflow tracking server (PyPI `mlflow` from ml/test-tools, SQLite
 * backend store, artifacts through its proxy) on loopback; `ml train` with MLFLOW_TRACKING_URI set; the
 * logged run read back through MLflow's REST API. Also: an unreachable MLflow leaves training successful.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../cli/main';
import { writeHouseTsCsv } from '../generate';
import { readPackage } from '../package/io';
import { startMlflowServer, freePort, type MlflowServer } from '../test-support/mlflow-server';
import { listDir, useTempDir } from '../test-support/tmp';
import { MlflowClient, type MlflowRun } from './client';
import { mlflowConfig } from './config';
import { describeNotLogged, logTrainingRun } from './log-run';

jest.setTimeout(600_000);

const EXPERIMENT = 'housing-e2e';

/** Runs the CLI with extra environment variables, capturing what it writes. */
async function runCli(
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; error: Error | null; stdout: string; stderr: string }> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, error: null, stdout, stderr };
  } catch (error) {
    return { code: null, error: error as Error, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const asMap = (pairs: { key: string; value: string }[] | undefined) =>
  Object.fromEntries((pairs ?? []).map((p) => [p.key, p.value]));

describe('ml train with MLFLOW_TRACKING_URI: a real MLflow tracking server', () => {
  const tmp = useTempDir('ml-mlflow-e2e-');
  let server: MlflowServer | undefined;
  let client: MlflowClient;
  let csv: string;

  beforeAll(async () => {
    csv = path.join(tmp(), 'housets-tiny.csv');
    await writeHouseTsCsv(csv, { size: 'tiny', seed: 5 });
    server = await startMlflowServer({ basicAuth: true });
    client = new MlflowClient(
      mlflowConfig({ trackingUri: server.uri, experimentName: EXPERIMENT, ...server.admin }),
    );
  });

  afterAll(async () => {
    await server?.stop();
  });

  /** The environment that points `ml train` at the server, logged in as its admin. */
  const mlflowEnv = () => ({
    MLFLOW_TRACKING_URI: server!.uri,
    MLFLOW_TRACKING_USERNAME: server!.admin!.username,
    MLFLOW_TRACKING_PASSWORD: server!.admin!.password,
  });

  it('is refused with a wrong password or none: the report says 401 and never shows the password', async () => {
    for (const login of [{ username: 'admin', password: 'wrong-password-x' }, {}]) {
      const config = mlflowConfig({ trackingUri: server!.uri, maxRetries: 0, ...login });
      const report = await logTrainingRun(config, {
        runName: 'refused',
        status: 'FINISHED',
        startTime: Date.now(),
        endTime: Date.now(),
        source: 'test',
      });
      expect(report.runId).toBeNull();
      expect(report.notLogged.map((n) => n.part)).toEqual(['run', 'params', 'metrics', 'status']);
      const warning = describeNotLogged(config, report)!;
      expect(warning).toContain('experiments/get-by-name: 401');
      expect(warning).toContain(
        'check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD',
      );
      expect(warning + JSON.stringify(report)).not.toContain('wrong-password-x');
    }
  });

  describe('a finished run with tuning', () => {
    let outDir: string;
    let result: Awaited<ReturnType<typeof runCli>>;
    let runId: string;
    let run: MlflowRun;

    beforeAll(async () => {
      outDir = path.join(tmp(), 'pkg-tuned');
      result = await runCli(
        ['train', '--data', csv, '--out', outDir, '--trials', '3', '--version', 'mlflow-e2e', '--seed', '7'],
        { ...mlflowEnv(), MLFLOW_EXPERIMENT_NAME: EXPERIMENT },
      );
      if (result.error) throw result.error;
      runId = JSON.parse(result.stdout).mlflow.runId;
      run = await client.getRun(runId);
    });

    it('trains as without MLflow and names the logged run, with nothing left unlogged', () => {
      expect(result.code).toBe(0);
      expect(listDir(outDir)).toEqual(['evaluation.json', 'manifest.json', 'model.onnx', 'trees.json']);
      const printed = JSON.parse(result.stdout);
      expect(printed.mlflow.notLogged).toEqual([]);
      expect(printed.mlflow.url).toBe(`${server!.uri}/#/experiments/${run.info.experiment_id}/runs/${runId}`);
      expect(result.stderr).toContain(`mlflow: run ${runId} logged`);
      expect(result.stderr).not.toContain('warning');
      expect(result.stdout + result.stderr).not.toContain(server!.admin!.password);
    });

    it('is a FINISHED run of the experiment named by MLFLOW_EXPERIMENT_NAME, with its lineage tags', async () => {
      const experiment = await client.getExperimentByName(EXPERIMENT);
      expect(run.info.experiment_id).toBe(experiment!.experiment_id);
      expect(run.info.status).toBe('FINISHED');
      expect(run.info.run_name).toBe('housets-xgboost-mlflow-e2e');
      expect(Number(run.info.end_time)).toBeGreaterThanOrEqual(Number(run.info.start_time));
      const manifest = readPackage(outDir).manifest;
      const tags = asMap(run.data?.tags);
      expect(tags).toMatchObject({
        'mlflow.source.name': 'ml train',
        'housing.spec': 'housets',
        'housing.package_version': 'mlflow-e2e',
        'housing.dataset_sha256': manifest.lineage.datasetSha256,
      });
      if (manifest.lineage.gitCommit)
        expect(tags['mlflow.source.git.commit']).toBe(manifest.lineage.gitCommit);
      expect(tags['mlflow.user']).toBe(os.userInfo().username);
      expect(tags['housing.error']).toBeUndefined();
    });

    it('logs the spec, the options and the chosen hyper-parameters as params', () => {
      const manifest = readPackage(outDir).manifest;
      const params = asMap(run.data?.params);
      expect(params).toMatchObject({
        spec: 'housets',
        'train.trials': '3',
        'train.fast': 'false',
        'train.seed': '7',
        'train.data': 'housets-tiny.csv',
        selection_metric: manifest.training!.metric,
        selected_by: 'cv',
      });
      for (const [key, value] of Object.entries(manifest.hyperparameters))
        expect(params[key]).toBe(String(value));
    });

    it('logs the holdout metrics and the CV score the model was chosen by', () => {
      const manifest = readPackage(outDir).manifest;
      const metrics = Object.fromEntries((run.data?.metrics ?? []).map((m) => [m.key, Number(m.value)]));
      const h = manifest.metrics.holdout;
      expect(metrics.holdout_mape).toBeCloseTo(h.mape, 9);
      expect(metrics.holdout_rmsle).toBeCloseTo(h.rmsle!, 9);
      expect(metrics.holdout_mae).toBeCloseTo(h.mae, 6);
      expect(metrics.holdout_rmse).toBeCloseTo(h.rmse, 6);
      expect(metrics.holdout_r2).toBeCloseTo(h.r2, 9);
      const training = manifest.training!;
      expect(metrics[`cv_${training.metric}`]).toBeCloseTo(training.seeds[0]!.selectionScore, 9);
    });

    it('logs one metric series per tuning trial, step = trial number (metrics/get-history)', async () => {
      const manifest = readPackage(outDir).manifest;
      const metric = manifest.training!.metric;
      const trials = JSON.parse(readFileSync(path.join(outDir, 'evaluation.json'), 'utf8')).trials as {
        number: number;
        cv_score: number | null;
      }[];
      expect(trials.map((t) => t.number)).toEqual([1, 2, 3]);
      const history = await client.getMetricHistory(runId, `trial_cv_${metric}`);
      const bySteps = history.map((p) => [p.step, Number(p.value)]).sort((a, b) => a[0]! - b[0]!);
      expect(bySteps.map(([step]) => step)).toEqual([1, 2, 3]);
      bySteps.forEach(([, value], i) => expect(value).toBeCloseTo(trials[i]!.cv_score!, 9));
      const best = await client.getMetricHistory(runId, `trial_best_cv_${metric}`);
      const bestValues = best.sort((a, b) => a.step! - b.step!).map((p) => Number(p.value));
      expect(bestValues).toHaveLength(3);
      for (let i = 1; i < 3; i++) expect(bestValues[i]).toBeLessThanOrEqual(bestValues[i - 1]!);
      expect(await client.getMetricHistory(runId, 'trial_seconds')).toHaveLength(3);
    });

    it('uploads the package through the artifact proxy, byte for byte', async () => {
      const files = await client.listArtifacts(runId, 'package');
      const listed = Object.fromEntries(files.map((f) => [f.path, f.file_size]));
      for (const name of listDir(outDir))
        expect(listed[`package/${name}`]).toBe(statSync(path.join(outDir, name)).size);
      const { experiment_id: exp } = run.info;
      const admin = server!.admin!;
      const response = await fetch(
        `${server!.uri}/api/2.0/mlflow-artifacts/artifacts/${exp}/${runId}/artifacts/package/manifest.json`,
        {
          headers: {
            authorization: `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}`,
          },
        },
      );
      expect(response.status).toBe(200);
      expect(
        Buffer.from(await response.arrayBuffer()).equals(readFileSync(path.join(outDir, 'manifest.json'))),
      ).toBe(true);
    });
  });

  it('logs concurrent runs into one experiment that none of them found (created once, no run lost)', async () => {
    const experimentName = 'housing-concurrent';
    const config = mlflowConfig({ trackingUri: server!.uri, experimentName, ...server!.admin });
    const reports = await Promise.all(
      [1, 2, 3, 4].map((k) =>
        logTrainingRun(config, {
          runName: `concurrent-${k}`,
          status: 'FINISHED',
          startTime: Date.now(),
          endTime: Date.now(),
          source: 'test',
          params: { k },
          metrics: { holdout_mape: k },
        }),
      ),
    );
    expect(reports.map((r) => r.notLogged)).toEqual([[], [], [], []]);
    const experiment = await client.getExperimentByName(experimentName);
    expect(new Set(reports.map((r) => r.experimentId))).toEqual(new Set([experiment!.experiment_id]));
    const runs = await client.searchRuns(experiment!.experiment_id, '');
    expect(runs.map((r) => r.info.run_name).sort()).toEqual([
      'concurrent-1',
      'concurrent-2',
      'concurrent-3',
      'concurrent-4',
    ]);
    for (const run of runs) {
      const k = run.info.run_name!.split('-')[1];
      expect(asMap(run.data?.params)).toEqual({ k });
      expect(run.data?.metrics?.map((m) => [m.key, Number(m.value)])).toEqual([['holdout_mape', Number(k)]]);
    }
  });

  it('logs a failed run as FAILED with its error, and the command still fails', async () => {
    const header = readFileSync(csv, 'utf8').split('\n')[0]!;
    const headerOnly = path.join(tmp(), 'header-only.csv');
    writeFileSync(headerOnly, `${header}\n`);
    const result = await runCli(
      [
        'train',
        '--data',
        headerOnly,
        '--out',
        path.join(tmp(), 'pkg-failed'),
        '--fast',
        '--version',
        'fails',
      ],
      { ...mlflowEnv(), MLFLOW_EXPERIMENT_NAME: EXPERIMENT },
    );
    expect(result.error).toBeInstanceOf(Error);
    expect(result.stderr).toMatch(/mlflow: run [0-9a-f]{32} logged/);
    const experiment = await client.getExperimentByName(EXPERIMENT);
    const [failed, ...others] = await client.searchRuns(
      experiment!.experiment_id,
      "tags.mlflow.runName = 'housets-xgboost-fails'",
    );
    expect(others).toEqual([]);
    expect(failed!.info.status).toBe('FAILED');
    const tags = asMap(failed!.data?.tags);
    expect(tags['housing.error']).toBe(result.error!.message.slice(0, 5000));
    expect(asMap(failed!.data?.params)).toMatchObject({ spec: 'housets', 'train.fast': 'true' });
  });
});

describe('ml train with an unreachable MLflow', () => {
  const tmp = useTempDir('ml-mlflow-down-');

  it('finishes the training run and warns, naming what was not logged', async () => {
    const csv = path.join(tmp(), 'housets-tiny.csv');
    await writeHouseTsCsv(csv, { size: 'tiny', seed: 6 });
    const port = await freePort(); // nothing listens there
    const outDir = path.join(tmp(), 'pkg');
    const result = await runCli(['train', '--data', csv, '--out', outDir, '--fast'], {
      MLFLOW_TRACKING_URI: `http://mlflow-user:s3cret-pass@127.0.0.1:${port}`,
      MLFLOW_TRACKING_TOKEN: 'tok-should-not-appear',
    });
    expect(result.error).toBeNull();
    expect(result.code).toBe(0);
    expect(listDir(outDir)).toEqual(['evaluation.json', 'manifest.json', 'model.onnx', 'trees.json']);
    const printed = JSON.parse(result.stdout);
    expect(printed.package).toBe(outDir);
    expect(printed.mlflow).toEqual({
      runId: null,
      url: null,
      notLogged: ['run', 'params', 'metrics', 'package', 'status'],
    });
    const warning = result.stderr.split('\n').find((l) => l.startsWith('warning: MLflow'));
    expect(warning).toBe(
      `warning: MLflow at http://127.0.0.1:${port}: not logged: run, params, metrics, package, status ` +
        `(MLflow GET /api/2.0/mlflow/experiments/get-by-name: could not connect (ECONNREFUSED)) ` +
        `(the training run itself succeeded)`,
    );
    for (const secret of ['s3cret-pass', 'mlflow-user', 'tok-should-not-appear'])
      expect(result.stdout + result.stderr).not.toContain(secret);
  });
});
