/**
 * The name of every metric the platform exports. MetricsService registers them under these names, and
 * the alert-rule checks and the Grafana dashboard generator (backend/src/ops) take their names from
 * here, so renaming a metric breaks the build and the tests rather than a dashboard.
 */
export const METRIC = {
  httpDuration: 'http_request_duration_seconds',
  predictions: 'predictions_total',
  validationFailures: 'prediction_validation_failures_total',
  modelLoadFailures: 'model_load_failures_total',
  modelLoaded: 'model_loaded_info',
  healthReady: 'health_ready',
  queueJobs: 'batch_queue_jobs',
  batchJobDuration: 'batch_job_duration_seconds',
  batchJobs: 'batch_jobs_total',
  batchRows: 'batch_rows_total',
  batchJobsStalled: 'batch_jobs_stalled_total',
  trainingQueueJobs: 'training_queue_jobs',
  trainingRuns: 'training_runs_total',
  trainingRunDuration: 'training_run_duration_seconds',
  promotionEvidenceComputations: 'promotion_evidence_computations_total',
  promotionEvidenceDuration: 'promotion_evidence_duration_seconds',
  artifactStoreFree: 'artifact_store_disk_free_bytes',
  artifactStoreSize: 'artifact_store_disk_size_bytes',
  // prom-client's default process metrics (collectDefaultMetrics), used for saturation panels.
  cpuSeconds: 'process_cpu_seconds_total',
  residentMemory: 'process_resident_memory_bytes',
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  // Population stability index per input feature of the production model over DRIFT_ALERT_HOURS (src/monitoring).
  featureDriftPsi: 'housing_feature_drift_psi',
} as const;

export type MetricKey = keyof typeof METRIC;
export type MetricName = (typeof METRIC)[MetricKey];

/**
 * Metrics that later issues add: alert rules may already use them, and the "every metric exists" checks
 * exempt exactly these (with the reason) until the code that exports them lands. None at present (the
 * drift metric, planned here first, is exported by src/monitoring).
 */
export const PLANNED_METRIC = {} as const;

/**
 * Outcomes of a batch job attempt as `batch_jobs_total{outcome}` counts them (initialised at 0);
 * `waiting`: a split job parked until its shards finished.
 */
export const BATCH_OUTCOMES = ['completed', 'failed', 'cancelled', 'skipped', 'requeued', 'waiting'] as const;
export type BatchOutcome = (typeof BATCH_OUTCOMES)[number];
/** Queue job kinds: a predict job, one shard of a large one, a batch evaluation (the monthly batch). */
export const BATCH_KINDS = ['predict', 'shard', 'evaluation'] as const;

/**
 * Outcomes of a training-run attempt as `training_runs_total{outcome}` counts them (initialised at 0):
 * `failed` the run failed for good (a permanent error, its time limit, or its last attempt);
 * `retrying` the attempt failed and the run waits for another one (attempts remain);
 * `requeued` the attempt stopped without failing (worker shutdown, lost lock): the run is back in the queue;
 * `skipped` the queue job's run was already finished or cancelled.
 */
export const TRAINING_OUTCOMES = [
  'completed',
  'failed',
  'retrying',
  'cancelled',
  'requeued',
  'skipped',
] as const;
export type TrainingOutcome = (typeof TRAINING_OUTCOMES)[number];
/** The `training` queue states of `training_queue_jobs{state}` (read from Redis on each scrape). */
export const TRAINING_QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/** The checks of GET /health/ready, each a `health_ready{check}` series (1 passing, 0 failing). */
export const READINESS_CHECKS = ['database', 'redis', 'queue', 'model'] as const;
export type ReadinessCheck = (typeof READINESS_CHECKS)[number];
