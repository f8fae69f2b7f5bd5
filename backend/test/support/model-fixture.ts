import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  loadSpec,
  packPackage,
  readPackage,
  trainModel,
  writeHouseTsCsv,
  type ModelPackage,
} from '@housing/ml';

/**
 * Real model packages for end-to-end tests, trained once by the real pipeline (TypeScript features +
 * Python trainer) on tiny generated data and cached on disk by a hash of the ml sources, so a change
 * to the pipeline retrains them.
 */
const ML_SRC = path.resolve(__dirname, '..', '..', '..', 'ml');

function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const file = path.join(dir, entry);
      if (['node_modules', 'dist', '.venv', '__pycache__', '.pytest_cache'].includes(entry)) continue;
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(ts|py|json|toml|lock)$/.test(entry) && !entry.endsWith('.test.ts'))
        hash.update(file).update(readFileSync(file));
    }
  };
  walk(path.join(ML_SRC, 'src'));
  walk(path.join(ML_SRC, 'specs'));
  walk(path.join(ML_SRC, 'trainer'));
  return hash.digest('hex').slice(0, 16);
}

const cacheDir = () => path.join(os.tmpdir(), 'housing-test-models', sourceHash());

export interface TestModel {
  dir: string;
  pkg: ModelPackage;
  archive: Buffer;
  csv: string;
}

async function trained(name: string, seed: number): Promise<TestModel> {
  const root = cacheDir();
  const csv = path.join(root, `${name}.csv`);
  const dir = path.join(root, name);
  if (!existsSync(dir)) {
    mkdirSync(root, { recursive: true });
    if (!existsSync(csv)) await writeHouseTsCsv(csv, { size: 'tiny', seed, dirty: true });
    rmSync(dir, { recursive: true, force: true });
    await trainModel({
      spec: loadSpec('housets'),
      csv,
      outDir: dir,
      fast: true,
      seed,
      version: `test-${name}`,
    });
  }
  const pkg = readPackage(dir);
  return { dir, pkg, archive: packPackage(pkg), csv };
}

/** Two genuinely different models of the same name (different data seeds). */
export async function testModels(): Promise<{ first: TestModel; second: TestModel }> {
  return { first: await trained('first', 42), second: await trained('second', 7) };
}
