import type { TrainingOptions, TrainingProgress } from '../shared/training.constants';
import type { ChildEvent, TrainerExit } from './trainer-child';

/** The run's progress after one event of `ml train --progress-json` (undefined: nothing changes). */
export function progressOf(current: TrainingProgress, event: ChildEvent): TrainingProgress | undefined {
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  switch (event.event) {
    case 'load':
      return { ...current, phase: 'load', rowsRead: n(event.rowsRead) ?? current.rowsRead };
    case 'prepared':
      return {
        ...current,
        phase: 'prepared',
        rowsRead: n(event.rowsRead),
        rowsKept: n(event.rowsKept),
        splits: event.splits as Record<string, number>,
        cleaning: event.cleaning as Record<string, unknown>,
      };
    case 'features':
      return { ...current, phase: 'features' };
    case 'stage':
      return typeof event.stage === 'string' ? { ...current, phase: event.stage } : undefined;
    case 'trial':
      return {
        ...current,
        phase: 'tuning',
        trial: {
          n: n(event.n) ?? 0,
          of: n(event.of) ?? 0,
          ...(n(event.seed) !== undefined && { seed: n(event.seed) }),
          metric: typeof event.metric === 'string' ? event.metric : 'rmse',
          score: n(event.score) ?? null,
          best: n(event.best) ?? null,
        },
      };
    case 'parity':
      return { ...current, phase: 'parity' };
    case 'package':
      return { ...current, phase: 'package' };
    default:
      return undefined;
  }
}

/** The arguments of `ml train` for a run's options. */
export function trainArgs(run: {
  input: string;
  specFile: string;
  packageDir: string;
  options: TrainingOptions;
  threads?: number;
}): string[] {
  const o = run.options;
  return [
    'train',
    '--data',
    run.input,
    '--out',
    run.packageDir,
    '--spec',
    run.specFile,
    '--progress-json',
    ...(o.fast ? ['--fast'] : []),
    ...(o.trials !== undefined ? ['--trials', String(o.trials)] : []),
    ...(o.metric !== undefined ? ['--metric', o.metric] : []),
    ...(o.seeds !== undefined ? ['--seeds', String(o.seeds)] : []),
    ...(o.modelName !== undefined ? ['--name', o.modelName] : []),
    ...(run.threads ? ['--threads', String(run.threads)] : []),
  ];
}

/** Why a trainer child failed, for the run's error: `ml`'s own `error:` message when it printed one. */
export function trainerFailure(exit: TrainerExit, tail: string): string {
  const lines = tail.split('\n');
  const at = lines.map((l) => l.startsWith('error: ')).lastIndexOf(true);
  const how = exit.code !== null ? `exit code ${exit.code}` : `signal ${exit.signal}`;
  if (at >= 0) return `ml train failed (${how}): ${lines.slice(at).join('\n').slice('error: '.length, 4000)}`;
  if (exit.code === 0) return 'ml train exited without reporting its result';
  return `ml train failed (${how}): ${lines.slice(-10).join('\n').slice(0, 4000)}`;
}
