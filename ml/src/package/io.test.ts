import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_FILES, coversBytes, parseManifest, readPackage, sha256, writePackage } from './io';
import { packPackage, readPackageArchive } from './archive';
import { PACKAGE_LIMITS, withinTolerance } from './manifest';
import { InputError } from '../errors';
import { samplePackage } from '../test-support/package';
import { checkRecord } from '../features/validate';
import { listDir, useTempDir } from '../test-support/tmp';

/** Manifest JSON as read from disk, edited freely to break it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let counter = 0;

describe('writePackage / readPackage', () => {
  const tmp = useTempDir('package-test-');
  /** A fresh, empty parent directory per test, so leftovers are easy to see. */
  const freshParent = () => {
    const dir = path.join(tmp(), `case-${++counter}`);
    mkdirSync(dir);
    return dir;
  };

  /** Writes a good package and returns its directory, for tests that then break one file. */
  const written = () => {
    const dir = path.join(freshParent(), 'pkg');
    writePackage(dir, samplePackage());
    return dir;
  };

  const readError = (dir: string): InputError => {
    let error: unknown;
    try {
      readPackage(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  };

  const editManifest = (dir: string, edit: (manifest: Json) => void) => {
    const file = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    edit(manifest);
    writeFileSync(file, JSON.stringify(manifest));
  };

  it('writes the three files and reads back the same package', () => {
    const parent = freshParent();
    const dir = path.join(parent, 'pkg');
    const pkg = samplePackage();
    writePackage(dir, pkg);
    expect(listDir(parent)).toEqual(['pkg']);
    expect(listDir(dir)).toEqual([...PACKAGE_FILES].sort());
    const read = readPackage(dir);
    expect(read.manifest).toEqual(pkg.manifest);
    expect(read.evaluation).toEqual(pkg.evaluation);
    expect(Buffer.from(read.model).equals(Buffer.from(pkg.model))).toBe(true);
  });

  it('writes and reads trees.json when the manifest declares it, checked against its checksum', async () => {
    const covers = {
      formatVersion: 1,
      source: 'xgboost',
      trees: [{ left: [-1], right: [-1], feature: [0], cover: [3] }],
    };
    const pkg = samplePackage();
    pkg.covers = covers;
    pkg.manifest.explain = {
      covers: { file: 'trees.json', sha256: sha256(coversBytes(pkg)) },
      parityContributions: [],
      tolerance: 1e-4,
    };
    const dir = path.join(freshParent(), 'pkg');
    writePackage(dir, pkg);
    expect(listDir(dir)).toEqual([...PACKAGE_FILES, 'trees.json'].sort());
    expect(readPackage(dir).covers).toEqual(covers);
    // the archive carries it too
    expect((await readPackageArchive(packPackage(pkg))).covers).toEqual(covers);

    writeFileSync(path.join(dir, 'trees.json'), JSON.stringify({ ...covers, trees: [] }));
    expect(readError(dir).message).toContain('trees.json does not match the checksum');
    rmSync(path.join(dir, 'trees.json'));
    expect(readError(dir).message).toContain('declares trees.json, which the package lacks');
  });

  it('ignores a trees.json the manifest does not declare', () => {
    const dir = written();
    writeFileSync(path.join(dir, 'trees.json'), 'not even JSON');
    expect(readPackage(dir).covers).toBeUndefined();
  });

  it('creates missing parent directories', () => {
    const dir = path.join(freshParent(), 'a', 'b', 'pkg');
    writePackage(dir, samplePackage());
    expect(readPackage(dir).manifest.model.name).toBe('sample');
    expect(listDir(path.dirname(dir))).toEqual(['pkg']);
  });

  it('writes a package given a directory path with a trailing slash (as shell completion writes it)', () => {
    const parent = freshParent();
    const dir = path.join(parent, 'pkg') + path.sep;
    writePackage(dir, samplePackage());
    expect(listDir(parent)).toEqual(['pkg']);
    expect(listDir(dir)).toEqual([...PACKAGE_FILES].sort());
    expect(readPackage(dir).manifest.model.name).toBe('sample');
  });

  it('refuses to write over an existing directory and leaves it untouched, with no temporary directory', () => {
    const parent = freshParent();
    const dir = path.join(parent, 'pkg');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    expect(() => writePackage(dir, samplePackage())).toThrow(InputError);
    expect(() => writePackage(dir, samplePackage())).toThrow(/already exists/);
    expect(listDir(parent)).toEqual(['pkg']);
    expect(listDir(dir)).toEqual(['keep.txt']);
  });

  it('leaves nothing behind when writing fails half-way', () => {
    const parent = freshParent();
    const dir = path.join(parent, 'pkg');
    const pkg = samplePackage();
    // model.onnx is written first; JSON.stringify then throws on the BigInt.
    (pkg.evaluation as Json).importances = [{ feature: 'x', gain: 10n, weight: 1 }];
    expect(() => writePackage(dir, pkg)).toThrow(/BigInt/);
    expect(listDir(parent)).toEqual([]);
  });

  it.each(PACKAGE_FILES)('rejects a package without %s', (file) => {
    const dir = written();
    rmSync(path.join(dir, file));
    expect(readError(dir).message).toBe(`${dir} is not a model package: ${file} is missing`);
  });

  it('rejects a directory that does not exist', () => {
    expect(readError(path.join(freshParent(), 'nowhere')).message).toMatch(/model\.onnx is missing/);
  });

  it.each(['manifest.json', 'evaluation.json'])('rejects %s that is not JSON', (file) => {
    const dir = written();
    writeFileSync(path.join(dir, file), '{"formatVersion": 1,');
    // The error names the file that is broken.
    expect(readError(dir).message).toBe(
      `${path.join(dir, file)} is not valid JSON (${(() => {
        try {
          JSON.parse('{"formatVersion": 1,');
        } catch (e) {
          return (e as Error).message;
        }
      })()})`,
    );
  });

  it('rejects evaluation.json of the wrong shape, naming the field', () => {
    const dir = written();
    writeFileSync(
      path.join(dir, 'evaluation.json'),
      JSON.stringify({ formatVersion: 1, split: 'holdout', cells: 'x' }),
    );
    expect(readError(dir).message).toMatch(
      /evaluation\.json is not a valid evaluation file:\n {2}- regionColumn: /,
    );
  });

  it('rejects a manifest, evaluation or model over its size limit before parsing it', () => {
    const dir = written();
    writeFileSync(path.join(dir, 'evaluation.json'), Buffer.alloc(PACKAGE_LIMITS.evaluationBytes + 1, 0x20));
    expect(readError(dir).message).toBe(
      `evaluation.json is ${PACKAGE_LIMITS.evaluationBytes + 1} bytes; a package's evaluation.json may be at most ${PACKAGE_LIMITS.evaluationBytes} bytes`,
    );
  });

  it.each([
    ['model.name', (m: Json) => delete m.model.name],
    ['formatVersion', (m: Json) => (m.formatVersion = 3)],
    ['onnx.sha256', (m: Json) => (m.onnx.sha256 = 'abc')],
    ['onnx.outputSpace', (m: Json) => (m.onnx.outputSpace = 'price')],
    ['metrics.baseline.holdout.rmse', (m: Json) => (m.metrics.baseline.holdout.rmse = 'low')],
    ['features.names', (m: Json) => (m.features.names = [])],
    ['spec.columns.9.encoding', (m: Json) => (m.spec.columns[9].encoding = 'hash')],
    ['parity.tolerance.relative', (m: Json) => (m.parity.tolerance.relative = 0)],
    ['lineage.gitCommit', (m: Json) => delete m.lineage.gitCommit],
  ])('names the field %s when the manifest fails its schema', (field, edit) => {
    const dir = written();
    editManifest(dir, edit);
    const error = readError(dir);
    expect(error.message).toContain(`${path.join(dir, 'manifest.json')} is not a valid model manifest:`);
    expect(error.message).toMatch(new RegExp(`\\n {2}- ${field.replaceAll('.', '\\.')}: `));
    expect(error.details.problems).toEqual([
      expect.stringMatching(new RegExp(`^${field.replaceAll('.', '\\.')}: `)),
    ]);
  });

  it('rejects a model.onnx whose sha256 does not match the manifest', () => {
    const dir = written();
    const file = path.join(dir, 'model.onnx');
    const bytes = readFileSync(file);
    bytes[0]! ^= 0xff;
    writeFileSync(file, bytes);
    expect(readError(dir).message).toMatch(/model\.onnx does not match the checksum in .*manifest\.json/);
  });

  it('rejects a manifest whose parity records and predictions differ in length', () => {
    const dir = written();
    editManifest(dir, (m) => m.parity.predictions.pop());
    expect(readError(dir).message).toMatch(/parity\.records and parity\.predictions differ in length/);
  });

  it('parseManifest checks the checksum against the bytes it is given', () => {
    const pkg = samplePackage();
    expect(parseManifest(pkg.manifest, pkg.model)).toBe(pkg.manifest);
    expect(() => parseManifest(pkg.manifest, new Uint8Array([1, 2, 3]))).toThrow(
      /does not match the checksum/,
    );
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('withinTolerance', () => {
  it('accepts a difference within either the absolute or the relative bound', () => {
    const tolerance = { relative: 1e-4, absolute: 1 };
    expect(withinTolerance(100_000.9, 100_000, tolerance)).toBe(true);
    expect(withinTolerance(1_000_009, 1_000_000, tolerance)).toBe(true);
    expect(withinTolerance(1_000_101, 1_000_000, tolerance)).toBe(false);
    expect(withinTolerance(102, 100, tolerance)).toBe(false);
  });
});

describe('parseManifest: derived features', () => {
  it('compiles derived expressions when the package loads, rejecting a bad one by name', () => {
    const pkg = samplePackage();
    const manifest = structuredClone(pkg.manifest) as unknown as {
      features: { names: string[]; encoders: unknown[] };
    };
    manifest.features.names.push('per_income');
    manifest.features.encoders.push({
      kind: 'derived',
      column: 'per_income',
      expr: 'median_income / households',
      inputs: [{ kind: 'numeric', column: 'median_income', outliers: 'missing' }],
    });
    expect(() => parseManifest(manifest, pkg.model)).toThrow(
      'manifest.json: derived feature "per_income" has a bad expression: unknown column "households" at position 17 of "median_income / households"',
    );
  });
});

describe('format version 1 packages', () => {
  it('still load, with their cleaned-value parity records and all-optional signature serving as before', () => {
    const pkg = samplePackage();
    const v1 = { ...structuredClone(pkg.manifest), formatVersion: 1 };
    const manifest = parseManifest(v1, pkg.model);
    expect(manifest.formatVersion).toBe(1);
    expect(manifest.parity.records).toEqual([{ median_income: 3.5 }, { median_income: 8 }]);
    // No required fields and no outliers policy: a record without the field passes, one below min is rejected.
    expect(checkRecord({}, manifest).errors).toEqual([]);
    expect(checkRecord({ median_income: -1 }, manifest).errors).toEqual([
      { field: 'median_income', message: 'must be at least 0, got -1' },
    ]);
  });
});
