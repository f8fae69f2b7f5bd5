import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's Prometheus registry and the platform's own metrics (one instance per process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  readonly predictions = new Counter({
    name: 'predictions_total',
    help: 'Predictions served, by model name and version and by channel (online, bulk, batch)',
    labelNames: ['model', 'version', 'channel'] as const,
    registers: [this.registry],
  });

  readonly validationFailures = new Counter({
    name: 'prediction_validation_failures_total',
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

  readonly modelLoadFailures = new Counter({
    name: 'model_load_failures_total',
    help: 'Failed attempts to load a model version for serving',
    registers: [this.registry],
  });

  readonly modelLoaded = new Gauge({
    name: 'model_loaded_info',
    help: 'The model version being served (value 1)',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'batch_queue_jobs',
    help: 'Batch jobs in the queue by state (waiting, active, delayed, failed)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
