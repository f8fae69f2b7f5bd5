import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ARTIFACT_STORE, type ArtifactStore } from '../storage/artifact-store';
import { RegistryService } from './registry.service';

export interface SweepReport {
  temporaries: number;
  folders: string[];
}

/**
 * Removes what a crash leaves in the artifact store: temporary files / incomplete multipart uploads,
 * and package folders (`models/<name>/<upload>/`) that no registry row points at. Only what was last
 * written before the grace period (ARTIFACT_SWEEP_GRACE_MS) is touched, so a live registration (files
 * written seconds before its row) or a live upload is never removed. Runs at start and periodically.
 */
@Injectable()
export class ArtifactSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ArtifactSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<SweepReport>;

  constructor(
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    private readonly registry: RegistryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // In the background: start-up does not wait for a listing of the whole store.
    void this.sweepLogged();
    if (this.config.ARTIFACT_SWEEP_INTERVAL_MS > 0) {
      this.timer = setInterval(() => void this.sweepLogged(), this.config.ARTIFACT_SWEEP_INTERVAL_MS);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; concurrent calls share it. */
  sweep(now = Date.now()): Promise<SweepReport> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepLogged(): Promise<void> {
    try {
      const report = await this.sweep();
      if (report.temporaries > 0 || report.folders.length > 0)
        this.logger.log(
          `removed ${report.temporaries} abandoned temporary file(s) and ${report.folders.length} unreferenced package folder(s)`,
        );
    } catch (error) {
      this.logger.warn(`artifact sweep failed: ${(error as Error).message}`);
    }
  }

  private async pass(now: number): Promise<SweepReport> {
    const olderThan = now - this.config.ARTIFACT_SWEEP_GRACE_MS;
    const temporaries = await this.store.sweepTemporaries(olderThan, now);
    // Rows first: a folder written after this read is younger than the grace period anyway.
    const referenced = await this.registry.referencedPrefixes();
    const newest = new Map<string, number>();
    for (const { key, modifiedAt } of await this.store.listEntries('models/')) {
      const parts = key.split('/');
      if (parts.length < 4) continue;
      const folder = parts.slice(0, 3).join('/');
      newest.set(folder, Math.max(newest.get(folder) ?? 0, modifiedAt));
    }
    const folders: string[] = [];
    for (const [folder, modifiedAt] of newest) {
      if (referenced.has(folder) || modifiedAt >= olderThan) continue;
      await this.store.deletePrefix(`${folder}/`);
      folders.push(folder);
    }
    return { temporaries, folders };
  }
}
