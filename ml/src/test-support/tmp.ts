import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A fresh directory under os.tmpdir(); remove it with `removeDir`. */
export function makeTempDir(prefix = 'ml-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/**
 * Registers beforeAll/afterAll hooks for a temporary directory shared by a describe block and returns a
 * getter for it (the directory does not exist before beforeAll runs).
 */
export function useTempDir(prefix = 'ml-test-'): () => string {
  let dir: string | undefined;
  beforeAll(() => {
    dir = makeTempDir(prefix);
  });
  afterAll(() => removeDir(dir));
  return () => {
    if (!dir) throw new Error('temporary directory used outside a test');
    return dir;
  };
}

let counter = 0;

/** Writes `text` to a new file in `dir` and returns its path. */
export function writeTempFile(dir: string, text: string | Buffer, name = `file-${++counter}.csv`): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Entries of `dir` (sorted), for checking that nothing was left behind. */
export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}
