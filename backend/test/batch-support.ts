import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import {
  generateHouseTsLines,
  readCsv,
  transformInto,
  loadPackageModel,
  type GenerateOptions,
  type ModelPackage,
} from '@housing/ml';
import type { AppConfig } from '../src/config/config';
import { WorkerModule } from '../src/worker.module';
import { BatchWorkerService } from '../src/batch/worker/batch-worker.service';
import type { TestApp } from './support/test-app';
import type { TestModel } from './support/model-fixture';

/** Helpers shared by the batch end-to-end tests (test/batch*.e2e.test.ts). */

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    await sleep(everyMs);
  }
}

export const auth = (t: TestApp) => ({ 'x-api-key': t.adminKey });

/** Registers a test model package and promotes it to production; resolves once the API serves it. */
export async function registerProduction(
  t: TestApp,
  model: TestModel,
): Promise<{ name: string; version: number }> {
  const upload = await t
    .request()
    .post('/v1/models')
    .set(auth(t))
    .attach('package', model.archive, 'package.tar.gz');
  if (upload.status !== 201)
    throw new Error(`model upload failed: ${upload.status} ${JSON.stringify(upload.body)}`);
  const { name, version } = upload.body as { name: string; version: number };
  const promote = await t
    .request()
    .put(`/v1/models/${name}/versions/${version}/stage`)
    .set(auth(t))
    .send({ stage: 'production' });
  if (promote.status !== 200)
    throw new Error(`promotion failed: ${promote.status} ${JSON.stringify(promote.body)}`);
  await waitFor(
    async () => (await t.request().get('/v1/models/current').set(auth(t))).body?.version === version,
    15_000,
    'the model to be served',
  );
  return { name, version };
}

/** A batch-only API key. */
export async function batchKey(t: TestApp, name = 'batch-client'): Promise<string> {
  const res = await t
    .request()
    .post('/v1/keys')
    .set(auth(t))
    .send({ name, scopes: ['batch'] });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.key as string;
}

/**
 * Writes a generated HouseTS CSV with a leading `row_id` column holding each row's own line number
 * (the header is line 1), so result rows (which keep the input columns) and error lines can be matched
 * to input lines exactly. Returns the path and the line numbers of all data rows.
 */
export async function writeJobCsv(
  file: string,
  options: GenerateOptions,
): Promise<{ file: string; lines: number[] }> {
  mkdirSync(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const lines: number[] = [];
  let lineNo = 0;
  let batch = '';
  for (const line of generateHouseTsLines(options).lines) {
    if (line.includes('\n')) throw new Error('generated record spans lines');
    lineNo++;
    if (lineNo === 1) batch += `row_id,${line}\n`;
    else {
      lines.push(lineNo);
      batch += `${lineNo},${line}\n`;
    }
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'close');
  return { file, lines };
}

export interface ParsedCsv {
  header: string[];
  rows: string[][];
}

export async function parseCsv(text: string | Buffer): Promise<ParsedCsv> {
  const rows: string[][] = [];
  let header: string[] = [];
  await readCsv(Readable.from([Buffer.from(text)]), {
    header: (h) => (header = h),
    row: (fields) => rows.push(fields),
  });
  return { header, rows };
}

/**
 * Predictions computed here, in-process, with the shared transform and the package's ONNX model, for
 * result rows (input columns as in the result): what the worker must have written.
 */
export async function expectedPrices(pkg: ModelPackage, result: ParsedCsv): Promise<Float64Array> {
  const model = await loadPackageModel(pkg.manifest, pkg.model);
  try {
    const width = pkg.manifest.features.names.length;
    const inputColumns = result.header.slice(0, result.header.indexOf('predicted_price'));
    const features = new Float32Array(result.rows.length * width);
    result.rows.forEach((fields, i) => {
      const record: Record<string, unknown> = {};
      inputColumns.forEach((c, k) => (record[c] = fields[k]));
      transformInto(record, pkg.manifest.features, features, i * width);
    });
    return await model.predict(features, result.rows.length);
  } finally {
    await model.release();
  }
}

/** The environment of a worker for the same database, store and queue as `t`, plus `overrides`. */
export function workerEnv(t: TestApp, overrides: Record<string, string> = {}): Record<string, string> {
  // Info level: the tests read the worker's 'worker ready', 'stalled' and 'batch queue depth' lines.
  // WORKER_METRICS_PORT 0: each worker's /metrics on a free port (several workers run at once).
  return { ...t.env, LOG_LEVEL: 'info', WORKER_METRICS_PORT: '0', ...overrides };
}

/** A worker running inside the test process (same code as src/worker.ts, without the process). */
export async function startInProcessWorker(
  config: AppConfig,
): Promise<{ app: INestApplicationContext; service: BatchWorkerService; close(): Promise<void> }> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
  await app.init();
  let closed = false;
  return {
    app,
    service: app.get(BatchWorkerService),
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}

const BACKEND = path.resolve(__dirname, '..');
const ML_SRC = path.resolve(BACKEND, '..', 'ml', 'src', 'index.ts');

/**
 * A require hook that runs the TypeScript sources with SWC (as Jest does, with decorator metadata) and
 * maps @housing/ml to its sources: worker processes run the code under test without a build step.
 */
const REGISTER = `
const fs = require('node:fs');
const Module = require('node:module');
const swc = require(${JSON.stringify(require.resolve('@swc/core'))});
const ML = ${JSON.stringify(ML_SRC)};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, request === '@housing/ml' ? ML : request, ...rest);
};
require.extensions['.ts'] = function (module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
`;

let registerFile: string | undefined;
export function registerHook(): string {
  if (!registerFile) {
    registerFile = path.join(os.tmpdir(), `housing-swc-register-${process.pid}.js`);
    writeFileSync(registerFile, REGISTER);
  }
  return registerFile;
}

/** A real worker process: `node src/worker.ts` (through the SWC hook), with its log kept. */
export class WorkerProcess {
  private log = '';
  private port?: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly child: ChildProcess;

  /** `entry`: the process kind's source under src/ (the batch worker; `training-worker.ts` for training). */
  constructor(
    env: Record<string, string>,
    private readonly entry = 'worker.ts',
  ) {
    this.child = spawn(
      process.execPath,
      ['--no-warnings', '-r', registerHook(), path.join(BACKEND, 'src', entry)],
      {
        cwd: BACKEND,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          TMPDIR: os.tmpdir(),
          ...awsEnv(),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const append = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-256 * 1024);
      if (process.env.TEST_WORKER_VERBOSE)
        process.stderr.write(`[worker ${this.child.pid}] ${chunk.toString()}`);
    };
    this.child.stdout!.on('data', append);
    this.child.stderr!.on('data', append);
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** `<hostname>:<pid>`, as the worker records itself on the job rows it runs. */
  get workerId(): string {
    return `${os.hostname()}:${this.pid}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.log;
  }

  /** The port of its /metrics (from its 'worker ready' line; kept once read, as the log keeps only its tail). */
  get metricsPort(): number {
    if (this.port) return this.port;
    const port = Number(/"metricsPort":(\d+)/.exec(this.log)?.[1]);
    if (!(port > 0)) throw new Error(`worker ${this.pid} logged no metrics port`);
    return (this.port = port);
  }

  /** The value of one sample of its /metrics, e.g. sample('batch_rows_total{result="scored"}'); 0 when absent. */
  async sample(series: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  }

  async ready(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () => {
        if (!this.running) throw new Error(`worker exited before it was ready:\n${this.log}`);
        return this.log.includes(this.entry === 'worker.ts' ? 'worker ready' : 'training worker ready');
      },
      timeoutMs,
      `worker ${this.pid} to start`,
    );
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

function awsEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('AWS_') && v !== undefined) out[k] = v;
  return out;
}
