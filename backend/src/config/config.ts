import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

/**
 * A cron pattern BullMQ's job scheduler can run: parsed by cron-parser, the parser BullMQ uses, and with a
 * next occurrence (a pattern such as `0 0 30 2 *` parses but never fires). Checked at startup, so a bad
 * pattern stops the process with the variable's name instead of failing every reconciliation pass.
 */
function cronPatternProblem(pattern: string): string | undefined {
  try {
    CronExpressionParser.parse(pattern, { currentDate: new Date() }).next();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Every environment variable the backend reads, with its default. Defaults are the local, embedded
 * setup (SQLite file, local artifact directory); production sets URLs and nothing else changes.
 * The README's configuration table lists the same variables.
 */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .default('sqlite:.data/housing.sqlite')
    .refine((v) => /^(sqlite:|postgres(ql)?:\/\/)/.test(v), 'must start with sqlite: or postgres://'),
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((v) => /^rediss?:\/\//.test(v), 'must start with redis:// or rediss://'),
  ARTIFACT_STORE: z
    .string()
    .default('file://.data/artifacts')
    .refine((v) => /^(file|s3):\/\/./.test(v), 'must be file://<directory> or s3://<bucket>[/prefix]'),
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().default('us-east-1'),
  BOOTSTRAP_ADMIN_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGINS: z.string().default(''),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 * 1024),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(1200),
  MODEL_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(30000),
  DASHBOARD_DIR: z.string().default('dashboard/dist'),
  ONNX_THREADS: z.coerce.number().int().min(0).default(1),
  // Model registry (src/model-registry): the parity tolerance ceiling a package may only tighten.
  PARITY_MAX_RELATIVE_TOLERANCE: z.coerce.number().positive().max(1).default(1e-4),
  PARITY_MAX_ABSOLUTE_TOLERANCE: z.coerce.number().nonnegative().default(1),
  MODEL_PACKAGE_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(512 * 1024 * 1024),
  // Drift monitoring (src/monitoring): what each process scores, binned like the package's training
  // distribution, added into Redis per time bucket (no record is kept).
  DRIFT_MONITORING: z.enum(['on', 'off']).default('on'),
  DRIFT_FLUSH_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
  DRIFT_BUCKET_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  DRIFT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  DRIFT_ALERT_HOURS: z.coerce.number().int().min(1).max(2160).default(24),
  // Crash leftovers (temporary files, unreferenced package folders) older than the grace period are removed.
  ARTIFACT_SWEEP_GRACE_MS: z.coerce.number().int().min(0).default(3_600_000),
  ARTIFACT_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(3_600_000),
  // Batch jobs (src/batch): BullMQ queue `batch-predictions` under this Redis key prefix.
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits, _ . - only')
    .default('housing'),
  BATCH_UPLOAD_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024 * 1024),
  BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  BATCH_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(3),
  BATCH_BACKOFF_MS: z.coerce.number().int().min(0).default(5000),
  BATCH_CHUNK_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(4096),
  /** Inputs larger than this are split into shards of about this size, scored by any free worker. */
  BATCH_SHARD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(32 * 1024 * 1024),
  BATCH_MAX_BAD_ROW_RATIO: z.coerce.number().min(0).max(1).default(0.1),
  BATCH_BAD_ROW_MIN_ROWS: z.coerce.number().int().min(1).default(1000),
  BATCH_STALLED_MS: z.coerce.number().int().min(500).default(30000),
  BATCH_MAX_STALLED_COUNT: z.coerce.number().int().min(0).default(2),
  BATCH_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(0).default(500),
  BATCH_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(15000),
  BATCH_QUEUE_METRICS_INTERVAL_MS: z.coerce.number().int().min(0).default(15000),
  BATCH_MONTHLY_CRON: z
    .string()
    .superRefine((pattern, ctx) => {
      const problem = cronPatternProblem(pattern);
      if (problem)
        ctx.addIssue({
          code: 'custom',
          message: `not a cron pattern BullMQ can schedule (${problem}); e.g. "0 3 1 * *" is 03:00 on the 1st of each month`,
        });
    })
    .optional(),
  BATCH_MONTHLY_INPUT_URI: z
    .string()
    .refine((v) => /^(s3|file):\/\/./.test(v), 'must be s3://… or file://… inside the artifact store')
    .optional(),
  BATCH_METRICS_CLOUDWATCH: z.enum(['0', '1']).default('0'),
  DATASET_UPLOAD_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024 * 1024),
  // Training runs (src/training): BullMQ queue `training`, consumed by training-worker processes.
  TRAINING_UPLOAD_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024 * 1024),
  TRAINING_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  TRAINING_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(2),
  TRAINING_BACKOFF_MS: z.coerce.number().int().min(0).default(10000),
  // Longest a run may train (a run's own timeLimitSeconds is capped by it).
  TRAINING_TIME_LIMIT_SECONDS: z.coerce.number().int().min(1).max(7 * 24 * 3600).default(6 * 3600),
  TRAINING_MAX_TRIALS: z.coerce.number().int().min(1).max(10_000).default(500),
  TRAINING_STALLED_MS: z.coerce.number().int().min(500).default(30000),
  TRAINING_MAX_STALLED_COUNT: z.coerce.number().int().min(0).default(1),
  TRAINING_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  TRAINING_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(30000),
  // The trainer child's CPU priority (Unix nice, 0 to 19): higher yields the CPU to the API and batch scoring.
  TRAINING_NICE: z.coerce.number().int().min(0).max(19).default(10),
  // CPU threads of each run's trainer (XGBoost, onnxruntime); 0: every core. Fewer leave cores to the API.
  TRAINING_THREADS: z.coerce.number().int().min(0).max(256).default(0),
  // After SIGTERM to a cancelled or timed-out trainer's process group, SIGKILL after this long.
  TRAINING_KILL_GRACE_MS: z.coerce.number().int().min(0).default(5000),
  // The `ml` CLI the worker runs (`node <this> train …`); default: @housing/ml's built dist/cli/main.js.
  TRAINING_ML_CLI: z.string().min(1).optional(),
  TRAINING_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  // The training queue's depth report (log line; with TRAINING_METRICS_CLOUDWATCH=1 also CloudWatch, which infra scales on).
  TRAINING_QUEUE_METRICS_INTERVAL_MS: z.coerce.number().int().min(0).default(60000),
  TRAINING_METRICS_CLOUDWATCH: z.enum(['0', '1']).default('0'),
  // The worker's own /metrics (the worker has no HTTP API); 0 picks a free port (logged at start).
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_METRICS_HOST: z.string().default('0.0.0.0'),
  // Longest CSV record batch jobs read (bytes); a longer row is rejected into the errors file.
  CSV_MAX_LINE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(1024 * 1024),
  // How long an Idempotency-Key of POST /v1/batch-jobs stays bound to its job and request.
  IDEMPOTENCY_KEY_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(24 * 60 * 60),
});

export type AppConfig = z.infer<typeof schema> & {
  database: { type: 'sqlite'; path: string } | { type: 'postgres'; url: string };
  artifactStore: { type: 'file'; root: string } | { type: 's3'; bucket: string; prefix: string };
  corsOrigins: string[];
};

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {}

/** A problem between variables each valid on its own (a message line naming the variable to set). */
function crossFieldProblem(c: z.infer<typeof schema>): string | undefined {
  if (c.BATCH_MONTHLY_CRON && !c.BATCH_MONTHLY_INPUT_URI)
    return 'BATCH_MONTHLY_INPUT_URI: required when BATCH_MONTHLY_CRON is set (the monthly batch reads its dataset from it)';
  return undefined;
}

/** Reads and validates the environment; one message line per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const conflict = crossFieldProblem(c);
  if (conflict) throw new ConfigError(`invalid configuration:\n  ${conflict}`);
  const database = c.DATABASE_URL.startsWith('sqlite:')
    ? ({ type: 'sqlite', path: c.DATABASE_URL.slice('sqlite:'.length).replace(/^\/\//, '') } as const)
    : ({ type: 'postgres', url: c.DATABASE_URL } as const);
  const s3 = c.ARTIFACT_STORE.startsWith('s3://') ? new URL(c.ARTIFACT_STORE) : undefined;
  const artifactStore = s3
    ? ({ type: 's3', bucket: s3.host, prefix: s3.pathname.replace(/^\/+|\/+$/g, '') } as const)
    : ({ type: 'file', root: c.ARTIFACT_STORE.slice('file://'.length) } as const);
  return {
    ...c,
    database,
    artifactStore,
    corsOrigins: c.CORS_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
