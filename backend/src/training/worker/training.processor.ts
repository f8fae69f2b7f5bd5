import { createReadStream, createWriteStream, mkdtempSync, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { packPackage, readPackage } from '@housing/ml';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { RegistryService } from '../../model-registry/registry.service';
import { ARTIFACT_STORE, type ArtifactStore } from '../../storage/artifact-store';
import { AttemptAborted, PermanentJobError, abortReasonOf, openInput } from '../../jobs/attempt-errors';
import {
  AttemptRunner,
  type Attempt,
  type AttemptOutcome,
  type AttemptStep,
} from '../../jobs/attempt-runner';
import {
  trainingKeys,
  type TrainingJobData,
  type TrainingProgress,
  type TrainingTrial,
} from '../shared/training.constants';
import type { TrainingRunEntity } from '../shared/training-run.entity';
import { TrainingRunsRepository } from '../shared/training-runs.repository';
import { TrainerChild, type ChildEvent, type TrainerExit } from './trainer-child';
import { TrainingRunMeter } from './training-run.meter';
import { progressOf, trainArgs, trainerFailure } from './training-progress';

export type TrainingJob = Pick<
  Job<TrainingJobData>,
  'id' | 'data' | 'attemptsMade' | 'opts' | 'updateProgress' | 'extendLock'
> & {
  stalledCounter?: number;
};

/** The `ml` CLI of @housing/ml's build, unless TRAINING_ML_CLI names another. */
export function mlCliPath(config: AppConfig): string {
  if (config.TRAINING_ML_CLI) return path.resolve(config.TRAINING_ML_CLI);
  return path.join(path.dirname(require.resolve('@housing/ml/package.json')), 'dist', 'cli', 'main.js');
}

/** Variables the trainer child does not need and must not see. */
const PRIVATE_ENV = ['BOOTSTRAP_ADMIN_KEY', 'DATABASE_URL', 'REDIS_URL'];

interface ResultEvent {
  model: { name: string };
  datasetSha256: string;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  cv: unknown;
  trials: TrainingTrial[];
  mlflowRunId?: string;
}

/**
 * One attempt at a training run: fetches the input, runs `ml train --progress-json` as a child process
 * (own process group, lower CPU priority, time limit), writes its progress to the row while it holds
 * it, keeps the log (tail on the row, whole in the store), and registers the package as a new version
 * (not promoted). Cancelled, lost or shut down: the child's group is stopped (SIGTERM, then SIGKILL).
 */
@Injectable()
export class TrainingProcessor {
  private readonly logger = new Logger('TrainingProcessor');
  private readonly runner: AttemptRunner;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly runs: TrainingRunsRepository,
    private readonly registry: RegistryService,
    private readonly meter: TrainingRunMeter,
  ) {
    this.runner = new AttemptRunner(
      { lockMs: config.TRAINING_STALLED_MS, progressIntervalMs: config.TRAINING_PROGRESS_INTERVAL_MS },
      this.logger,
    );
  }

  process(
    job: TrainingJob,
    token: string | undefined,
    signal: AbortSignal | undefined,
    workerId: string,
  ): Promise<AttemptOutcome<{ modelVersion: number }>> {
    // training_runs_total{outcome} and training_run_duration_seconds, whatever the attempt's end.
    return this.meter.measure(job, () =>
      this.runner.run(this.runs.attempts, job.data.runId, job, token, signal, workerId, this.step()),
    );
  }

  private step(): AttemptStep<TrainingRunEntity, { modelVersion: number }> {
    return {
      label: (row) => `training run ${row.id}`,
      run: async (attempt) => {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'housing-training-'));
        try {
          return await this.train(attempt, dir);
        } finally {
          await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
        }
      },
      onFailure: async (attempt) =>
        ({ progress: { ...(attempt.row.progress ?? { phase: 'failed' }) } }) as never,
    };
  }

  private async train(attempt: Attempt<TrainingRunEntity>, dir: string) {
    const row = attempt.row;
    if (!row.inputKey || !row.spec) throw new PermanentJobError('the run has no input or no spec');
    const input = path.join(dir, 'input.csv');
    const specFile = path.join(dir, 'spec.json');
    const packageDir = path.join(dir, 'package');
    await attempt.update({ progress: { phase: 'fetching input' } } as never);
    await pipeline(
      await openInput(() => this.store.getStream(row.inputKey!), row.inputKey),
      createWriteStream(input),
    );
    await fs.writeFile(specFile, JSON.stringify(row.spec));

    const { exit, result, tail, progress } = await this.runChild(
      attempt,
      [
        mlCliPath(this.config),
        ...trainArgs({
          input,
          specFile,
          packageDir,
          options: row.options,
          threads: this.config.TRAINING_THREADS,
        }),
      ],
      path.join(dir, 'train.log'),
    );

    const stopped = exit.stoppedFor;
    if (stopped === 'cancelled' || stopped === 'shutdown' || stopped === 'lost')
      throw new AttemptAborted(stopped);
    if (stopped === 'time limit')
      throw new PermanentJobError(
        `stopped at its time limit of ${this.timeLimitSeconds(row)} s (after ${Math.round(exit.durationMs / 1000)} s)`,
      );
    if (exit.code !== 0 || !result) {
      const failure = trainerFailure(exit, tail);
      // Exit 2 is `ml`'s input error (bad spec or data): retrying cannot help.
      throw exit.code === 2 || (!result && exit.code === 0)
        ? new PermanentJobError(failure)
        : new Error(failure);
    }

    // The last progress the trainer reported (rows, cleaning summary, splits, trials) stays on the row.
    await attempt.update({ progress: { ...progress, phase: 'registering' } } as never);
    await attempt.assertHolds();
    const version = await this.registry.registerArchive(packPackage(readPackage(packageDir)), row.apiKeyId);
    const holdoutKey = trainingKeys.holdout(row.id);
    await this.store.put(
      holdoutKey,
      JSON.stringify({
        inputUri: row.inputUri,
        datasetSha256: result.datasetSha256,
        split: (row.spec as unknown as { split?: unknown }).split ?? null,
        rows: progress.splits?.holdout ?? null,
        recompute: 'prepareDataset(spec, input) from @housing/ml and keep the rows whose split is holdout',
      }),
    );
    this.logger.log(`training run ${row.id}: registered ${version.name} v${version.version} (not promoted)`);
    const fields: QueryDeepPartialEntity<TrainingRunEntity> = {
      params: result.params,
      metrics: { ...result.metrics, cv: result.cv },
      trials: result.trials,
      datasetSha256: result.datasetSha256,
      durationMs: exit.durationMs,
      holdoutKey,
      modelVersionId: version.id,
      modelName: version.name,
      modelVersion: version.version,
      mlflowRunId: result.mlflowRunId ?? null,
      progress: { ...progress, phase: 'done' },
    } as never;
    return { fields, result: { modelVersion: version.version } };
  }

  private timeLimitSeconds(row: TrainingRunEntity): number {
    return Math.min(row.options.timeLimitSeconds ?? Infinity, this.config.TRAINING_TIME_LIMIT_SECONDS);
  }

  /**
   * Runs the child to its end: progress written to the row (at most every TRAINING_PROGRESS_INTERVAL_MS,
   * and only while this attempt holds it), stopped on abort or at the time limit; the log is stored and
   * its tail kept on the row whatever the end (a cancelled run's too).
   */
  private async runChild(
    attempt: Attempt<TrainingRunEntity>,
    args: string[],
    logFile: string,
  ): Promise<{ exit: TrainerExit; result?: ResultEvent; tail: string; progress: TrainingProgress }> {
    const row = attempt.row;
    const env: NodeJS.ProcessEnv = { ...process.env, ML_PARENT_PID: String(process.pid) };
    for (const name of PRIVATE_ENV) delete env[name];
    let progress: TrainingProgress = { phase: 'starting' };
    let rowsRead = 0;
    let result: ResultEvent | undefined;
    let lastWrite = 0;
    let writing: Promise<void> = Promise.resolve();
    let child: TrainerChild | undefined = undefined;
    const write = (force: boolean) => {
      if (!force && Date.now() - lastWrite < this.config.TRAINING_PROGRESS_INTERVAL_MS) return;
      lastWrite = Date.now();
      const fields = { progress, rowsRead, logTail: child?.tail.text() ?? null };
      writing = writing
        .then(() => attempt.update(fields as never))
        .catch((error: unknown) => {
          if (error instanceof AttemptAborted) child?.stop(error.reason);
        });
    };
    const onEvent = (event: ChildEvent) => {
      if (event.event === 'result') {
        result = event as unknown as ResultEvent;
        return;
      }
      const next = progressOf(progress, event);
      if (!next) return;
      const important =
        next.phase !== progress.phase || event.event === 'trial' || event.event === 'prepared';
      progress = next;
      rowsRead = next.rowsRead ?? rowsRead;
      write(important);
    };
    child = new TrainerChild({
      command: process.execPath,
      args: [...process.execArgv, ...args],
      env,
      nice: this.config.TRAINING_NICE,
      logFile,
      onEvent,
      killGraceMs: this.config.TRAINING_KILL_GRACE_MS,
    });
    this.logger.log(
      `training run ${row.id}: trainer child ${child.pid} started (nice ${this.config.TRAINING_NICE})`,
    );
    const started = child;
    const onAbort = () => started.stop(abortReasonOf(attempt.signal) ?? 'lost');
    attempt.signal?.addEventListener('abort', onAbort);
    if (attempt.signal?.aborted) onAbort();
    const limit = setTimeout(() => started.stop('time limit'), this.timeLimitSeconds(row) * 1000);
    // The row is polled too: a cancel whose message was missed still stops the trainer.
    const poll = setInterval(
      () => {
        void this.runs.attempts.holding(row.id, attempt.attemptId).then(
          (holding) => holding !== 'held' && started.stop(holding),
          () => undefined,
        );
      },
      Math.max(1000, this.config.TRAINING_PROGRESS_INTERVAL_MS),
    );
    let exit: TrainerExit;
    try {
      exit = await started.exited;
    } finally {
      clearTimeout(limit);
      clearInterval(poll);
      attempt.signal?.removeEventListener('abort', onAbort);
    }
    await writing;
    const tail = started.tail.text();
    await this.keepLog(row.id, attempt.attemptId, logFile, tail, exit.durationMs);
    this.logger.log(
      `training run ${row.id}: trainer child ${started.pid} ended (${exit.stoppedFor ?? `exit ${exit.code ?? exit.signal}`}, ${exit.durationMs} ms)`,
    );
    return { exit, result, tail, progress };
  }

  /** The whole log to the store and its tail on the row, whatever the run's status (only this attempt's row). */
  private async keepLog(
    id: string,
    attemptId: string,
    logFile: string,
    tail: string,
    durationMs: number,
  ): Promise<void> {
    const key = trainingKeys.log(id);
    try {
      await this.store.putStream(key, createReadStream(logFile));
      await this.runs.keepLog(id, attemptId, { logKey: key, logTail: tail, durationMs });
    } catch (error) {
      this.logger.warn(`training run ${id}: could not keep the log (${(error as Error).message})`);
      await this.runs.keepLog(id, attemptId, { logTail: tail, durationMs }).catch(() => undefined);
    }
  }
}
