import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as net from 'node:net';
import type { Readable } from 'node:stream';

/**
 * Runs a service under a small `sh` guard that kills it (with `parentDeathSignal`) when this Node process
 * goes away without stopping it (crash, SIGKILL, a CI timeout): the guard's stdin is a pipe from us, and
 * end-of-file on it means we are gone. The guard also removes `cleanupDir` after the service exits that way.
 * Normal stops signal the service itself (its pid comes back on fd 3).
 */
export const GUARD_SCRIPT = `
sig=$1; cleanup=$2; shift 2
exec 4<&0
"$@" </dev/null 3>&- 4<&- &
child=$!
echo "$child" >&3
exec 3>&-
( read _ <&4; kill -s "$sig" "$child" 2>/dev/null ) &
watcher=$!
exec 4<&-
wait "$child"; status=$?
kill "$watcher" 2>/dev/null
if [ -n "$cleanup" ]; then rm -rf "$cleanup"; fi
exit $status
`;

/** dash's `kill -s` takes TERM, not SIGTERM. */
export function guardSignal(signal: NodeJS.Signals): string {
  return signal.replace(/^SIG/, '');
}

export interface ServiceProcessOptions {
  /** Name used in messages. */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Signal for a graceful stop (SIGTERM by default). */
  stopSignal?: NodeJS.Signals;
  /** Signal the guard sends when this process dies (defaults to stopSignal). */
  parentDeathSignal?: NodeJS.Signals;
  /** Directory the guard removes after the service exits. */
  cleanupDir?: string;
}

const MAX_LOG = 64 * 1024;

/** One run of a service process. */
export class ServiceProcess {
  private readonly guard: ChildProcess;
  private log = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;
  readonly pid: Promise<number>;

  constructor(readonly options: ServiceProcessOptions) {
    this.guard = spawn(
      'sh',
      [
        '-c',
        GUARD_SCRIPT,
        'service-guard',
        guardSignal(options.parentDeathSignal ?? options.stopSignal ?? 'SIGTERM'),
        options.cleanupDir ?? '',
        options.command,
        ...options.args,
      ],
      {
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
        env: options.env ?? process.env,
        cwd: options.cwd,
        uid: options.uid,
        gid: options.gid,
      },
    );
    const append = (chunk: Buffer): void => {
      this.log = (this.log + chunk.toString()).slice(-MAX_LOG);
      if (process.env.TEST_SERVICES_VERBOSE) process.stderr.write(`[${options.name}] ${chunk.toString()}`);
    };
    this.guard.stdout!.on('data', append);
    this.guard.stderr!.on('data', append);
    this.guard.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.guard.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
      this.guard.on('error', (error) => {
        this.log += `\nspawn error: ${error.message}`;
        this.exitInfo = { code: null, signal: null };
        resolve();
      });
    });
    this.pid = readFirstLine(this.guard.stdio[3] as Readable).then((line) => {
      const pid = Number(line);
      if (!Number.isInteger(pid) || pid <= 0)
        throw new Error(`${options.name}: could not start (${this.describeExit()})\n${this.output()}`);
      return pid;
    });
    this.pid.catch(() => undefined);
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  output(): string {
    return this.log;
  }

  describeExit(): string {
    if (!this.exitInfo) return 'running';
    return this.exitInfo.signal ? `killed by ${this.exitInfo.signal}` : `exit code ${this.exitInfo.code}`;
  }

  /** Sends `signal` to the service (not the guard). */
  async signal(signal: NodeJS.Signals): Promise<void> {
    if (!this.running) return;
    const pid = await this.pid.catch(() => undefined);
    if (pid === undefined || !this.running) return;
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /** Stops the service: `signal` (the configured stop signal by default), then SIGKILL after `timeoutMs`. */
  async stop(
    signal: NodeJS.Signals = this.options.stopSignal ?? 'SIGTERM',
    timeoutMs = 15000,
  ): Promise<void> {
    if (this.running) {
      await this.signal(signal);
      const timer = setTimeout(() => void this.signal('SIGKILL'), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.guard.stdin!.destroy();
  }

  /** Polls `probe` until it resolves true; fails early when the process exits, and after `timeoutMs`. */
  async waitUntil(probe: () => Promise<boolean>, timeoutMs = 30000, what = 'ready'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running)
        throw new Error(
          `${this.options.name} exited before it was ${what} (${this.describeExit()}):\n${this.output()}`,
        );
      if (await probe().catch(() => false)) return;
      if (Date.now() > deadline) {
        await this.stop('SIGKILL');
        throw new Error(`${this.options.name} was not ${what} after ${timeoutMs} ms:\n${this.output()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function readFirstLine(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    const nl = text.indexOf('\n');
    if (nl >= 0) {
      stream.destroy();
      return text.slice(0, nl).trim();
    }
  }
  return text.trim();
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Sends `payload` to 127.0.0.1:port and resolves with what comes back first (or rejects). */
export function tcpExchange(port: number, payload: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('timeout'));
    }, timeoutMs);
    socket.once('connect', () => socket.write(payload));
    socket.once('data', (data) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
