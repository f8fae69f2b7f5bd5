import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** ml/test-tools: the uv project with a real MLflow (PyPI `mlflow`), synced by its sync.sh. */
export const TEST_TOOLS_DIR = path.resolve(__dirname, '..', '..', 'test-tools');

/** The venv's `mlflow` executable, syncing the venv first (idempotent) when it is missing. */
export function mlflowBinary(): string {
  const binary = path.join(TEST_TOOLS_DIR, '.venv', 'bin', 'mlflow');
  if (!existsSync(binary)) {
    execFileSync(path.join(TEST_TOOLS_DIR, 'sync.sh'), {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, UV_PYTHON_DOWNLOADS: 'never' },
    });
    if (!existsSync(binary)) throw new Error(`${binary} is missing after syncing ${TEST_TOOLS_DIR}`);
  }
  return binary;
}

/** A free loopback port (bound then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface MlflowServer {
  readonly uri: string;
  readonly dir: string;
  /** The admin login of the basic-auth app (MLflow's own authentication), when it was started with it. */
  readonly admin: { username: string; password: string } | null;
  /** Stops the server and every process it started, and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
  output(): string;
}

const MAX_LOG = 64 * 1024;

/**
 * Runs the server under `sh`, which also waits for end-of-file on its stdin (a pipe from this process):
 * when this process dies without stopping the server (a crash, SIGKILL), the guard terminates its whole
 * process group, so no server outlives the test run.
 */
const GUARD_SCRIPT = `
exec 4<&0
"$@" </dev/null 4<&- &
child=$!
( read _ <&4; kill -TERM 0 ) &
watcher=$!
exec 4<&-
wait "$child"; status=$?
kill "$watcher" 2>/dev/null
exit $status
`;

/**
 * The basic-auth app's settings: its user store in `dir`, and checked logins cached for the test's length
 * (a login is a PBKDF2 hash per request otherwise, seconds each on a loaded two-core machine).
 */
function writeAuthConfig(dir: string): string {
  const file = path.join(dir, 'basic_auth.ini');
  writeFileSync(
    file,
    [
      '[mlflow]',
      'default_permission = READ',
      `database_uri = sqlite:///${path.join(dir, 'basic_auth.db')}`,
      'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
      'auth_cache_ttl_seconds = 600',
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * Starts `mlflow server` (SQLite backend store, artifacts proxied into a temporary directory) on a free
 * loopback port and waits for GET /health; with `basicAuth`, MLflow's basic-auth app with a random admin
 * password. The server runs in its own process group (it starts uvicorn
 * and a job runner), so stopping signals the whole group; a process-exit hook and the guard's stdin
 * kill it if a test run ends without stopping it.
 */
export async function startMlflowServer(
  options: { basicAuth?: boolean; timeoutMs?: number } = {},
): Promise<MlflowServer> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  const admin = options.basicAuth
    ? { username: 'admin', password: `pw-${randomBytes(12).toString('hex')}` }
    : null;
  const binary = mlflowBinary();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-mlflow-'));
  const port = await freePort();
  const uri = `http://127.0.0.1:${port}`;
  const args = [
    'server',
    '--backend-store-uri',
    `sqlite:///${path.join(dir, 'mlflow.db')}`,
    '--artifacts-destination',
    path.join(dir, 'artifacts'),
    '--serve-artifacts',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--workers',
    '1',
    ...(admin ? ['--app-name', 'basic-auth'] : []),
  ];
  // The guard leads a new process group holding the server and everything it starts.
  const child: ChildProcess = spawn('sh', ['-c', GUARD_SCRIPT, 'mlflow-guard', binary, ...args], {
    cwd: dir,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PYTHONUNBUFFERED: '1',
      // MLflow 3 sends usage telemetry unless told not to; tests talk to loopback only.
      MLFLOW_DISABLE_TELEMETRY: 'true',
      DO_NOT_TRACK: 'true',
      ...(admin && {
        MLFLOW_AUTH_CONFIG_PATH: writeAuthConfig(dir),
        MLFLOW_AUTH_ADMIN_USERNAME: admin.username,
        MLFLOW_AUTH_ADMIN_PASSWORD: admin.password,
        MLFLOW_FLASK_SERVER_SECRET_KEY: randomBytes(16).toString('hex'),
      }),
    },
  });
  child.stdin!.on('error', () => undefined);
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-MAX_LOG);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.on('exit', () => {
      exited = true;
      resolve();
    });
    child.on('error', (error) => {
      log += `\nspawn error: ${error.message}`;
      exited = true;
      resolve();
    });
  });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };
  const onExit = () => killGroup('SIGKILL');
  process.on('exit', onExit);
  let stopped = false;
  const groupAlive = () => {
    try {
      if (child.pid) process.kill(-child.pid, 0);
      return child.pid !== undefined;
    } catch {
      return false;
    }
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup('SIGTERM');
    await exit;
    // The guard goes at once; wait for the server, uvicorn and the job runner, then insist.
    const deadline = Date.now() + 10_000;
    while (groupAlive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    killGroup('SIGKILL');
    child.stdin!.destroy();
    process.off('exit', onExit);
    rmSync(dir, { recursive: true, force: true });
  };
  const server: MlflowServer = { uri, dir, admin, stop, output: () => log };

  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exited) throw new Error(`mlflow server exited before it was healthy:\n${log}`);
      try {
        const response = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2000) });
        const text = await response.text();
        if (response.ok && text.trim() === 'OK') return server;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`mlflow server not healthy after ${timeoutMs} ms:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
