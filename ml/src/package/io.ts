import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../errors';
import { compileExpr, ExprError } from '../spec/expr';
import {
  PACKAGE_LIMITS,
  evaluationSchema,
  manifestSchema,
  type ModelEvaluation,
  type ModelManifest,
} from './manifest';

export const PACKAGE_FILES = ['model.onnx', 'manifest.json', 'evaluation.json'] as const;
/** Files a package may hold besides PACKAGE_FILES; the manifest says whether it does (manifest.explain). */
export const OPTIONAL_PACKAGE_FILES = ['trees.json'] as const;

export interface ModelPackage {
  manifest: ModelManifest;
  model: Uint8Array;
  evaluation: ModelEvaluation;
  /** trees.json as parsed JSON (schema-checked when an explainer is built); present when manifest.explain is. */
  covers?: unknown;
}

export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** trees.json's bytes as the package stores them (the checksum in manifest.explain is of these). */
export const coversBytes = (pkg: Pick<ModelPackage, 'covers'>) => JSON.stringify(pkg.covers);

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
    if (pkg.covers !== undefined) writeFileSync(path.join(tmp, 'trees.json'), coversBytes(pkg));
    writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(pkg.manifest, null, 2));
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Checks a manifest's schema and its ONNX checksum; throws an InputError naming the first bad fields.
 * `model` is the ONNX file, or its SHA-256 when the caller has already hashed it (once is enough).
 */
export function parseManifest(
  raw: unknown,
  model: Uint8Array | { sha256: string },
  source = 'manifest.json',
): ModelManifest {
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 10)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InputError(`${source} is not a valid model manifest:\n  - ${problems.join('\n  - ')}`, {
      problems,
    });
  }
  const manifest = raw as ModelManifest;
  if ((model instanceof Uint8Array ? sha256(model) : model.sha256) !== manifest.onnx.sha256) {
    throw new InputError(`model.onnx does not match the checksum in ${source} (corrupt or replaced file)`);
  }
  for (const encoder of manifest.features.encoders) {
    if (encoder.kind !== 'derived') continue;
    // The expression is compiled when the package loads: a bad one is a rejected package, not a 500 later.
    const known = new Map(
      (Array.isArray(encoder.inputs) ? encoder.inputs : []).map((input) => [
        input.column,
        input.kind === 'date' ? ('date' as const) : ('number' as const),
      ]),
    );
    try {
      compileExpr(String(encoder.expr), (name) => known.get(name));
    } catch (error) {
      if (!(error instanceof ExprError)) throw error;
      throw new InputError(
        `${source}: derived feature "${encoder.column}" has a bad expression: ${error.message} of "${encoder.expr}"`,
      );
    }
  }
  if (manifest.parity.records.length !== manifest.parity.predictions.length) {
    throw new InputError(`${source}: parity.records and parity.predictions differ in length`);
  }
  return manifest;
}

/** A package's files as bytes, before any of them is trusted. */
export interface PackageFiles {
  manifest: Uint8Array;
  model: Uint8Array;
  evaluation: Uint8Array;
  /** trees.json, when the package has one. */
  covers?: Uint8Array;
}

type PackageFileName = (typeof PACKAGE_FILES)[number] | (typeof OPTIONAL_PACKAGE_FILES)[number];

/** The byte limit of each package file (see PACKAGE_LIMITS). */
export const PACKAGE_FILE_LIMITS: Record<PackageFileName, number> = {
  'model.onnx': PACKAGE_LIMITS.modelBytes,
  'manifest.json': PACKAGE_LIMITS.manifestBytes,
  'evaluation.json': PACKAGE_LIMITS.evaluationBytes,
  'trees.json': PACKAGE_LIMITS.coversBytes,
};

/** Throws an InputError when a package file is larger than its limit. */
export function checkPackageFileSize(file: string, bytes: number): void {
  const limit = PACKAGE_FILE_LIMITS[file as PackageFileName];
  if (limit !== undefined && bytes > limit)
    throw new InputError(`${file} is ${bytes} bytes; a package's ${file} may be at most ${limit} bytes`);
}

function parseJson(bytes: Uint8Array, source: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new InputError(`${source} is not valid JSON (${(error as Error).message})`);
  }
}

/** Checks evaluation.json against its schema; throws an InputError naming the first bad fields. */
export function parseEvaluation(raw: unknown, source = 'evaluation.json'): ModelEvaluation {
  const parsed = evaluationSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 10)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InputError(`${source} is not a valid evaluation file:\n  - ${problems.join('\n  - ')}`, {
      problems,
    });
  }
  return parsed.data as ModelEvaluation;
}

/**
 * Checks every file of a package (size, JSON, schema, ONNX checksum) and returns the package.
 * `dir` (a directory or URI the files came from) prefixes file names in errors.
 */
export function parsePackageFiles(files: PackageFiles, dir?: string): ModelPackage {
  const name = (file: string) => (dir === undefined ? file : path.join(dir, file));
  checkPackageFileSize('model.onnx', files.model.byteLength);
  checkPackageFileSize('manifest.json', files.manifest.byteLength);
  checkPackageFileSize('evaluation.json', files.evaluation.byteLength);
  const manifest = parseManifest(
    parseJson(files.manifest, name('manifest.json')),
    files.model,
    name('manifest.json'),
  );
  const evaluation = parseEvaluation(
    parseJson(files.evaluation, name('evaluation.json')),
    name('evaluation.json'),
  );
  const covers = parseCoversFile(manifest, files.covers, name);
  return { manifest, model: files.model, evaluation, ...(covers !== undefined && { covers }) };
}

/**
 * trees.json when the manifest declares it: required then, and it must have the declared checksum.
 * A trees.json the manifest does not declare is ignored, like any other extra file.
 */
function parseCoversFile(
  manifest: ModelManifest,
  bytes: Uint8Array | undefined,
  name: (file: string) => string,
): unknown {
  const declared = manifest.explain?.covers;
  if (!declared) return undefined;
  if (!bytes) throw new InputError(`${name('manifest.json')} declares trees.json, which the package lacks`);
  checkPackageFileSize('trees.json', bytes.byteLength);
  if (sha256(bytes) !== declared.sha256)
    throw new InputError(
      `trees.json does not match the checksum in ${name('manifest.json')} (corrupt or replaced file)`,
    );
  return parseJson(bytes, name('trees.json'));
}

export function readPackage(dir: string): ModelPackage {
  for (const file of PACKAGE_FILES) {
    if (!existsSync(path.join(dir, file)))
      throw new InputError(`${dir} is not a model package: ${file} is missing`);
  }
  const read = (file: string) => new Uint8Array(readFileSync(path.join(dir, file)));
  return parsePackageFiles(
    {
      manifest: read('manifest.json'),
      model: read('model.onnx'),
      evaluation: read('evaluation.json'),
      ...(existsSync(path.join(dir, 'trees.json')) && { covers: read('trees.json') }),
    },
    dir,
  );
}
