import { Logger } from '@nestjs/common';
import { UnrecoverableError, WaitingChildrenError } from 'bullmq';
import type { DataSource } from 'typeorm';
import { migratedMemoryDatabase } from '../database/memory-database';
import { BatchJobEntity } from '../batch/shared/batch-job.entity';
import { AttemptAborted, PermanentJobError } from './attempt-errors';
import { AttemptRunner, WaitingForChildren, type AttemptJob, type AttemptStep } from './attempt-runner';
import { JobAttempts } from './job-attempts.repository';

/** A queue job as the runner sees it (BullMQ's is driven in the batch end-to-end suites). */
function queueJob(attemptsMade = 0, attempts = 3): AttemptJob & { progress: unknown[] } {
  const progress: unknown[] = [];
  return {
    attemptsMade,
    opts: { attempts },
    stalledCounter: 0,
    progress,
    updateProgress: async (p: unknown) => void progress.push(p),
    extendLock: async () => 1,
  } as unknown as AttemptJob & { progress: unknown[] };
}

const COUNTS = { rowsRead: 10, rowsDone: 8, rowsFailed: 2, bytesRead: 100 };

describe('AttemptRunner with JobAttempts (SQLite)', () => {
  let dataSource: DataSource;
  let rows: JobAttempts<BatchJobEntity>;
  let runner: AttemptRunner;
  let cleanups: boolean[];

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    dataSource = await migratedMemoryDatabase();
    rows = new JobAttempts(dataSource.getRepository(BatchJobEntity));
    runner = new AttemptRunner({ lockMs: 1000, progressIntervalMs: 0 });
    cleanups = [];
    await dataSource.getRepository(BatchJobEntity).insert({
      id: 'job-1',
      status: 'queued',
      apiKeyId: null,
      inputUri: 'file:///in.csv',
      inputKey: 'batch/job-1/input.csv',
      modelVersionId: 'v',
      modelName: 'm',
      modelVersion: 1,
      createdAt: 1,
      updatedAt: 1,
    });
  });

  afterEach(() => dataSource.destroy());

  const step = (
    run: AttemptStep<BatchJobEntity, string>['run'],
    onFailure?: AttemptStep<BatchJobEntity, string>['onFailure'],
  ): AttemptStep<BatchJobEntity, string> => ({
    label: (row) => `job ${row.id}`,
    run,
    onFailure,
    cleanup: async (_attempt, finished) => void cleanups.push(finished),
  });

  it('claims the row, writes fenced progress and completes it with the step’s fields', async () => {
    const job = queueJob();
    const outcome = await runner.run(
      rows,
      'job-1',
      job,
      'token',
      undefined,
      'w1',
      step(async (attempt) => {
        expect(attempt.row.status).toBe('running');
        await attempt.checkpoint(COUNTS, { fraction: 0.5 });
        expect(await rows.find('job-1')).toMatchObject({
          ...COUNTS,
          attemptId: attempt.attemptId,
          workerId: 'w1',
        });
        return { fields: { ...COUNTS, resultKey: 'r.csv' }, result: 'done' };
      }),
    );
    expect(outcome).toEqual({ outcome: 'completed', result: 'done' });
    expect(await rows.find('job-1')).toMatchObject({
      status: 'completed',
      resultKey: 'r.csv',
      attempts: 1,
      error: null,
    });
    expect(job.progress).toEqual([{ ...COUNTS, fraction: 0.5 }]);
    expect(cleanups).toEqual([true]);
    // A finished row is never claimed again.
    const again = await runner.run(
      rows,
      'job-1',
      queueJob(),
      't',
      undefined,
      'w2',
      step(async () => {
        throw new Error('must not run');
      }),
    );
    expect(again).toEqual({ outcome: 'skipped', detail: 'already completed' });
  });

  it('lets one of two concurrent claims win', async () => {
    const claims = await Promise.all(
      ['a', 'b', 'c', 'd'].map((attemptId) => rows.claim('job-1', { attemptId, workerId: attemptId })),
    );
    // SQLite serialises the conditional updates: each later claim takes the row over (the stalled-job case),
    // and only the last claimer holds it.
    const holder = (await rows.find('job-1'))!.attemptId!;
    expect(claims.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    for (const id of ['a', 'b', 'c', 'd'])
      expect(await rows.holding('job-1', id)).toBe(id === holder ? 'held' : 'lost');
    expect(await rows.complete('job-1', holder === 'a' ? 'b' : 'a', {})).toBe(false);
  });

  it('requeues a transient failure with its counters reset while attempts remain', async () => {
    const failure = new Error('ECONNRESET');
    await expect(
      runner.run(
        rows,
        'job-1',
        queueJob(0, 3),
        't',
        undefined,
        'w',
        step(async (attempt) => {
          await attempt.checkpoint(COUNTS);
          throw failure;
        }),
      ),
    ).rejects.toBe(failure);
    const row = await rows.find('job-1');
    expect(row).toMatchObject({ status: 'queued', rowsRead: 0, rowsFailed: 0 });
    expect(row!.error).toBe('attempt 1 of 3 failed after reading 10 rows (2 rejected): ECONNRESET; retrying');
    expect(cleanups).toEqual([false]);
  });

  it('fails a transient failure on the last attempt and a permanent one at once, keeping the counters', async () => {
    await expect(
      runner.run(
        rows,
        'job-1',
        queueJob(2, 3),
        't',
        undefined,
        'w',
        step(async (attempt) => {
          await attempt.checkpoint(COUNTS);
          throw new Error('EIO');
        }),
      ),
    ).rejects.toThrow('EIO');
    expect(await rows.find('job-1')).toMatchObject({
      status: 'failed',
      error: 'EIO (gave up after 3 attempts)',
      ...COUNTS,
    });
    expect(cleanups).toEqual([true]);
  });

  it('fails a permanent error with UnrecoverableError and the fields onFailure returns', async () => {
    const thrown = await runner
      .run(
        rows,
        'job-1',
        queueJob(0, 3),
        't',
        undefined,
        'w',
        step(
          async (attempt) => {
            await attempt.checkpoint(COUNTS);
            throw new PermanentJobError('no such column');
          },
          async () => ({ errorsKey: 'batch/job-1/errors.csv' }),
        ),
      )
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(UnrecoverableError);
    expect(await rows.find('job-1')).toMatchObject({
      status: 'failed',
      error: 'no such column',
      errorsKey: 'batch/job-1/errors.csv',
      rowsRead: 10,
    });
  });

  it('stops at the next checkpoint when the row was cancelled, and leaves it cancelled', async () => {
    const outcome = await runner.run(
      rows,
      'job-1',
      queueJob(),
      't',
      undefined,
      'w',
      step(async (attempt) => {
        await rows.cancel('job-1', 'cancelled by API key test');
        await attempt.checkpoint(COUNTS);
        return { fields: {}, result: 'never' };
      }),
    );
    expect(outcome).toEqual({ outcome: 'cancelled' });
    expect(await rows.find('job-1')).toMatchObject({
      status: 'cancelled',
      error: 'cancelled by API key test',
    });
    expect(cleanups).toEqual([true]);
  });

  it('hands a job back to the queue when the worker shuts down or the attempt lost it', async () => {
    const controller = new AbortController();
    const thrown = await runner
      .run(
        rows,
        'job-1',
        queueJob(),
        't',
        controller.signal,
        'w',
        step(async (attempt) => {
          controller.abort('shutdown');
          await attempt.checkpoint(COUNTS);
          return { fields: {}, result: 'never' };
        }),
      )
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(AttemptAborted);
    expect((thrown as AttemptAborted).reason).toBe('shutdown');
    expect(await rows.find('job-1')).toMatchObject({ status: 'queued', rowsRead: 0 });
    expect(cleanups).toEqual([false]);

    // Another attempt took the row over: this one's completion is refused and nothing is overwritten.
    const lost = await runner
      .run(
        rows,
        'job-1',
        queueJob(),
        't',
        undefined,
        'w',
        step(async () => {
          await rows.claim('job-1', { attemptId: 'other', workerId: 'w2' });
          return { fields: { resultKey: 'mine.csv' }, result: 'x' };
        }),
      )
      .catch((e: unknown) => e);
    expect((lost as AttemptAborted).reason).toBe('lost');
    expect(await rows.find('job-1')).toMatchObject({
      status: 'running',
      attemptId: 'other',
      resultKey: null,
    });
  });

  it('parks a job that waits for children and resumes the same attempt later', async () => {
    let attemptId = '';
    const thrown = await runner
      .run(
        rows,
        'job-1',
        queueJob(),
        't',
        undefined,
        'w',
        step(async (attempt) => {
          attemptId = attempt.attemptId;
          throw new WaitingForChildren();
        }),
      )
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(WaitingChildrenError);
    expect(await rows.find('job-1')).toMatchObject({ status: 'running', attemptId });
    expect(cleanups).toEqual([]);
    const other = await runner.resume(
      rows,
      'job-1',
      'not-the-attempt',
      queueJob(),
      't',
      undefined,
      step(async () => {
        throw new Error('must not run');
      }),
    );
    expect(other.outcome).toBe('skipped');
    const resumed = await runner.resume(
      rows,
      'job-1',
      attemptId,
      queueJob(),
      't',
      undefined,
      step(async (attempt) => {
        expect(attempt.attemptId).toBe(attemptId);
        return { fields: { rowsDone: 5 }, result: 'assembled' };
      }),
    );
    expect(resumed).toEqual({ outcome: 'completed', result: 'assembled' });
    expect(await rows.find('job-1')).toMatchObject({ status: 'completed', rowsDone: 5, attempts: 1 });
  });

  it('marks a stalled running row queued and counts the stall', async () => {
    await rows.claim('job-1', { attemptId: 'a', workerId: 'w' });
    expect(await rows.markStalled('job-1', 'stalled')).toBe(true);
    expect(await rows.markStalled('job-1', 'stalled')).toBe(false);
    expect(await rows.find('job-1')).toMatchObject({ status: 'queued', stalledCount: 1, error: 'stalled' });
    expect(await rows.failUnfinished('job-1', 'failed in the queue')).toBe(true);
    expect(await rows.statusOf('job-1')).toBe('failed');
  });
});
