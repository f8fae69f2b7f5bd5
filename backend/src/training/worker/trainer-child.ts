import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import * as os from 'node:os';

/** One line of `ml train --progress-json` on the child's stdout (other lines are log text). */
export type ChildEvent = { event: string; [key: string]: unknown };

/** Parses a stdout line: a progress event, or undefined for anything else (kept as log text). */
export function parseEventLine(line: string): ChildEvent | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && typeof (value as ChildEvent).event === 'string'
      ? (value as ChildEvent)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The last lines of a log, bounded in lines and characters (what the run's row keeps). */
export class LogTail {
  private lines: string[] = [];
  private chars = 0;

  constructor(
    private readonly maxLines = 200,
    private readonly maxChars = 32 * 1024,
  ) {}

  push(line: string): void {
    const kept = line.length > 4000 ? `${line.slice(0, 4000)}…` : line;
    this.lines.push(kept);
    this.chars += kept.length + 1;
    while (this.lines.length > this.maxLines || (this.chars > this.maxChars && this.lines.length > 1))
      this.chars -= this.lines.shift()!.length + 1;
  }

  text(): string {
    return this.lines.join('\n');
  }
}

/** Splits a stream of chunks into lines (the last partial line waits for its end). */
export class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: string): void {
    const lines = (this.rest + chunk).split('\n');
    this.rest = lines.pop()!;
    for (const line of lines) this.onLine(line.replace(/\r$/, ''));
  }
  end(): void {
    if (this.rest) this.onLine(this.rest);
    this.rest = '';
  }
}

export interface TrainerChildOptions {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Unix nice value of the child (its trainer grandchild inherits it). */
  nice: number;
  logFile: string;
  onEvent(event: ChildEvent): void;
  /** Time after SIGTERM to the process group before SIGKILL. */
  killGraceMs: number;
}

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  /** Why the worker stopped it (undefined: it exited on its own). */
  stoppedFor?: string;
}

/**
 * `ml train` as a child process in its own process group (the Python trainer it starts joins it), at a
 * lower CPU priority. stdout lines that are progress events go to onEvent; every line of stdout and
 * stderr goes to the log file and the tail. `stop` ends the whole group: SIGTERM, then SIGKILL.
 */
export class TrainerChild {
  readonly tail = new LogTail();
  readonly exited: Promise<TrainerExit>;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private stoppedFor?: string;
  private killTimer?: NodeJS.Timeout;

  constructor(private readonly options: TrainerChildOptions) {
    const started = Date.now();
    this.log = createWriteStream(options.logFile);
    this.child = spawn(options.command, options.args, {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.setPriority();
    const line = (text: string) => {
      this.log.write(`${text}\n`);
      this.tail.push(text);
    };
    const stdout = new LineSplitter((text) => {
      const event = parseEventLine(text);
      if (event) {
        // Progress events are data, not log text: the log keeps the human lines of stderr.
        try {
          options.onEvent(event);
        } catch {
          // a bad event must not stop the run
        }
      } else if (text.trim()) line(text);
    });
    const stderr = new LineSplitter((text) => text.trim() && line(text));
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => stdout.push(c));
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => stderr.push(c));
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error) => {
        line(`could not start ${options.command}: ${error.message}`);
      });
      this.child.on('close', (code, signal) => {
        stdout.end();
        stderr.end();
        if (this.killTimer) clearTimeout(this.killTimer);
        this.log.end(() =>
          resolve({ code, signal, durationMs: Date.now() - started, stoppedFor: this.stoppedFor }),
        );
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private setPriority(): void {
    if (!this.child.pid || this.options.nice === 0) return;
    try {
      // Never above the worker's own (it may already run at this nice: the child inherited it).
      if (this.options.nice > os.getPriority(this.child.pid))
        os.setPriority(this.child.pid, this.options.nice);
    } catch {
      // not permitted or not supported here: it runs at the worker's priority
    }
    setAutogroupNice(this.child.pid, this.options.nice);
  }

  /** Stops the whole process group (idempotent): SIGTERM now, SIGKILL after the grace. */
  stop(reason: string): void {
    if (this.stoppedFor !== undefined || this.child.exitCode !== null || this.child.signalCode !== null)
      return;
    this.stoppedFor = reason;
    this.signalGroup('SIGTERM');
    this.killTimer = setTimeout(() => this.signalGroup('SIGKILL'), this.options.killGraceMs);
    this.killTimer.unref();
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (!pid) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        this.child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Gives the child's session its nice value too. With Linux's autogroup scheduling (on by default in many
 * kernels: /proc/sys/kernel/sched_autogroup_enabled) each session is scheduled as one group against the
 * others, and a process's own nice only orders it within its group. The child runs in a session of its
 * own (detached, so that stop() can signal the whole group), so its nice alone left it an equal share
 * against the API's session: CPU-bound work beside nice-10 processes kept 32 % of its pace when they had
 * a session of their own, 81 % once that session's autogroup had nice 10 (bench/results/training.md).
 * Writing /proc/<pid>/autogroup sets the group's nice; without autogroup the file does not exist and the
 * process nice above is what counts.
 */
export function setAutogroupNice(pid: number, nice: number): void {
  try {
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch {
    // no autogroup (other kernels, other systems) or not permitted: the process nice still applies
  }
}
