/** The BullMQ queue of training runs (API producers, training-worker consumers). */
export const TRAINING_QUEUE = 'training';

/** The job name of a queued training run on it. */
export const TRAIN_JOB = 'train';

/** Data of a queued training run: everything else lives on its database row. */
export interface TrainingJobData {
  runId: string;
}

/** Built-in specs of ml/specs a run may name (`specName`). */
export const BUILTIN_SPEC_NAMES = ['housets', 'ames', 'california-blocks'] as const;

/** Artifact keys of a run's files. */
export const trainingKeys = {
  input: (runId: string) => `training/${runId}/input.csv`,
  /** The whole log of the run's last attempt (the row keeps its tail). */
  log: (runId: string) => `training/${runId}/train.log`,
  /** Where the holdout rows the run was evaluated on can be recomputed from (input, sha256, split rule). */
  holdout: (runId: string) => `training/${runId}/holdout.json`,
  /** A package archive sent by `ml train --server` before it is registered. */
  upload: (runId: string) => `training/${runId}/package.tar.gz`,
  prefix: (runId: string) => `training/${runId}/`,
};

/** What a run was asked to do (besides its input and spec). */
export interface TrainingOptions {
  /** Tuning trials (ignored with `fast`). */
  trials?: number;
  metric?: 'rmse' | 'mae' | 'mape' | 'rmsle';
  seeds?: number;
  fast?: boolean;
  /** Per-run time limit, capped by TRAINING_TIME_LIMIT_SECONDS. */
  timeLimitSeconds?: number;
  /** The registered model's name; default `<spec name>-xgboost`. */
  modelName?: string;
}

/** Live progress of a running run, as the worker reads it from `ml train --progress-json`. */
export interface TrainingProgress {
  phase: string;
  rowsRead?: number;
  rowsKept?: number;
  splits?: Record<string, number>;
  cleaning?: Record<string, unknown>;
  trial?: { n: number; of: number; seed?: number; metric: string; score: number | null; best: number | null };
}

export interface TrainingTrial {
  n: number;
  seed?: number;
  params: Record<string, unknown>;
  score: number | null;
}

export {
  JOB_STATUSES,
  FINISHED_STATUSES,
  UNFINISHED_STATUSES,
  type JobStatus,
} from '../../jobs/job-lifecycle';
