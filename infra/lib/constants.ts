/**
 * Names the application and the infrastructure must agree on. The worker publishes the queue depth and
 * the failed-job count as CloudWatch metrics (namespace HousingPlatform, no dimensions); the worker
 * service scales on the first and an alarm watches the second.
 */
export const METRIC_NAMESPACE = 'HousingPlatform';
/** Batch jobs waiting or active in the BullMQ queue (gauge; published about once a minute). */
export const QUEUE_DEPTH_METRIC = 'BatchQueueDepth';
/** Batch jobs that failed (count per publication; summed over the alarm period). */
export const FAILED_JOBS_METRIC = 'BatchJobsFailed';
/** Training runs waiting or training in the `training` queue (gauge; the training worker publishes it). */
export const TRAINING_QUEUE_DEPTH_METRIC = 'TrainingQueueDepth';
/** Training runs that failed (count per publication; summed over the alarm period). */
export const FAILED_TRAINING_RUNS_METRIC = 'TrainingRunsFailed';
/** The largest PSI over the production model's input features (gauge; the worker publishes it with the queue depth). */
export const FEATURE_DRIFT_METRIC = 'FeatureDriftMaxPsi';

/** The API's HTTP port (PORT) and the dashboard's nginx port (unprivileged, so above 1024). */
export const API_PORT = 8000;
export const DASHBOARD_PORT = 8080;

/**
 * Paths the load balancer sends to the api; everything else goes to the dashboard. docker/nginx.local-api.conf
 * proxies the same paths in the local compose setup (a test keeps the two lists equal).
 */
export const API_PATH_PATTERNS = ['/v1/*', '/docs*', '/health/*', '/metrics'];

/**
 * Paths the internet-facing load balancer answers itself with a 404, ahead of the routing above: the
 * API's Prometheus metrics are for the private network (a scraper inside the VPC reaches the tasks on
 * port 8000 directly), not for anyone on the internet.
 */
export const PRIVATE_PATH_PATTERNS = ['/metrics', '/metrics/*'];

/** The database the api and worker use (created by RDS on first start). */
export const DATABASE_NAME = 'housing';
export const DATABASE_USER = 'housing';
