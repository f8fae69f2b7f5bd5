import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../errors';
import { compileExpr, ExprError } from '../spec/expr';
import { manifestSchema, type ModelEvaluation, type ModelManifest } from './manifest';

export const PACKAGE_FILES = ['model.onnx', 'manifest.json', 'evaluation.json'] as const;

export interface ModelPackage {
  manifest: ModelManifest;
  model: Uint8Array;
  evaluation: ModelEvaluation;
}

export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes a package into a temporary sibling directory and renames it into place, so a package
 * directory that exists is always complete.
 */
export function writePackage(target: string, pkg: ModelPackage): void {
  const dir = path.resolve(target);
  if (existsSync(dir)) throw new InputError(`${dir} already exists; choose another output directory`);
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  try {
    writeFileSync(path.join(tmp, 'model.onnx'), pkg.model);
    writeFileSync(path.join(tmp, 'evaluation.json'), JSON.stringify(pkg.evaluation));
    writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(pkg.manifest, null, 2));
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** Checks a manifest's schema and its ONNX checksum; throws an InputError naming the first bad fields. */
export function parseManifest(raw: unknown, model: Uint8Array, source = 'manifest.json'): ModelManifest {
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InputError(`${source} is not a valid model manifest:\n  - ${problems.join('\n  - ')}`, { problems });
  }
  const manifest = raw as ModelManifest;
  if (sha256(model) !== manifest.onnx.sha256) {
    throw new InputError(`model.onnx does not match the checksum in ${source} (corrupt or replaced file)`);
  }
  for (const encoder of manifest.features.encoders) {
    if (encoder.kind !== 'derived') continue;
    // The expression is compiled when the package loads: a bad one is a rejected package, not a 500 later.
    const known = new Map((Array.isArray(encoder.inputs) ? encoder.inputs : []).map((input) => [input.column, input.kind === 'date' ? ('date' as const) : ('number' as const)]));
    try {
      compileExpr(String(encoder.expr), (name) => known.get(name));
    } catch (error) {
      if (!(error instanceof ExprError)) throw error;
      throw new InputError(`${source}: derived feature "${encoder.column}" has a bad expression: ${error.message} of "${encoder.expr}"`);
    }
  }
  if (manifest.parity.records.length !== manifest.parity.predictions.length) {
    throw new InputError(`${source}: parity.records and parity.predictions differ in length`);
  }
  return manifest;
}

export function readPackage(dir: string): ModelPackage {
  for (const file of PACKAGE_FILES) {
    if (!existsSync(path.join(dir, file))) throw new InputError(`${dir} is not a model package: ${file} is missing`);
  }
  const model = new Uint8Array(readFileSync(path.join(dir, 'model.onnx')));
  let rawManifest: unknown;
  let evaluation: ModelEvaluation;
  try {
    rawManifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    evaluation = JSON.parse(readFileSync(path.join(dir, 'evaluation.json'), 'utf8')) as ModelEvaluation;
  } catch (error) {
    throw new InputError(`${dir}: manifest.json or evaluation.json is not valid JSON (${(error as Error).message})`);
  }
  return { manifest: parseManifest(rawManifest, model, path.join(dir, 'manifest.json')), model, evaluation };
}
