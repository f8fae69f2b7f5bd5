// Starts the real platform for the browser tests: a loopback Redis, the backend API serving the built
// dashboard (and the batch and training workers when they are built), on a temporary SQLite database and artifact
// directory with a known admin key; trains a tiny model and registers it twice (v1 promoted). Every
// process started here is stopped in the teardown, also when the setup itself fails half-way.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';

export interface E2EContext {
  /** Why the platform could not be started: every test then fails with it (never an empty, green run). */
  setupError: string | null;
  baseUrl: string;
  adminKey: string;
  /** A CSV with the model's columns and actual prices (the tiny generated data set). */
  csvPath: string;
  workerRunning: boolean;
  /** A training worker runs queued training runs (backend/dist/training-worker.js was built). */
  trainingWorkerRunning: boolean;
  screenshotDir: string;
  tmp: string;
}

declare module 'vitest' {
  interface ProvidedContext {
    e2e: E2EContext;
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BACKEND_DIST = resolve(ROOT, process.env.E2E_BACKEND_DIST ?? 'backend/dist');
const DASHBOARD_DIST = resolve(ROOT, 'dashboard/dist');
const ML_CLI = resolve(ROOT, 'ml/dist/cli/main.js');
const log = (message: string) => process.stderr.write(`e2e setup: ${message}\n`);

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logFile?: string) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  const tail =
    logFile && existsSync(logFile)
      ? `\n--- ${logFile} ---\n${readFileSync(logFile, 'utf8').slice(-3000)}`
      : '';
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s${tail}`);
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      done(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('error', () => done(false));
    socket.once('timeout', () => {
      done(false);
      socket.destroy();
    });
  });
}

function run(
  command: string,
  args: string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  return new Promise((done, fail) => {
    const out = openSync(logFile, 'a');
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', out, out] });
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0
        ? done()
        : fail(new Error(`${command} ${args.join(' ')} exited with ${code}; see ${logFile}`)),
    );
  });
}

export default async function setup(project: TestProject) {
  const started: ChildProcess[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'housing-dashboard-e2e-'));

  function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): string {
    const logFile = join(tmp, `${name}.log`);
    const out = openSync(logFile, 'a');
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', out, out] });
    child.once('error', (error) => log(`${name}: ${error.message}`));
    started.push(child);
    return logFile;
  }

  async function stopAll() {
    for (const child of started.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (!process.env.E2E_KEEP_TMP) rmSync(tmp, { recursive: true, force: true });
  }

  try {
    for (const [path, hint] of [
      ['/usr/bin/chromium', 'apt-get install -y chromium'],
      [join(BACKEND_DIST, 'main.js'), 'npx nx run-many -t build'],
      [join(DASHBOARD_DIST, 'index.html'), 'npm run build -w dashboard'],
      [ML_CLI, 'npx nx run-many -t build'],
    ]) {
      if (!existsSync(path!)) throw new Error(`${path} is missing: ${hint}`);
    }

    const redisPort = await freePort();
    const redisLog = start(
      'redis',
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmp],
      process.env,
    );
    await waitFor('redis-server', () => redisPing(redisPort), 10_000, redisLog);

    // A tiny trained model package (about 10 s), registered twice to have two versions. Three tuning
    // trials (no slower than --fast on this data) so the Models view's trials table is rendered.
    const csvPath = join(tmp, 'tiny.csv');
    const pkg = join(tmp, 'model.tar.gz');
    const trainLog = join(tmp, 'train.log');
    log('training a tiny model');
    await run(
      process.execPath,
      [ML_CLI, 'generate', '--size', 'tiny', '--dirty', '--out', csvPath],
      trainLog,
    );
    await run(
      process.execPath,
      [ML_CLI, 'train', '--data', csvPath, '--out', join(tmp, 'model'), '--trials', '3'],
      trainLog,
    );
    await run(process.execPath, [ML_CLI, 'pack', '--model', join(tmp, 'model'), '--out', pkg], trainLog);

    const port = await freePort();
    const adminKey = `hp_e2e_${randomBytes(24).toString('base64url')}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(tmp, 'db.sqlite')}`,
      ARTIFACT_STORE: `file://${join(tmp, 'artifacts')}`,
      BOOTSTRAP_ADMIN_KEY: adminKey,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      DASHBOARD_DIR: DASHBOARD_DIST,
      LOG_LEVEL: 'warn',
      // Drift counts reach Redis (and the Monitoring view) within half a second.
      DRIFT_FLUSH_INTERVAL_MS: '500',
    };
    const baseUrl = `http://127.0.0.1:${port}`;
    const apiLog = start('api', process.execPath, [join(BACKEND_DIST, 'main.js')], env);
    await waitFor('the API', async () => (await fetch(`${baseUrl}/health/live`)).ok, 60_000, apiLog);
    const workerRunning = existsSync(join(BACKEND_DIST, 'worker.js'));
    if (workerRunning) start('worker', process.execPath, [join(BACKEND_DIST, 'worker.js')], env);
    else log(`${join(BACKEND_DIST, 'worker.js')} does not exist: batch jobs will not run`);
    // The training worker runs `ml train` (ml/dist) for the Runs page's runs; progress written often
    // so a fast run on the tiny data shows its phases, and its metrics port chosen by the system.
    const trainingWorkerRunning = existsSync(join(BACKEND_DIST, 'training-worker.js'));
    if (trainingWorkerRunning)
      start('training-worker', process.execPath, [join(BACKEND_DIST, 'training-worker.js')], {
        ...env,
        TRAINING_ML_CLI: ML_CLI,
        TRAINING_WORKER_METRICS_PORT: '0',
        TRAINING_PROGRESS_INTERVAL_MS: '200',
        TRAINING_NICE: '5',
      });
    else log(`${join(BACKEND_DIST, 'training-worker.js')} does not exist: training runs will not run`);

    for (let i = 0; i < 2; i++) {
      const form = new FormData();
      form.append('package', new Blob([readFileSync(pkg)]), 'model.tar.gz');
      const r = await fetch(`${baseUrl}/v1/models`, {
        method: 'POST',
        headers: { 'x-api-key': adminKey },
        body: form,
      });
      if (!r.ok) throw new Error(`registering the package answered ${r.status}: ${await r.text()}`);
    }
    const promote = await fetch(`${baseUrl}/v1/models/housets-xgboost/versions/1/stage`, {
      method: 'PUT',
      headers: { 'x-api-key': adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ stage: 'production' }),
    });
    if (!promote.ok) throw new Error(`promoting v1 answered ${promote.status}: ${await promote.text()}`);
    await waitFor(
      'the production model',
      async () => (await fetch(`${baseUrl}/health/ready`)).ok,
      30_000,
      apiLog,
    );

    const screenshotDir = join(ROOT, 'test-artifacts/dashboard');
    project.provide('e2e', {
      setupError: null,
      baseUrl,
      adminKey,
      csvPath,
      workerRunning,
      trainingWorkerRunning,
      screenshotDir,
      tmp,
    });
    log(`platform up at ${baseUrl} (logs in ${tmp})`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`failed: ${message}`);
    await stopAll();
    project.provide('e2e', {
      setupError: message,
      baseUrl: '',
      adminKey: '',
      csvPath: '',
      workerRunning: false,
      trainingWorkerRunning: false,
      screenshotDir: '',
      tmp,
    });
  }

  return stopAll;
}
