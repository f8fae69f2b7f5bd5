import { Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import type { DataSource } from 'typeorm';
import { migratedMemoryDatabase } from '../../database/memory-database';
import { AttemptAborted, PermanentJobError } from '../../jobs/attempt-errors';
import { AttemptRunner, type AttemptJob, type AttemptStep } from '../../jobs/attempt-runner';
import { JobAttempts } from '../../jobs/job-attempts.repository';
import { TRAINING_OUTCOMES } from '../../metrics/metric-names';
import { MetricsService } from '../../metrics/metrics.service';
import { TrainingRunEntity } from '../shared/training-run.entity';
import { TrainingRunMeter, thrownOutcome } from './training-run.meter';

/** A queue job as the runner sees it: `attemptsMade` attempts before this one, `attempts` in all. */
const queueJob = (attemptsMade = 0, attempts = 2): AttemptJob =>
  ({
    attemptsMade,
    opts: { attempts },
    stalledCounter: 0,
    updateProgress: async () => undefined,
    extendLock: async () => 1,
  }) as unknown as AttemptJob;

/**
 * TrainingRunMeter around the real AttemptRunner on SQLite rows (as TrainingProcessor.process runs it):
 * the outcome it counts is what the runner did with the run, and the duration histogram gets a sample
 * per attempt.
 */
describe('TrainingRunMeter (training_runs_total, training_run_duration_seconds)', () => {
  let dataSource: DataSource;
  let rows: JobAttempts<TrainingRunEntity>;
  let runner: AttemptRunner;
  let metrics: MetricsService;
  let meter: TrainingRunMeter;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    dataSource = await migratedMemoryDatabase();
    rows = new JobAttempts(dataSource.getRepository(TrainingRunEntity));
    runner = new AttemptRunner({ lockMs: 1000, progressIntervalMs: 0 });
    metrics = new MetricsService();
    meter = new TrainingRunMeter(metrics);
    for (const id of ['run-1', 'run-2'])
      await dataSource.getRepository(TrainingRunEntity).insert({
        id,
        status: 'queued',
        source: 'queue',
        apiKeyId: null,
        specName: 'housets',
        options: { fast: true },
        createdAt: 1,
        updatedAt: 1,
      });
  });

  afterEach(() => dataSource.destroy());

  /** The sample of `training_runs_total{outcome}`. */
  const runs = async (outcome: string) =>
    (await metrics.trainingRuns.get()).values.find((v) => v.labels.outcome === outcome)?.value;
  /** `training_run_duration_seconds_count{outcome}`. */
  const durations = async (outcome: string) =>
    (await metrics.trainingRunDuration.get()).values.find(
      (v) => v.metricName === 'training_run_duration_seconds_count' && v.labels.outcome === outcome,
    )?.value;

  const attempt = (id: string, job: AttemptJob, run: AttemptStep<TrainingRunEntity, string>['run']) =>
    meter.measure(job, () =>
      runner.run(rows, id, job, 'token', undefined, 'w1', { label: (row) => `training run ${row.id}`, run }),
    );

  it('starts every outcome at 0, its duration count too', async () => {
    for (const outcome of TRAINING_OUTCOMES)
      expect({ outcome, value: await runs(outcome) }).toEqual({ outcome, value: 0 });
    for (const outcome of TRAINING_OUTCOMES)
      expect({ outcome, count: await durations(outcome) }).toEqual({ outcome, count: 0 });
  });

  it('counts a completed attempt and a failed one, each with its duration', async () => {
    const completed = await attempt('run-1', queueJob(), async () => {
      await new Promise((r) => setTimeout(r, 20));
      return { fields: { durationMs: 20 }, result: 'v1' };
    });
    expect(completed).toEqual({ outcome: 'completed', result: 'v1' });
    expect(await runs('completed')).toBe(1);
    expect(await runs('failed')).toBe(0);
    expect(await durations('completed')).toBe(1);
    const sum = (await metrics.trainingRunDuration.get()).values.find(
      (v) => v.metricName === 'training_run_duration_seconds_sum' && v.labels.outcome === 'completed',
    )?.value;
    expect(sum).toBeGreaterThanOrEqual(0.015);

    // A permanent error (bad spec, time limit): the runner fails the run for good.
    await expect(
      attempt('run-2', queueJob(), async () => {
        throw new PermanentJobError('the target column no_such_price is not in the input');
      }),
    ).rejects.toBeInstanceOf(UnrecoverableError);
    expect((await rows.find('run-2'))?.status).toBe('failed');
    expect(await runs('failed')).toBe(1);
    expect(await runs('completed')).toBe(1);
    expect(await durations('failed')).toBe(1);
    expect(await durations('completed')).toBe(1);
    expect(await metrics.registry.metrics()).toMatch(/^training_runs_total\{outcome="failed"\} 1$/m);
  });

  it('tells a transient failure that will be retried from one on the last attempt', async () => {
    const flaky = async (): Promise<never> => {
      throw new Error('the artifact store timed out');
    };
    await expect(attempt('run-1', queueJob(0, 2), flaky)).rejects.toThrow('timed out');
    expect((await rows.find('run-1'))?.status).toBe('queued');
    expect(await runs('retrying')).toBe(1);
    expect(await runs('failed')).toBe(0);
    await expect(attempt('run-1', queueJob(1, 2), flaky)).rejects.toThrow('timed out');
    expect((await rows.find('run-1'))?.status).toBe('failed');
    expect(await runs('retrying')).toBe(1);
    expect(await runs('failed')).toBe(1);
  });

  it('counts a cancelled run, one handed back to the queue, and a finished one skipped', async () => {
    await expect(
      attempt('run-1', queueJob(), async () => {
        throw new AttemptAborted('shutdown');
      }),
    ).rejects.toBeInstanceOf(AttemptAborted);
    expect(await runs('requeued')).toBe(1);
    expect(
      await attempt('run-1', queueJob(), async () => {
        throw new AttemptAborted('cancelled');
      }),
    ).toEqual({ outcome: 'cancelled' });
    expect(await runs('cancelled')).toBe(1);
    await rows.cancel('run-2', 'cancelled by a test');
    expect(
      await attempt('run-2', queueJob(), async () => {
        throw new Error('must not run');
      }),
    ).toMatchObject({ outcome: 'skipped' });
    expect(await runs('skipped')).toBe(1);
    expect(await runs('failed')).toBe(0);
  });

  it('classifies what an attempt threw as AttemptRunner decided it', () => {
    expect(thrownOutcome(new AttemptAborted('lost'), queueJob())).toBe('requeued');
    expect(thrownOutcome(new UnrecoverableError('x'), queueJob(0, 5))).toBe('failed');
    expect(thrownOutcome(new Error('x'), queueJob(0, 2))).toBe('retrying');
    expect(thrownOutcome(new Error('x'), queueJob(1, 2))).toBe('failed');
    expect(thrownOutcome(new Error('x'), { attemptsMade: 0, opts: {} })).toBe('failed');
  });
});
