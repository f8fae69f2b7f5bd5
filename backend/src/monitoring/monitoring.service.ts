import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { addCounts, countsFromFields, driftReport, emptyCounts, psi, type DriftProfile } from '@housing/ml';
import { notFound } from '../common/problem';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MetricsService } from '../metrics/metrics.service';
import { RegistryService } from '../model-registry/registry.service';
import type { ModelVersionEntity } from '../model-registry/model-version.entity';
import { DriftRepository } from './drift.repository';
import type { DriftQueryDto, DriftResponseDto } from './monitoring.dto';

const GAUGE_CACHE_MS = 15_000;

export const DRIFT_THRESHOLDS = { moderate: 0.1, significant: 0.25 } as const;

/** Drift of a model version over a window: its scored records' bins against its training distribution. */
@Injectable()
export class MonitoringService implements OnModuleInit {
  private gauge?: { at: number; features: Promise<{ feature: string; psi: number | null }[]> };

  constructor(
    private readonly registry: RegistryService,
    private readonly repository: DriftRepository,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The drift gauge on /metrics: the production model over DRIFT_ALERT_HOURS, read at most every 15 s. */
  onModuleInit(): void {
    this.metrics.setDriftSource(() => {
      if (!this.gauge || Date.now() - this.gauge.at > GAUGE_CACHE_MS) {
        const features = this.drift({ hours: this.config.DRIFT_ALERT_HOURS }).then(
          (report) => (report.rows > 0 ? report.features : []),
          () => [],
        );
        this.gauge = { at: Date.now(), features };
      }
      return this.gauge.features;
    });
  }

  private async version(query: DriftQueryDto): Promise<ModelVersionEntity> {
    if (query.name !== undefined && query.version !== undefined)
      return this.registry.get(query.name, query.version);
    if (query.name !== undefined || query.version !== undefined)
      throw notFound('name and version go together; leave both out for the production version');
    const production = await this.registry.findProduction();
    if (!production) throw notFound('no version is in production; name a version with name and version');
    return production;
  }

  async drift(query: DriftQueryDto, now = Date.now()): Promise<DriftResponseDto> {
    const version = await this.version(query);
    const hours = query.hours ?? 24;
    const to = this.repository.bucketOf(now);
    const from = this.repository.bucketOf(now - hours * 3_600_000 + 1);
    const profile = (await this.registry.readManifest(version)).drift as DriftProfile | undefined;
    const base = {
      model: { name: version.name, version: version.version },
      from: new Date(from).toISOString(),
      to: new Date(to + this.repository.bucketMs).toISOString(),
      bucketSeconds: this.config.DRIFT_BUCKET_SECONDS,
      thresholds: DRIFT_THRESHOLDS,
    };
    if (!profile)
      return { ...base, profiled: false, rows: 0, features: [], price: { psi: null, bins: [] }, series: [] };
    const buckets = (await this.repository.range(version.id, from, to)).map((b) => ({
      start: b.start,
      counts: countsFromFields(profile, b.fields),
    }));
    const total = buckets.reduce((sum, b) => addCounts(sum, b.counts), emptyCounts(profile));
    const report = driftReport(profile, total);
    return {
      ...base,
      profiled: true,
      rows: report.rows,
      features: [...report.features].sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1)),
      price: report.price,
      series: buckets
        .filter((b) => b.counts.rows > 0)
        .map((b) => ({
          start: new Date(b.start).toISOString(),
          rows: b.counts.rows,
          features: profile.features.map((f, i) => ({
            feature: f.field,
            psi: psi(f.expected, b.counts.bins[i]!),
          })),
          pricePsi: psi(profile.price.expected, b.counts.price),
        })),
    };
  }
}
