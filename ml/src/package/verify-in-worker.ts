import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ModelManifest } from './manifest';
import type { PackageFiles } from './io';
import type { ExplanationReport, ParityReport, Tolerance } from './verify';

export type VerifyOutcome =
  | {
      ok: true;
      manifest: ModelManifest;
      /** evaluation.json as it passed its schema (unknown keys dropped), ready to store. */
      evaluationJson: string;
      report: ParityReport;
      /** Null for a package without explanations. */
      explanations: ExplanationReport | null;
    }
  | { ok: false; kind: 'input' | 'onnx' | 'error'; message: string };

/**
 * Loads TypeScript sources in the worker when this module runs from them (tests): Jest's transform does
 * not reach worker threads, so the worker compiles `.ts` files with @swc/core (a dev dependency).
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.swc) {
  const fs = require('node:fs');
  const { transformSync } = require(workerData.swc);
  require.extensions['.ts'] = (module, file) =>
    module._compile(
      transformSync(fs.readFileSync(file, 'utf8'), {
        filename: file,
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      }).code,
      file,
    );
}
require(workerData.entry);
`;

export interface VerifyInWorkerOptions {
  ceiling: Tolerance;
  threads?: number;
  /** Heap ceiling of the worker: a hostile package exhausts the worker, not the process serving predictions. */
  maxHeapMb?: number;
}

/**
 * Parses, schema-checks and verifies a package (ONNX load, parity fixture) on a worker thread, so the
 * event loop that serves predictions never runs the package's JSON parsing, transform or session setup.
 */
export function verifyInWorker(files: PackageFiles, options: VerifyInWorkerOptions): Promise<VerifyOutcome> {
  const fromSources = __filename.endsWith('.ts');
  const entry = path.join(__dirname, fromSources ? 'verify-worker.ts' : 'verify-worker.js');
  if (!existsSync(entry)) throw new Error(`verification worker ${entry} is missing`);
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    workerData: {
      entry,
      swc: fromSources ? require.resolve('@swc/core') : undefined,
      files,
      ceiling: options.ceiling,
      threads: options.threads ?? 1,
    },
    resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 2048 },
  });
  return new Promise<VerifyOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: VerifyOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
      void worker.terminate();
    };
    worker.once('message', (outcome: VerifyOutcome) => settle(outcome));
    worker.once('error', (error: Error) =>
      settle({
        ok: false,
        kind: /heap|memory/i.test(error.message) ? 'input' : 'error',
        message: /heap|memory/i.test(error.message)
          ? 'the package needs more memory to verify than the server allows'
          : `verification failed: ${error.message}`,
      }),
    );
    worker.once('exit', (code) =>
      settle({ ok: false, kind: 'error', message: `verification worker exited with code ${code}` }),
    );
  });
}
