/**
 * The MLflow client against a tiny local HTTP server that plays MLflow: retries (bounded, only where a
 * second send is safe), timeouts, Basic/Bearer auth and that no credential reaches a message or a report.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { InputError } from '../errors';
import { MAX_RESPONSE_BYTES, MlflowClient, MlflowError, proxiedArtifactPath } from './client';
import { mlflowConfig, mlflowConfigFromEnv, MLFLOW_DEFAULTS, type MlflowConfig } from './config';
import { describeNotLogged, logTrainingRun, mlflowKey, type TrainingRunLog } from './log-run';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

type Handler = (req: Seen, res: http.ServerResponse) => void;

/** A loopback HTTP server whose answers a test scripts; every request is recorded. */
class FakeMlflow {
  readonly seen: Seen[] = [];
  handler: Handler = (_req, res) => json(res, 200, {});
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = {
        method: req.method!,
        url: req.url!,
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString(),
      };
      this.seen.push(seen);
      this.handler(seen, res);
    });
  });

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** MLflow's happy answers for the calls logTrainingRun makes. */
const happyMlflow: Handler = (req, res) => {
  if (req.url.startsWith('/api/2.0/mlflow/experiments/get-by-name'))
    return json(res, 200, { experiment: { experiment_id: '4', name: 'housing-price' } });
  if (req.url === '/api/2.0/mlflow/runs/create')
    return json(res, 200, {
      run: {
        info: {
          run_id: 'r1',
          experiment_id: '4',
          status: 'RUNNING',
          artifact_uri: 'mlflow-artifacts:/4/r1/artifacts',
        },
      },
    });
  json(res, 200, {});
};

const noSleep = { sleep: async () => undefined };

describe('MlflowClient against a local HTTP server', () => {
  const fake = new FakeMlflow();
  let uri: string;
  const config = (extra: Partial<Parameters<typeof mlflowConfig>[0]> = {}): MlflowConfig =>
    mlflowConfig({ trackingUri: uri, maxRetries: 3, backoffMs: 1, timeoutMs: 2000, ...extra });

  beforeAll(async () => {
    uri = await fake.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.seen.length = 0;
    fake.handler = happyMlflow;
  });

  it('retries an idempotent call on 503 and succeeds when the server recovers', async () => {
    let calls = 0;
    fake.handler = (req, res) =>
      ++calls < 3 ? json(res, 503, { error_code: 'TEMPORARILY_UNAVAILABLE' }) : happyMlflow(req, res);
    const client = new MlflowClient(config());
    await expect(client.ensureExperiment('housing-price')).resolves.toBe('4');
    expect(fake.seen).toHaveLength(3);
  });

  it('gives up after maxRetries + 1 attempts, naming the call and the status', async () => {
    fake.handler = (_req, res) => json(res, 502, { error_code: 'BAD_GATEWAY', message: 'upstream down' });
    const delays: number[] = [];
    const client = new MlflowClient(config({ backoffMs: 100 }), {
      sleep: async (ms) => void delays.push(ms),
    });
    await expect(client.updateRun('r1', 'FINISHED', 1)).rejects.toThrow(
      'MLflow POST /api/2.0/mlflow/runs/update: 502 BAD_GATEWAY: upstream down',
    );
    expect(fake.seen).toHaveLength(4);
    expect(delays).toEqual([100, 200, 400]); // doubling
  });

  it('honours Retry-After on 429, capped at 10 s', async () => {
    const asked = ['3', '60'];
    fake.handler = (_req, res) =>
      asked.length > 0 ? json(res, 429, {}, { 'retry-after': asked.shift()! }) : json(res, 200, {});
    const delays: number[] = [];
    const client = new MlflowClient(config({ backoffMs: 10 }), {
      sleep: async (ms) => void delays.push(ms),
    });
    await client.updateRun('r1', 'FINISHED', 1);
    expect(delays).toEqual([3000, 10_000]);
  });

  it('does not send runs/create twice after a 500 (it may have created the run), but does after a 503', async () => {
    fake.handler = (_req, res) => json(res, 500, { error_code: 'INTERNAL_ERROR' });
    const client = new MlflowClient(config(), noSleep);
    const create = () => client.createRun({ experimentId: '4', runName: 'x', startTime: 1, tags: [] });
    await expect(create()).rejects.toMatchObject({ status: 500, errorCode: 'INTERNAL_ERROR' });
    expect(fake.seen).toHaveLength(1);
    fake.seen.length = 0;
    let calls = 0;
    fake.handler = (req, res) => (++calls === 1 ? json(res, 503, {}) : happyMlflow(req, res));
    await expect(create()).resolves.toMatchObject({ run_id: 'r1' });
    expect(fake.seen).toHaveLength(2);
  });

  it('does not retry a 4xx answer', async () => {
    fake.handler = (_req, res) =>
      json(res, 400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'bad key' });
    const client = new MlflowClient(config(), noSleep);
    await expect(client.logBatch('r1', { params: [{ key: 'a', value: 'b' }] })).rejects.toBeInstanceOf(
      MlflowError,
    );
    expect(fake.seen).toHaveLength(1);
  });

  it('times a request out and retries it a bounded number of times', async () => {
    fake.handler = () => undefined; // never answers
    const client = new MlflowClient(config({ timeoutMs: 200, maxRetries: 1 }), noSleep);
    const started = Date.now();
    await expect(client.getRun('r1')).rejects.toThrow(
      'MLflow GET /api/2.0/mlflow/runs/get: no answer within 0.2 s',
    );
    expect(fake.seen).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses an answer larger than the limit', async () => {
    fake.handler = (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(MAX_RESPONSE_BYTES + 1),
      });
      res.end();
    };
    const client = new MlflowClient(config({ maxRetries: 0 }), noSleep);
    await expect(client.getRun('r1')).rejects.toThrow(/exceeds/);
  });

  it('sends Bearer for a token, Basic for username/password (which win, like MLflow), and Basic from URI credentials', async () => {
    const host = new URL(uri).host;
    await new MlflowClient(config({ token: 'tok-123' })).updateRun('r1', 'FINISHED', 1);
    await new MlflowClient(config({ token: 'tok-123', username: 'ann', password: 'pw' })).updateRun(
      'r1',
      'FINISHED',
      1,
    );
    await new MlflowClient(mlflowConfig({ trackingUri: `http://bob:p%40ss@${host}/` })).updateRun(
      'r1',
      'FINISHED',
      1,
    );
    await new MlflowClient(config()).updateRun('r1', 'FINISHED', 1);
    expect(fake.seen.map((s) => s.authorization)).toEqual([
      'Bearer tok-123',
      `Basic ${Buffer.from('ann:pw').toString('base64')}`,
      `Basic ${Buffer.from('bob:p@ss').toString('base64')}`,
      undefined,
    ]);
    expect(mlflowConfig({ trackingUri: `http://bob:p%40ss@${host}/` }).trackingUri).toBe(`http://${host}`);
  });

  it('never shows a credential: not in a config printed or serialised, an error, a report or its warning', async () => {
    fake.handler = (_req, res) => json(res, 401, { error_code: 'UNAUTHENTICATED', message: 'who are you' });
    const host = new URL(uri).host;
    const env = {
      MLFLOW_TRACKING_URI: `http://uri-user:uri-secret@${host}/`,
      MLFLOW_TRACKING_TOKEN: 'token-secret',
    };
    const withToken = mlflowConfigFromEnv({ ...env, MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' })!;
    const report = await logTrainingRun(withToken, minimalRun(), noSleep);
    const warning = describeNotLogged(withToken, report)!;
    expect(warning).toBe(
      `MLflow at http://${host}: not logged: run, params, metrics, status ` +
        '(MLflow GET /api/2.0/mlflow/experiments/get-by-name: 401 UNAUTHENTICATED: who are you ' +
        '(check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD))',
    );
    const printed = [
      warning,
      JSON.stringify(report),
      JSON.stringify(withToken),
      inspect(withToken, { depth: 5 }),
    ];
    for (const text of printed)
      for (const secret of ['uri-user', 'uri-secret', 'token-secret']) expect(text).not.toContain(secret);
    // URI credentials win over the token here (Basic before Bearer), as in MLflow's client
    expect(fake.seen[0]!.authorization).toBe(
      `Basic ${Buffer.from('uri-user:uri-secret').toString('base64')}`,
    );
  });

  it('uploads artifacts under the proxied path of the run’s artifact URI', async () => {
    const client = new MlflowClient(config());
    await client.uploadArtifact(
      'mlflow-artifacts:/4/r1/artifacts',
      'package/model one.onnx',
      new Uint8Array([1, 2]),
    );
    await client.uploadArtifact(
      'mlflow-artifacts://tracker:5000/4/r1/artifacts',
      'package/manifest.json',
      new Uint8Array([3]),
    );
    expect(fake.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'PUT /api/2.0/mlflow-artifacts/artifacts/4/r1/artifacts/package/model%20one.onnx',
      'PUT /api/2.0/mlflow-artifacts/artifacts/4/r1/artifacts/package/manifest.json',
    ]);
    await expect(client.uploadArtifact('s3://bucket/4/r1/artifacts', 'x', new Uint8Array())).rejects.toThrow(
      /not served by the tracking server .*--serve-artifacts/,
    );
    expect(proxiedArtifactPath('file:///tmp/x')).toBeNull();
  });

  it('splits log-batch within MLflow’s limits (100 params, 1000 metrics a request)', async () => {
    const client = new MlflowClient(config());
    const params = Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const metrics = Array.from({ length: 2500 }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
    await client.logBatch('r1', { params, metrics });
    const bodies = fake.seen.map((s) => JSON.parse(s.body) as { params?: unknown[]; metrics?: unknown[] });
    expect(bodies.map((b) => [b.params?.length ?? 0, b.metrics?.length ?? 0])).toEqual([
      [100, 0],
      [50, 0],
      [0, 1000],
      [0, 1000],
      [0, 500],
    ]);
  });

  it('creates the experiment when missing, and takes the one a concurrent creator made', async () => {
    let lookups = 0;
    fake.handler = (req, res) => {
      if (req.url.startsWith('/api/2.0/mlflow/experiments/get-by-name'))
        return ++lookups === 1
          ? json(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST' })
          : json(res, 200, { experiment: { experiment_id: '9', name: 'e' } });
      json(res, 400, { error_code: 'RESOURCE_ALREADY_EXISTS' });
    };
    await expect(new MlflowClient(config()).ensureExperiment('e')).resolves.toBe('9');
    expect(fake.seen.map((s) => s.method)).toEqual(['GET', 'POST', 'GET']);
  });
});

function minimalRun(overrides: Partial<TrainingRunLog> = {}): TrainingRunLog {
  return {
    runName: 'r',
    status: 'FINISHED',
    startTime: 1000,
    endTime: 2000,
    source: 'test',
    params: { a: 1 },
    metrics: { m: 0.5 },
    ...overrides,
  };
}

describe('logTrainingRun', () => {
  const fake = new FakeMlflow();
  let uri: string;
  beforeAll(async () => {
    uri = await fake.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.seen.length = 0;
    fake.handler = happyMlflow;
  });

  it('logs what it can and names each part that failed, with its reason, without throwing', async () => {
    fake.handler = (req, res) =>
      req.url.startsWith('/api/2.0/mlflow-artifacts/')
        ? json(res, 403, { error_code: 'PERMISSION_DENIED', message: 'read-only' })
        : happyMlflow(req, res);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlflow-pkg-'));
    writeFileSync(path.join(dir, 'manifest.json'), '{}');
    try {
      const cfg = mlflowConfig({ trackingUri: uri, maxRetries: 0 });
      const report = await logTrainingRun(
        cfg,
        minimalRun({
          trials: [{ number: 1, metrics: { trial_x: 1, nan: NaN } }],
          package: { dir },
        }),
      );
      expect(report).toMatchObject({
        experimentId: '4',
        runId: 'r1',
        runUrl: `${uri}/#/experiments/4/runs/r1`,
      });
      expect(report.logged).toEqual(['run', 'params', 'metrics', 'tuning trials', 'status']);
      expect(report.notLogged).toEqual([
        {
          part: 'package',
          reason: expect.stringContaining('403 PERMISSION_DENIED: read-only'),
        },
      ]);
      // the trial metric with a NaN value is left out; the finite one is at step = trial number
      const trialBatch = fake.seen.map((s) => s.body).find((b) => b.includes('trial_x'))!;
      expect(JSON.parse(trialBatch).metrics).toEqual([
        { key: 'trial_x', value: 1, timestamp: 2000, step: 1 },
      ]);
      // the status update still went out, with the run's end time
      expect(JSON.parse(fake.seen.at(-1)!.body)).toEqual({
        run_id: 'r1',
        status: 'FINISHED',
        end_time: 2000,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends a failed run’s error as the housing.error tag and FAILED as its status', async () => {
    const report = await logTrainingRun(
      mlflowConfig({ trackingUri: uri }),
      minimalRun({ status: 'FAILED', error: 'trainer exited with code 1', metrics: {} }),
    );
    expect(report.notLogged).toEqual([]);
    const bodies = fake.seen.map((s) => JSON.parse(s.body || '{}'));
    const batches = fake.seen
      .filter((s) => s.url === '/api/2.0/mlflow/runs/log-batch')
      .map((s) => JSON.parse(s.body));
    expect(batches.find((b) => b.tags?.length)?.tags).toEqual([
      { key: 'housing.error', value: 'trainer exited with code 1' },
    ]);
    expect(bodies.at(-1)).toMatchObject({ status: 'FAILED' });
  });

  it('makes keys MLflow accepts', () => {
    expect(mlflowKey('holdout_mape')).toBe('holdout_mape');
    expect(mlflowKey('a:b=c?')).toBe('a_b_c_');
    expect(mlflowKey('x'.repeat(300))).toHaveLength(250);
  });
});

describe('mlflowConfigFromEnv', () => {
  it('is off without MLFLOW_TRACKING_URI and uses the documented defaults with it', () => {
    expect(mlflowConfigFromEnv({})).toBeNull();
    expect(mlflowConfigFromEnv({ MLFLOW_TRACKING_URI: '  ' })).toBeNull();
    const config = mlflowConfigFromEnv({ MLFLOW_TRACKING_URI: 'https://mlflow.example.com/base/' })!;
    expect(config).toMatchObject({
      trackingUri: 'https://mlflow.example.com/base',
      experimentName: MLFLOW_DEFAULTS.experimentName,
      timeoutMs: MLFLOW_DEFAULTS.timeoutSeconds * 1000,
      maxRetries: MLFLOW_DEFAULTS.maxRetries,
      authorization: null,
    });
  });

  it('refuses unusable values with an InputError naming the variable', () => {
    const bad: Record<string, string>[] = [
      { MLFLOW_TRACKING_URI: 'file:///tmp/mlruns' },
      { MLFLOW_TRACKING_URI: 'databricks' },
      { MLFLOW_TRACKING_URI: 'http://x', MLFLOW_HTTP_REQUEST_TIMEOUT: 'soon' },
      { MLFLOW_TRACKING_URI: 'http://x', MLFLOW_HTTP_REQUEST_TIMEOUT: '0' },
      { MLFLOW_TRACKING_URI: 'http://x', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '50' },
      { MLFLOW_TRACKING_URI: 'http://x', MLFLOW_EXPERIMENT_NAME: 'e'.repeat(501) },
    ];
    for (const env of bad) {
      const name = Object.keys(env).at(-1)!;
      expect(() => mlflowConfigFromEnv(env)).toThrow(InputError);
      expect(() => mlflowConfigFromEnv(env)).toThrow(name);
    }
  });
});
