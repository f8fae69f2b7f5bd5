import { InputError } from '../errors';
import { goesYes, SplitMode, type TreeEnsemble } from './onnx-trees';

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized feature attribution
 * for tree ensembles", Algorithm 2), the algorithm of XGBoost's `pred_contribs=True`, in margin space:
 * `contributions(x)[i]` is feature i's SHAP value and the last entry is the bias (base value plus each tree's
 * cover-weighted mean leaf), so the entries sum to the model's output. Missing values (NaN) follow each
 * split's default direction, as in prediction. Computed in double precision (XGBoost uses float32, so the
 * two agree to ~1e-6 relative).
 *
 * One explainer holds its scratch arrays (the unique-path stack), allocated once: reuse it across records;
 * it is not re-entrant.
 */
export class TreeExplainer {
  /** Model inputs per record; contributions have one more entry, the bias. */
  readonly featureCount: number;
  /** The bias: the ensemble's expected output over the training covers (margin space). */
  readonly expectedValue: number;

  private readonly e: TreeEnsemble;
  private readonly cover: Float64Array;
  // The unique path, one segment per recursion level (see recurse).
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly pathOne: Float64Array;
  private readonly pathWeight: Float64Array;
  // The record being explained, for the duration of one contributions() call.
  private x: ArrayLike<number> = [];
  private xOffset = 0;
  private phi: Float64Array = new Float64Array(0);

  constructor(ensemble: TreeEnsemble, cover: Float64Array, featureCount = ensemble.featureCount) {
    if (cover.length !== ensemble.mode.length)
      throw new InputError(`tree covers: ${cover.length} values for ${ensemble.mode.length} nodes`);
    if (ensemble.featureCount > featureCount) {
      throw new InputError(
        `model.onnx splits on feature ${ensemble.featureCount - 1} but the model has ${featureCount} inputs`,
      );
    }
    this.e = ensemble;
    this.cover = cover;
    this.featureCount = featureCount;
    this.expectedValue = ensemble.baseValue + treeMeans(ensemble, cover);
    const d = ensemble.maxDepth + 2;
    const size = ((d + 2) * (d + 3)) / 2;
    this.pathFeature = new Int32Array(size);
    this.pathZero = new Float64Array(size);
    this.pathOne = new Float64Array(size);
    this.pathWeight = new Float64Array(size);
  }

  /**
   * SHAP values of the record `x[offset .. offset + featureCount)` (model inputs, NaN = missing), written to
   * `out` (featureCount + 1 values, the last the bias), which is returned.
   */
  contributions(
    x: ArrayLike<number>,
    offset = 0,
    out: Float64Array = new Float64Array(this.featureCount + 1),
  ): Float64Array {
    return this.contributionsOfTrees(x, offset, out, null);
  }

  /** contributions() summed over the listed trees only (all when null); the bias is always the whole model's. */
  contributionsOfTrees(
    x: ArrayLike<number>,
    offset: number,
    out: Float64Array,
    trees: Int32Array | null,
  ): Float64Array {
    if (out.length !== this.featureCount + 1)
      throw new RangeError(`out must hold ${this.featureCount + 1} values`);
    out.fill(0);
    out[this.featureCount] = this.expectedValue;
    this.x = x;
    this.xOffset = offset;
    this.phi = out;
    const roots = this.e.roots;
    if (trees === null) for (let t = 0; t + 1 < roots.length; t++) this.recurse(roots[t]!, 0, 0, 1, 1, -1);
    else for (let k = 0; k < trees.length; k++) this.recurse(roots[trees[k]!]!, 0, 0, 1, 1, -1);
    this.x = [];
    return out;
  }

  /**
   * Algorithm 2's RECURSE. The path of the parent starts at `parentStart` and has `depth` elements in use;
   * this node's copy starts right after it, so no level overwrites a path an ancestor still needs.
   */
  private recurse(
    node: number,
    depth: number,
    parentStart: number,
    zero: number,
    one: number,
    feature: number,
  ): void {
    const { pathFeature: pf, pathZero: pz, pathOne: po, pathWeight: pw, e } = this;
    const s = parentStart + depth + 1;
    for (let i = 0; i < depth; i++) {
      pf[s + i] = pf[parentStart + i]!;
      pz[s + i] = pz[parentStart + i]!;
      po[s + i] = po[parentStart + i]!;
      pw[s + i] = pw[parentStart + i]!;
    }
    this.extend(s, depth, zero, one, feature);

    if (e.mode[node] === SplitMode.Leaf) {
      const value = e.value[node]!;
      for (let i = 1; i <= depth; i++) {
        const w = this.unwoundSum(s, depth, i);
        this.phi[pf[s + i]!]! += w * (po[s + i]! - pz[s + i]!) * value;
      }
      return;
    }
    const split = e.feature[node]!;
    const hot = goesYes(e, node, this.x[this.xOffset + split]!) ? e.yes[node]! : e.no[node]!;
    const cold = hot === e.yes[node] ? e.no[node]! : e.yes[node]!;
    const w = this.cover[node]!;
    const hotZero = this.cover[hot]! / w;
    const coldZero = this.cover[cold]! / w;
    let inZero = 1;
    let inOne = 1;
    // A feature split on again further down: undo its earlier step so it appears on the path once.
    let k = 0;
    while (k <= depth && pf[s + k] !== split) k++;
    if (k <= depth) {
      inZero = pz[s + k]!;
      inOne = po[s + k]!;
      this.unwind(s, depth, k);
      depth -= 1;
    }
    this.recurse(hot, depth + 1, s, hotZero * inZero, inOne, split);
    this.recurse(cold, depth + 1, s, coldZero * inZero, 0, split);
  }

  private extend(s: number, d: number, zero: number, one: number, feature: number): void {
    const { pathFeature: pf, pathZero: pz, pathOne: po, pathWeight: pw } = this;
    pf[s + d] = feature;
    pz[s + d] = zero;
    po[s + d] = one;
    pw[s + d] = d === 0 ? 1 : 0;
    for (let i = d - 1; i >= 0; i--) {
      pw[s + i + 1]! += (one * pw[s + i]! * (i + 1)) / (d + 1);
      pw[s + i] = (zero * pw[s + i]! * (d - i)) / (d + 1);
    }
  }

  private unwind(s: number, d: number, index: number): void {
    const { pathFeature: pf, pathZero: pz, pathOne: po, pathWeight: pw } = this;
    const one = po[s + index]!;
    const zero = pz[s + index]!;
    let next = pw[s + d]!;
    for (let i = d - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = pw[s + i]!;
        pw[s + i] = (next * (d + 1)) / ((i + 1) * one);
        next = tmp - (pw[s + i]! * zero * (d - i)) / (d + 1);
      } else {
        pw[s + i] = (pw[s + i]! * (d + 1)) / (zero * (d - i));
      }
    }
    for (let i = index; i < d; i++) {
      pf[s + i] = pf[s + i + 1]!;
      pz[s + i] = pz[s + i + 1]!;
      po[s + i] = po[s + i + 1]!;
    }
  }

  /** Total weight of the path with element `index` unwound, without modifying it. */
  private unwoundSum(s: number, d: number, index: number): number {
    const { pathZero: pz, pathOne: po, pathWeight: pw } = this;
    const one = po[s + index]!;
    const zero = pz[s + index]!;
    let next = pw[s + d]!;
    let total = 0;
    for (let i = d - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = (next * (d + 1)) / ((i + 1) * one);
        total += tmp;
        next = pw[s + i]! - tmp * zero * ((d - i) / (d + 1));
      } else if (zero !== 0) {
        total += pw[s + i]! / zero / ((d - i) / (d + 1));
      }
    }
    return total;
  }
}

/**
 * Sum over trees of each root's cover-weighted mean leaf value (XGBoost's FillNodeMeanValues). Trees are laid
 * out parent before children, so a reverse sweep sees children first.
 */
function treeMeans(e: TreeEnsemble, cover: Float64Array): number {
  const mean = new Float64Array(e.mode.length);
  for (let g = e.mode.length - 1; g >= 0; g--) {
    if (e.mode[g] === SplitMode.Leaf) {
      mean[g] = e.value[g]!;
      continue;
    }
    const c = cover[g]!;
    const yes = e.yes[g]!;
    const no = e.no[g]!;
    if (!(c > 0) || !Number.isFinite(c))
      throw new InputError(`tree covers: split node ${g} has cover ${c}; a split needs a positive cover`);
    mean[g] = (mean[yes]! * cover[yes]! + mean[no]! * cover[no]!) / c;
  }
  let sum = 0;
  for (let t = 0; t + 1 < e.roots.length; t++) sum += mean[e.roots[t]!]!;
  return sum;
}
