import type { CleaningSummary } from '../dataset/prepare';
import type { ModelManifest } from '../package/manifest';
import type { TrainProgress } from '../train/train';

/**
 * The machine-readable progress of `ml train --progress-json`: one JSON object per line on stdout
 * (the human lines stay on stderr). A queued training run's worker reads these from its child.
 */
export type TrainProgressEvent =
  | { event: 'load'; rowsRead: number; bytes: number }
  | { event: 'prepared'; rowsRead: number; rowsKept: number; splits: Record<string, number>; cleaning: CleaningSummary }
  | { event: 'features'; rows: number; of: number }
  | { event: 'stage'; stage: string }
  | { event: 'trial'; n: number; of: number; seed?: number; metric: string; score: number | null; best: number | null }
  | { event: 'parity'; rows: number; maxRelDiff: number }
  | { event: 'package'; dir: string }
  | {
      event: 'result';
      package: string;
      model: ModelManifest['model'];
      datasetSha256: string;
      params: Record<string, unknown>;
      metrics: ModelManifest['metrics'];
      cv: unknown;
      trials: TrialRecord[];
      /** The MLflow run the training was logged to (MLFLOW_TRACKING_URI set). */
      mlflowRunId?: string;
    };

export interface TrialRecord {
  n: number;
  seed?: number;
  params: Record<string, unknown>;
  score: number | null;
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The JSON event of one progress step of trainModel (undefined: nothing worth a line). */
export function progressEvent(progress: TrainProgress): TrainProgressEvent | undefined {
  switch (progress.stage) {
    case 'load':
      return { event: 'load', rowsRead: progress.rows, bytes: progress.bytes };
    case 'prepared': {
      const s = progress.summary;
      return { event: 'prepared', rowsRead: s.rowsRead, rowsKept: s.rowsKept, splits: { ...s.splits }, cleaning: s };
    }
    case 'features':
      return { event: 'features', rows: progress.rows, of: progress.of };
    case 'trainer': {
      const e = progress.event as Record<string, unknown>;
      if (e.event === 'stage' && typeof e.stage === 'string') return { event: 'stage', stage: e.stage };
      if (e.event !== 'trial') return undefined;
      const metric = typeof e.metric === 'string' ? e.metric : 'rmse';
      return {
        event: 'trial',
        n: Number(e.number),
        of: Number(e.of),
        ...(typeof e.seed === 'number' && { seed: e.seed }),
        metric,
        score: num(typeof e.metric === 'string' ? e.score : e.rmse),
        best: num(typeof e.metric === 'string' ? e.best_score : e.best_rmse),
      };
    }
    case 'parity':
      return { event: 'parity', rows: progress.rows, maxRelDiff: progress.maxRelDiff };
    case 'package':
      return { event: 'package', dir: progress.dir };
  }
}

/** The trials of a package's evaluation.json (`[{number, params, value|score, seed?}]`) as [{n, params, score}]. */
export function trialRecords(raw: unknown): TrialRecord[] {
  const list = Array.isArray(raw) ? raw : [];
  return list.flatMap((t: Record<string, unknown>) => {
    if (!t || typeof t !== 'object') return [];
    const n = Number(t.number ?? t.n);
    if (!Number.isFinite(n)) return [];
    const score = num(t.cv_score ?? t.score ?? t.value ?? t.eval_rmse);
    return [
      {
        n,
        ...(typeof t.seed === 'number' && { seed: t.seed }),
        params: (t.params && typeof t.params === 'object' ? t.params : {}) as Record<string, unknown>,
        score,
      },
    ];
  });
}

/** Writes one event as a line on `out`. */
export function writeProgressEvent(out: NodeJS.WritableStream, event: TrainProgressEvent | undefined): void {
  if (event) out.write(`${JSON.stringify(event)}\n`);
}
