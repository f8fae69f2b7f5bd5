import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { countsToFields, DriftCounter, type ModelManifest, type ScoredRow } from '@housing/ml';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DriftRepository } from './drift.repository';

/** At most this many model versions are counted at once per process (a few are in use at a time). */
const MAX_COUNTERS = 16;

/**
 * What this process scores, binned like each package's training distribution and flushed into Redis every
 * DRIFT_FLUSH_INTERVAL_MS. Memory is one set of counts per model version in use; no record is kept. A
 * flush that fails keeps nothing for a retry: drift is a statistic, and a lost interval only thins it.
 */
@Injectable()
export class DriftRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DriftRecorder.name);
  private readonly counters = new Map<string, DriftCounter>();
  private timer?: NodeJS.Timeout;
  private lastWarning = 0;

  constructor(
    private readonly repository: DriftRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return this.config.DRIFT_MONITORING === 'on';
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => void this.flush(), this.config.DRIFT_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /**
   * Counts one scored record (cheap: a bin lookup per field). Packages without a drift profile are skipped.
   * A batch passes scoreCsv's ScoredRow: its values were parsed once for scoring and are not read again.
   */
  record(
    model: { version: { id: string }; manifest: Pick<ModelManifest, 'drift' | 'signature'> },
    record: Readonly<Record<string, unknown>> | ScoredRow,
    predictedPrice: number,
  ): void {
    if (!this.enabled || !model.manifest.drift) return;
    let counter = this.counters.get(model.version.id);
    if (!counter) {
      if (this.counters.size >= MAX_COUNTERS) return;
      counter = new DriftCounter(model.manifest.drift, model.manifest.signature);
      this.counters.set(model.version.id, counter);
    }
    counter.add(record, predictedPrice);
  }

  /** Sends every counter's counts to the current bucket; counters with nothing new are dropped. */
  async flush(): Promise<void> {
    const bucket = this.repository.bucketOf(Date.now());
    for (const [versionId, counter] of [...this.counters]) {
      if (counter.rows === 0) {
        this.counters.delete(versionId);
        continue;
      }
      try {
        await this.repository.add(versionId, bucket, countsToFields(counter.take()));
      } catch (error) {
        if (Date.now() - this.lastWarning > 60_000) {
          this.lastWarning = Date.now();
          this.logger.warn(`drift counts not flushed (an interval is lost): ${(error as Error).message}`);
        }
      }
    }
  }
}
