#!/usr/bin/env node
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError } from '../errors';
import { writeHouseTsCsv, SAMPLE_SIZES, type SampleSize } from '../generate';
import { loadSpec } from '../spec/load';
import { TRAINING_METRICS, type TrainingMetric } from '../spec/schema';
import type { ModelManifest } from '../package/manifest';
import { trainModel } from '../train/train';
import type { TrainingRunOptions } from '../mlflow/training-run';
import { MlflowTrainRun } from './mlflow-run';
import { readPackage } from '../package/io';
import { packPackage } from '../package/archive';
import { loadPackageModel } from '../package/verify';
import { scoreCsv } from '../score/score-csv';
import { regressionMetrics } from '../train/metrics';
import { ProgressLine, renderTrainProgress } from './progress';
import { progressEvent, trialRecords, writeProgressEvent } from './progress-json';
import { pullDataset, pushDataset, type ApiOptions } from './dataset';
import { recordTrainingRun, recordedRun } from './record-run';

const USAGE = `Usage: ml <command> [options]

Commands:
  generate  --size tiny|demo|full --out FILE [--dirty] [--seed N]
            Writes a seeded sample CSV in the HouseTS schema.
  train     --data FILE --out DIR [--spec housets|FILE] [--trials N] [--fast] [--name NAME] [--version V] [--seed N]
            [--metric rmse|mae|mape|rmsle] [--seeds N] [--interval-level 0.9] [--progress-json] [--server URL [--key KEY]]
            [--threads N]
            Trains a model package (model.onnx, manifest.json, evaluation.json) from a CSV. Parameters and rounds
            are chosen by cross-validation on the metric; --seeds repeats the selection and reports the spread;
            --interval-level sets the coverage the prediction intervals are calibrated to. --progress-json prints
            one JSON object per line on stdout (load, prepared, trial n of N with the best so far, …, result) for
            programs such as the training worker; the human progress stays on stderr. --server records the run on a
            server afterwards (its package registered as a new version, not promoted; key: --key or $HOUSING_API_KEY);
            a server that cannot be reached leaves the local training successful, with a warning. --threads caps
            the trainer's CPU threads (default: every core).
            With MLFLOW_TRACKING_URI set, the run (finished or failed) is also logged to that MLflow server.
  evaluate  --model DIR --data FILE
            Scores a labelled CSV with a package and prints MAE, RMSE, R² and MAPE as JSON.
  predict   --model DIR --data FILE --out FILE [--errors FILE]
            Scores a CSV: the input columns plus predicted_price; rejected rows go to the errors file.
  pack      --model DIR --out FILE.tar.gz
            Writes a package's archive, the upload format of the model registry.
  validate-spec --spec housets|FILE
            Checks a dataset spec and prints its columns.
  dataset push --data FILE [--spec housets] --server URL [--key KEY]
            Registers a CSV as a dataset version (stored under its sha256; the same bytes return the same id).
  dataset pull --id ID --out FILE --server URL [--key KEY]
            Downloads a dataset version, checking its sha256. The key defaults to $HOUSING_API_KEY.
`;

type Values = Record<string, string | boolean | undefined>;

function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new InputError(`--${name} is required\n\n${USAGE}`);
  return value;
}

function integer(values: Values, name: string, fallback?: number): number | undefined {
  const value = values[name];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InputError(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

/** --metric and --seeds of `train`. */
export function trainingOptions(values: Values): {
  metric?: TrainingMetric;
  seeds?: number;
  intervalLevel?: number;
} {
  const metric = values.metric;
  if (metric !== undefined && !TRAINING_METRICS.includes(metric as TrainingMetric)) {
    throw new InputError(
      `--metric must be one of ${TRAINING_METRICS.join(', ')}, got ${JSON.stringify(metric)}`,
    );
  }
  const seeds = integer(values, 'seeds');
  if (seeds !== undefined && (seeds < 1 || seeds > 20))
    throw new InputError(`--seeds must be an integer from 1 to 20, got ${seeds}`);
  const level = values['interval-level'];
  const intervalLevel = level === undefined ? undefined : Number(level);
  if (intervalLevel !== undefined && !(intervalLevel >= 0.5 && intervalLevel <= 0.99))
    throw new InputError(`--interval-level must be a number from 0.5 to 0.99, got ${JSON.stringify(level)}`);
  return {
    ...(metric !== undefined && { metric: metric as TrainingMetric }),
    ...(seeds !== undefined && { seeds }),
    ...(intervalLevel !== undefined && { intervalLevel }),
  };
}

/** The selection in the CLI output: metric, folds, served seed and the spread over seeds. */
function trainingSummary(manifest: ModelManifest): Record<string, unknown> | undefined {
  const t = manifest.training;
  if (!t) return undefined;
  return {
    metric: t.metric,
    selectedBy: t.selectedBy,
    cv: t.cv && { kind: t.cv.kind, folds: t.cv.folds },
    servedSeed: t.servedSeed,
    seeds: t.seeds.map((s) => ({ seed: s.seed, cvScore: s.selectionScore, holdout: s.holdout })),
    spread: t.spread,
  };
}

async function generate(values: Values): Promise<void> {
  const size = (values.size ?? 'demo') as SampleSize;
  if (!(size in SAMPLE_SIZES))
    throw new InputError(`--size must be one of ${Object.keys(SAMPLE_SIZES).join(', ')}`);
  const out = required(values, 'out');
  const line = new ProgressLine();
  const summary = await writeHouseTsCsv(
    out,
    { size, dirty: values.dirty === true, seed: integer(values, 'seed', 42)! },
    (rows) => line.update(`generate: ${rows.toLocaleString('en-US')} rows`),
  );
  line.done(`generate: ${summary.rows.toLocaleString('en-US')} rows written to ${out}`);
  if (values.dirty) process.stderr.write(`dirt injected: ${JSON.stringify(summary.dirt)}\n`);
}

/** The train options recorded with a run (MLflow's `train.*` params): what the command was asked to do. */
function trainRunOptions(values: Values, data: string): TrainingRunOptions {
  return {
    data: path.basename(data),
    // the trials that ran: --fast tunes nothing
    trials: values.fast === true ? 0 : integer(values, 'trials', 20),
    fast: values.fast === true,
    seed: integer(values, 'seed', 42),
    ...(values.threads !== undefined && { threads: integer(values, 'threads') }),
    ...trainingOptions(values),
  };
}

async function train(values: Values): Promise<void> {
  const spec = loadSpec((values.spec as string | undefined) ?? 'housets');
  const data = required(values, 'data');
  if (!existsSync(data)) throw new InputError(`--data ${data}: no such file`);
  // Checked before training: a missing key must not cost a whole training run.
  const server = typeof values.server === 'string' ? apiOptions(values) : undefined;
  const name = typeof values.name === 'string' ? values.name : undefined;
  const version = typeof values.version === 'string' ? values.version : undefined;
  const mlflow = MlflowTrainRun.fromEnv(process.env, {
    options: trainRunOptions(values, data),
    spec: spec.name,
    name,
    version,
  });
  const line = new ProgressLine();
  const json = values['progress-json'] === true;
  const started = performance.now();
  const logTail: string[] = [];
  const { dir, manifest } = await trainModel({
    spec,
    csv: data,
    outDir: required(values, 'out'),
    trials: integer(values, 'trials', 20),
    fast: values.fast === true,
    seed: integer(values, 'seed', 42),
    ...trainingOptions(values),
    ...(name !== undefined && { modelName: name }),
    ...(version !== undefined && { version }),
    onProgress: (progress) => {
      mlflow?.onProgress(progress);
      renderTrainProgress(line, progress);
      const event = progressEvent(progress);
      if (json) writeProgressEvent(process.stdout, event);
      if (server && event && event.event !== 'features' && event.event !== 'load') {
        logTail.push(JSON.stringify(event));
        if (logTail.length > 200) logTail.shift();
      }
    },
  }).catch(async (error: unknown) => {
    await mlflow?.failed(error);
    throw error;
  });
  const report = await mlflow?.finished(dir, manifest);
  const m = manifest.metrics;
  const evaluation = JSON.parse(readFileSync(path.join(dir, 'evaluation.json'), 'utf8')) as { trials?: unknown };
  if (server) {
    await recordOnServer(server, manifest, {
      cv: trainingSummary(manifest) ?? null,
      trials: trialRecords(evaluation.trials),
      durationMs: performance.now() - started,
      logTail: logTail.join('\n'),
      ...(report?.runId && { mlflowRunId: report.runId }),
      options: {
        trials: integer(values, 'trials', 20),
        fast: values.fast === true,
        ...trainingOptions(values),
      },
      dir,
    });
  }
  if (json) {
    writeProgressEvent(process.stdout, {
      event: 'result',
      package: dir,
      model: manifest.model,
      datasetSha256: manifest.lineage.datasetSha256,
      params: manifest.hyperparameters,
      metrics: m,
      cv: trainingSummary(manifest) ?? null,
      trials: trialRecords(evaluation.trials),
      ...(report?.runId && { mlflowRunId: report.runId }),
    });
    return;
  }
  process.stdout.write(
    JSON.stringify(
      {
        package: dir,
        model: manifest.model,
        metrics: { eval: m.eval, holdout: m.holdout, baseline: m.baseline },
        training: trainingSummary(manifest),
        intervals: manifest.intervals
          ? {
              level: manifest.intervals.level,
              bins: manifest.intervals.bins.length,
              holdout: manifest.intervals.holdout,
            }
          : null,
        ...(report && {
          mlflow: {
            runId: report.runId,
            url: report.runUrl,
            notLogged: report.notLogged.map((n) => n.part),
          },
        }),
      },
      null,
      2,
    ) + '\n',
  );
}

/** Records a finished offline run on a server; a failure is a warning, the local package stands. */
async function recordOnServer(
  server: ApiOptions,
  manifest: ModelManifest,
  run: Parameters<typeof recordedRun>[1] & { dir: string },
): Promise<void> {
  try {
    const recorded = await recordTrainingRun({
      ...server,
      run: recordedRun(manifest, run),
      archive: packPackage(readPackage(run.dir)),
    });
    process.stderr.write(
      `server: run ${recorded.id} recorded${recorded.model ? `, registered as ${recorded.model.name} v${recorded.model.version} (not promoted)` : ''}\n`,
    );
  } catch (error) {
    process.stderr.write(
      `warning: the run was not recorded on ${server.server} (${(error as Error).message}); the package is in ${run.dir}\n`,
    );
  }
}

async function score(values: Values, mode: 'evaluate' | 'predict'): Promise<void> {
  const pkg = readPackage(required(values, 'model'));
  const data = required(values, 'data');
  if (!existsSync(data)) throw new InputError(`--data ${data}: no such file`);
  const model = await loadPackageModel(pkg.manifest, pkg.model);
  const line = new ProgressLine();
  const onChunk = (p: { rowsRead: number; rowsFailed: number }) =>
    line.update(`${mode}: ${p.rowsRead.toLocaleString('en-US')} rows read, ${p.rowsFailed} rejected`);
  try {
    if (mode === 'evaluate') {
      const result = await scoreCsv(pkg.manifest, model, data, null, null, { onChunk, collectActuals: true });
      if (!result.actuals || result.actuals.actual.length === 0) {
        throw new InputError(
          `${data} has no usable "${pkg.manifest.target.column}" values to evaluate against`,
        );
      }
      line.done(`evaluate: ${result.rowsScored} rows scored, ${result.rowsFailed} rejected`);
      const metrics = regressionMetrics(result.actuals.actual, result.actuals.predicted);
      process.stdout.write(
        JSON.stringify({ model: pkg.manifest.model, rowsRejected: result.rowsFailed, metrics }, null, 2) +
          '\n',
      );
      return;
    }
    const out = required(values, 'out');
    const errorsPath = (values.errors as string | undefined) ?? out.replace(/(\.csv)?$/, '.errors.csv');
    mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    // Both files are written under temporary names and renamed only when scoring finished.
    const tmpOut = `${out}.tmp-${process.pid}`;
    const tmpErrors = `${errorsPath}.tmp-${process.pid}`;
    const output = createWriteStream(tmpOut);
    const errors = createWriteStream(tmpErrors);
    try {
      const result = await scoreCsv(pkg.manifest, model, data, output, errors, { onChunk });
      output.end();
      errors.end();
      await Promise.all([finished(output), finished(errors)]);
      renameSync(tmpOut, out);
      renameSync(tmpErrors, errorsPath);
      const warned = Object.entries(result.warnings).map(([kind, count]) => `${kind} ${count}`);
      line.done(
        `predict: ${result.rowsScored} rows scored into ${out}, ${result.rowsFailed} rejected into ${errorsPath}` +
          (warned.length > 0 ? `; rows with warnings: ${warned.join(', ')}` : ''),
      );
    } catch (error) {
      output.destroy();
      errors.destroy();
      rmSync(tmpOut, { force: true });
      rmSync(tmpErrors, { force: true });
      throw error;
    }
  } finally {
    await model.release();
  }
}

function validateSpecCommand(values: Values): void {
  const spec = loadSpec(required(values, 'spec'));
  process.stdout.write(`${spec.name}: valid, ${spec.columns.length} columns\n`);
  for (const c of spec.columns) {
    const detail =
      c.role === 'categorical'
        ? ` (${c.encoding}${c.levels ? `: ${c.levels.join(' < ')}` : ''})`
        : c.role === 'drop'
          ? ` (${c.reason})`
          : c.role === 'derived'
            ? ` = ${c.expr}`
            : c.role === 'date' && c.assemble
              ? ` (from ${Object.values(c.assemble).join(', ')})`
              : '';
    process.stdout.write(`  ${c.name}: ${c.role}${detail}\n`);
  }
}

function apiOptions(values: Values): ApiOptions {
  const key = (values.key as string | undefined) ?? process.env.HOUSING_API_KEY;
  if (!key) throw new InputError('--key (or $HOUSING_API_KEY) is required: an API key of the server');
  return { server: required(values, 'server'), key };
}

async function datasetCommand(sub: string | undefined, values: Values): Promise<void> {
  if (sub === 'push') {
    const { dataset, created } = await pushDataset({
      ...apiOptions(values),
      file: required(values, 'data'),
      spec: (values.spec as string | undefined) ?? 'housets',
    });
    process.stderr.write(`dataset push: ${created ? 'registered' : 'already registered'} ${dataset.id}\n`);
    process.stdout.write(JSON.stringify(dataset, null, 2) + '\n');
    return;
  }
  if (sub === 'pull') {
    const out = required(values, 'out');
    const dataset = await pullDataset({ ...apiOptions(values), id: required(values, 'id'), out });
    process.stderr.write(
      `dataset pull: ${dataset.id} (${dataset.rows} rows, sha256 ${dataset.sha256}) to ${out}\n`,
    );
    return;
  }
  throw new InputError(`usage: ml dataset push|pull …\n\n${USAGE}`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...afterCommand] = argv;
  // `ml dataset push|pull`: a sub-command before the options.
  const sub = command === 'dataset' ? afterCommand[0] : undefined;
  const rest = command === 'dataset' ? afterCommand.slice(1) : afterCommand;
  const { values } = parseArgs({
    args: rest,
    options: {
      size: { type: 'string' },
      out: { type: 'string' },
      dirty: { type: 'boolean' },
      seed: { type: 'string' },
      spec: { type: 'string' },
      data: { type: 'string' },
      trials: { type: 'string' },
      metric: { type: 'string' },
      seeds: { type: 'string' },
      'interval-level': { type: 'string' },
      fast: { type: 'boolean' },
      'progress-json': { type: 'boolean' },
      threads: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      model: { type: 'string' },
      errors: { type: 'string' },
      server: { type: 'string' },
      key: { type: 'string' },
      id: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (!command || values.help || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  switch (command) {
    case 'generate':
      await generate(values);
      return 0;
    case 'train':
      await train(values);
      return 0;
    case 'evaluate':
      await score(values, 'evaluate');
      return 0;
    case 'predict':
      await score(values, 'predict');
      return 0;
    case 'pack': {
      const out = required(values, 'out');
      writeFileSync(`${out}.tmp-${process.pid}`, packPackage(readPackage(required(values, 'model'))));
      renameSync(`${out}.tmp-${process.pid}`, out);
      process.stderr.write(`pack: ${out}\n`);
      return 0;
    }
    case 'validate-spec':
      validateSpecCommand(values);
      return 0;
    case 'dataset':
      await datasetCommand(sub, values);
      return 0;
    default:
      throw new InputError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

/**
 * Run by a training worker (ML_PARENT_PID names it), `ml` ends with it: a worker killed mid-run
 * (SIGKILL, out of memory) leaves no trainer behind. The worker starts it as a process-group leader,
 * so the whole group (the Python trainer included) goes.
 */
export function exitWithParent(env: NodeJS.ProcessEnv = process.env): void {
  const parent = Number(env.ML_PARENT_PID);
  if (!(parent > 0)) return;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    try {
      process.kill(-process.pid, 'SIGKILL');
    } catch {
      process.exit(1);
    }
  }, 1000);
  timer.unref();
}

if (require.main === module) {
  exitWithParent();
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const isInput =
        error instanceof InputError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      process.stderr.write(`\nerror: ${(error as Error).message}\n`);
      process.exit(isInput ? 2 : 1);
    },
  );
}
