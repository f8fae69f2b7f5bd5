import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrainerChild, type ChildEvent } from './trainer-child';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const waitUntil = async (probe: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** A stand-in for `ml train`: prints an event and a log line, starts a grandchild, then waits. */
const SCRIPT = `
const { spawn } = require('node:child_process');
const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
process.stdout.write(JSON.stringify({ event: 'load', rowsRead: 7, bytes: 1 }) + '\\n');
process.stdout.write(JSON.stringify({ event: 'grandchild', pid: grandchild.pid }) + '\\n');
process.stderr.write('load: 7 rows read\\n');
process.on('SIGTERM', () => {}); // ignores SIGTERM: only the SIGKILL after the grace ends it
setInterval(() => {}, 1000);
`;

describe('TrainerChild (a real process group)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'trainer-child-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs at the given nice value, relays events, logs the rest, and stop() ends the whole group (SIGKILL after the grace)', async () => {
    const events: ChildEvent[] = [];
    const child = new TrainerChild({
      command: process.execPath,
      args: ['-e', SCRIPT],
      env: process.env,
      nice: 7,
      logFile: path.join(dir, 'log'),
      onEvent: (e) => events.push(e),
      killGraceMs: 300,
    });
    await waitUntil(() => events.length === 2, 10_000);
    expect(events[0]).toEqual({ event: 'load', rowsRead: 7, bytes: 1 });
    const grandchild = events[1]!.pid as number;
    expect(os.getPriority(child.pid!) - os.getPriority(process.pid)).toBeGreaterThanOrEqual(
      Math.min(7, 19 - os.getPriority(process.pid)),
    );
    // Read now, checked once the group is stopped (a failed check must not leave it running).
    const autogroups = existsSync('/proc/self/autogroup')
      ? [child.pid!, grandchild, process.pid].map((pid) =>
          readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim(),
        )
      : undefined;
    const started = Date.now();
    child.stop('cancelled');
    const exit = await child.exited;
    expect(exit).toMatchObject({ signal: 'SIGKILL', stoppedFor: 'cancelled' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await waitUntil(() => !alive(grandchild), 5_000);
    expect(readFileSync(path.join(dir, 'log'), 'utf8')).toBe('load: 7 rows read\n');
    expect(child.tail.text()).toBe('load: 7 rows read');
    // Its own session (detached) is its own autogroup where the kernel schedules by session: the group
    // gets the nice too, and the grandchild shares it.
    if (autogroups) {
      const [own, grandchildGroup, ours] = autogroups;
      expect(own).toMatch(/ nice 7$/);
      expect(grandchildGroup).toBe(own);
      expect(own).not.toBe(ours);
    }
  });

  it('reports a command that cannot start in its log, as a failed exit', async () => {
    const child = new TrainerChild({
      command: path.join(dir, 'no-such-binary'),
      args: [],
      env: process.env,
      nice: 0,
      logFile: path.join(dir, 'log'),
      onEvent: () => undefined,
      killGraceMs: 100,
    });
    const exit = await child.exited;
    expect(exit.code).not.toBe(0);
    expect(child.tail.text()).toMatch(/could not start/);
  });
});
