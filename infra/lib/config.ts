import type { Node } from 'constructs';

/**
 * Everything a deployment can change, read from CDK context (`cdk.json`'s "context", or `-c key=value`
 * on the command line). Every key has a default, so `cdk synth` works with no context and no AWS account.
 */
export interface PlatformConfig {
  /** Environment name: part of every resource name and stack name (`dev`, `staging`, `prod`). */
  envName: string;
  /** Region of the platform stack (the account stays unresolved: whichever account deploys it). */
  region: string;
  /** Image tag of the api (also the worker) and dashboard images in ECR; tags are immutable, use the git SHA. */
  apiImageTag: string;
  dashboardImageTag: string;
  /** Image tag of the trainer image (the training-worker service runs it). */
  trainerImageTag: string;
  /** ECR repository names (created by the registry stack, shared by all environments). */
  repositoryNames: { api: string; dashboard: string; trainer: string };
  apiDesiredCount: number;
  apiMaxCount: number;
  workerDesiredCount: number;
  workerMaxCount: number;
  /**
   * The training-worker service (its own ECS service on the trainer image, scaled on the training queue):
   * at least this many tasks (1: one is always there to publish the queue depth it scales on), at most the max.
   */
  trainingWorkerDesiredCount: number;
  trainingWorkerMaxCount: number;
  dashboardDesiredCount: number;
  dashboardMaxCount: number;
  /** NAT gateways: one per AZ keeps egress up when an AZ fails; 1 is cheaper for non-production. */
  natGateways: number;
  /** ACM certificate for HTTPS on the load balancer; without it the listener is plain HTTP on port 80. */
  certificateArn?: string;
  /** CIDR allowed to reach the load balancer. */
  ingressCidr: string;
  /** E-mail subscribed to the alarm topic (optional). */
  alarmEmail?: string;
  /** RDS deletion protection (and snapshot on stack deletion). */
  deletionProtection: boolean;
  dbInstanceType: string;
  dbMultiAz: boolean;
  dbAllocatedStorageGiB: number;
  dbBackupRetentionDays: number;
  redisNodeType: string;
  logRetentionDays: number;
  /**
   * Path the load balancer checks on the api. /health/live by default: /health/ready also needs a
   * promoted model, and the first model is registered through this very API, so checking readiness
   * would keep a fresh environment's tasks out of service forever. Readiness is alarmed on instead.
   */
  apiHealthCheckPath: string;
  /** Seconds ECS ignores failing load-balancer health checks after an api task starts. */
  apiHealthCheckGraceSeconds: number;
  /** Alarm thresholds. */
  alb5xxRatePercent: number;
  apiP99LatencySeconds: number;
  failedBatchJobsThreshold: number;
  failedTrainingRunsThreshold: number;
  /** PSI of the most drifted input above which, for a whole hour, the drift alarm fires. */
  featureDriftPsiThreshold: number;
  /** Batch queue depth at which the worker service adds a task (step scaling; more above 5x and 20x). */
  workerScaleOutQueueDepth: number;
}

export const DEFAULTS: PlatformConfig = {
  envName: 'dev',
  region: 'us-east-1',
  apiImageTag: '0.1.0',
  dashboardImageTag: '0.1.0',
  trainerImageTag: '0.1.0',
  repositoryNames: { api: 'housing/api', dashboard: 'housing/dashboard', trainer: 'housing/trainer' },
  apiDesiredCount: 2,
  apiMaxCount: 10,
  workerDesiredCount: 1,
  workerMaxCount: 10,
  trainingWorkerDesiredCount: 1,
  trainingWorkerMaxCount: 4,
  dashboardDesiredCount: 2,
  dashboardMaxCount: 4,
  natGateways: 2,
  ingressCidr: '0.0.0.0/0',
  deletionProtection: true,
  dbInstanceType: 't4g.small',
  dbMultiAz: true,
  dbAllocatedStorageGiB: 20,
  dbBackupRetentionDays: 7,
  redisNodeType: 'cache.t4g.small',
  logRetentionDays: 30,
  apiHealthCheckPath: '/health/live',
  apiHealthCheckGraceSeconds: 120,
  alb5xxRatePercent: 5,
  apiP99LatencySeconds: 1,
  failedBatchJobsThreshold: 1,
  failedTrainingRunsThreshold: 1,
  featureDriftPsiThreshold: 0.25,
  workerScaleOutQueueDepth: 100,
};

/** Retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export class ConfigError extends Error {}

type Context = Pick<Node, 'tryGetContext'>;

function raw(node: Context, key: string): unknown {
  const value = node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : value;
}

function str(node: Context, key: string, fallback: string): string;
function str(node: Context, key: string, fallback?: string): string | undefined;
function str(node: Context, key: string, fallback?: string): string | undefined {
  const value = raw(node, key);
  if (value === undefined) return fallback;
  if (typeof value !== 'string')
    throw new ConfigError(`context ${key}: must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Integers come as numbers from cdk.json and as strings from `-c key=value`. */
function int(
  node: Context,
  key: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = raw(node, key);
  if (value === undefined) return fallback;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^-?\d+$/.test(value.trim())
        ? Number(value)
        : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(
      `context ${key}: must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function num(node: Context, key: string, fallback: number): number {
  const value = raw(node, key);
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new ConfigError(`context ${key}: must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}

function bool(node: Context, key: string, fallback: boolean): boolean {
  const value = raw(node, key);
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ConfigError(`context ${key}: must be true or false, got ${JSON.stringify(value)}`);
}

/** Reads and validates the context; errors name the context key. */
export function readConfig(node: Context): PlatformConfig {
  const envName = str(node, 'envName', DEFAULTS.envName);
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(envName)) {
    throw new ConfigError(
      `context envName: must be lower-case letters, digits and dashes (at most 20), got ${JSON.stringify(envName)}`,
    );
  }
  const region = str(node, 'region', process.env.CDK_DEFAULT_REGION ?? DEFAULTS.region);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))
    throw new ConfigError(`context region: not an AWS region: ${JSON.stringify(region)}`);

  const imageTag = str(node, 'imageTag', DEFAULTS.apiImageTag);
  const apiImageTag = str(node, 'apiImageTag', imageTag);
  const dashboardImageTag = str(node, 'dashboardImageTag', imageTag);
  const trainerImageTag = str(node, 'trainerImageTag', imageTag);
  for (const [key, tag] of [
    ['apiImageTag', apiImageTag],
    ['dashboardImageTag', dashboardImageTag],
    ['trainerImageTag', trainerImageTag],
  ] as const) {
    if (tag === 'latest')
      throw new ConfigError(`context ${key}: "latest" is not allowed; deploy an immutable tag (the git SHA)`);
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag))
      throw new ConfigError(`context ${key}: not a valid image tag: ${JSON.stringify(tag)}`);
  }

  const certificateArn = str(node, 'certificateArn');
  if (certificateArn !== undefined && !/^arn:aws[a-z-]*:acm:/.test(certificateArn)) {
    throw new ConfigError(
      `context certificateArn: must be an ACM certificate ARN, got ${JSON.stringify(certificateArn)}`,
    );
  }
  const ingressCidr = str(node, 'ingressCidr', DEFAULTS.ingressCidr);
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(ingressCidr))
    throw new ConfigError(`context ingressCidr: not an IPv4 CIDR: ${JSON.stringify(ingressCidr)}`);
  const alarmEmail = str(node, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(alarmEmail))
    throw new ConfigError(`context alarmEmail: not an e-mail address: ${JSON.stringify(alarmEmail)}`);
  const apiHealthCheckPath = str(node, 'apiHealthCheckPath', DEFAULTS.apiHealthCheckPath);
  if (!apiHealthCheckPath.startsWith('/'))
    throw new ConfigError(`context apiHealthCheckPath: must start with "/"`);

  const logRetentionDays = int(node, 'logRetentionDays', DEFAULTS.logRetentionDays, 1, 3653);
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    throw new ConfigError(
      `context logRetentionDays: CloudWatch accepts ${LOG_RETENTION_DAYS.join(', ')}; got ${logRetentionDays}`,
    );
  }

  const apiDesiredCount = int(node, 'apiDesiredCount', DEFAULTS.apiDesiredCount, 1, 100);
  const workerDesiredCount = int(node, 'workerDesiredCount', DEFAULTS.workerDesiredCount, 1, 100);
  const trainingWorkerDesiredCount = int(node, 'trainingWorkerDesiredCount', DEFAULTS.trainingWorkerDesiredCount, 1, 100);
  const dashboardDesiredCount = int(node, 'dashboardDesiredCount', DEFAULTS.dashboardDesiredCount, 1, 100);
  const config: PlatformConfig = {
    envName,
    region,
    apiImageTag,
    dashboardImageTag,
    trainerImageTag,
    repositoryNames: {
      api: str(node, 'apiRepositoryName', DEFAULTS.repositoryNames.api),
      dashboard: str(node, 'dashboardRepositoryName', DEFAULTS.repositoryNames.dashboard),
      trainer: str(node, 'trainerRepositoryName', DEFAULTS.repositoryNames.trainer),
    },
    apiDesiredCount,
    apiMaxCount: int(
      node,
      'apiMaxCount',
      Math.max(DEFAULTS.apiMaxCount, apiDesiredCount),
      apiDesiredCount,
      100,
    ),
    workerDesiredCount,
    workerMaxCount: int(
      node,
      'workerMaxCount',
      Math.max(DEFAULTS.workerMaxCount, workerDesiredCount),
      workerDesiredCount,
      100,
    ),
    trainingWorkerDesiredCount,
    trainingWorkerMaxCount: int(
      node,
      'trainingWorkerMaxCount',
      Math.max(DEFAULTS.trainingWorkerMaxCount, trainingWorkerDesiredCount),
      trainingWorkerDesiredCount,
      100,
    ),
    dashboardDesiredCount,
    dashboardMaxCount: int(
      node,
      'dashboardMaxCount',
      Math.max(DEFAULTS.dashboardMaxCount, dashboardDesiredCount),
      dashboardDesiredCount,
      100,
    ),
    natGateways: int(node, 'natGateways', DEFAULTS.natGateways, 1, 2),
    ...(certificateArn !== undefined && { certificateArn }),
    ingressCidr,
    ...(alarmEmail !== undefined && { alarmEmail }),
    deletionProtection: bool(node, 'deletionProtection', DEFAULTS.deletionProtection),
    dbInstanceType: str(node, 'dbInstanceType', DEFAULTS.dbInstanceType),
    dbMultiAz: bool(node, 'dbMultiAz', DEFAULTS.dbMultiAz),
    dbAllocatedStorageGiB: int(node, 'dbAllocatedStorageGiB', DEFAULTS.dbAllocatedStorageGiB, 20, 65536),
    dbBackupRetentionDays: int(node, 'dbBackupRetentionDays', DEFAULTS.dbBackupRetentionDays, 1, 35),
    redisNodeType: str(node, 'redisNodeType', DEFAULTS.redisNodeType),
    logRetentionDays,
    apiHealthCheckPath,
    apiHealthCheckGraceSeconds: int(
      node,
      'apiHealthCheckGraceSeconds',
      DEFAULTS.apiHealthCheckGraceSeconds,
      0,
      7200,
    ),
    alb5xxRatePercent: num(node, 'alb5xxRatePercent', DEFAULTS.alb5xxRatePercent),
    apiP99LatencySeconds: num(node, 'apiP99LatencySeconds', DEFAULTS.apiP99LatencySeconds),
    failedBatchJobsThreshold: int(node, 'failedBatchJobsThreshold', DEFAULTS.failedBatchJobsThreshold, 1),
    failedTrainingRunsThreshold: int(node, 'failedTrainingRunsThreshold', DEFAULTS.failedTrainingRunsThreshold, 1),
    featureDriftPsiThreshold: num(node, 'featureDriftPsiThreshold', DEFAULTS.featureDriftPsiThreshold),
    workerScaleOutQueueDepth: int(node, 'workerScaleOutQueueDepth', DEFAULTS.workerScaleOutQueueDepth, 1),
  };
  return config;
}
