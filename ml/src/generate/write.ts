import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type GenerateOptions, type GenerateSummary, generateHouseTsLines } from './generator';

/** Lines per write() call. */
const BATCH_LINES = 2_000;

/**
 * Stream the generated CSV to `path` atomically: the lines go to `path + '.tmp-<pid>'` (honouring backpressure,
 * never holding the file in memory), which is renamed into place only once complete. On any failure the
 * temporary file is removed and nothing appears at `path`. Creates the parent directory.
 * `onProgress` gets the number of data rows written so far (after every batch and once at the end).
 */
export async function writeHouseTsCsv(
  path: string,
  options: GenerateOptions,
  onProgress?: (rowsWritten: number) => void,
): Promise<GenerateSummary> {
  const { lines, summary } = generateHouseTsLines(options); // validates the options before touching the disk
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const out = createWriteStream(tmp, { encoding: 'utf8' });
  let failure: unknown;
  out.on('error', (err) => {
    failure ??= err;
  });
  const write = async (chunk: string): Promise<void> => {
    if (failure) throw failure;
    if (!out.write(chunk)) await once(out, 'drain'); // rejects if the stream errors meanwhile
  };
  try {
    let batch: string[] = [];
    for (const line of lines) {
      batch.push(line);
      if (batch.length >= BATCH_LINES) {
        batch.push('');
        await write(batch.join('\n'));
        batch = [];
        onProgress?.(summary.rows);
      }
    }
    if (batch.length > 0) {
      batch.push('');
      await write(batch.join('\n'));
    }
    out.end();
    await once(out, 'close');
    if (failure) throw failure;
    await rename(tmp, path);
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
  onProgress?.(summary.rows);
  return summary;
}
