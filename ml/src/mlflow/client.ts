import { z } from 'zod';
import type { MlflowConfig } from './config';

/** Statuses worth another try: rate limiting and a server that is (re)starting or overloaded. */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Statuses that say the request was not acted on, so even a non-idempotent call may be sent again. */
const NOT_PROCESSED_STATUS = new Set([429, 503]);
/** Network errors raised before a request reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const MAX_BACKOFF_MS = 10_000;
/** Largest MLflow answer read: the REST answers this client asks for are small JSON documents. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** Longest server error text carried into a message. */
const MAX_ERROR_TEXT = 300;

/** MLflow's REST limits (mlflow/utils/validation.py) and the older servers' shorter parameter values. */
export const MLFLOW_LIMITS = {
  paramsTagsPerBatch: 100,
  metricsPerBatch: 1000,
  keyLength: 250,
  /** 6000 since MLflow 2.x; 500 keeps older servers working and is ample for parameters. */
  paramValueLength: 500,
  tagValueLength: 5000,
} as const;

/** An MLflow call that failed; the message names the call and never carries the URI's credentials or a token. */
export class MlflowError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    readonly errorCode: string | null = null,
  ) {
    super(message);
    this.name = 'MlflowError';
  }
}

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export interface MlflowParam {
  key: string;
  value: string;
}
export type MlflowTag = MlflowParam;
export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

const errorBody = z.object({ error_code: z.string().optional(), message: z.string().optional() });
const experimentBody = z.object({
  experiment: z.object({
    experiment_id: z.string(),
    name: z.string(),
    artifact_location: z.string().optional(),
  }),
});
const runInfo = z.object({
  run_id: z.string(),
  experiment_id: z.string(),
  status: z.string(),
  artifact_uri: z.string().optional(),
  run_name: z.string().optional(),
  start_time: z.coerce.number().optional(),
  end_time: z.coerce.number().optional(),
});
const keyValue = z.object({ key: z.string(), value: z.string() });
const metricBody = z.object({
  key: z.string(),
  value: z.number().or(z.string()),
  timestamp: z.coerce.number(),
  step: z.coerce.number().optional(),
});
const runBody = z.object({
  run: z.object({
    info: runInfo,
    data: z
      .object({
        params: z.array(keyValue).optional(),
        tags: z.array(keyValue).optional(),
        metrics: z.array(metricBody).optional(),
      })
      .optional(),
  }),
});
const historyBody = z.object({
  metrics: z.array(metricBody).optional(),
  next_page_token: z.string().optional(),
});
const artifactsBody = z.object({
  root_uri: z.string().optional(),
  files: z
    .array(
      z.object({ path: z.string(), is_dir: z.boolean().optional(), file_size: z.coerce.number().optional() }),
    )
    .optional(),
});

export type MlflowRun = z.infer<typeof runBody>['run'];
export type MlflowMetricPoint = z.infer<typeof metricBody>;
export type MlflowArtifact = NonNullable<z.infer<typeof artifactsBody>['files']>[number];

interface RequestOptions {
  query?: Record<string, string>;
  json?: unknown;
  /** A Blob (e.g. fs.openAsBlob) streams from disk and can be sent again on a retry. */
  body?: Uint8Array | Blob;
  /** Safe to send twice (reads, log-batch with fixed timestamps, artifact PUTs, status updates). */
  idempotent: boolean;
  /** A 404 answers null instead of failing (look-ups by name). */
  allowNotFound?: boolean;
}

export interface MlflowClientDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Reads at most `limit` bytes of a response body; more is an error (an answer this client cannot use). */
async function boundedText(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    throw new Error(`answer of ${declared} bytes exceeds ${limit}`);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw new Error(`answer exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The code of a fetch network failure (undici puts it on `cause`). */
function networkCode(error: unknown): string | null {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : null;
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/**
 * A small client of MLflow's REST API 2.0 (tracking and the artifact proxy): per-request timeouts,
 * bounded retries with doubling delays, Basic or Bearer auth like MLflow's own clients.
 */
export class MlflowClient {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    readonly config: MlflowConfig,
    deps: MlflowClientDeps = {},
  ) {
    this.fetch = deps.fetch ?? fetch;
    this.sleep = deps.sleep ?? wait;
  }

  /** The experiment's id, created when missing (a concurrent creation by someone else is fine). */
  async ensureExperiment(name: string): Promise<string> {
    const existing = await this.getExperimentByName(name);
    if (existing) return existing.experiment_id;
    try {
      const created = await this.call('POST', '/api/2.0/mlflow/experiments/create', {
        json: { name },
        idempotent: false,
      });
      return z.object({ experiment_id: z.string() }).parse(created).experiment_id;
    } catch (error) {
      if (!(error instanceof MlflowError) || error.errorCode !== 'RESOURCE_ALREADY_EXISTS') throw error;
      const raced = await this.getExperimentByName(name);
      if (!raced) throw error;
      return raced.experiment_id;
    }
  }

  async getExperimentByName(name: string): Promise<z.infer<typeof experimentBody>['experiment'] | null> {
    const body = await this.call('GET', '/api/2.0/mlflow/experiments/get-by-name', {
      query: { experiment_name: name },
      idempotent: true,
      allowNotFound: true,
    });
    return body === null ? null : this.parse(experimentBody, body, 'experiments/get-by-name').experiment;
  }

  async createRun(input: {
    experimentId: string;
    runName: string;
    startTime: number;
    tags: MlflowTag[];
  }): Promise<MlflowRun['info']> {
    const body = await this.call('POST', '/api/2.0/mlflow/runs/create', {
      json: {
        experiment_id: input.experimentId,
        run_name: input.runName,
        start_time: input.startTime,
        tags: input.tags,
      },
      idempotent: false,
    });
    return this.parse(runBody, body, 'runs/create').run.info;
  }

  /** runs/log-batch, split into requests within MLflow's per-request limits. */
  async logBatch(
    runId: string,
    batch: { params?: MlflowParam[]; metrics?: MlflowMetric[]; tags?: MlflowTag[] },
  ): Promise<void> {
    const params = batch.params ?? [];
    const tags = batch.tags ?? [];
    const metrics = batch.metrics ?? [];
    const per = MLFLOW_LIMITS.paramsTagsPerBatch;
    for (let i = 0; i < Math.max(params.length, tags.length); i += per) {
      await this.call('POST', '/api/2.0/mlflow/runs/log-batch', {
        json: { run_id: runId, params: params.slice(i, i + per), tags: tags.slice(i, i + per) },
        idempotent: true,
      });
    }
    for (let i = 0; i < metrics.length; i += MLFLOW_LIMITS.metricsPerBatch) {
      await this.call('POST', '/api/2.0/mlflow/runs/log-batch', {
        json: { run_id: runId, metrics: metrics.slice(i, i + MLFLOW_LIMITS.metricsPerBatch) },
        idempotent: true,
      });
    }
  }

  /**
   * Uploads one file through the tracking server's artifact proxy (`mlflow server --serve-artifacts`):
   * PUT /api/2.0/mlflow-artifacts/artifacts/<path of the run's mlflow-artifacts: URI>/<relativePath>.
   */
  async uploadArtifact(artifactUri: string, relativePath: string, body: Uint8Array | Blob): Promise<void> {
    const root = proxiedArtifactPath(artifactUri);
    if (root === null) {
      throw new MlflowError(
        `the run's artifact location ${JSON.stringify(artifactUri)} is not served by the tracking server ` +
          `(start it with --serve-artifacts, the default since MLflow 2.0)`,
      );
    }
    const segments = [...root.split('/'), ...relativePath.split('/')].filter(Boolean);
    await this.call(
      'PUT',
      `/api/2.0/mlflow-artifacts/artifacts/${segments.map(encodeURIComponent).join('/')}`,
      {
        body,
        idempotent: true,
      },
    );
  }

  async updateRun(runId: string, status: RunStatus, endTime: number): Promise<void> {
    await this.call('POST', '/api/2.0/mlflow/runs/update', {
      json: { run_id: runId, status, end_time: endTime },
      idempotent: true,
    });
  }

  async getRun(runId: string): Promise<MlflowRun> {
    const body = await this.call('GET', '/api/2.0/mlflow/runs/get', {
      query: { run_id: runId },
      idempotent: true,
    });
    return this.parse(runBody, body, 'runs/get').run;
  }

  /** Every point of one metric of a run (all pages), in the server's order. */
  async getMetricHistory(runId: string, key: string): Promise<MlflowMetricPoint[]> {
    const points: MlflowMetricPoint[] = [];
    let pageToken: string | undefined;
    do {
      const body = await this.call('GET', '/api/2.0/mlflow/metrics/get-history', {
        query: { run_id: runId, metric_key: key, ...(pageToken && { page_token: pageToken }) },
        idempotent: true,
      });
      const page = this.parse(historyBody, body, 'metrics/get-history');
      points.push(...(page.metrics ?? []));
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    return points;
  }

  /** runs/search in one experiment with an MLflow filter, e.g. `tags.mlflow.runName = 'x'` (first page). */
  async searchRuns(experimentId: string, filter: string, maxResults = 100): Promise<MlflowRun[]> {
    const body = await this.call('POST', '/api/2.0/mlflow/runs/search', {
      json: { experiment_ids: [experimentId], filter, max_results: maxResults },
      idempotent: true,
    });
    return (
      this.parse(z.object({ runs: z.array(runBody.shape.run).optional() }), body, 'runs/search').runs ?? []
    );
  }

  async listArtifacts(runId: string, path?: string): Promise<MlflowArtifact[]> {
    const body = await this.call('GET', '/api/2.0/mlflow/artifacts/list', {
      query: { run_id: runId, ...(path && { path }) },
      idempotent: true,
    });
    return this.parse(artifactsBody, body, 'artifacts/list').files ?? [];
  }

  private parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new MlflowError(`MLflow ${what}: unexpected answer (${parsed.error.issues[0]?.message})`);
    return parsed.data;
  }

  /** One REST call with retries; the parsed JSON answer (null for an allowed 404). */
  private async call(method: string, route: string, options: RequestOptions): Promise<unknown> {
    const url = new URL(`${this.config.trackingUri}${route}`);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const what = `${method} ${route}`;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.config.maxRetries;
      let response: Response;
      try {
        response = await this.fetch(url, {
          method,
          headers: this.headers(options),
          body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
          signal: AbortSignal.timeout(this.config.timeoutMs),
        });
      } catch (error) {
        const code = networkCode(error);
        const cause = (error as { cause?: { message?: unknown } }).cause;
        const detail =
          code ?? (typeof cause?.message === 'string' ? cause.message : (error as Error).message);
        const reason = isTimeout(error)
          ? `no answer within ${this.config.timeoutMs / 1000} s`
          : `could not connect (${detail})`;
        const retryable = options.idempotent || (code !== null && NOT_SENT_CODES.has(code));
        if (last || !retryable) throw new MlflowError(`MLflow ${what}: ${reason}`);
        await this.sleep(this.delay(attempt, null));
        continue;
      }
      let text: string;
      try {
        text = await boundedText(response, MAX_RESPONSE_BYTES);
      } catch (error) {
        throw new MlflowError(`MLflow ${what}: ${(error as Error).message}`, response.status);
      }
      if (response.ok) return text === '' ? {} : this.json(text, what);
      if (response.status === 404 && options.allowNotFound) return null;
      const retryable = options.idempotent
        ? RETRYABLE_STATUS.has(response.status)
        : NOT_PROCESSED_STATUS.has(response.status);
      if (!last && retryable) {
        await this.sleep(this.delay(attempt, response.headers.get('retry-after')));
        continue;
      }
      throw this.failure(what, response, text);
    }
  }

  private headers(options: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': 'housing-ml-mlflow/1' };
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    if (options.body !== undefined) headers['content-type'] = 'application/octet-stream';
    const authorization = this.config.authorization?.();
    if (authorization) headers.authorization = authorization;
    return headers;
  }

  private json(text: string, what: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw new MlflowError(`MLflow ${what}: answer is not JSON`);
    }
  }

  /** Doubling delays from backoffMs, capped; a server's Retry-After (seconds) when it asks for longer. */
  private delay(attempt: number, retryAfter: string | null): number {
    const backoff = Math.min(MAX_BACKOFF_MS, this.config.backoffMs * 2 ** attempt);
    const asked = retryAfter === null ? NaN : Number(retryAfter) * 1000;
    return Number.isFinite(asked) && asked > backoff ? Math.min(asked, MAX_BACKOFF_MS) : backoff;
  }

  private failure(what: string, response: Response, text: string): MlflowError {
    let code: string | null = null;
    let detail = '';
    try {
      const parsed = errorBody.safeParse(JSON.parse(text));
      if (parsed.success) {
        code = parsed.data.error_code ?? null;
        detail = parsed.data.message ?? '';
      }
    } catch {
      detail = text;
    }
    detail = detail.replace(/\s+/g, ' ').trim().slice(0, MAX_ERROR_TEXT);
    const hint =
      response.status === 401 || response.status === 403
        ? ' (check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD)'
        : '';
    return new MlflowError(
      `MLflow ${what}: ${response.status}${code ? ` ${code}` : ''}${detail ? `: ${detail}` : ''}${hint}`,
      response.status,
      code,
    );
  }
}

/**
 * The path of a run's artifact root inside the artifact proxy: `mlflow-artifacts:/1/<run>/artifacts` and
 * `mlflow-artifacts://host:port/1/<run>/artifacts` → `1/<run>/artifacts`; null for other stores (s3:, file:, …).
 */
export function proxiedArtifactPath(artifactUri: string): string | null {
  const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/?(.*)$/.exec(artifactUri);
  return match ? match[1]!.replace(/\/+$/, '') : null;
}
