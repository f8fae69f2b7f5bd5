import { transformInto } from '../features/transform';
import { OnnxModel } from '../onnx/model';
import { InputError } from '../errors';
import { PackageExplainer } from '../explain/explainer';
import { withinTolerance, type ModelManifest } from './manifest';
import type { ModelPackage } from './io';

export interface Tolerance {
  relative: number;
  absolute: number;
}

/** The package's tolerance, each bound capped by the server's ceiling: a package may only tighten it. */
export function effectiveTolerance(claimed: Tolerance, ceiling?: Tolerance): Tolerance {
  if (!ceiling) return claimed;
  return {
    relative: Math.min(claimed.relative, ceiling.relative),
    absolute: Math.min(claimed.absolute, ceiling.absolute),
  };
}

export interface ParityReport {
  rows: number;
  /** The tolerance applied (the package's, capped by the ceiling). */
  tolerance: Tolerance;
  maxAbsDiff: number;
  maxRelDiff: number;
  failures: { index: number; expected: number; actual: number }[];
}

/** Loads the package's ONNX model for serving: input/output names and target transform from the manifest. */
export function loadPackageModel(
  manifest: ModelManifest,
  model: Uint8Array,
  threads = 0,
): Promise<OnnxModel> {
  return OnnxModel.load(model, {
    input: manifest.onnx.input,
    output: manifest.onnx.output,
    featureCount: manifest.features.names.length,
    targetTransform: manifest.target.transform,
    threads,
  });
}

/**
 * Reproduces the parity fixture: the raw records go through the shared TypeScript transform and the
 * ONNX session, and must give the native model's predictions within the manifest's tolerance.
 */
export async function checkParity(
  manifest: ModelManifest,
  model: OnnxModel,
  ceiling?: Tolerance,
): Promise<ParityReport> {
  const { records, predictions } = manifest.parity;
  const tolerance = effectiveTolerance(manifest.parity.tolerance, ceiling);
  const width = manifest.features.names.length;
  const features = new Float32Array(records.length * width);
  records.forEach((record, i) => transformInto(record, manifest.features, features, i * width));
  const actual = await model.predict(features, records.length);
  const report: ParityReport = {
    rows: records.length,
    tolerance,
    maxAbsDiff: 0,
    maxRelDiff: 0,
    failures: [],
  };
  predictions.forEach((expected, i) => {
    const diff = Math.abs(actual[i]! - expected);
    report.maxAbsDiff = Math.max(report.maxAbsDiff, diff);
    report.maxRelDiff = Math.max(report.maxRelDiff, diff / Math.max(1e-12, Math.abs(expected)));
    if (!withinTolerance(actual[i]!, expected, tolerance))
      report.failures.push({ index: i, expected, actual: actual[i]! });
  });
  return report;
}

export interface ExplanationReport {
  rows: number;
  tolerance: number;
  maxAbsDiff: number;
  failures: { index: number; feature: string; expected: number; actual: number }[];
}

/**
 * Reproduces XGBoost's own contributions (`pred_contribs`) for the parity records with the TypeScript
 * TreeSHAP over the package's trees and covers: every feature's value and the bias, within the
 * manifest's tolerance (model space). Null for a package without explanations. Throws an InputError
 * when trees.json does not describe model.onnx.
 */
export function checkExplanations(
  pkg: Pick<ModelPackage, 'manifest' | 'model' | 'covers'>,
): ExplanationReport | null {
  const { manifest } = pkg;
  if (!manifest.explain) return null;
  const explainer = new PackageExplainer(manifest, pkg.model, pkg.covers);
  const { parityContributions: expected, tolerance } = manifest.explain;
  const names = manifest.features.names;
  if (expected.length !== manifest.parity.records.length)
    throw new InputError('manifest.json: explain.parityContributions and parity.records differ in length');
  const report: ExplanationReport = { rows: expected.length, tolerance, maxAbsDiff: 0, failures: [] };
  manifest.parity.records.forEach((record, index) => {
    const row = expected[index]!;
    if (row.length !== names.length + 1)
      throw new InputError(
        `manifest.json: explain.parityContributions[${index}] has ${row.length} values, expected ${names.length + 1} (features, then the bias)`,
      );
    const explanation = explainer.explain(record);
    const actual = [...explanation.features.map((f) => f.contribution), explanation.bias];
    actual.forEach((value, k) => {
      const diff = Math.abs(value - row[k]!);
      report.maxAbsDiff = Math.max(report.maxAbsDiff, diff);
      if (!(diff <= tolerance))
        report.failures.push({ index, feature: names[k] ?? '(bias)', expected: row[k]!, actual: value });
    });
  });
  return report;
}
