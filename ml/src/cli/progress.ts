import type { TrainProgress } from '../train/train';
import { cleaningReport } from '../dataset/report';
import type { DatasetSpec } from '../spec/schema';

const EMPTY_SPEC = { columns: [] } as unknown as DatasetSpec;

/** Renders progress on stderr: one rewritten line on a terminal, sparse lines in logs and CI. */
export class ProgressLine {
  private last = 0;
  private readonly tty = process.stderr.isTTY === true;
  update(text: string, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < (this.tty ? 100 : 2000)) return;
    this.last = now;
    if (this.tty) process.stderr.write(`\r\x1b[K${text}`);
    else process.stderr.write(`${text}\n`);
  }
  done(text: string): void {
    if (this.tty) process.stderr.write(`\r\x1b[K${text}\n`);
    else process.stderr.write(`${text}\n`);
    this.last = 0;
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const money = (n: number) => Math.round(n).toLocaleString('en-US');
/** A CV score as its metric reads: money for rmse/mae, percent for mape, 4 decimals for rmsle. */
const score = (metric: string, value: unknown): string => {
  if (typeof value !== 'number') return 'n/a';
  if (metric === 'mape') return `${value.toFixed(2)} %`;
  if (metric === 'rmsle') return value.toFixed(4);
  return money(value);
};

export function renderTrainProgress(line: ProgressLine, progress: TrainProgress): void {
  switch (progress.stage) {
    case 'load':
      return line.update(`load: ${progress.rows.toLocaleString('en-US')} rows read (${mb(progress.bytes)})`);
    case 'prepared': {
      const s = progress.summary;
      line.done(
        `load: ${s.rowsRead.toLocaleString('en-US')} rows read, ${s.rowsKept.toLocaleString('en-US')} kept ` +
          `(train ${s.splits.train}, eval ${s.splits.eval}, holdout ${s.splits.holdout})`,
      );
      for (const text of cleaningReport(s, progress.spec ?? EMPTY_SPEC, progress.fills))
        line.done(`clean: ${text}`);
      return;
    }
    case 'features':
      if (progress.rows === progress.of)
        return line.done(`features: ${progress.of.toLocaleString('en-US')} rows transformed`);
      return line.update(
        `features: ${progress.rows.toLocaleString('en-US')} of ${progress.of.toLocaleString('en-US')} rows`,
      );
    case 'trainer': {
      const e = progress.event as Record<string, unknown>;
      if (e.event === 'trial') {
        const seed = e.seed === undefined ? '' : ` (seed ${e.seed})`;
        if (typeof e.metric === 'string') {
          return line.update(
            `tune${seed}: trial ${e.number} of ${e.of}, CV ${e.metric} ${score(e.metric, e.score)}, best ${score(e.metric, e.best_score)}`,
            true,
          );
        }
        return line.update(
          `tune${seed}: trial ${e.number} of ${e.of}, RMSE ${money(e.rmse as number)}, best ${money(e.best_rmse as number)}`,
          true,
        );
      }
      if (e.event === 'seed') return line.done(`trainer: seed ${e.seed} (${e.index} of ${e.of})`);
      if (e.event === 'stage') return line.done(`trainer: ${e.stage}`);
      return;
    }
    case 'parity':
      return line.done(
        `parity: ${progress.rows} records reproduced by TypeScript + onnxruntime-node (max relative diff ${progress.maxRelDiff.toExponential(2)})`,
      );
    case 'package':
      return line.done(`package: ${progress.dir}`);
  }
}
