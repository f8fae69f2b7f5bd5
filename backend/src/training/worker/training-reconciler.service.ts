import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { withTimeout } from '../../common/with-timeout';
import { UNFINISHED_STATUSES } from '../shared/training.constants';
import { TrainingQueueService } from '../shared/training-queue.service';
import { TrainingRunsRepository } from '../shared/training-runs.repository';

/**
 * Keeps the `training` queue in line with the database, which is the record: an unfinished run
 * unknown to the queue is queued again (Redis lost it, or the API could not reach Redis), and a run
 * whose queue job failed for good (e.g. stalled more than TRAINING_MAX_STALLED_COUNT times: its worker
 * was killed) is marked failed with the queue's reason, so no run stays "running" for ever.
 */
@Injectable()
export class TrainingReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TrainingReconciler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runs: TrainingRunsRepository,
    private readonly queue: TrainingQueueService,
  ) {}

  onApplicationBootstrap(): void {
    void this.reconcile();
    if (this.config.TRAINING_RECONCILE_INTERVAL_MS > 0) {
      this.timer = setInterval(() => void this.reconcile(), this.config.TRAINING_RECONCILE_INTERVAL_MS);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  reconcile(): Promise<void> {
    this.running ??= this.pass()
      .catch((error: unknown) => this.logger.warn(`reconciliation skipped: ${(error as Error).message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    for (const row of await this.runs.unfinished(500)) {
      const stillUnfinished = async () => UNFINISHED_STATUSES.includes((await this.runs.attempts.statusOf(row.id)) ?? 'failed');
      const job = await this.queue.getJob(row.id);
      if (!job) {
        if (await stillUnfinished()) {
          await this.queue.add(row.id);
          this.logger.warn(`training run ${row.id}: unfinished but unknown to the queue; queued again`);
        }
        continue;
      }
      const state = await withTimeout(job.getState(), 3000, `state of ${row.id}`);
      if (state === 'failed' && (await stillUnfinished())) {
        await this.runs.attempts.failUnfinished(row.id, job.failedReason || 'failed in the queue');
        this.logger.warn(`training run ${row.id}: failed in the queue (${job.failedReason}); marked failed`);
      } else if (state === 'completed' && (await stillUnfinished())) {
        await withTimeout(job.remove(), 3000, `removing ${row.id}`).catch(() => undefined);
        await this.queue.add(row.id);
        this.logger.warn(`training run ${row.id}: completed in the queue but not in the database; queued again`);
      }
    }
  }
}
