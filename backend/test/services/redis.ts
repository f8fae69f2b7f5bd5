import * as os from 'node:os';
import { findExecutable } from './binaries';
import { ServiceProcess, freePort, tcpExchange } from './process';

export interface RedisService {
  readonly port: number;
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  readonly running: boolean;
  /** Starts it again on the same port (after stop() or kill()). */
  start(): Promise<void>;
  /** Graceful stop (SIGTERM). */
  stop(): Promise<void>;
  /** Abrupt stop (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** kill() (or stop() with `graceful`) then start() on the same port; data is gone (no persistence). */
  restart(options?: { graceful?: boolean; downForMs?: number }): Promise<void>;
  output(): string;
}

/** Starts `redis-server` on a free loopback port without persistence and waits until it answers PING. */
export async function startRedis(options: { port?: number } = {}): Promise<RedisService> {
  const binary = findExecutable('redis-server', 'redis-server');
  const port = options.port ?? (await freePort());
  // Nothing is written there (no RDB, no AOF), so the system temp dir will do and a restart needs no setup.
  const dir = os.tmpdir();
  let proc: ServiceProcess | undefined;

  const start = async (): Promise<void> => {
    if (proc?.running) return;
    proc = new ServiceProcess({
      name: `redis:${port}`,
      command: binary,
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      stopSignal: 'SIGTERM',
    });
    const started = proc;
    await started.waitUntil(async () => (await tcpExchange(port, 'PING\r\n')).startsWith('+PONG'));
  };
  const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
    await proc?.stop(signal);
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return proc?.running ?? false;
    },
    start,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    restart: async ({ graceful = false, downForMs = 0 } = {}) => {
      await stopWith(graceful ? 'SIGTERM' : 'SIGKILL');
      if (downForMs > 0) await new Promise((r) => setTimeout(r, downForMs));
      await start();
    },
    output: () => proc?.output() ?? '',
  };
}
