import { PassThrough } from 'node:stream';
import { HOLDOUT, csvLine, prepareDataset, readCsv, type DatasetSpec } from '@housing/ml';
import type { ArtifactStore } from '../storage/artifact-store';
import type { TrainingRunEntity } from '../training/shared/training-run.entity';

/** Where a run's holdout rows are kept once extracted (raw CSV, the input's own header and fields). */
export const holdoutCsvKey = (runId: string) => `promotion-evidence/holdouts/${runId}.csv`;

/** A run's holdout as raw CSV in the store, ready to score. */
export interface HoldoutCsv {
  key: string;
  /** Holdout rows of the run. */
  rows: number;
  /** Rows written (an evenly spaced sample when rows > the limit). */
  sampledRows: number;
}

/** Why a run's holdout cannot be read back (the evidence names it; never a 500). */
export class HoldoutUnavailable extends Error {}

/**
 * The raw holdout rows a training run was evaluated on. The run keeps its input and spec (holdout.json
 * says how to recompute the split): the input is read once through prepareDataset (the same cleaning,
 * de-duplication and split as training), checked against the run's dataset hash, and the source lines
 * of its holdout rows (at most `maxRows`, evenly spaced) are copied into a CSV of their own, kept for
 * the next comparison. Two passes over the input, constant memory besides one int per holdout row.
 */
export async function extractHoldout(
  store: ArtifactStore,
  run: TrainingRunEntity,
  maxRows: number,
): Promise<HoldoutCsv> {
  const key = holdoutCsvKey(run.id);
  if (!run.inputKey || !run.spec)
    throw new HoldoutUnavailable(`training run ${run.id} kept no input or spec`);
  const spec = run.spec as DatasetSpec;
  const prepared = await prepareDataset(spec, await openInput(store, run));
  if (run.datasetSha256 && prepared.sha256 !== run.datasetSha256)
    throw new HoldoutUnavailable(
      `the input of training run ${run.id} changed since it trained (sha256 differs)`,
    );
  const lines: number[] = [];
  for (let i = 0; i < prepared.rows; i++) if (prepared.split[i] === HOLDOUT) lines.push(prepared.lines[i]!);
  if (lines.length === 0) throw new HoldoutUnavailable(`training run ${run.id} has an empty holdout`);
  const stride = Math.ceil(lines.length / maxRows);
  const kept = stride > 1 ? lines.filter((_, i) => i % stride === 0) : lines;
  await copyLines(store, run, kept, key);
  return { key, rows: lines.length, sampledRows: kept.length };
}

async function openInput(store: ArtifactStore, run: TrainingRunEntity) {
  try {
    return await store.getStream(run.inputKey!);
  } catch {
    throw new HoldoutUnavailable(`the input of training run ${run.id} is no longer in the artifact store`);
  }
}

/** Copies the header and the records starting at `lines` (ascending) into `key` (complete or absent). */
async function copyLines(store: ArtifactStore, run: TrainingRunEntity, lines: number[], key: string) {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  out.on('error', () => undefined);
  const written = store.putStream(key, out);
  let next = 0;
  try {
    await readCsv(await openInput(store, run), {
      header: (columns) => void out.write(`${csvLine(columns)}\n`),
      row: (fields, line) => {
        if (line !== lines[next]) return;
        next++;
        out.write(`${csvLine(fields)}\n`);
      },
      // Pauses reading while the upload catches up.
      chunkDone: async () => {
        if (out.writableNeedDrain) await new Promise((resolve) => out.once('drain', resolve));
      },
      rejected: () => undefined,
    });
    out.end();
    await written;
  } catch (error) {
    out.destroy(error as Error);
    await written.catch(() => undefined);
    throw error;
  }
}
