import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mlflowConfigFromEnv, type MlflowConfig } from '../mlflow/config';
import {
  describeNotLogged,
  logTrainingRun,
  type MlflowLogReport,
  type TrainingRunLog,
} from '../mlflow/log-run';
import {
  failedTrainingRun,
  finishedTrainingRun,
  type TrainingRunOptions,
  type TrialResult,
} from '../mlflow/training-run';
import type { ModelEvaluation, ModelManifest } from '../package/manifest';
import { defaultVersion, type TrainProgress } from '../train/train';

const SOURCE = 'ml train';

/** The OS user running the command, as MLflow's own client records it (none when it cannot be read). */
function osUser(): string | null {
  try {
    return os.userInfo().username;
  } catch {
    return null;
  }
}

/**
 * `ml train`'s MLflow side: collects the tuning trials as they arrive, then logs the finished or failed
 * run. Logging never throws: what could not be logged is a warning on stderr, and the command's outcome
 * is the training's alone.
 */
export class MlflowTrainRun {
  private readonly startTime = new Date();
  private readonly trials: TrialResult[] = [];
  private cvMetric: string | null = null;

  private constructor(
    private readonly config: MlflowConfig,
    private readonly options: TrainingRunOptions,
    private readonly spec: string,
    private readonly model: { name?: string; version?: string },
  ) {}

  /** Null when MLFLOW_TRACKING_URI is unset; an unusable MLflow setting is an InputError before training. */
  static fromEnv(
    env: NodeJS.ProcessEnv,
    run: { options: TrainingRunOptions; spec: string; name?: string; version?: string },
  ): MlflowTrainRun | null {
    const config = mlflowConfigFromEnv(env);
    return (
      config && new MlflowTrainRun(config, run.options, run.spec, { name: run.name, version: run.version })
    );
  }

  /** Keeps the trainer's trial events: all a failed run has to show of its tuning. */
  onProgress(progress: TrainProgress): void {
    if (progress.stage !== 'trainer' || progress.event.event !== 'trial') return;
    const e = progress.event as Record<string, unknown>;
    if (typeof e.number !== 'number') return;
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    this.trials.push({
      number: e.number,
      cv_score: num(e.score),
      eval_rmse: num(e.rmse),
      seconds: num(e.seconds),
    });
    if (typeof e.metric === 'string') this.cvMetric = e.metric;
  }

  async finished(dir: string, manifest: ModelManifest): Promise<MlflowLogReport | null> {
    return this.log('FINISHED', () =>
      finishedTrainingRun({
        manifest,
        evaluation: readTrials(dir),
        package: { dir },
        options: this.options,
        startTime: this.startTime,
        endTime: new Date(),
        source: SOURCE,
      }),
    );
  }

  async failed(error: unknown): Promise<void> {
    const name = this.model.name ?? `${this.spec}-xgboost`;
    const version = this.model.version ?? defaultVersion(this.startTime);
    await this.log('FAILED', () =>
      failedTrainingRun({
        runName: `${name}-${version}`,
        spec: this.spec,
        options: this.options,
        trials: this.trials,
        cvMetric: this.cvMetric,
        error,
        startTime: this.startTime,
        endTime: new Date(),
        source: SOURCE,
      }),
    );
  }

  private async log(
    status: TrainingRunLog['status'],
    build: () => TrainingRunLog,
  ): Promise<MlflowLogReport | null> {
    const outcome = status === 'FINISHED' ? 'the training run itself succeeded' : 'the training run failed';
    let report: MlflowLogReport;
    try {
      report = await logTrainingRun(this.config, { user: osUser(), ...build() });
    } catch (error) {
      // logTrainingRun reports rather than throws; this is reading the package for it going wrong.
      process.stderr.write(`warning: MLflow: nothing logged (${(error as Error).message}) (${outcome})\n`);
      return null;
    }
    const warning = describeNotLogged(this.config, report);
    process.stderr.write(
      warning
        ? `warning: ${warning} (${outcome})\n`
        : `mlflow: run ${report.runId} logged to ${report.runUrl}\n`,
    );
    return report;
  }
}

/** The tuning trials of a package just written (evaluation.json keeps the trainer's records whole). */
function readTrials(dir: string): Pick<ModelEvaluation, 'trials'> {
  const evaluation = JSON.parse(readFileSync(path.join(dir, 'evaluation.json'), 'utf8')) as ModelEvaluation;
  return { trials: evaluation.trials };
}
