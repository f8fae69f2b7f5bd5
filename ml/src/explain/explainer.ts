import { transformInto, type RawRecord } from '../features/transform';
import type { ModelManifest } from '../package/manifest';
import { coversFromSidecar, parseTreeCovers } from './covers';
import { featureSources, groupBy, priceScale, sourceByIndex, type SourceOf } from './group';
import { readTreeEnsemble } from './onnx-trees';
import { FastTreeExplainer } from './fast-treeshap';

export interface FeatureContribution {
  feature: string;
  /** The model input's value (null when missing). */
  value: number | null;
  /** SHAP value in model (margin) space. */
  contribution: number;
}

export interface ColumnContribution {
  source: string;
  columns: string[];
  features: string[];
  /** Sum of the group's SHAP values, model space. */
  contribution: number;
  /** Share of price − basePrice (see priceScale). */
  priceContribution: number;
}

export interface Explanation {
  /** Model space: what the contributions add up in (log1p of the price for a log target). */
  space: 'log1p' | 'identity';
  /** Expected model output over the training data (contributions start here). */
  bias: number;
  /** bias + Σ contributions: the model's output for this record. */
  margin: number;
  basePrice: number;
  price: number;
  features: FeatureContribution[];
  columns: ColumnContribution[];
}

/**
 * Explains a package's predictions: the raw record goes through the shared transform, TreeSHAP runs on the
 * ONNX trees with the sidecar's covers, and contributions are grouped by raw column and read in price
 * terms. Holds scratch buffers: one instance per thread of work, reused across records.
 */
export class PackageExplainer {
  readonly trees: FastTreeExplainer;
  private readonly x: Float32Array;
  private readonly phi: Float64Array;

  constructor(
    private readonly manifest: Pick<ModelManifest, 'features' | 'target'>,
    model: Uint8Array,
    covers: unknown,
    private readonly sourceOf: SourceOf = sourceByIndex(featureSources(manifest.features)),
  ) {
    const ensemble = readTreeEnsemble(model);
    const cover = coversFromSidecar(ensemble, parseTreeCovers(covers));
    const width = manifest.features.names.length;
    this.trees = new FastTreeExplainer(ensemble, cover, width);
    this.x = new Float32Array(width);
    this.phi = new Float64Array(width + 1);
  }

  explain(record: RawRecord): Explanation {
    const { names } = this.manifest.features;
    transformInto(record, this.manifest.features, this.x, 0);
    const phi = this.trees.contributions(this.x, 0, this.phi);
    const bias = phi[names.length]!;
    let margin = bias;
    for (let i = 0; i < names.length; i++) margin += phi[i]!;
    const { basePrice, price, scale } = priceScale(bias, margin, this.manifest.target.transform);
    return {
      space: this.manifest.target.transform === 'log' ? 'log1p' : 'identity',
      bias,
      margin,
      basePrice,
      price,
      features: names.map((feature, i) => ({
        feature,
        value: Number.isNaN(this.x[i]!) ? null : this.x[i]!,
        contribution: phi[i]!,
      })),
      columns: groupBy(phi, names, this.sourceOf).map((g) => ({
        ...g,
        priceContribution: g.contribution * scale,
      })),
    };
  }
}
