import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { AttemptAborted } from '../../jobs/attempt-errors';
import type { AttemptJob, AttemptOutcome } from '../../jobs/attempt-runner';
import { TRAINING_OUTCOMES, type TrainingOutcome } from '../../metrics/metric-names';
import { MetricsService } from '../../metrics/metrics.service';

/**
 * How an attempt that threw ended, as AttemptRunner decided it: AttemptAborted (lost lock, shutdown)
 * handed the run back to the queue; UnrecoverableError (a permanent error: bad input or spec, the time
 * limit) failed it for good; any other error failed it for good on its last attempt and otherwise left
 * it for a retry with backoff.
 */
export function thrownOutcome(
  error: unknown,
  job: Pick<AttemptJob, 'attemptsMade' | 'opts'>,
): TrainingOutcome {
  if (error instanceof AttemptAborted) return 'requeued';
  if (error instanceof UnrecoverableError) return 'failed';
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1) ? 'failed' : 'retrying';
}

/**
 * `training_runs_total{outcome}` and `training_run_duration_seconds{outcome}` for each attempt a
 * training worker runs (the batch worker's batch_jobs_total and batch_job_duration_seconds, for
 * training): the processor runs its attempt through `measure`.
 */
@Injectable()
export class TrainingRunMeter {
  constructor(private readonly metrics: MetricsService) {
    // In training workers only (the counter is zero-initialised in every process by MetricsService):
    // the histogram's series exist at 0 from the start, so rates and panels see 0 rather than nothing.
    for (const outcome of TRAINING_OUTCOMES) this.metrics.trainingRunDuration.zero({ outcome });
  }

  async measure<R>(
    job: Pick<AttemptJob, 'attemptsMade' | 'opts'>,
    attempt: () => Promise<AttemptOutcome<R>>,
  ): Promise<AttemptOutcome<R>> {
    const timer = this.metrics.trainingRunDuration.startTimer();
    let outcome: TrainingOutcome = 'failed';
    try {
      const result = await attempt();
      outcome = result.outcome;
      return result;
    } catch (error) {
      outcome = thrownOutcome(error, job);
      throw error;
    } finally {
      timer({ outcome });
      this.metrics.trainingRuns.inc({ outcome });
    }
  }
}
