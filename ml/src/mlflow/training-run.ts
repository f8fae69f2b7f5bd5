import type { Metrics, ModelEvaluation, ModelManifest } from '../package/manifest';
import type { TrainingRunLog, TrainingRunTrial } from './log-run';

/** The options a training run was started with (CLI flags or a queued job's request), logged as `train.*` params. */
export type TrainingRunOptions = Record<string, string | number | boolean | null | undefined>;

/** A tuning trial as the trainer reports it: evaluation.json's `trials` or the progress `trial` events. */
export interface TrialResult {
  number: number;
  /** The selection objective of the trial: the mean CV metric with cross-validation. */
  cv_score?: number | null;
  /** Eval-window RMSE in price space (the folds' mean with CV). */
  eval_rmse?: number | null;
  seconds?: number | null;
}

const METRIC_NAMES = ['mape', 'rmsle', 'mae', 'rmse', 'r2'] as const;

function splitMetrics(
  prefix: string,
  metrics: Metrics | undefined,
): Record<string, number | null | undefined> {
  if (!metrics) return {};
  return Object.fromEntries(METRIC_NAMES.map((name) => [`${prefix}_${name}`, metrics[name]]));
}

/**
 * One series per trial metric, step = trial number: the objective (`trial_cv_<metric>`, or `trial_eval_rmse`
 * without CV), its best so far, the price RMSE and the trial's seconds.
 */
export function trialSeries(trials: TrialResult[], cvMetric: string | null): TrainingRunTrial[] {
  const objective = cvMetric ? `trial_cv_${cvMetric}` : 'trial_eval_rmse';
  let best = Infinity;
  return [...trials]
    .sort((a, b) => a.number - b.number)
    .map((trial) => {
      const score = cvMetric ? trial.cv_score : trial.eval_rmse;
      if (typeof score === 'number' && Number.isFinite(score)) best = Math.min(best, score);
      return {
        number: trial.number,
        metrics: {
          [objective]: score,
          [`${objective.replace('trial_', 'trial_best_')}`]: Number.isFinite(best) ? best : null,
          ...(cvMetric && { trial_rmse: trial.eval_rmse }),
          trial_seconds: trial.seconds,
        },
      };
    });
}

function optionParams(options: TrainingRunOptions): Record<string, TrainingRunOptions[string]> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [`train.${k}`, v]));
}

/** A finished run's record for MLflow, from its package (manifest and evaluation.json). */
export function finishedTrainingRun(input: {
  manifest: ModelManifest;
  evaluation: Pick<ModelEvaluation, 'trials'>;
  /** The package directory or its archive. */
  package: TrainingRunLog['package'];
  options: TrainingRunOptions;
  startTime: number | Date;
  endTime: number | Date;
  source: string;
}): TrainingRunLog {
  const { manifest } = input;
  const training = manifest.training;
  const served = training?.seeds.find((s) => s.seed === training.servedSeed);
  const cvMetric = training?.selectedBy === 'cv' ? training.metric : null;
  return {
    runName: `${manifest.model.name}-${manifest.model.version}`,
    status: 'FINISHED',
    startTime: input.startTime,
    endTime: input.endTime,
    source: input.source,
    gitCommit: manifest.lineage.gitCommit,
    tags: {
      'housing.spec': manifest.spec.name,
      'housing.model_name': manifest.model.name,
      'housing.package_version': manifest.model.version,
      'housing.dataset_sha256': manifest.lineage.datasetSha256,
      'housing.dataset_file': manifest.lineage.datasetFile,
    },
    params: {
      spec: manifest.spec.name,
      ...optionParams(input.options),
      ...(training && {
        selection_metric: training.metric,
        selected_by: training.selectedBy,
        cv_kind: training.cv?.kind,
        cv_folds: training.cv?.folds,
        served_seed: training.servedSeed,
      }),
      ...(manifest.hyperparameters as Record<string, string | number | boolean | null>),
    },
    metrics: {
      ...splitMetrics('holdout', manifest.metrics.holdout),
      ...splitMetrics('eval', manifest.metrics.eval),
      ...splitMetrics('baseline_holdout', manifest.metrics.baseline.holdout),
      ...(training && served && { [`${training.selectedBy}_${training.metric}`]: served.selectionScore }),
      ...(training &&
        training.seeds.length > 1 && {
          [`${training.selectedBy}_${training.metric}_std`]: training.spread.selectionScore.std,
        }),
      holdout_rows: manifest.metrics.holdout.rows,
      ...(manifest.intervals && {
        interval_level: manifest.intervals.level,
        interval_holdout_coverage: manifest.intervals.holdout.coverage,
      }),
    },
    trials: trialSeries(input.evaluation.trials as TrialResult[], cvMetric),
    package: input.package,
  };
}

/** A failed run's record: what it was asked to do, the trials it got through, and the error. */
export function failedTrainingRun(input: {
  runName: string;
  spec: string;
  options: TrainingRunOptions;
  trials: TrialResult[];
  /** The selection metric the trials' cv_score is of, when known. */
  cvMetric: string | null;
  error: unknown;
  startTime: number | Date;
  endTime: number | Date;
  source: string;
}): TrainingRunLog {
  const message = input.error instanceof Error ? input.error.message : String(input.error);
  return {
    runName: input.runName,
    status: 'FAILED',
    startTime: input.startTime,
    endTime: input.endTime,
    source: input.source,
    tags: { 'housing.spec': input.spec },
    params: { spec: input.spec, ...optionParams(input.options) },
    metrics: {},
    trials: trialSeries(input.trials, input.cvMetric),
    error: message,
  };
}
