import { LineSplitter, LogTail, parseEventLine } from './trainer-child';
import { progressOf, trainArgs, trainerFailure } from './training-progress';

describe('reading ml train --progress-json in the training worker', () => {
  it('parses event lines and leaves every other line to the log', () => {
    expect(parseEventLine('{"event":"load","rowsRead":10,"bytes":5}')).toEqual({ event: 'load', rowsRead: 10, bytes: 5 });
    expect(parseEventLine('  {"event":"stage","stage":"cv"}\r')).toEqual({ event: 'stage', stage: 'cv' });
    expect(parseEventLine('load: 10 rows read')).toBeUndefined();
    expect(parseEventLine('{"no":"event"}')).toBeUndefined();
    expect(parseEventLine('{"event":')).toBeUndefined();
    expect(parseEventLine('{"event":42}')).toBeUndefined();
  });

  it('splits chunks into lines across chunk boundaries', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    splitter.push('{"event":"lo');
    splitter.push('ad"}\r\nsecond\nthi');
    splitter.end();
    expect(lines).toEqual(['{"event":"load"}', 'second', 'thi']);
  });

  it('keeps a bounded tail of the log', () => {
    const tail = new LogTail(3, 1000);
    for (let i = 1; i <= 5; i++) tail.push(`line ${i}`);
    expect(tail.text()).toBe('line 3\nline 4\nline 5');
    const small = new LogTail(100, 20);
    small.push('a'.repeat(15));
    small.push('b'.repeat(15));
    expect(small.text()).toBe('b'.repeat(15));
  });

  it('follows the phases, rows read, cleaning summary and trial n of N with the best so far', () => {
    let p = progressOf({ phase: 'starting' }, { event: 'load', rowsRead: 500, bytes: 1 })!;
    expect(p).toEqual({ phase: 'load', rowsRead: 500 });
    p = progressOf(p, { event: 'prepared', rowsRead: 1000, rowsKept: 990, splits: { train: 800 }, cleaning: { dropped: { duplicate: 10 } } })!;
    expect(p).toMatchObject({ phase: 'prepared', rowsRead: 1000, rowsKept: 990, cleaning: { dropped: { duplicate: 10 } } });
    p = progressOf(p, { event: 'trial', n: 3, of: 20, metric: 'mae', score: 12, best: 10 })!;
    expect(p).toMatchObject({ phase: 'tuning', rowsKept: 990, trial: { n: 3, of: 20, metric: 'mae', score: 12, best: 10 } });
    p = progressOf(p, { event: 'trial', n: 4, of: 20, metric: 'mae', score: null, best: 10 })!;
    expect(p.trial).toEqual({ n: 4, of: 20, metric: 'mae', score: null, best: 10 });
    expect(progressOf(p, { event: 'stage', stage: 'refit' })).toMatchObject({ phase: 'refit', trial: { n: 4 } });
    expect(progressOf(p, { event: 'stage' })).toBeUndefined();
    expect(progressOf(p, { event: 'something-new' })).toBeUndefined();
  });

  it('passes the run’s options as ml train arguments', () => {
    const base = { input: '/w/in.csv', specFile: '/w/spec.json', packageDir: '/w/pkg' };
    expect(trainArgs({ ...base, options: {} })).toEqual([
      'train', '--data', '/w/in.csv', '--out', '/w/pkg', '--spec', '/w/spec.json', '--progress-json',
    ]);
    expect(trainArgs({ ...base, options: { fast: true, trials: 5, metric: 'mape', seeds: 2, modelName: 'm-1', timeLimitSeconds: 9 } }).slice(8)).toEqual([
      '--fast', '--trials', '5', '--metric', 'mape', '--seeds', '2', '--name', 'm-1',
    ]);
    expect(trainArgs({ ...base, options: {}, threads: 1 }).slice(8)).toEqual(['--threads', '1']);
    expect(trainArgs({ ...base, options: {}, threads: 0 }).slice(8)).toEqual([]);
  });

  it('says why the trainer failed: ml’s own error message when it printed one', () => {
    const tail = 'load: 10 rows read\n\nerror: CSV is missing 1 required column of spec "x": price\nsecond line';
    expect(trainerFailure({ code: 2, signal: null, durationMs: 5 }, tail)).toBe(
      'ml train failed (exit code 2): CSV is missing 1 required column of spec "x": price\nsecond line',
    );
    expect(trainerFailure({ code: null, signal: 'SIGSEGV', durationMs: 5 }, 'a\nb')).toBe('ml train failed (signal SIGSEGV): a\nb');
    expect(trainerFailure({ code: 0, signal: null, durationMs: 5 }, '')).toBe('ml train exited without reporting its result');
  });
});
