import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../errors';
import { parsePackageFiles, type PackageFiles } from './io';
import { checkExplanations, checkParity, loadPackageModel, type Tolerance } from './verify';
import type { VerifyOutcome } from './verify-in-worker';

/** Worker thread entry (see verify-in-worker.ts): parse, check and verify one package, post the outcome. */
async function run(files: PackageFiles, ceiling: Tolerance, threads: number): Promise<VerifyOutcome> {
  let pkg;
  try {
    pkg = parsePackageFiles(files);
  } catch (error) {
    if (error instanceof InputError || error instanceof SyntaxError)
      return { ok: false, kind: 'input', message: error.message };
    throw error;
  }
  let session;
  try {
    session = await loadPackageModel(pkg.manifest, pkg.model, threads);
  } catch (error) {
    return { ok: false, kind: 'onnx', message: `model.onnx does not load: ${(error as Error).message}` };
  }
  let report;
  try {
    report = await checkParity(pkg.manifest, session, ceiling);
  } finally {
    await session.release();
  }
  let explanations;
  try {
    explanations = checkExplanations(pkg);
  } catch (error) {
    if (error instanceof InputError) return { ok: false, kind: 'input', message: error.message };
    throw error;
  }
  // The evaluation goes back as the JSON text of what passed its schema: a string crosses to the
  // main thread as one copy, where 200,000 parsed cells would be rebuilt object by object there.
  return { ok: true, manifest: pkg.manifest, evaluationJson: JSON.stringify(pkg.evaluation), report, explanations };
}

const { files, ceiling, threads } = workerData as {
  files: PackageFiles;
  ceiling: Tolerance;
  threads: number;
};
run(files, ceiling, threads).then(
  (outcome) => parentPort!.postMessage(outcome),
  (error: Error) =>
    parentPort!.postMessage({ ok: false, kind: 'error', message: error.message } satisfies VerifyOutcome),
);
