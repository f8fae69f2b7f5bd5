import * as path from 'node:path';
import type { PreparedDataset } from '../dataset/prepare';
import { EVAL, TRAIN } from '../dataset/split';
import { NpyWriter } from '../npy';
import type { DatasetSpec, TrainingMetric } from '../spec/schema';

/** Nominal coverage of prediction intervals unless the spec or CLI says otherwise. */
export const DEFAULT_INTERVAL_LEVEL = 0.9;

/** Default folds: 4 expanding time windows for a time split, 5-fold for a random split. */
export const DEFAULT_FOLDS = { time: 4, kfold: 5 } as const;

/** The trainer's config.json keys for model selection (see ml/trainer/README.md). */
export function selectionConfig(
  spec: DatasetSpec,
  options: { metric?: TrainingMetric; seeds?: number; intervalLevel?: number },
): {
  metric: TrainingMetric | null;
  seeds: number;
  interval_level: number;
  cv: { kind: 'time' | 'kfold'; folds: number };
} {
  const kind = spec.split.kind === 'time' ? 'time' : 'kfold';
  return {
    metric: options.metric ?? spec.training?.metric ?? null,
    seeds: options.seeds ?? 1,
    interval_level: options.intervalLevel ?? spec.training?.intervalLevel ?? DEFAULT_INTERVAL_LEVEL,

    cv: { kind, folds: spec.training?.folds ?? DEFAULT_FOLDS[kind] },
  };
}

/** t_train.npy / t_eval.npy: the split date (days) of each train and eval row, in matrix order, for time folds. */
export function writeTimeKeys(data: PreparedDataset, dir: string): void {
  const rule = data.spec.split;
  if (rule.kind !== 'time') return;
  const days = data.dates[rule.column]!;
  for (const [split, name] of [
    [TRAIN, 'train'],
    [EVAL, 'eval'],
  ] as const) {
    const values: number[] = [];
    for (let i = 0; i < data.rows; i++) if (data.split[i] === split) values.push(days[i]!);
    const writer = new NpyWriter(path.join(dir, `t_${name}.npy`), '<f8', [values.length]);
    writer.write(Float64Array.from(values));
    writer.close();
  }
}

/** Over the seeds: mean, sample standard deviation, min and max. */
export interface Spread {
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
}

/** selection.json of the trainer, as recorded in the manifest's `training` field. */
export interface TrainingRecord {
  metric: TrainingMetric;
  selectedBy: 'cv' | 'eval';
  cv: { kind: 'time' | 'kfold'; folds: number; foldRows: { trainRows: number; validRows: number }[] } | null;
  servedSeed: number;
  seeds: {
    seed: number;
    mode: string;
    selectionScore: number;
    foldScores: number[] | null;
    nEstimators: number;
    holdout: Record<string, number | null>;
  }[];
  spread: { selectionScore: Spread; holdout: Record<string, Spread> };
}

interface SelectionJson {
  metric: TrainingMetric;
  selected_by: 'cv' | 'eval';
  cv: {
    kind: 'time' | 'kfold';
    folds: number;
    fold_rows: { train_rows: number; valid_rows: number }[];
  } | null;
  served_seed: number;
  seeds: {
    seed: number;
    mode: string;
    selection_score: number;
    fold_scores: number[] | null;
    n_estimators: number;
    holdout: Record<string, number | null>;
  }[];
  spread: { selection_score: Spread; holdout: Record<string, Spread> };
}

export function trainingRecord(json: SelectionJson): TrainingRecord {
  return {
    metric: json.metric,
    selectedBy: json.selected_by,
    cv: json.cv && {
      kind: json.cv.kind,
      folds: json.cv.folds,
      foldRows: json.cv.fold_rows.map((f) => ({ trainRows: f.train_rows, validRows: f.valid_rows })),
    },
    servedSeed: json.served_seed,
    seeds: json.seeds.map((s) => ({
      seed: s.seed,
      mode: s.mode,
      selectionScore: s.selection_score,
      foldScores: s.fold_scores,
      nEstimators: s.n_estimators,
      holdout: s.holdout,
    })),
    spread: { selectionScore: json.spread.selection_score, holdout: json.spread.holdout },
  };
}
