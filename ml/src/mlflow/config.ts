import { InputError } from '../errors';

/** Defaults of the MLflow settings; the variable names are MLflow's own, so a team's existing setup applies. */
export const MLFLOW_DEFAULTS = {
  experimentName: 'housing-price',
  /** Per request, like MLflow's client (MLFLOW_HTTP_REQUEST_TIMEOUT). */
  timeoutSeconds: 120,
  /**
   * Fewer than MLflow's client (7): a training run waits for MLflow only after it finished, and a down
   * server should cost seconds, not minutes, before the warning.
   */
  maxRetries: 3,
  /** First retry delay, doubling (capped by MAX_BACKOFF_MS in the client). */
  backoffMs: 500,
} as const;

export interface MlflowConfig {
  /** http(s) URL of the tracking server without credentials, query or trailing slash: safe to print. */
  readonly trackingUri: string;
  readonly experimentName: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly backoffMs: number;
  /**
   * The Authorization header value, or null. A function so that the secret never appears when a config
   * is printed, logged or serialised (JSON.stringify skips functions; util.inspect shows [Function]).
   */
  readonly authorization: (() => string) | null;
}

type Env = Record<string, string | undefined>;

function nonNegativeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new InputError(`${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  return n;
}

/** `https://user:pass@host/path?x` → `https://host/path`; also the credentials it carried, if any. */
export function splitTrackingUri(raw: string): { uri: string; username: string; password: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(
      'MLFLOW_TRACKING_URI must be an http:// or https:// URL of an MLflow tracking server',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(
      `MLFLOW_TRACKING_URI must be an http:// or https:// URL of an MLflow tracking server (the REST API); ` +
        `"${url.protocol}" stores are not supported`,
    );
  }
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const uri = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  return { uri, username, password };
}

function authorizationFor(username: string, password: string, token: string): (() => string) | null {
  // MLflow's own client: username and password (Basic) win over a token (Bearer).
  if (username && password) {
    const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    return () => basic;
  }
  if (token) {
    const bearer = `Bearer ${token}`;
    return () => bearer;
  }
  return null;
}

/**
 * The MLflow settings from the environment, or null when MLFLOW_TRACKING_URI is unset (MLflow off).
 * An unusable value is an InputError naming the variable, raised before any training starts.
 */
export function mlflowConfigFromEnv(env: Env = process.env): MlflowConfig | null {
  const raw = env.MLFLOW_TRACKING_URI?.trim();
  if (!raw) return null;
  const { uri, username: uriUser, password: uriPassword } = splitTrackingUri(raw);
  const username = env.MLFLOW_TRACKING_USERNAME || uriUser;
  const password = env.MLFLOW_TRACKING_PASSWORD || uriPassword;
  const experimentName = env.MLFLOW_EXPERIMENT_NAME?.trim() || MLFLOW_DEFAULTS.experimentName;
  if (experimentName.length > 500)
    throw new InputError('MLFLOW_EXPERIMENT_NAME must be at most 500 characters');
  const timeoutSeconds = nonNegativeNumber(
    'MLFLOW_HTTP_REQUEST_TIMEOUT',
    env.MLFLOW_HTTP_REQUEST_TIMEOUT,
    MLFLOW_DEFAULTS.timeoutSeconds,
  );
  const maxRetries = nonNegativeNumber(
    'MLFLOW_HTTP_REQUEST_MAX_RETRIES',
    env.MLFLOW_HTTP_REQUEST_MAX_RETRIES,
    MLFLOW_DEFAULTS.maxRetries,
  );
  if (!Number.isInteger(maxRetries) || maxRetries > 10)
    throw new InputError(
      `MLFLOW_HTTP_REQUEST_MAX_RETRIES must be an integer from 0 to 10, got ${maxRetries}`,
    );
  if (timeoutSeconds === 0) throw new InputError('MLFLOW_HTTP_REQUEST_TIMEOUT must be more than 0 seconds');
  return {
    trackingUri: uri,
    experimentName,
    timeoutMs: timeoutSeconds * 1000,
    maxRetries,
    backoffMs: MLFLOW_DEFAULTS.backoffMs,
    authorization: authorizationFor(username, password, env.MLFLOW_TRACKING_TOKEN ?? ''),
  };
}

/** A config for code that does not read the environment (a worker, tests): the same defaults. */
export function mlflowConfig(options: {
  trackingUri: string;
  experimentName?: string;
  token?: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
  maxRetries?: number;
  backoffMs?: number;
}): MlflowConfig {
  const { uri, username, password } = splitTrackingUri(options.trackingUri);
  return {
    trackingUri: uri,
    experimentName: options.experimentName ?? MLFLOW_DEFAULTS.experimentName,
    timeoutMs: options.timeoutMs ?? MLFLOW_DEFAULTS.timeoutSeconds * 1000,
    maxRetries: options.maxRetries ?? MLFLOW_DEFAULTS.maxRetries,
    backoffMs: options.backoffMs ?? MLFLOW_DEFAULTS.backoffMs,
    authorization: authorizationFor(
      options.username ?? username,
      options.password ?? password,
      options.token ?? '',
    ),
  };
}
