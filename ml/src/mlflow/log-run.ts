import { openAsBlob, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import {
  MLFLOW_LIMITS,
  MlflowClient,
  type MlflowClientDeps,
  type MlflowMetric,
  type MlflowParam,
  type MlflowTag,
} from './client';
import type { MlflowConfig } from './config';

type ParamValue = string | number | boolean | null | undefined;

/** One tuning trial: its metrics are logged as series with `step` = the trial number. */
export interface TrainingRunTrial {
  number: number;
  metrics: Record<string, number | null | undefined>;
}

/**
 * What one training run hands to MLflow: a plain object, so the CLI and a queued training worker log
 * the same way. Undefined, null and non-finite values are left out.
 */
export interface TrainingRunLog {
  runName: string;
  status: 'FINISHED' | 'FAILED';
  /** Milliseconds since the epoch, or a Date. */
  startTime: number | Date;
  endTime: number | Date;
  /** `mlflow.source.name`: what ran it, e.g. `ml train` or `training-worker`. */
  source: string;
  /** Extra run tags (spec name, dataset sha256, package version, …). */
  tags?: Record<string, ParamValue>;
  /** Who ran it (`mlflow.user`, MLflow's "Created by"). */
  user?: string | null;
  /** Known by MLflow as `mlflow.source.git.commit`. */
  gitCommit?: string | null;
  params?: Record<string, ParamValue>;
  /** Final metrics, each logged once at step 0. */
  metrics?: Record<string, number | null | undefined>;
  trials?: TrainingRunTrial[];
  /** The model package: its directory (files uploaded under `package/`) or its archive (uploaded as `package/<name>`). */
  package?: { dir: string } | { archive: string } | null;
  /** Why a FAILED run failed: logged as the `housing.error` tag. */
  error?: string | null;
}

/** The parts a report names; what was not logged is listed with the reason. */
export type LoggedPart = 'run' | 'params' | 'metrics' | 'tuning trials' | 'package' | 'status';

export interface MlflowLogReport {
  experimentId: string | null;
  runId: string | null;
  /** The run in MLflow's UI, when it was created. */
  runUrl: string | null;
  logged: LoggedPart[];
  notLogged: { part: LoggedPart; reason: string }[];
}

/** Package files larger than this are not uploaded (named in the report instead): the registry's default package limit. */
export const MAX_ARTIFACT_BYTES = 512 * 1024 * 1024;

const KEY_PATTERN = /[^\w./\- ]/g;

/** A name MLflow accepts as a param, metric or tag key (letters, digits, `_ . / - ` and space). */
export function mlflowKey(name: string): string {
  return name.replace(KEY_PATTERN, '_').slice(0, MLFLOW_LIMITS.keyLength);
}

const millis = (t: number | Date) => (typeof t === 'number' ? t : t.getTime());

function keyValues(values: Record<string, ParamValue> | undefined, maxLength: number): MlflowParam[] {
  return Object.entries(values ?? {})
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => ({ key: mlflowKey(k), value: String(v).slice(0, maxLength) }));
}

function finiteMetrics(
  values: Record<string, number | null | undefined>,
  timestamp: number,
  step: number,
): MlflowMetric[] {
  return Object.entries(values)
    .filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]))
    .map(([k, value]) => ({ key: mlflowKey(k), value, timestamp, step }));
}

function runTags(run: TrainingRunLog): MlflowTag[] {
  return keyValues(
    {
      'mlflow.source.name': run.source,
      'mlflow.source.type': 'LOCAL',
      'mlflow.source.git.commit': run.gitCommit,
      'mlflow.user': run.user,
      ...run.tags,
    },
    MLFLOW_LIMITS.tagValueLength,
  );
}

/** Files of a package directory (relative paths, sorted), or the archive alone. */
function packageFiles(pkg: NonNullable<TrainingRunLog['package']>): { file: string; artifactPath: string }[] {
  if ('archive' in pkg) return [{ file: pkg.archive, artifactPath: `package/${path.basename(pkg.archive)}` }];
  const files: { file: string; artifactPath: string }[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, `${prefix}${entry.name}/`);
      else if (entry.isFile()) files.push({ file: full, artifactPath: `package/${prefix}${entry.name}` });
    }
  };
  walk(pkg.dir, '');
  return files;
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The experiment (created when missing) and a new run in it with the run's tags. */
async function startRun(
  client: MlflowClient,
  config: MlflowConfig,
  run: TrainingRunLog,
): Promise<{ experimentId: string; runId: string; artifactUri: string }> {
  const experimentId = await client.ensureExperiment(config.experimentName);
  const info = await client.createRun({
    experimentId,
    runName: run.runName,
    startTime: millis(run.startTime),
    tags: runTags(run),
  });
  return { experimentId, runId: info.run_id, artifactUri: info.artifact_uri ?? '' };
}

/** Each package file through the artifact proxy, streamed from disk. */
async function uploadPackage(
  client: MlflowClient,
  artifactUri: string,
  pkg: NonNullable<TrainingRunLog['package']>,
): Promise<void> {
  for (const { file, artifactPath } of packageFiles(pkg)) {
    const size = statSync(file).size;
    if (size > MAX_ARTIFACT_BYTES)
      throw new Error(`${artifactPath} is ${size} bytes, over the ${MAX_ARTIFACT_BYTES}-byte upload limit`);
    await client.uploadArtifact(artifactUri, artifactPath, await openAsBlob(file));
  }
}

/** The parts after the run itself, in the order they are logged. */
function partsOf(run: TrainingRunLog): LoggedPart[] {
  return [
    'params',
    'metrics',
    ...(run.trials && run.trials.length > 0 ? (['tuning trials'] as const) : []),
    ...(run.package ? (['package'] as const) : []),
    'status',
  ];
}

/**
 * Logs a finished (or failed) training run to MLflow: experiment (created if missing), run with its tags,
 * params, final metrics, one metric series per tuning-trial metric, the package as artifacts, then the
 * final status. Never throws: every part that could not be logged is in `notLogged` with its reason, so
 * a training run never fails because MLflow is down.
 */
export async function logTrainingRun(
  config: MlflowConfig,
  run: TrainingRunLog,
  deps: MlflowClientDeps = {},
): Promise<MlflowLogReport> {
  const client = new MlflowClient(config, deps);
  const report: MlflowLogReport = {
    experimentId: null,
    runId: null,
    runUrl: null,
    logged: [],
    notLogged: [],
  };
  const parts = partsOf(run);
  let started: Awaited<ReturnType<typeof startRun>>;
  try {
    started = await startRun(client, config, run);
  } catch (error) {
    const reason = reasonOf(error);
    report.notLogged.push(...(['run', ...parts] as LoggedPart[]).map((part) => ({ part, reason })));
    return report;
  }
  const { experimentId, runId, artifactUri } = started;
  Object.assign(report, {
    experimentId,
    runId,
    runUrl: `${config.trackingUri}/#/experiments/${experimentId}/runs/${runId}`,
    logged: ['run'],
  });
  const endTime = millis(run.endTime);
  const send: Record<LoggedPart, () => Promise<void>> = {
    run: async () => undefined,
    params: () =>
      client.logBatch(runId, {
        params: keyValues(run.params, MLFLOW_LIMITS.paramValueLength),
        // The error goes with the params batch: it is there even when the status update fails.
        tags: keyValues({ 'housing.error': run.error }, MLFLOW_LIMITS.tagValueLength),
      }),
    metrics: () => client.logBatch(runId, { metrics: finiteMetrics(run.metrics ?? {}, endTime, 0) }),
    'tuning trials': () =>
      client.logBatch(runId, {
        metrics: (run.trials ?? []).flatMap((t) => finiteMetrics(t.metrics, endTime, t.number)),
      }),
    package: () => uploadPackage(client, artifactUri, run.package!),
    status: () => client.updateRun(runId, run.status, endTime),
  };
  for (const part of parts) {
    try {
      await send[part]();
      report.logged.push(part);
    } catch (error) {
      report.notLogged.push({ part, reason: reasonOf(error) });
    }
  }
  return report;
}

/** One line for a person: what was not logged and why (empty when everything was). */
export function describeNotLogged(config: MlflowConfig, report: MlflowLogReport): string | null {
  if (report.notLogged.length === 0) return null;
  const byReason = new Map<string, LoggedPart[]>();
  for (const { part, reason } of report.notLogged)
    byReason.set(reason, [...(byReason.get(reason) ?? []), part]);
  const parts = [...byReason].map(([reason, list]) => `${list.join(', ')} (${reason})`);
  return `MLflow at ${config.trackingUri}: not logged: ${parts.join('; ')}`;
}
