import { statfs } from 'node:fs/promises';
import * as path from 'node:path';
import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MetricsService } from './metrics.service';

/**
 * Free and total bytes of the file system under a file:// artifact store, read on every scrape (the
 * ArtifactStoreDiskLow alert). An s3:// store has no disk to watch: both gauges stay absent.
 */
@Injectable()
export class ArtifactDiskCollector implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    @Optional() @Inject(APP_CONFIG) private readonly config?: AppConfig,
  ) {}

  onModuleInit(): void {
    const store = this.config?.artifactStore;
    if (store?.type !== 'file') return;
    const root = store.root;
    (this.metrics.artifactStoreFree as unknown as { collect?: () => Promise<void> }).collect = async () => {
      const disk = await diskOf(root);
      if (!disk) return;
      this.metrics.artifactStoreFree.set({ store: 'file' }, disk.free);
      this.metrics.artifactStoreSize.set({ store: 'file' }, disk.size);
    };
  }
}

/** Free and total bytes of the file system holding `dir` (or its nearest existing parent). */
export async function diskOf(dir: string): Promise<{ free: number; size: number } | undefined> {
  let at = path.resolve(dir);
  for (;;) {
    try {
      const s = await statfs(at);
      return { free: s.bavail * s.bsize, size: s.blocks * s.bsize };
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return undefined;
      at = parent;
    }
  }
}
