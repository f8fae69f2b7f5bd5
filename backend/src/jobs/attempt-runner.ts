import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { UnrecoverableError, WaitingChildrenError, type Job } from 'bullmq';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AttemptAborted, abortReasonOf, classify, reasonOf } from './attempt-errors';
import type { JobAttempts } from './job-attempts.repository';
import {
  FINISHED_STATUSES,
  NO_COUNTERS,
  type AttemptCounters,
  type JobLifecycleColumns,
} from './job-lifecycle';

/** The part of a BullMQ job an attempt needs (so tests can drive an attempt without a queue). */
export type AttemptJob = Pick<Job, 'attemptsMade' | 'opts' | 'updateProgress' | 'extendLock'> & {
  stalledCounter?: number;
};

/** One attempt at a job, as its processor sees it. */
export interface Attempt<T> {
  /** The row as claimed (or resumed) by this attempt. */
  readonly row: T;
  readonly attemptId: string;
  /** How far this attempt got: set through checkpoint; written on a failed row. */
  readonly counters: AttemptCounters;
  readonly signal: AbortSignal | undefined;
  /**
   * Called between chunks: stops the attempt when it was cancelled, lost or the worker is shutting
   * down (throws AttemptAborted), and at most every progress interval writes the counters to the row
   * (only while this attempt holds it) and the BullMQ job's progress.
   */
  checkpoint(counters: AttemptCounters, progress?: Record<string, unknown>): Promise<void>;
  /** Throws AttemptAborted unless this attempt still holds the BullMQ lock and the row: call before publishing. */
  assertHolds(): Promise<void>;
  /** Writes the entity's own fields while this attempt holds the row (throws AttemptAborted otherwise). */
  update(fields: QueryDeepPartialEntity<T>): Promise<void>;
}

/** A processor's own work in an attempt. */
export interface AttemptStep<T, R> {
  /** What the logs call the row: `job 1234`, `evaluation 5678`. */
  label(row: T): string;
  /** Does the work; returns the fields the completed row gets and the processor's result. */
  run(attempt: Attempt<T>): Promise<{ fields: QueryDeepPartialEntity<T>; result: R }>;
  /** Before a failed row is written: may publish what explains the failure; returns fields for the row. */
  onFailure?(attempt: Attempt<T>, error: unknown): Promise<QueryDeepPartialEntity<T>>;
  /**
   * After the attempt, whatever its end (e.g. deleting its temporary objects): `finished` when the row
   * will not be attempted again (completed, failed for good, cancelled). Never throws.
   */
  cleanup?(attempt: Attempt<T>, finished: boolean): Promise<void>;
}

export type AttemptOutcome<R> =
  { outcome: 'completed'; result: R } | { outcome: 'cancelled' } | { outcome: 'skipped'; detail: string };

/** Thrown by a step that handed its work to child jobs: the row stays running, the queue job waits. */
export class WaitingForChildren extends Error {
  constructor() {
    super('waiting for child jobs');
  }
}

export interface AttemptRunnerOptions {
  /** Lock duration: an attempt extends the lock by this much when checking that it still holds the job. */
  lockMs: number;
  /** Least time between progress writes. */
  progressIntervalMs: number;
}

/**
 * Runs one attempt at any queued job kind: claim → the processor's step with fenced progress →
 * complete, or on failure: stop (cancelled), hand back to the queue (lost, shutdown), fail now
 * (permanent), or requeue for a retry with backoff (transient, attempts remaining). BullMQ is told
 * what to do by what `run` returns or throws: UnrecoverableError fails the queue job at once, any
 * other error retries it, WaitingChildrenError parks it until its children finished.
 */
export class AttemptRunner {
  constructor(
    private readonly options: AttemptRunnerOptions,
    private readonly logger: Logger = new Logger('AttemptRunner'),
  ) {}

  /** A new attempt: claims the row (a finished or cancelled one is skipped). */
  async run<T extends JobLifecycleColumns & { id: string }, R>(
    rows: JobAttempts<T>,
    id: string,
    job: AttemptJob,
    token: string | undefined,
    signal: AbortSignal | undefined,
    workerId: string,
    step: AttemptStep<T, R>,
  ): Promise<AttemptOutcome<R>> {
    const current = await rows.find(id);
    if (!current) return { outcome: 'skipped', detail: 'no such row in the database' };
    if (FINISHED_STATUSES.includes(current.status))
      return { outcome: 'skipped', detail: `already ${current.status}` };
    const attemptId = randomUUID();
    const row = await rows.claim(id, { attemptId, workerId, stalledCount: job.stalledCounter ?? 0 });
    if (!row) return { outcome: 'skipped', detail: 'finished or cancelled meanwhile' };
    this.logger.log(`${step.label(row)}: attempt ${attemptId} started on ${workerId}`);
    return this.execute(rows, row, attemptId, job, token, signal, step);
  }

  /**
   * Continues an attempt that parked its queue job while child jobs ran (the row stayed running under
   * `attemptId`); a row that another attempt took or that was cancelled meanwhile is left alone.
   */
  async resume<T extends JobLifecycleColumns & { id: string }, R>(
    rows: JobAttempts<T>,
    id: string,
    attemptId: string,
    job: AttemptJob,
    token: string | undefined,
    signal: AbortSignal | undefined,
    step: AttemptStep<T, R>,
  ): Promise<AttemptOutcome<R>> {
    const row = await rows.find(id);
    if (!row) return { outcome: 'skipped', detail: 'no such row in the database' };
    if (row.status === 'cancelled') return { outcome: 'cancelled' };
    if (row.status !== 'running' || row.attemptId !== attemptId)
      return { outcome: 'skipped', detail: `attempt ${attemptId} no longer holds it (${row.status})` };
    return this.execute(rows, row, attemptId, job, token, signal, step);
  }

  private async execute<T extends JobLifecycleColumns & { id: string }, R>(
    rows: JobAttempts<T>,
    row: T,
    attemptId: string,
    job: AttemptJob,
    token: string | undefined,
    signal: AbortSignal | undefined,
    step: AttemptStep<T, R>,
  ): Promise<AttemptOutcome<R>> {
    const attempt = this.attempt(rows, row, attemptId, job, token, signal);
    let finished = false;
    let waiting = false;
    try {
      const { fields, result } = await step.run(attempt);
      await attempt.assertHolds();
      if (!(await rows.complete(row.id, attemptId, fields)))
        throw new AttemptAborted(
          (await rows.holding(row.id, attemptId)) === 'cancelled' ? 'cancelled' : 'lost',
        );
      finished = true;
      this.logger.log(`${step.label(row)}: completed`);
      return { outcome: 'completed', result };
    } catch (error) {
      if (error instanceof WaitingForChildren) {
        waiting = true; // its children own the work now: nothing to clean up
        throw new WaitingChildrenError();
      }
      return await this.failed(rows, attempt, job, error, step);
    } finally {
      if (step.cleanup && !waiting) {
        // Failed for good, cancelled or done: nothing of the row will be attempted again.
        if (!finished)
          finished = FINISHED_STATUSES.includes(
            (await rows.statusOf(row.id).catch(() => undefined)) ?? 'queued',
          );
        await step.cleanup(attempt, finished).catch(() => undefined);
      }
    }
  }

  private attempt<T extends JobLifecycleColumns & { id: string }>(
    rows: JobAttempts<T>,
    row: T,
    attemptId: string,
    job: AttemptJob,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Attempt<T> {
    const counters: AttemptCounters = { ...NO_COUNTERS };
    let lastWrite = Date.now();
    const lostOrCancelled = async () => {
      const holding = await rows.holding(row.id, attemptId);
      return new AttemptAborted(holding === 'cancelled' ? 'cancelled' : 'lost');
    };
    return {
      row,
      attemptId,
      counters,
      signal,
      checkpoint: async (next, progress) => {
        Object.assign(counters, next);
        const aborted = abortReasonOf(signal);
        if (aborted) throw new AttemptAborted(aborted);
        if (Date.now() - lastWrite < this.options.progressIntervalMs) return;
        lastWrite = Date.now();
        if (!(await rows.progress(row.id, attemptId, counters))) throw await lostOrCancelled();
        await job.updateProgress({ ...counters, ...progress }).catch(() => undefined);
      },
      assertHolds: async () => {
        if (token && Number(await job.extendLock(token, this.options.lockMs)) !== 1)
          throw new AttemptAborted('lost');
        const holding = await rows.holding(row.id, attemptId);
        if (holding !== 'held') throw new AttemptAborted(holding);
      },
      update: async (fields) => {
        if (!(await rows.update(row.id, attemptId, fields))) throw await lostOrCancelled();
      },
    };
  }

  /** Records how the attempt ended and tells BullMQ what to do next. */
  private async failed<T extends JobLifecycleColumns & { id: string }, R>(
    rows: JobAttempts<T>,
    attempt: Attempt<T>,
    job: AttemptJob,
    error: unknown,
    step: AttemptStep<T, R>,
  ): Promise<AttemptOutcome<R>> {
    const { row, attemptId, counters } = attempt;
    const label = step.label(row);
    const kind = classify(error);
    if (kind === 'aborted') {
      const reason = (error as AttemptAborted).reason;
      if (reason === 'cancelled') {
        this.logger.log(`${label}: cancelled while running; attempt ${attemptId} stopped`);
        return { outcome: 'cancelled' };
      }
      await rows
        .requeue(
          row.id,
          attemptId,
          `${(error as Error).message} (the attempt stopped ${readSoFar(counters)})`,
        )
        .catch(() => undefined);
      this.logger.warn(`${label}: attempt ${attemptId} stopped: ${(error as Error).message}`);
      throw error;
    }
    const attempts = job.opts.attempts ?? 1;
    const final = kind === 'permanent' || job.attemptsMade + 1 >= attempts;
    const reason = reasonOf(error);
    if (final) {
      const detail =
        kind === 'transient' && attempts > 1 ? `${reason} (gave up after ${attempts} attempts)` : reason;
      let fields: QueryDeepPartialEntity<T> = {};
      try {
        fields = (await step.onFailure?.(attempt, error)) ?? {};
      } catch (cause) {
        if (cause instanceof AttemptAborted) return this.failed(rows, attempt, job, cause, step);
        this.logger.warn(`${label}: could not keep what explains the failure: ${(cause as Error).message}`);
      }
      await rows.fail(row.id, attemptId, detail, counters, fields);
      this.logger.warn(`${label}: failed: ${detail}`);
      throw kind === 'permanent' ? new UnrecoverableError(detail) : error;
    }
    await rows.requeue(
      row.id,
      attemptId,
      `attempt ${job.attemptsMade + 1} of ${attempts} failed ${readSoFar(counters)}: ${reason}; retrying`,
    );
    this.logger.warn(
      `${label}: attempt ${job.attemptsMade + 1} of ${attempts} failed, will retry: ${reason}`,
    );
    throw error;
  }
}

/** How far a stopped attempt got, for the status's error text. */
const readSoFar = (counts: AttemptCounters) =>
  `after reading ${counts.rowsRead} rows (${counts.rowsFailed} rejected)`;
