/**
 * Generated from backend/openapi.json by `npm run generate:api -w dashboard`. Do not edit.
 */

export interface paths {
  '/v1/keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List API keys (never the secrets), newest first, revoked and expired ones included */
    get: operations['Keys_list'];
    put?: never;
    /**
     * Create an API key
     * @description The response is the only time the secret key is shown; only its hash is stored.
     */
    post: operations['Keys_create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/keys/me': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The calling key: its name, scopes and expiry (any valid key) */
    get: operations['Keys_me'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/keys/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /**
     * Revoke an API key
     * @description It stops working on its next request. Revoking a revoked key is a no-op.
     */
    delete: operations['Keys_revoke'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List model versions, newest first, with metrics and lineage */
    get: operations['Registry_list'];
    put?: never;
    /** Register a model package (upload of the .tar.gz archive written by `ml pack`) */
    post: operations['Registry_upload'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/from-uri': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Register a model package already in the artifact store */
    post: operations['Registry_fromUri'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/rollback': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Move champion back one step through its history (the version GET /v1/models/{name}/rollback names)
     * @description Each rollback restores the version that held champion before the current one arrived, skipping versions already rolled away from: after v1→v2→v3, two rollbacks give v2 then v1. The body is optional.
     */
    post: operations['Registry_rollback'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/{name}/rollback': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Which version a rollback would bring back (nothing changes) */
    get: operations['Registry_previewRollback'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/{name}/aliases': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A model's aliases and the versions they point at */
    get: operations['Registry_aliases'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/{name}/aliases/{alias}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Point an alias at a version (moving it from the version that held it); champion is what serves
     * @description Recorded in the history with the optional reason. champion has one holder across every model name: the API serves one model. Setting champion first reads the promotion evidence (GET .../promotion-evidence): a version worse than the champion by more than PROMOTION_MARGIN is refused (409 promotion-needs-force, the evidence in the body) unless `force` is true with a `reason`. Without evidence (no training run with a holdout) the promotion proceeds and `promotion.verdict` says no-evidence.
     */
    put: operations['Registry_setAlias'];
    post?: never;
    /** Remove an alias (champion cannot be removed: point it elsewhere or roll back) */
    delete: operations['Registry_removeAlias'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/{name}/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every alias and stage change of a model, newest first */
    get: operations['Registry_history'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/{name}/versions/{version}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One model version */
    get: operations['Registry_get'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /** Change a version's description and tags */
    patch: operations['Registry_update'];
    trace?: never;
  };
  '/v1/models/{name}/versions/{version}/evaluation': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Holdout evaluation by month and region, feature importances and tuning trials */
    get: operations['Registry_evaluation'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/{name}/versions/{version}/stage': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    /**
     * Deprecated: use PUT /v1/models/{name}/aliases/{alias}. Moves a version to a stage
     * @deprecated
     * @description A layer over aliases: production sets champion (archiving the version that held it), staging sets challenger, archived and none remove the version's aliases. The production version cannot be moved to another stage directly (409): promote its replacement or roll back. Responses carry a `Deprecation` header (RFC 9745) and a `Link` to the alias endpoint.
     */
    put: operations['Registry_setStage'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/current': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The model version this API process serves, with its input signature */
    get: operations['CurrentModel_current'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/current/schema': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * JSON Schema of the prediction `record` for the served model (its fields, types and ranges)
     * @description Generated from the served version's signature, so it changes when another version is promoted. `x-observed` is the range seen in training.
     */
    get: operations['CurrentModel_schema'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/predictions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Predict the price of one record with the production model (or the version `model` names)
     * @description `record` holds the fields of the served model: their names, types, accepted ranges and the range seen in training are in [`GET /v1/models/current/schema`](#/models/CurrentModel_schema) (a JSON Schema generated from the model signature; it changes when another version is promoted) and in `GET /v1/models/current` (`signature`).
     */
    post: operations['Prediction_predict'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/predictions/bulk': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Predict up to 1,000 records; invalid records get their errors beside the others' prices */
    post: operations['Prediction_bulk'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batch-jobs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List batch jobs, newest first (the key's own; every job for admin keys) */
    get: operations['BatchJobs_list'];
    put?: never;
    /**
     * Submit a batch prediction job
     * @description Either upload a CSV (multipart/form-data, field `file`, at most BATCH_UPLOAD_LIMIT_BYTES; optional fields `modelName` and `modelVersion` before it: a form field after the file is a 400, more than 10 fields a 413) or name a CSV already in the artifact store (JSON `{inputUri, modelVersion?}`) or a registered dataset (JSON `{datasetId, modelVersion?}`, recorded on the job). The job is scored by a worker with the model version named, else the production version at submit time. With an `Idempotency-Key` header, repeating the request with the same key and API key returns the same job instead of creating another.
     */
    post: operations['BatchJobs_submit'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batch-jobs/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A batch job: status, progress, row counts, model version, timings and error reason */
    get: operations['BatchJobs_get'];
    put?: never;
    post?: never;
    /** Cancel a job: a queued one is removed from the queue, a running one stops at its next chunk */
    delete: operations['BatchJobs_cancel'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batch-jobs/{id}/result': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The result CSV: the input columns, predicted_price, and actual_price when the input had the target column */
    get: operations['BatchJobs_result'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batch-jobs/{id}/errors': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The rejected rows: `line` (1-based line of the input where the row starts), `reason`, and `row` (the row itself as one CSV cell, cut at 1,000 characters) */
    get: operations['BatchJobs_errors'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batch-jobs/{id}/evaluation': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Accuracy of a job whose input had actual prices: actual vs predicted by (month, region)
     * @description The same cells as a model version’s holdout evaluation (GET /v1/models/{name}/versions/{version}/evaluation), so any filter on months and regions sums to exact MAE, RMSE and MAPE.
     */
    get: operations['BatchJobs_evaluation'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batch-evaluations': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Monthly batch runs with their evaluation summaries, newest first (the key's own; every run, scheduled ones too, for admin keys) */
    get: operations['BatchEvaluations_list'];
    put?: never;
    /**
     * Run the monthly batch now
     * @description Scores the dataset with the production model month by month (one prediction file per month of the date column) and, where actual prices are present, evaluates MAE, RMSE and % errors by month and region. The same run BATCH_MONTHLY_CRON schedules. The input is `inputUri` (a CSV in the artifact store) or `datasetId` (a registered dataset, recorded on the run; the dataset cannot be deleted while a run references it).
     */
    post: operations['BatchEvaluations_create'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/batch-evaluations/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One monthly batch run: status, monthly files and the evaluation by month and region */
    get: operations['BatchEvaluations_get'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/datasets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List dataset versions, newest first (with ?sha256=, the one with that checksum, if any) */
    get: operations['Dataset_list'];
    put?: never;
    /**
     * Register a dataset version (a CSV following a built-in spec)
     * @description Upload the CSV (multipart/form-data: field `spec`, then field `file`; at most DATASET_UPLOAD_LIMIT_BYTES) or name one already in the artifact store (JSON `{spec, uri}`). The file is stored immutable under its sha256 with its row count and column profile. The same bytes again return the existing dataset (200) instead of creating one (201).
     */
    post: operations['Dataset_register'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/datasets/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A dataset version: checksum, spec, rows, column profile, and the model versions trained on it */
    get: operations['Dataset_get'];
    put?: never;
    post?: never;
    /** Delete a dataset version no model version was trained on and no batch evaluation scored */
    delete: operations['Dataset_delete'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/datasets/{id}/content': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The CSV itself, streamed (its sha256 is the dataset’s) */
    get: operations['Dataset_content'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/monitoring/drift': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Whether what a model scores still looks like its training data
     * @description Every API process and batch job bins what it scores like the package’s training distribution (deciles for numbers, top categories, missing) and adds the counts up in Redis per time bucket; this reports PSI per feature, unseen categories, values outside the training range and the predicted-price distribution over the window, with a series per bucket.
     */
    get: operations['Monitoring_drift'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/training-runs/compare': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Compare 2 to 10 training runs side by side
     * @description Metrics with deltas against the first (the baseline), the parameters that differ (all with allParams=true), holdout error by month and by region (and by both with cells=true) from each registered version’s evaluation cells, and each tuning history. A run’s error comes from the version it registered (none yet: null). Runs of other keys are unknown unless the key is admin.
     */
    get: operations['RunComparison_compareRuns'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/{name}/compare': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Compare 2 to 10 versions of a model side by side
     * @description Metrics with deltas against the first (the baseline), the parameters that differ (all with allParams=true), holdout error by month and by region (and by both with cells=true) from each registered version’s evaluation cells, and each tuning history.
     */
    get: operations['RunComparison_compareVersions'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/training-runs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List training runs, newest first (the key's own; every run for admin keys) */
    get: operations['TrainingRuns_list'];
    put?: never;
    /**
     * Queue a training run
     * @description Upload a CSV (multipart/form-data: the option fields, then field `file`, at most TRAINING_UPLOAD_LIMIT_BYTES) or name one (JSON `{inputUri}` in the artifact store, or `{datasetId}` of a registered dataset). The spec: `specName` (built-in), `spec` (inline JSON, validated: a 400 names every problem), else the dataset’s spec, else housets. A training worker runs `ml train` on it; the package is registered as a new model version, not promoted. Follow it at the Location.
     */
    post: operations['TrainingRuns_submit'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/training-runs/recorded': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Record a run trained offline (`ml train --server`)
     * @description multipart/form-data: a `run` field (JSON: specName, params, metrics, trials, datasetSha256, durationMs, logTail, options) before a `package` file (the .tar.gz of `ml pack`). The package is registered as a new version (not promoted) and the run kept with source `cli`.
     */
    post: operations['TrainingRuns_record'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/training-runs/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A training run: status, live progress, parameters, metrics, trials, the registered version */
    get: operations['TrainingRuns_get'];
    put?: never;
    post?: never;
    /** Cancel a run: a queued one leaves the queue, a running one’s trainer is stopped (its log is kept) */
    delete: operations['TrainingRuns_cancel'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/training-runs/{id}/logs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The run’s log: the whole log once the attempt ended, its tail while it runs */
    get: operations['TrainingRuns_logs'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/models/{name}/versions/{version}/promotion-evidence': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Evidence for promoting a version: it and the champion, each scored on both training holdouts
     * @description The candidate is scored on the champion's holdout rows and the champion on the candidate's (each also on its own), from their training runs (same spec required). Computed once per pair and kept. Without a run with a holdout, or with different specs, `verdict` is no-evidence and `missing` says what is missing.
     */
    get: operations['PromotionEvidence_get'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health/live': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness: the process answers */
    get: operations['Health_live'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health/ready': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness: database, Redis, the batch queue (with its depth) and a loaded model; 503 names what is missing */
    get: operations['Health_ready'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    CreateApiKeyDto: {
      /**
       * @description What the key is for; shown in listings.
       * @example nightly-batch
       */
      name: string;
      /**
       * @description `admin` implies every other scope.
       * @example [
       *       "predict",
       *       "batch"
       *     ]
       */
      scopes: ('predict' | 'batch' | 'models:read' | 'models:write' | 'train' | 'admin')[];
      /**
       * Format: date-time
       * @description When the key stops working (must be in the future). Omit or null: never.
       * @example 2030-01-01T00:00:00Z
       */
      expiresAt?: string | null;
      /**
       * @description Requests per minute for this key, counted per API instance. Omit or null: the server default (RATE_LIMIT_PER_MINUTE).
       * @example 600
       */
      rateLimitPerMinute?: number | null;
    };
    CreatedApiKeyDto: {
      /**
       * Format: uuid
       * @example 3f1c6f0e-8a2b-4c1d-9e7f-0a1b2c3d4e5f
       */
      id: string;
      /** @example nightly-batch */
      name: string;
      /**
       * @description The key's first 12 characters, to tell keys apart. Not enough to authenticate.
       * @example hp_Zk3Qm9xW
       */
      prefix: string;
      /**
       * @example [
       *       "predict",
       *       "batch"
       *     ]
       */
      scopes: ('predict' | 'batch' | 'models:read' | 'models:write' | 'train' | 'admin')[];
      /**
       * @example active
       * @enum {string}
       */
      status: 'active' | 'revoked' | 'expired';
      /**
       * @description Own requests-per-minute limit; null: the server default.
       * @example 600
       */
      rateLimitPerMinute: number | null;
      /**
       * Format: date-time
       * @example 2025-01-15T09:30:00.000Z
       */
      createdAt: string;
      /**
       * Format: date-time
       * @example 2030-01-01T00:00:00.000Z
       */
      expiresAt: string | null;
      /**
       * Format: date-time
       * @example null
       */
      revokedAt: string | null;
      /**
       * Format: date-time
       * @description Last use, recorded at most once a minute.
       * @example 2025-01-16T12:00:00.000Z
       */
      lastUsedAt: string | null;
      /**
       * Format: uuid
       * @description Id of the key that created this one; null for the bootstrap key.
       */
      createdBy: string | null;
      /**
       * @description The secret key. Shown in this response only: store it now, it cannot be retrieved again.
       * @example hp_Zk3Qm9xWb7Yt2LrN5sQ8vUe1AiOc4GhJdKfPzXyMwT0
       */
      key: string;
    };
    FieldProblem: {
      /** @example records[3].median_list_price */
      field: string;
      /** @example must be a number, got "abc" */
      message: string;
    };
    ProblemDetails: {
      /** @example https://housing.dev/problems/validation */
      type: string;
      /** @example Validation failed */
      title: string;
      /** @example 400 */
      status: number;
      /** @example 2 fields are invalid */
      detail?: string;
      /** @example /v1/predictions */
      instance?: string;
      /** @description Request id, also in the X-Request-Id header and every log line. */
      requestId?: string;
      /** @description Every bad field, when the request was invalid. */
      errors?: components['schemas']['FieldProblem'][];
    };
    ApiKeyDto: {
      /**
       * Format: uuid
       * @example 3f1c6f0e-8a2b-4c1d-9e7f-0a1b2c3d4e5f
       */
      id: string;
      /** @example nightly-batch */
      name: string;
      /**
       * @description The key's first 12 characters, to tell keys apart. Not enough to authenticate.
       * @example hp_Zk3Qm9xW
       */
      prefix: string;
      /**
       * @example [
       *       "predict",
       *       "batch"
       *     ]
       */
      scopes: ('predict' | 'batch' | 'models:read' | 'models:write' | 'train' | 'admin')[];
      /**
       * @example active
       * @enum {string}
       */
      status: 'active' | 'revoked' | 'expired';
      /**
       * @description Own requests-per-minute limit; null: the server default.
       * @example 600
       */
      rateLimitPerMinute: number | null;
      /**
       * Format: date-time
       * @example 2025-01-15T09:30:00.000Z
       */
      createdAt: string;
      /**
       * Format: date-time
       * @example 2030-01-01T00:00:00.000Z
       */
      expiresAt: string | null;
      /**
       * Format: date-time
       * @example null
       */
      revokedAt: string | null;
      /**
       * Format: date-time
       * @description Last use, recorded at most once a minute.
       * @example 2025-01-16T12:00:00.000Z
       */
      lastUsedAt: string | null;
      /**
       * Format: uuid
       * @description Id of the key that created this one; null for the bootstrap key.
       */
      createdBy: string | null;
    };
    MyApiKeyDto: {
      /**
       * Format: uuid
       * @example 3f1c6f0e-8a2b-4c1d-9e7f-0a1b2c3d4e5f
       */
      id: string;
      /** @example dashboard */
      name: string;
      /** @example hp_Zk3Qm9xW */
      prefix: string;
      /**
       * @description The scopes the key was given.
       * @example [
       *       "predict",
       *       "models:read"
       *     ]
       */
      scopes: ('predict' | 'batch' | 'models:read' | 'models:write' | 'train' | 'admin')[];
      /**
       * @description Every scope the key effectively has (all of them for admin): what the key may do.
       * @example [
       *       "predict",
       *       "models:read"
       *     ]
       */
      effectiveScopes: ('predict' | 'batch' | 'models:read' | 'models:write' | 'train' | 'admin')[];
      /**
       * Format: date-time
       * @example 2030-01-01T00:00:00.000Z
       */
      expiresAt: string | null;
      /**
       * @description Requests per minute allowed for this key (per API instance).
       * @example 1200
       */
      rateLimitPerMinute: number;
    };
    MetricsDto: {
      /** @example 15653.2 */
      mae: number;
      /** @example 37893.6 */
      rmse: number;
      /** @example 0.982 */
      r2: number;
      /**
       * @description Mean absolute percentage error, percent
       * @example 2.73
       */
      mape: number;
      /** @example 4698 */
      rows: number;
    };
    BaselineMetricsDto: {
      eval: components['schemas']['MetricsDto'];
      holdout: components['schemas']['MetricsDto'];
    };
    ModelMetricsDto: {
      /** @description Model trained on the train split, on the eval split */
      eval: components['schemas']['MetricsDto'];
      /** @description Final model (refit on train + eval), on the holdout split */
      holdout: components['schemas']['MetricsDto'];
      train?: components['schemas']['MetricsDto'];
      /** @description The median baseline */
      baseline: components['schemas']['BaselineMetricsDto'];
    };
    ModelVersionDto: {
      /** Format: uuid */
      id: string;
      /** @example housets-xgboost */
      name: string;
      /** @example 3 */
      version: number;
      /**
       * @description Version given by the training run
       * @example 20261123.022903
       */
      packageVersion: string;
      /**
       * @description Deprecated, derived from the aliases: production = holds `champion`, staging = holds `challenger`; archived = lost `champion`
       * @enum {string}
       */
      stage: 'none' | 'staging' | 'production' | 'archived';
      /**
       * @description The aliases pointing at this version
       * @example [
       *       "champion"
       *     ]
       */
      aliases: string[];
      description: string | null;
      /**
       * @description Free key/value tags
       * @example {
       *       "team": "pricing"
       *     }
       */
      tags: {
        [key: string]: string;
      };
      /** @example housets */
      datasetSpec: string;
      /** @example 37 */
      featureCount: number;
      metrics: components['schemas']['ModelMetricsDto'];
      /** @description Dataset checksum, rows per split, git commit, dates */
      lineage: {
        [key: string]: unknown;
      };
      hyperparameters: {
        [key: string]: unknown;
      };
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      stageChangedAt?: string | null;
    };
    RegisterFromUriDto: {
      /**
       * @description A package archive (.tar.gz) or package directory inside the artifact store
       * @example s3://housing-artifacts/uploads/housets-xgboost.tar.gz
       */
      uri: string;
    };
    RollbackRequestDto: {
      /** @example v3 overprices Atlanta condos */
      reason?: string;
      /** @description The version the caller expects to come back (from the preview); 409 if another would */
      expectedVersion?: number;
    };
    VersionRefDto: {
      /** @example housets-xgboost */
      name: string;
      /** @example 2 */
      version: number;
    };
    RollbackResultDto: {
      /** Format: uuid */
      id: string;
      /** @example housets-xgboost */
      name: string;
      /** @example 3 */
      version: number;
      /**
       * @description Version given by the training run
       * @example 20261123.022903
       */
      packageVersion: string;
      /**
       * @description Deprecated, derived from the aliases: production = holds `champion`, staging = holds `challenger`; archived = lost `champion`
       * @enum {string}
       */
      stage: 'none' | 'staging' | 'production' | 'archived';
      /**
       * @description The aliases pointing at this version
       * @example [
       *       "champion"
       *     ]
       */
      aliases: string[];
      description: string | null;
      /**
       * @description Free key/value tags
       * @example {
       *       "team": "pricing"
       *     }
       */
      tags: {
        [key: string]: string;
      };
      /** @example housets */
      datasetSpec: string;
      /** @example 37 */
      featureCount: number;
      metrics: components['schemas']['ModelMetricsDto'];
      /** @description Dataset checksum, rows per split, git commit, dates */
      lineage: {
        [key: string]: unknown;
      };
      hyperparameters: {
        [key: string]: unknown;
      };
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      stageChangedAt?: string | null;
      /** @description The version rolled away from */
      from: components['schemas']['VersionRefDto'];
      /** @description The version that came back (this one) */
      to: components['schemas']['VersionRefDto'];
    };
    RollbackPreviewDto: {
      /** @description The champion now */
      from: components['schemas']['ModelVersionDto'];
      /** @description The version a rollback brings back */
      to: components['schemas']['ModelVersionDto'];
    };
    ModelAliasDto: {
      /** @example housets-xgboost */
      name: string;
      /** @example champion */
      alias: string;
      /** @example 3 */
      version: number | null;
      /** @description API key id that set it */
      setBy: string | null;
      /** Format: date-time */
      setAt: string;
    };
    SetAliasDto: {
      /**
       * @description The version the alias points at
       * @example 3
       */
      version: number;
      /** @example better holdout MAPE in every region */
      reason?: string;
      /** @description Promote to champion even though the promotion evidence finds this version worse than the champion by more than PROMOTION_MARGIN (otherwise 409 promotion-needs-force). Requires a non-empty `reason`; the history records both. */
      force?: boolean;
    };
    PromotionSummaryDto: {
      /**
       * @description better / within-margin / worse: the candidate's MAPE on the champion's holdout against the champion's; no-evidence: see `missing`; same-version: it already was champion
       * @enum {string}
       */
      verdict: 'better' | 'within-margin' | 'worse' | 'no-evidence' | 'same-version';
      /** @description Why there is no evidence (empty when there is) */
      missing: string[];
      /** @description Promoted with force despite evidence that it is worse */
      forced: boolean;
    };
    AliasSetDto: {
      /** Format: uuid */
      id: string;
      /** @example housets-xgboost */
      name: string;
      /** @example 3 */
      version: number;
      /**
       * @description Version given by the training run
       * @example 20261123.022903
       */
      packageVersion: string;
      /**
       * @description Deprecated, derived from the aliases: production = holds `champion`, staging = holds `challenger`; archived = lost `champion`
       * @enum {string}
       */
      stage: 'none' | 'staging' | 'production' | 'archived';
      /**
       * @description The aliases pointing at this version
       * @example [
       *       "champion"
       *     ]
       */
      aliases: string[];
      description: string | null;
      /**
       * @description Free key/value tags
       * @example {
       *       "team": "pricing"
       *     }
       */
      tags: {
        [key: string]: string;
      };
      /** @example housets */
      datasetSpec: string;
      /** @example 37 */
      featureCount: number;
      metrics: components['schemas']['ModelMetricsDto'];
      /** @description Dataset checksum, rows per split, git commit, dates */
      lineage: {
        [key: string]: unknown;
      };
      hyperparameters: {
        [key: string]: unknown;
      };
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      stageChangedAt?: string | null;
      /** @description Present when the alias is champion */
      promotion?: components['schemas']['PromotionSummaryDto'];
    };
    HoldoutMetricsDto: {
      /**
       * @description Mean absolute percentage error, in percent
       * @example 7.9
       */
      mape: number;
      /** @example 41250.3 */
      rmse: number;
      /** @example 28110.9 */
      mae: number;
      /** @example 0.91 */
      r2: number;
      /**
       * @description Rows scored
       * @example 1200
       */
      n: number;
    };
    MetricDeltaDto: {
      /** @example -0.4 */
      mape: number;
      /** @example -1520.2 */
      rmse: number;
      /** @example -980.1 */
      mae: number;
      /** @example 0.01 */
      r2: number;
    };
    HoldoutComparisonDto: {
      /**
       * @description Whose training run's holdout rows these are
       * @enum {string}
       */
      holdoutOf: 'champion' | 'candidate';
      /** Format: uuid */
      runId: string;
      /** @description Holdout rows of the run */
      rows: number;
      /** @description Rows scored: an evenly spaced sample beyond PROMOTION_EVIDENCE_MAX_ROWS */
      sampledRows: number;
      candidate: components['schemas']['HoldoutMetricsDto'];
      champion: components['schemas']['HoldoutMetricsDto'];
      delta: components['schemas']['MetricDeltaDto'];
    };
    PromotionEvidenceDto: {
      candidate: components['schemas']['VersionRefDto'];
      /** @description null: there is no champion */
      champion: components['schemas']['VersionRefDto'] | null;
      /**
       * @description From the candidate's MAPE on the champion's holdout against the champion's: worse (by more than margin), within-margin, better; no-evidence (see missing); same-version
       * @enum {string}
       */
      verdict: 'better' | 'within-margin' | 'worse' | 'no-evidence' | 'same-version';
      /** @description Promoting needs force with a reason (verdict worse) */
      needsForce: boolean;
      /**
       * @description Why there is no evidence: each missing part named (empty when there is evidence)
       * @example [
       *       "housets-xgboost v3 has no training run with a holdout (uploaded package)"
       *     ]
       */
      missing: string[];
      /**
       * @description PROMOTION_MARGIN: the relative MAPE increase tolerated
       * @example 0.02
       */
      margin: number;
      /**
       * @description (candidate MAPE − champion MAPE) / champion MAPE on the champion's holdout
       * @example 0.035
       */
      relativeMapeChange: number | null;
      /** @example housets */
      specName: string | null;
      /** @description Both models on the champion's holdout, then both on the candidate's (empty without evidence) */
      holdouts: components['schemas']['HoldoutComparisonDto'][];
      /**
       * Format: date-time
       * @description When the scores were computed
       */
      computedAt: string | null;
      /** @description How long computing them took */
      durationMs: number | null;
    };
    PromotionNeedsForceDto: {
      /** @example https://housing.dev/problems/validation */
      type: string;
      /** @example Validation failed */
      title: string;
      /** @example 400 */
      status: number;
      /** @example 2 fields are invalid */
      detail?: string;
      /** @example /v1/predictions */
      instance?: string;
      /** @description Request id, also in the X-Request-Id header and every log line. */
      requestId?: string;
      /** @description Every bad field, when the request was invalid. */
      errors?: components['schemas']['FieldProblem'][];
      /** @description Why: the candidate is worse beyond PROMOTION_MARGIN */
      evidence: components['schemas']['PromotionEvidenceDto'];
    };
    RemoveAliasDto: {
      /** @description When given, the alias is removed only if it still points at this version (409 otherwise) */
      version?: number;
      reason?: string;
    };
    HistoryEntryDto: {
      /** Format: uuid */
      id: string;
      /** Format: date-time */
      at: string;
      /**
       * @description set/remove: an alias set or removed; rollback: champion moved back; stage: through the deprecated stage endpoint
       * @enum {string}
       */
      action: 'set' | 'remove' | 'rollback' | 'stage';
      /**
       * @description null for a stage change that moved no alias
       * @example champion
       */
      alias: string | null;
      /** @description The version the change concerns */
      version: components['schemas']['VersionRefDto'] | null;
      /** @description Where the alias pointed before */
      from: components['schemas']['VersionRefDto'] | null;
      /** @description Where the alias points after (null: removed) */
      to: components['schemas']['VersionRefDto'] | null;
      /** @enum {string} */
      fromStage: 'none' | 'staging' | 'production' | 'archived';
      /** @enum {string} */
      toStage: 'none' | 'staging' | 'production' | 'archived';
      reason: string | null;
      /** @description API key id that made the change */
      changedBy: string | null;
      /** @description A promotion to champion made with force despite evidence that the version was worse (see reason) */
      forced: boolean;
    };
    HistoryListDto: {
      /** @description Newest first */
      items: components['schemas']['HistoryEntryDto'][];
      /** @example 12 */
      total: number;
      /** @example 50 */
      limit: number;
      /** @example 0 */
      offset: number;
    };
    EvaluationCellDto: {
      /** @example 2022-03 */
      month: string;
      /** @example Austin-Round Rock-Georgetown */
      region: string;
      n: number;
      sumActual: number;
      sumPredicted: number;
      sumAbsError: number;
      sumSquaredError: number;
      sumAbsPercentError: number;
    };
    EvaluationPointDto: {
      month: string;
      region: string;
      actual: number;
      predicted: number;
    };
    FeatureImportanceDto: {
      feature: string;
      /** @description Share of total gain */
      gain: number;
      /** @description Number of splits */
      weight: number;
    };
    TuningTrialDto: {
      number: number;
      params: {
        [key: string]: unknown;
      };
      eval_rmse: number | null;
      seconds: number;
      state: string;
    };
    ModelEvaluationDto: {
      /** @example holdout */
      split: string;
      /** @example city_full */
      regionColumn: string | null;
      /** @description Holdout sums by (month, region): exact metrics for any filter */
      cells: components['schemas']['EvaluationCellDto'][];
      /** @description A sample of holdout rows for scatter plots */
      points: components['schemas']['EvaluationPointDto'][];
      importances: components['schemas']['FeatureImportanceDto'][];
      trials: components['schemas']['TuningTrialDto'][];
    };
    UpdateVersionDto: {
      /** @description null clears it */
      description?: string | null;
      /**
       * @description Merged into the version's tags (JSON merge patch): a null value removes the key. Keys are 1 to 128 letters, digits or "_.:/-"; at most 50 tags per version.
       * @example {
       *       "team": "pricing",
       *       "obsolete": null
       *     }
       */
      tags?: {
        [key: string]: string | null;
      };
    };
    SetStageDto: {
      /**
       * @example production
       * @enum {string}
       */
      stage: 'none' | 'staging' | 'production' | 'archived';
      /** @description Recorded in the history (required with force) */
      reason?: string;
      /** @description Promote to champion even though the promotion evidence finds this version worse than the champion by more than PROMOTION_MARGIN (otherwise 409 promotion-needs-force). Requires a non-empty `reason`; the history records both. */
      force?: boolean;
    };
    SignatureFieldDto: {
      /** @example median_list_price */
      name: string;
      /** @enum {string} */
      type: 'number' | 'string' | 'date';
      required: boolean;
      description?: string;
      /** @description Smallest accepted value */
      min?: number;
      /** @description Largest accepted value */
      max?: number;
      /** @description Range seen in training ({min, max}) */
      observed?: {
        [key: string]: unknown;
      };
      /** @description Categories seen in training, most frequent first */
      categories?: string[];
      /** @example accepted; encoded as frequency 0 */
      unknownCategory?: string;
      /** @description A typical value */
      example?: number | string;
    };
    CurrentModelDto: {
      /** @example housets-xgboost */
      name: string;
      /** @example 3 */
      version: number;
      /** @example 20261123.022903 */
      packageVersion: string;
      /** Format: date-time */
      loadedAt: string;
      /** @example price */
      target: string;
      /** @description The raw fields a prediction request takes */
      signature: components['schemas']['SignatureFieldDto'][];
      featureNames: string[];
      metrics: components['schemas']['ModelMetricsDto'];
      /** @description An example record (the first parity record) */
      exampleRecord: {
        [key: string]: unknown;
      };
    };
    PredictionRequestDto: {
      /**
       * @description One raw record with the fields of the active model (GET /v1/models/current lists them). Fields the model does not use are ignored. The document served at /docs-json replaces this generic description with the served model's fields and an example it accepts.
       * @example {
       *       "date": "2022-06-30",
       *       "zipcode": "30002",
       *       "city_full": "Atlanta-Sandy Springs-Alpharetta",
       *       "median_list_price": 389000,
       *       "median_dom": 21,
       *       "Median Home Value": 251000,
       *       "Per Capita Income": 38500
       *     }
       */
      record: {
        [key: string]: unknown;
      };
      /**
       * @description The model version to score with instead of the production one: `name@alias`, `name/version` or a bare name (its champion). A version not loaded yet is loaded first (parity-checked); 404 when nothing matches.
       * @example housets-xgboost@challenger
       */
      model?: string;
    };
    PriceIntervalDto: {
      /**
       * @description Lower end of the range (never below 0)
       * @example 371200.5
       */
      low: number;
      /**
       * @description Upper end of the range
       * @example 458900.25
       */
      high: number;
      /**
       * @description Nominal coverage: the share of true prices the range is calibrated to hold (conformal calibration on rows the model did not see; the model page reports the coverage measured on its holdout)
       * @example 0.9
       */
      level: number;
    };
    ColumnContributionDto: {
      /**
       * @description Raw input column(s), joined by " + " when a feature reads several
       * @example median_list_price
       */
      source: string;
      /**
       * @example [
       *       "median_list_price"
       *     ]
       */
      columns: string[];
      /**
       * @description What the model adds for this column, in model space (log1p of the price for a log target)
       * @example 0.0831
       */
      contribution: number;
      /**
       * @description The same in price terms: basePrice plus every priceContribution (and rest) is the price
       * @example 31250.4
       */
      priceContribution: number;
    };
    RestContributionDto: {
      /**
       * @description How many columns the list leaves out
       * @example 27
       */
      columns: number;
      /** @example -0.0042 */
      contribution: number;
      /** @example -1604.11 */
      priceContribution: number;
    };
    FeatureContributionDto: {
      /** @example date_year */
      feature: string;
      /**
       * @description The model input (null when missing)
       * @example 2022
       */
      value: number | null;
      /** @example 0.0123 */
      contribution: number;
    };
    ExplanationDto: {
      /**
       * @description The model space contributions add up in
       * @enum {string}
       */
      space: 'log1p' | 'identity';
      /**
       * @description The model's expected output over its training data (model space)
       * @example 12.61
       */
      bias: number;
      /**
       * @description bias as a price: where the waterfall starts
       * @example 299500
       */
      basePrice: number;
      /**
       * @description The model output the contributions add up to, as a price (equals `price` up to float rounding)
       * @example 412345.67
       */
      price: number;
      /** @description Exact TreeSHAP (path-dependent) grouped by raw input column, largest first: the top 10, or every column with explain=all */
      columns: components['schemas']['ColumnContributionDto'][];
      /** @description The columns not listed, summed */
      rest: components['schemas']['RestContributionDto'];
      /** @description Every model input (explain=all only) */
      features?: components['schemas']['FeatureContributionDto'][];
    };
    PredictionWarningDto: {
      /**
       * @description The input field concerned
       * @example Gr Liv Area
       */
      field: string;
      /**
       * @description unseen_category: a category training never saw; out_of_range: a number outside the training range (or clipped to the spec bounds); imputed: a missing optional field or an out-of-bounds value treated as missing; extrapolated_date: a date more than a year outside the dates the model was fit on
       * @example out_of_range
       * @enum {string}
       */
      kind: 'unseen_category' | 'out_of_range' | 'imputed' | 'extrapolated_date';
      /** @example 5642 is outside the training range 334 to 4676 */
      message: string;
    };
    ModelRefDto: {
      /** @example housets-xgboost */
      name: string;
      /** @example 3 */
      version: number;
    };
    PredictionResponseDto: {
      /**
       * @description Predicted price, in the target column's units
       * @example 412345.67
       */
      price: number;
      /** @description The range the price is calibrated to fall in at `level`; null for a model package trained without interval calibration */
      interval: components['schemas']['PriceIntervalDto'] | null;
      /** @description Present when the request asked for it (?explain=true or all): why the model gave this price; null when the serving package carries no tree covers (trained before explanations) */
      explanation?: components['schemas']['ExplanationDto'] | null;
      /** @description Why this price deserves less trust; empty when nothing is unusual */
      warnings: components['schemas']['PredictionWarningDto'][];
      model: components['schemas']['ModelRefDto'];
      /** @example 3f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11 */
      requestId: string;
    };
    BulkPredictionRequestDto: {
      /**
       * @example [
       *       {
       *         "date": "2022-06-30",
       *         "zipcode": "30002",
       *         "city_full": "Atlanta-Sandy Springs-Alpharetta",
       *         "median_list_price": 389000,
       *         "median_dom": 21,
       *         "Median Home Value": 251000,
       *         "Per Capita Income": 38500
       *       }
       *     ]
       */
      records: {
        [key: string]: unknown;
      }[];
      /**
       * @description The model version to score with instead of the production one: `name@alias`, `name/version` or a bare name (its champion). A version not loaded yet is loaded first (parity-checked); 404 when nothing matches.
       * @example housets-xgboost@challenger
       */
      model?: string;
    };
    BulkPredictionResultDto: {
      /**
       * @description Position of the record in the request
       * @example 0
       */
      index: number;
      /** @example 412345.67 */
      price?: number;
      /** @description Present with a price. The range the price is calibrated to fall in at `level`; null for a model package trained without interval calibration */
      interval?: components['schemas']['PriceIntervalDto'] | null;
      /** @description Present when the request asked for it (?explain=true or all): why the model gave this price; null when the serving package carries no tree covers (trained before explanations) */
      explanation?: components['schemas']['ExplanationDto'] | null;
      /** @description Present with a price */
      warnings?: components['schemas']['PredictionWarningDto'][];
      /** @description Why this record was rejected */
      errors?: components['schemas']['FieldProblem'][];
    };
    BulkPredictionResponseDto: {
      model: components['schemas']['ModelRefDto'];
      requestId: string;
      /** @example 998 */
      succeeded: number;
      /** @example 2 */
      failed: number;
      results: components['schemas']['BulkPredictionResultDto'][];
    };
    ModelVersionRefDto: {
      /**
       * @description The registry's one model name rule: letters, digits, ".", "_" or "-", starting with a letter or digit, at most 200 characters
       * @example housets-xgboost
       */
      name: string;
      /** @example 3 */
      version: number;
    };
    CreateBatchJobDto: {
      /**
       * @description A CSV already in the artifact store (s3://… or file://… under ARTIFACT_STORE), outside its batch/ and models/ areas.
       * @example s3://housing-artifacts/datasets/2024-06.csv
       */
      inputUri: string;
      /**
       * Format: uuid
       * @description A registered dataset (GET /v1/datasets) to score instead of inputUri: send exactly one of the two. Unknown: 404. The run records the dataset id and sha256.
       */
      datasetId?: string;
      /** @description The model version to score with; default: the production version at submit time. */
      modelVersion?: components['schemas']['ModelVersionRefDto'];
      /**
       * @description The model version to score with, by reference: `name@alias`, `name/version` or a bare name (its champion), resolved when the job is submitted (the job keeps that version). Not together with modelName/modelVersion.
       * @example housets-xgboost@challenger
       */
      model?: string;
      /** @description List in each result row’s `explanation` column the top this many input columns by exact TreeSHAP contribution, in price terms ("median_list_price +61200.40; zipcode -812.30"); 0: no column. About a millisecond a row. A model trained before explanations answers 422. */
      explain?: number;
    };
    UploadBatchJobDto: {
      /**
       * @description Model name (letters, digits, ".", "_" or "-", starting with a letter or digit, at most 200 characters); send before the file part. With modelVersion; default: production.
       * @example housets-xgboost
       */
      modelName?: string;
      /**
       * @description Model version number; send before the file part.
       * @example 3
       */
      modelVersion?: number;
      /**
       * @description The model version to score with, by reference: `name@alias`, `name/version` or a bare name (its champion), resolved when the job is submitted (the job keeps that version). Not together with modelName/modelVersion. Send before the file part.
       * @example housets-xgboost@challenger
       */
      model?: string;
      /** @description List in each result row’s `explanation` column the top this many input columns by exact TreeSHAP contribution, in price terms ("median_list_price +61200.40; zipcode -812.30"); 0: no column. About a millisecond a row. A model trained before explanations answers 422. Send before the file part. */
      explain?: number;
      /**
       * Format: binary
       * @description The CSV to score (header line first), at most BATCH_UPLOAD_LIMIT_BYTES.
       */
      file: Blob;
    };
    BatchModelDto: {
      /** @example housets-xgboost */
      name: string;
      /** @example 3 */
      version: number;
    };
    BatchInputDto: {
      /** @example s3://housing-artifacts/batch/6f1c…/input.csv */
      uri: string;
      /**
       * @description Uploaded file name
       * @example june.csv
       */
      name: string | null;
      /** @example 18400112 */
      bytes: number | null;
    };
    BatchDatasetDto: {
      /** Format: uuid */
      id: string;
      /** @example 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 */
      sha256: string;
    };
    BatchAccuracyDto: {
      /**
       * @description Scored rows that had an actual price
       * @example 118000
       */
      n: number;
      /** @example 21400.5 */
      mae: number;
      /** @example 35120.9 */
      rmse: number;
      /**
       * @description Mean absolute percentage error, in percent
       * @example 6.2
       */
      mape: number;
    };
    BatchJobLinksDto: {
      /** @example /v1/batch-jobs/6f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11 */
      self: string;
      /** @description The result CSV, once completed */
      result: string | null;
      /** @description The rejected rows (line, reason, row), once written */
      errors: string | null;
      /** @description Accuracy by month and region, when the input had actual prices */
      evaluation?: string | null;
    };
    BatchJobDto: {
      /** Format: uuid */
      id: string;
      /** @enum {string} */
      status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
      /**
       * @description Share of the input read by the current attempt, 0 to 1 (1 when completed)
       * @example 0.42
       */
      progress: number;
      /**
       * @description Data rows read
       * @example 120000
       */
      rowsRead: number;
      /**
       * @description Rows scored (in the result)
       * @example 119650
       */
      rowsDone: number;
      /**
       * @description Rows rejected (in the errors file)
       * @example 350
       */
      rowsFailed: number;
      /** @description The model version scoring the job (fixed at submit time) */
      model: components['schemas']['BatchModelDto'];
      input: components['schemas']['BatchInputDto'];
      /** @description The registered dataset scored, when the job named one (datasetId) */
      dataset: components['schemas']['BatchDatasetDto'] | null;
      /**
       * @description Attempts started; more than one after a retry or a stall
       * @example 1
       */
      attempts: number;
      /**
       * @description Times a worker died or hung on the job and another took over
       * @example 0
       */
      stalledCount: number;
      /** @description Why the job failed (or why the last attempt did, while retried) */
      error: string | null;
      idempotencyKey: string | null;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      startedAt: string | null;
      /** Format: date-time */
      finishedAt: string | null;
      /** @description From start to finish, milliseconds */
      durationMs: number | null;
      /** @description A completed job whose input had the target column: MAE, RMSE and MAPE of its scored rows */
      accuracy?: components['schemas']['BatchAccuracyDto'] | null;
      /**
       * @description Contributions listed per result row (0: no explanation column)
       * @example 0
       */
      explain: number;
      links: components['schemas']['BatchJobLinksDto'];
    };
    BatchJobListDto: {
      /** @description Newest first */
      items: components['schemas']['BatchJobDto'][];
      /**
       * @description Jobs matching the filter
       * @example 57
       */
      total: number;
      /** @example 20 */
      limit: number;
      /** @example 0 */
      offset: number;
    };
    BatchJobEvaluationDto: {
      /** @example date */
      dateColumn: string | null;
      /** @example city_full */
      regionColumn: string | null;
      /** @description Actual vs predicted summed by (month, region) */
      cells: components['schemas']['EvaluationCellDto'][];
    };
    CreateBatchEvaluationDto: {
      /**
       * @description The dataset to score month by month, inside the artifact store
       * @example s3://housing-artifacts/datasets/housets.csv
       */
      inputUri: string;
      /**
       * Format: uuid
       * @description A registered dataset (GET /v1/datasets) to score instead of inputUri: send exactly one of the two. Unknown: 404. The run records the dataset id and sha256.
       */
      datasetId?: string;
    };
    MonthlyFileDto: {
      /** @example 2022-03 */
      month: string;
      /** @example s3://housing-artifacts/batch/monthly/9b2…/2022-03.csv */
      uri: string;
      /** @example 6240 */
      rows: number;
    };
    ErrorMetricsDto: {
      /**
       * @description Rows with an actual price
       * @example 1204
       */
      n: number;
      /** @example 15653.2 */
      mae: number;
      /** @example 37893.6 */
      rmse: number;
      /**
       * @description Mean absolute percentage error, percent
       * @example 2.73
       */
      mape: number;
      /**
       * @description Mean signed percentage error (bias), percent
       * @example -0.41
       */
      meanPctError: number;
      /** @example 412000 */
      meanActual: number;
      /** @example 409500 */
      meanPredicted: number;
    };
    MonthMetricsDto: {
      /**
       * @description Rows with an actual price
       * @example 1204
       */
      n: number;
      /** @example 15653.2 */
      mae: number;
      /** @example 37893.6 */
      rmse: number;
      /**
       * @description Mean absolute percentage error, percent
       * @example 2.73
       */
      mape: number;
      /**
       * @description Mean signed percentage error (bias), percent
       * @example -0.41
       */
      meanPctError: number;
      /** @example 412000 */
      meanActual: number;
      /** @example 409500 */
      meanPredicted: number;
      /** @example 2022-03 */
      month: string;
    };
    RegionMetricsDto: {
      /**
       * @description Rows with an actual price
       * @example 1204
       */
      n: number;
      /** @example 15653.2 */
      mae: number;
      /** @example 37893.6 */
      rmse: number;
      /**
       * @description Mean absolute percentage error, percent
       * @example 2.73
       */
      mape: number;
      /**
       * @description Mean signed percentage error (bias), percent
       * @example -0.41
       */
      meanPctError: number;
      /** @example 412000 */
      meanActual: number;
      /** @example 409500 */
      meanPredicted: number;
      /** @example Austin-Round Rock-Georgetown */
      region: string;
    };
    EvaluationSummaryDto: {
      /** @example date */
      dateColumn: string;
      /** @example city_full */
      regionColumn: string | null;
      overall: components['schemas']['ErrorMetricsDto'];
      byMonth: components['schemas']['MonthMetricsDto'][];
      byRegion: components['schemas']['RegionMetricsDto'][];
    };
    BatchEvaluationDto: {
      /** Format: uuid */
      id: string;
      /** @enum {string} */
      status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
      /**
       * @description Started by the BATCH_MONTHLY_CRON scheduler or through the API
       * @enum {string}
       */
      source: 'schedule' | 'api';
      inputUri: string;
      /** @description The registered dataset scored, when the run named one (datasetId) */
      dataset: components['schemas']['BatchDatasetDto'] | null;
      /** @description The production version at the time of the run */
      model: components['schemas']['BatchModelDto'] | null;
      rowsRead: number;
      rowsDone: number;
      rowsFailed: number;
      attempts: number;
      error: string | null;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      startedAt: string | null;
      /** Format: date-time */
      finishedAt: string | null;
      /** @description One prediction file per month, once completed */
      files: components['schemas']['MonthlyFileDto'][];
      /** @description The rejected rows (line, reason, row), once completed */
      errorsUri: string | null;
      /** @description Present when the input had actual prices */
      summary: components['schemas']['EvaluationSummaryDto'] | null;
      /** @description The same rows by (month, region), the cells of a model version’s holdout evaluation (null for runs made before cells were kept, or without actual prices) */
      cells?: components['schemas']['EvaluationCellDto'][] | null;
    };
    BatchEvaluationListDto: {
      /** @description Newest first */
      items: components['schemas']['BatchEvaluationDto'][];
      total: number;
      limit: number;
      offset: number;
    };
    RegisterDatasetFromUriDto: {
      /**
       * @description Name of the built-in dataset spec the CSV follows
       * @example housets
       */
      spec: string;
      /**
       * @description A CSV inside the artifact store
       * @example s3://housing-artifacts/uploads/listings-2024.csv
       */
      uri: string;
    };
    UploadDatasetDto: {
      /**
       * @description Built-in spec name; send this field before `file`
       * @example housets
       */
      spec: string;
      /**
       * Format: binary
       * @description The CSV, at most DATASET_UPLOAD_LIMIT_BYTES
       */
      file: Blob;
    };
    CategoryCountDto: {
      value: string;
      count: number;
    };
    ColumnProfileDto: {
      name: string;
      /** @description Empty fields (and fields missing from short rows) */
      missing: number;
      /** @enum {string} */
      kind: 'numeric' | 'categorical' | 'empty';
      min?: number;
      max?: number;
      /** @description Categorical columns: distinct non-numeric values; null when more than 1,000 */
      distinct?: number | null;
      /** @description Most frequent non-numeric values (categorical columns) */
      top?: components['schemas']['CategoryCountDto'][];
    };
    DatasetDto: {
      /** Format: uuid */
      id: string;
      /** @description sha256 of the file bytes (the same as a model lineage’s datasetSha256) */
      sha256: string;
      /** @example housets */
      spec: string;
      /** @example housets-2024.csv */
      fileName: string | null;
      bytes: number;
      /** @description Data rows (the header excluded) */
      rows: number;
      columns: components['schemas']['ColumnProfileDto'][];
      /** @example file:///srv/housing/artifacts/datasets/sha256/ab12….csv */
      uri: string;
      /** @description Id of the API key that registered it */
      addedBy: string | null;
      /** Format: date-time */
      createdAt: string;
      /** @description Model versions whose lineage records this sha256 (detail view only) */
      models?: components['schemas']['ModelRefDto'][];
    };
    DatasetListDto: {
      items: components['schemas']['DatasetDto'][];
      total: number;
      limit: number;
      offset: number;
    };
    DriftModelDto: {
      /** @example housets-xgboost */
      name: string;
      /** @example 3 */
      version: number;
    };
    DriftThresholdsDto: {
      /**
       * @description PSI above this: a moderate shift
       * @example 0.1
       */
      moderate: number;
      /**
       * @description PSI above this: a significant shift
       * @example 0.25
       */
      significant: number;
    };
    DriftBinDto: {
      /** @example 389,000 – 412,000 */
      label: string;
      /**
       * @description Share of the training rows in this bin
       * @example 0.1
       */
      expected: number;
      /**
       * @description Share of the scored rows in this bin
       * @example 0.16
       */
      actual: number;
    };
    FeatureDriftDto: {
      /** @example median_list_price */
      feature: string;
      /** @enum {string} */
      kind: 'number' | 'category';
      /**
       * @description Population stability index against training (null with no rows): < 0.1 stable, 0.1–0.25 moderate, > 0.25 significant
       * @example 0.31
       */
      psi: number | null;
      /** @example 0.01 */
      missingShare: number | null;
      /** @description Categories: share never seen in training */
      unseenShare: number | null;
      /** @description Numbers: share outside the training range */
      outOfRangeShare: number | null;
      bins: components['schemas']['DriftBinDto'][];
    };
    PriceDriftDto: {
      /** @description PSI of the predicted prices against the training prices */
      psi: number | null;
      bins: components['schemas']['DriftBinDto'][];
    };
    DriftPointDto: {
      /** @example housets-xgboost */
      feature: string;
      psi: number | null;
    };
    DriftBucketDto: {
      /**
       * @description Start of the bucket
       * @example 2026-12-07T10:00:00.000Z
       */
      start: string;
      /** @example 412 */
      rows: number;
      /** @description PSI of each feature within the bucket */
      features: components['schemas']['DriftPointDto'][];
      pricePsi: number | null;
    };
    DriftResponseDto: {
      model: components['schemas']['DriftModelDto'];
      /** @description False for a package trained before drift profiles: nothing can be compared */
      profiled: boolean;
      /** @example 2026-12-06T11:00:00.000Z */
      from: string;
      /** @example 2026-12-07T11:00:00.000Z */
      to: string;
      /** @example 3600 */
      bucketSeconds: number;
      /**
       * @description Records scored in the window (API and batch)
       * @example 9120
       */
      rows: number;
      thresholds: components['schemas']['DriftThresholdsDto'];
      /** @description Every profiled feature, most drifted first */
      features: components['schemas']['FeatureDriftDto'][];
      price: components['schemas']['PriceDriftDto'];
      /** @description Per bucket with rows, oldest first */
      series: components['schemas']['DriftBucketDto'][];
    };
    ComparedModelDto: {
      /** @example housets-xgboost */
      name: string;
      /** @example 4 */
      version: number;
      /** @example /v1/models/housets-xgboost/versions/4 */
      href: string;
    };
    ComparedItemDto: {
      /** @enum {string} */
      kind: 'run' | 'version';
      /**
       * @description A short label for columns and legends
       * @example run 6f1c0d2e
       */
      label: string;
      /**
       * Format: uuid
       * @description The training run (kind run)
       */
      runId: string | null;
      /**
       * @description The run’s status (kind run)
       * @enum {string|null}
       */
      status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | null;
      /** @description The registered version (a run’s, once registered) */
      model: components['schemas']['ComparedModelDto'] | null;
      /** @example housets */
      specName: string;
      /** @description The metric the tuning scores are in */
      tuningMetric: string | null;
      createdAt: string;
    };
    MetricComparisonDto: {
      /**
       * @description The metric, nested names joined by dots
       * @example holdout.rmse
       */
      key: string;
      /**
       * @description Which way is better, when known
       * @enum {string|null}
       */
      better: 'lower' | 'higher' | null;
      /** @description One value per item (null: the item has no such metric) */
      values: (number | null)[];
      /** @description value − the baseline’s (the first item) value */
      deltas: (number | null)[];
      /** @description delta / |baseline value| (null when that is 0 or missing) */
      relativeDeltas: (number | null)[];
    };
    ParamComparisonDto: {
      /** @example max_depth */
      key: string;
      /** @description One value per item (null: the item has no such parameter) */
      values: unknown[];
      differs: boolean;
    };
    ErrorValueDto: {
      /** @description Holdout rows */
      n: number;
      mae: number | null;
      rmse: number | null;
      /** @description In percent */
      mape: number | null;
    };
    ErrorComparisonDto: {
      /** @example 2022-03 */
      month?: string;
      /** @example Seattle */
      region?: string;
      /** @description One per item; null where the item has no holdout rows there (or no registered version) */
      values: (components['schemas']['ErrorValueDto'] | null)[];
    };
    TuningPointDto: {
      /** @description Trial number */
      n: number;
      score: number | null;
      /** @description Best (lowest) score so far */
      best: number | null;
    };
    TuningHistoryDto: {
      /** @description Empty for a run without tuning (fast) */
      trials: components['schemas']['TuningPointDto'][];
    };
    ComparisonDto: {
      /** @description In the order asked; the first is the baseline */
      items: components['schemas']['ComparedItemDto'][];
      metrics: components['schemas']['MetricComparisonDto'][];
      /** @description Only the parameters that differ, unless allParams=true */
      params: components['schemas']['ParamComparisonDto'][];
      /** @description Holdout error by month, from each registered version’s evaluation */
      errorByMonth: components['schemas']['ErrorComparisonDto'][];
      /** @description Holdout error by region */
      errorByRegion: components['schemas']['ErrorComparisonDto'][];
      /** @description Holdout error by (month, region), with cells=true */
      errorByCell?: components['schemas']['ErrorComparisonDto'][];
      /** @description One per item, in the items’ order */
      tuning: components['schemas']['TuningHistoryDto'][];
    };
    CreateTrainingRunDto: {
      /**
       * @description A built-in spec of ml/specs. Send at most one of specName and spec; neither: the registered dataset’s spec (datasetId), else housets.
       * @enum {string}
       */
      specName?: 'housets' | 'ames' | 'california-blocks';
      /** @description A dataset spec inline (the format of ml/specs/*.json, at most 262144 bytes as JSON), validated like `ml validate-spec`: a 400 names every problem. In a multipart form: the JSON text. */
      spec?: {
        [key: string]: unknown;
      };
      /** @description Tuning trials (default 20; ignored with fast). At most TRAINING_MAX_TRIALS (422 past it). */
      trials?: number;
      /**
       * @description Metric the cross-validated selection minimises
       * @enum {string}
       */
      metric?: 'rmse' | 'mae' | 'mape' | 'rmsle';
      /** @description Selection + refit once per seed */
      seeds?: number;
      /** @description Fixed quick parameters, no tuning (demos and tests) */
      fast?: boolean;
      /** @description Longest the run may train; capped by TRAINING_TIME_LIMIT_SECONDS (422 past it). Default: that limit. */
      timeLimitSeconds?: number;
      /**
       * @description The registered model's name (letters, digits, ".", "_" or "-", starting with a letter or digit, at most 200 characters); default `<spec name>-xgboost`.
       * @example housets-xgboost
       */
      modelName?: string;
      /**
       * @description A CSV in the artifact store (s3://… or file://… under ARTIFACT_STORE). Send exactly one of inputUri and datasetId.
       * @example s3://housing-artifacts/datasets/houses.csv
       */
      inputUri?: string;
      /**
       * Format: uuid
       * @description A registered dataset (GET /v1/datasets) instead of inputUri
       */
      datasetId?: string;
    };
    UploadTrainingRunDto: {
      /** @enum {string} */
      specName?: 'housets' | 'ames' | 'california-blocks';
      /** @description A dataset spec as JSON text */
      spec?: string;
      trials?: number;
      /** @enum {string} */
      metric?: 'rmse' | 'mae' | 'mape' | 'rmsle';
      seeds?: number;
      fast?: boolean;
      timeLimitSeconds?: number;
      modelName?: string;
      /**
       * Format: binary
       * @description The training CSV, at most TRAINING_UPLOAD_LIMIT_BYTES
       */
      file: Blob;
    };
    TrainingRunOptionsDto: {
      trials?: number;
      metric?: string;
      seeds?: number;
      fast?: boolean;
      timeLimitSeconds?: number;
      modelName?: string;
    };
    TrainingTrialProgressDto: {
      n: number;
      of: number;
      seed?: number;
      /** @example rmse */
      metric: string;
      /** @description This trial’s score */
      score: number | null;
      /** @description The best score so far */
      best: number | null;
    };
    TrainingProgressDto: {
      /**
       * @description queued, load, prepared, features, a trainer stage (baseline, cv, refit, export…), trial, parity, package, registering, done
       * @example tuning
       */
      phase: string;
      rowsRead?: number;
      rowsKept?: number;
      splits?: {
        [key: string]: number;
      };
      /** @description The cleaning summary (rows dropped by reason, values repaired, missing, …) */
      cleaning?: {
        [key: string]: unknown;
      };
      trial?: components['schemas']['TrainingTrialProgressDto'];
    };
    TrainingTrialDto: {
      n: number;
      seed?: number;
      params: {
        [key: string]: unknown;
      };
      score: number | null;
    };
    TrainingRunModelDto: {
      /** @example housets-xgboost */
      name: string;
      /** @example 4 */
      version: number;
      /** @example /v1/models/housets-xgboost/versions/4 */
      href: string;
    };
    TrainingRunDto: {
      /** Format: uuid */
      id: string;
      /**
       * @description queue: POST /v1/training-runs; cli: `ml train --server`
       * @enum {string}
       */
      source: 'queue' | 'cli';
      /** @enum {string} */
      status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
      /** @example housets */
      specName: string;
      inputUri: string | null;
      /** @description The registered dataset trained on (datasetId), else null */
      dataset: components['schemas']['BatchDatasetDto'] | null;
      options: components['schemas']['TrainingRunOptionsDto'];
      progress: components['schemas']['TrainingProgressDto'] | null;
      /** @description Chosen hyper-parameters */
      params: {
        [key: string]: unknown;
      } | null;
      /** @description train, eval, holdout and baseline metrics, and the CV selection */
      metrics: {
        [key: string]: unknown;
      } | null;
      trials: components['schemas']['TrainingTrialDto'][] | null;
      datasetSha256: string | null;
      /** @description How long the trainer ran */
      durationMs: number | null;
      /** @description The registered version (not promoted) */
      model: components['schemas']['TrainingRunModelDto'] | null;
      /** @description Where the holdout rows can be recomputed from (input, sha256, split rule) */
      holdoutUri: string | null;
      mlflowRunId: string | null;
      /** @description Why it failed or was cancelled (or why the last attempt did) */
      error: string | null;
      attempts: number;
      workerId: string | null;
      createdAt: string;
      startedAt: string | null;
      finishedAt: string | null;
      /** @example /v1/training-runs/6f1c…/logs */
      logs: string;
    };
    TrainingRunListDto: {
      items: components['schemas']['TrainingRunDto'][];
      total: number;
      limit: number;
      offset: number;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  Keys_list: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ApiKeyDto'][];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope admin (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Keys_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateApiKeyDto'];
      };
    };
    responses: {
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CreatedApiKeyDto'];
        };
      };
      /** @description Invalid body: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope admin (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unsupported content type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Keys_me: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['MyApiKeyDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Keys_revoke: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Revoked */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope admin (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No key with this id */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description It is the last active admin key */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Registry_list: {
    parameters: {
      query?: {
        name?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ModelVersionDto'][];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:read (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Registry_upload: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'multipart/form-data': {
          /** Format: binary */
          package: Blob;
        };
      };
    };
    responses: {
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ModelVersionDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:write (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Larger than MODEL_PACKAGE_LIMIT_BYTES */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unsupported content type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The package failed verification, or its archive holds a link, an absolute or `..` path, a file over its limit, or a manifest/evaluation that does not match its schema; `detail` says why */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Registry_fromUri: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RegisterFromUriDto'];
      };
    };
    responses: {
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ModelVersionDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:write (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unsupported content type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Registry_rollback: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RollbackRequestDto'];
      };
    };
    responses: {
      /** @description The version now in production, with from and to */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RollbackResultDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:write (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No earlier champion to return to, or not the expectedVersion */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unsupported content type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Registry_previewRollback: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RollbackPreviewDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:read (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The model does not hold champion, or no earlier champion exists; `detail` says which */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Registry_aliases: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ModelAliasDto'][];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:read (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Registry_setAlias: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        alias: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['SetAliasDto'];
      };
    };
    responses: {
      /** @description The version the alias now points at */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AliasSetDto'];
        };
      };
      /** @description `errors` names each bad field (`reason` with force) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:write (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No such version */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description promotion-needs-force: worse than the champion beyond PROMOTION_MARGIN (`evidence` holds why); or champion changed while the evidence was read */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unsupported content type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Registry_removeAlias: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        alias: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RemoveAliasDto'];
      };
    };
    responses: {
      /** @description Removed */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:write (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The model has no such alias */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description champion, or the alias no longer points at the given version */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Registry_history: {
    parameters: {
      query?: {
        limit?: number;
        offset?: number;
      };
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['HistoryListDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:read (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Registry_get: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        version: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ModelVersionDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:read (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Registry_update: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        version: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['UpdateVersionDto'];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ModelVersionDto'];
        };
      };
      /** @description `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:write (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unsupported content type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Registry_evaluation: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        version: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ModelEvaluationDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:read (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Registry_setStage: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
        version: number;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['SetStageDto'];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['AliasSetDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:write (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The version is in production and has no replacement; or (production) promotion-needs-force as for champion, with `evidence` */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unsupported content type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  CurrentModel_current: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['CurrentModelDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No model is loaded; `detail` says why */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  CurrentModel_schema: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description A JSON Schema (draft 2020-12) object */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No model is loaded */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Prediction_predict: {
    parameters: {
      query?: {
        /** @description true: add the exact TreeSHAP contributions of the top 10 input columns (and the rest summed) in model and price terms; all: every column and every model input */
        explain?: 'true' | 'false' | 'all';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['PredictionRequestDto'];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PredictionResponseDto'];
        };
      };
      /** @description Invalid record: `errors` names every bad field as `record.<field>` */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://housing.dev/problems/validation",
           *       "title": "Validation failed",
           *       "status": 400,
           *       "detail": "2 fields are invalid: record.median_list_price, record.date",
           *       "instance": "/v1/predictions",
           *       "requestId": "3f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11",
           *       "errors": [
           *         {
           *           "field": "record.median_list_price",
           *           "message": "must be a number, got \"a lot\""
           *         },
           *         {
           *           "field": "record.date",
           *           "message": "must be a date written YYYY-MM-DD, got \"30/06/2022\""
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No key, or a key that is unknown, revoked or expired */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://housing.dev/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "missing API key: send it in the X-API-Key header or as Authorization: Bearer <key>",
           *       "instance": "/v1/predictions",
           *       "requestId": "3f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks the `predict` scope */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://housing.dev/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "this API key lacks the required scope: needs predict (or admin); the key has: batch",
           *       "instance": "/v1/predictions",
           *       "requestId": "3f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No model version matches `model` */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://housing.dev/problems/http-413",
           *       "title": "Payload too large",
           *       "status": 413,
           *       "detail": "Request body is too large",
           *       "instance": "/v1/predictions"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The body is not application/json */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://housing.dev/problems/http-415",
           *       "title": "Unsupported media type",
           *       "status": 415,
           *       "detail": "Unsupported Media Type: text/plain",
           *       "instance": "/v1/predictions"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit is used up; wait `Retry-After` seconds */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://housing.dev/problems/rate-limited",
           *       "title": "Too many requests",
           *       "status": 429,
           *       "detail": "rate limit of 600 requests per minute for this API key exceeded; retry after 12 s",
           *       "instance": "/v1/predictions"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No model is loaded (`detail` says why); retry after `Retry-After` seconds */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://housing.dev/problems/no-model",
           *       "title": "No model loaded",
           *       "status": 503,
           *       "detail": "no model version is in production",
           *       "instance": "/v1/predictions"
           *     }
           */
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Prediction_bulk: {
    parameters: {
      query?: {
        /** @description true: add the exact TreeSHAP contributions of the top 10 input columns (and the rest summed) in model and price terms; all: every column and every model input */
        explain?: 'true' | 'false' | 'all';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['BulkPredictionRequestDto'];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BulkPredictionResponseDto'];
        };
      };
      /** @description The envelope is invalid (not an array, empty, over 1,000, a malformed model reference) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope predict (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No model version matches `model` */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unsupported content type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  BatchJobs_list: {
    parameters: {
      query?: {
        limit?: number;
        offset?: number;
        status?: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BatchJobListDto'];
        };
      };
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope batch (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  BatchJobs_submit: {
    parameters: {
      query?: never;
      header?: {
        /** @description Up to 200 visible ASCII characters (empty: no key). The same key from the same API key with the same request (file or input URI, model version) returns the same job; with another request it is a 422. A key is bound for IDEMPOTENCY_KEY_TTL_SECONDS (default 24 h) after its job was created, then released. */
        'Idempotency-Key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateBatchJobDto'];
        'multipart/form-data': components['schemas']['UploadBatchJobDto'];
      };
    };
    responses: {
      /** @description Queued (or, with a known Idempotency-Key, the earlier job; header Idempotent-Replayed: true) */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BatchJobDto'];
        };
      };
      /** @description Invalid body: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope batch (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No dataset with that datasetId */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No model version named and none in production */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The upload exceeds BATCH_UPLOAD_LIMIT_BYTES */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unsupported content type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unknown model version, an input URI outside the artifact store or missing, or an Idempotency-Key reused with another request */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  BatchJobs_get: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The job id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BatchJobDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope batch (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  BatchJobs_cancel: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The job id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The job, now cancelled */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BatchJobDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope batch (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The job has already finished (completed, failed or cancelled) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  BatchJobs_result: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The job id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The result, streamed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/csv': string;
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope batch (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No such job, or it failed or was cancelled */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The job has not finished yet */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  BatchJobs_errors: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The job id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The errors file, streamed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/csv': string;
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope batch (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No such job, or it has no errors file (e.g. its input was unreadable) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The job has not finished yet */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  BatchJobs_evaluation: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The job id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BatchJobEvaluationDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope batch (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No such job, or it has no evaluation (not completed, or its input had no actual prices) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  BatchEvaluations_list: {
    parameters: {
      query?: {
        limit?: number;
        offset?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BatchEvaluationListDto'];
        };
      };
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope batch (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  BatchEvaluations_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateBatchEvaluationDto'];
      };
    };
    responses: {
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BatchEvaluationDto'];
        };
      };
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope batch (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No dataset with that datasetId */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No model version in production */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unsupported content type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The input URI is outside the artifact store or missing */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  BatchEvaluations_get: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The run id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['BatchEvaluationDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope batch (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Dataset_list: {
    parameters: {
      query?: {
        limit?: number;
        offset?: number;
        /** @description Only the dataset with this sha256 (e.g. a model lineage’s datasetSha256): zero or one item */
        sha256?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DatasetListDto'];
        };
      };
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:read (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Dataset_register: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RegisterDatasetFromUriDto'];
        'multipart/form-data': components['schemas']['UploadDatasetDto'];
      };
    };
    responses: {
      /** @description The same bytes were registered before: that dataset */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DatasetDto'];
        };
      };
      /** @description Registered */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DatasetDto'];
        };
      };
      /** @description Invalid body or spec name */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:write (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The same bytes are registered under another spec */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Larger than DATASET_UPLOAD_LIMIT_BYTES */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unsupported content type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Not a CSV of that spec (missing columns, no rows, malformed), or a URI outside the store */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Dataset_get: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The dataset id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DatasetDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:read (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Dataset_delete: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The dataset id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:write (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description A model version was trained on it, or a batch evaluation scored it (they are named) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Dataset_content: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The dataset id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The file */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/csv': string;
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:read (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Monitoring_drift: {
    parameters: {
      query?: {
        /** @description Model name; with `version`, the version to report on (default: the production version) */
        name?: string;
        version?: number;
        /** @description The window: the last this many hours (whole buckets of DRIFT_BUCKET_SECONDS) */
        hours?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['DriftResponseDto'];
        };
      };
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:read (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No such version, or no production version */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  RunComparison_compareRuns: {
    parameters: {
      query: {
        /** @description Every parameter, not only those that differ */
        allParams?: boolean;
        /** @description Also the error of every (month, region) cell (`errorByCell`), besides by month and by region */
        cells?: boolean;
        /** @description 2 to 10 training run ids, comma-separated; the first is the baseline of the deltas */
        ids: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ComparisonDto'];
        };
      };
      /** @description Fewer than 2 or more than 10 ids, a repeated or malformed id */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope train (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unknown runs: `detail` names each */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  RunComparison_compareVersions: {
    parameters: {
      query: {
        /** @description Every parameter, not only those that differ */
        allParams?: boolean;
        /** @description Also the error of every (month, region) cell (`errorByCell`), besides by month and by region */
        cells?: boolean;
        /** @description 2 to 10 version numbers of the model, comma-separated; the first is the baseline of the deltas */
        versions: string;
      };
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['ComparisonDto'];
        };
      };
      /** @description Fewer than 2 or more than 10 versions, a repeated or malformed one */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:read (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unknown versions: `detail` names each */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  TrainingRuns_list: {
    parameters: {
      query?: {
        limit?: number;
        offset?: number;
        status?: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
        specName?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TrainingRunListDto'];
        };
      };
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope train (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  TrainingRuns_submit: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['CreateTrainingRunDto'];
        'multipart/form-data': components['schemas']['UploadTrainingRunDto'];
      };
    };
    responses: {
      /** @description Queued */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TrainingRunDto'];
        };
      };
      /** @description Invalid body or spec: `errors` names every problem */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope train (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No dataset with that datasetId */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The upload exceeds TRAINING_UPLOAD_LIMIT_BYTES */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unsupported content type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description An option over the server’s limits, an unknown spec, or an input URI outside the store or missing */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  TrainingRuns_record: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TrainingRunDto'];
        };
      };
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope train (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Unsupported content type */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The registry refused the package */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  TrainingRuns_get: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The training run id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TrainingRunDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope train (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  TrainingRuns_cancel: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The training run id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The run, now cancelled */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['TrainingRunDto'];
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope train (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The run has already finished */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  TrainingRuns_logs: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The training run id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The log */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'text/plain': string;
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope train (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  PromotionEvidence_get: {
    parameters: {
      query?: {
        /** @description Compare with this version (name/version or name@alias) instead of the current champion */
        against?: string;
      };
      header?: never;
      path: {
        name: string;
        version: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PromotionEvidenceDto'];
        };
      };
      /** @description `against` is not a model reference */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description Missing, invalid, revoked or expired API key */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key lacks scope models:read (or admin) */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description No such version (or nothing matches `against`) */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /** @description The key's rate limit (requests per minute, counted per API instance) is used up */
      429: {
        headers: {
          /** @description Seconds until a request is allowed again */
          'Retry-After'?: number;
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Health_live: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @example ok */
            status?: string;
          };
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
  Health_ready: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The Health Check is successful */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /**
             * @example ok
             * @enum {string}
             */
            status?: 'ok' | 'degraded';
            /**
             * @example {
             *       "database": {
             *         "status": "up",
             *         "responseTime": 12
             *       }
             *     }
             */
            info?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /** @example {} */
            error?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            } | null;
            /**
             * @example {
             *       "database": {
             *         "status": "up",
             *         "responseTime": 12
             *       }
             *     }
             */
            details?: {
              [key: string]: {
                /** @enum {string} */
                status: 'up' | 'degraded' | 'down';
                /** @description Time the health indicator took to respond, in ms */
                responseTime?: number;
              } & {
                [key: string]: unknown;
              };
            };
          };
        };
      };
      /** @description Invalid request: `errors` names every bad field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
      /**
       * @description Not ready; `error` says which check failed and why
       *
       *     The Health Check is not successful
       */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/problem+json': components['schemas']['ProblemDetails'];
        };
      };
    };
  };
}
