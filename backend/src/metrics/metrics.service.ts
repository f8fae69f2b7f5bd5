import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BATCH_KINDS, BATCH_OUTCOMES, METRIC, TRAINING_OUTCOMES } from './metric-names';

/** The process's Prometheus registry and the platform's own metrics (one instance per process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: METRIC.httpDuration,
    help: 'HTTP request latency by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  readonly predictions = new Counter({
    name: METRIC.predictions,
    help: 'Predictions served, by model name and version and by channel (online, bulk, batch)',
    labelNames: ['model', 'version', 'channel'] as const,
    registers: [this.registry],
  });

  readonly validationFailures = new Counter({
    name: METRIC.validationFailures,
    help: 'Records rejected by input validation, by route',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  readonly predictionWarnings = new Counter({
    name: 'prediction_warnings_total',
    help: 'Predictions served with a warning (unseen_category, out_of_range, imputed, extrapolated_date), by kind and channel',
    labelNames: ['kind', 'channel'] as const,
    registers: [this.registry],
  });

  readonly promotionEvidenceComputations = new Counter({
    name: METRIC.promotionEvidenceComputations,
    help: 'Promotion evidence computed (a (candidate, champion) pair scored on both holdouts), by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly promotionEvidenceDuration = new Histogram({
    name: METRIC.promotionEvidenceDuration,
    help: 'Time to compute the promotion evidence of a pair (holdouts extracted, both models scored on both)',
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  readonly modelLoadFailures = new Counter({
    name: METRIC.modelLoadFailures,
    help: 'Failed attempts to load a model version for serving',
    registers: [this.registry],
  });

  readonly modelLoaded = new Gauge({
    name: METRIC.modelLoaded,
    help: 'The model version being served (value 1)',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: METRIC.queueJobs,
    help: 'Batch jobs in the queue by state (waiting, active, delayed, failed)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly batchJobDuration = new Histogram({
    name: METRIC.batchJobDuration,
    help: 'Time a worker spent on one batch job attempt, by job kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });

  readonly batchJobs = new Counter({
    name: METRIC.batchJobs,
    help: 'Batch job attempts finished by this worker, by kind and outcome (completed, failed, cancelled, skipped, requeued)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Refreshed from Redis on every scrape by TrainingQueueService (API and training-worker processes). */
  readonly trainingQueueJobs = new Gauge({
    name: METRIC.trainingQueueJobs,
    help: 'Training runs in the training queue by state (waiting, active, delayed, prioritized, failed)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly trainingRuns = new Counter({
    name: METRIC.trainingRuns,
    help: 'Training-run attempts finished by this training worker, by outcome (completed, failed, retrying, cancelled, requeued, skipped)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly trainingRunDuration = new Histogram({
    name: METRIC.trainingRunDuration,
    help: 'Time a training worker spent on one training-run attempt (input, trainer, registration), by outcome',
    labelNames: ['outcome'] as const,
    // Seconds (a skipped or failed attempt) to the 6 h default time limit (TRAINING_TIME_LIMIT_SECONDS).
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 21600],
    registers: [this.registry],
  });

  /** Refreshed by the readiness checks on every scrape (ReadinessService): 1 passing, 0 failing. */
  readonly healthReady = new Gauge({
    name: METRIC.healthReady,
    help: 'Readiness checks of GET /health/ready (database, redis, queue, model): 1 passing, 0 failing',
    labelNames: ['check'] as const,
    registers: [this.registry],
  });

  readonly batchRows = new Counter({
    name: METRIC.batchRows,
    help: 'Rows batch jobs processed, by result (scored, rejected): counted per chunk, failed attempts included; a retry counts only rows beyond what earlier attempts of its job reached',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly batchJobsStalled = new Counter({
    name: METRIC.batchJobsStalled,
    help: 'Batch jobs this worker found stalled (their worker stopped renewing the lock) and requeued',
    registers: [this.registry],
  });

  readonly artifactStoreFree = new Gauge({
    name: METRIC.artifactStoreFree,
    // Labelled so that no sample exists until set: an s3:// store reports nothing rather than 0.
    labelNames: ['store'] as const,
    help: 'Free bytes on the file system of a file:// artifact store (absent for s3://)',
    registers: [this.registry],
  });

  readonly artifactStoreSize = new Gauge({
    name: METRIC.artifactStoreSize,
    // Labelled so that no sample exists until set: an s3:// store reports nothing rather than 0.
    labelNames: ['store'] as const,
    help: 'Size in bytes of the file system of a file:// artifact store (absent for s3://)',
    registers: [this.registry],
  });

  /** Set by the monitoring module in API processes: the production model's PSI per feature, or nothing. */
  private driftSource?: () => Promise<{ feature: string; psi: number | null }[]>;

  readonly featureDriftPsi = new Gauge({
    name: METRIC.featureDriftPsi,
    help: 'Population stability index of each input feature of the production model against its training data, over DRIFT_ALERT_HOURS (absent until something was scored)',
    labelNames: ['feature'] as const,
    registers: [this.registry],
    collect: async () => {
      if (!this.driftSource) return;
      this.featureDriftPsi.reset();
      for (const { feature, psi } of await this.driftSource().catch(() => []))
        if (psi !== null) this.featureDriftPsi.set({ feature }, psi);
    },
  });

  /** Where the drift gauge reads its values on a scrape (the monitoring module's service). */
  setDriftSource(source: () => Promise<{ feature: string; psi: number | null }[]>): void {
    this.driftSource = source;
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Zero-initialised series: rates and alerts see 0 rather than nothing before the first event.
    for (const kind of BATCH_KINDS)
      for (const outcome of BATCH_OUTCOMES) this.batchJobs.inc({ kind, outcome }, 0);
    for (const result of ['scored', 'rejected'] as const) this.batchRows.inc({ result }, 0);
    for (const outcome of TRAINING_OUTCOMES) this.trainingRuns.inc({ outcome }, 0);
  }
}
