import { goesYes, SplitMode, type TreeEnsemble } from './onnx-trees';
import { TreeExplainer } from './treeshap';

/**
 * The same exact path-dependent TreeSHAP values as TreeExplainer (Algorithm 2), computed leaf by leaf from a
 * closed form, with everything that does not depend on the record prepared once per model.
 *
 * For a leaf with value v whose path splits on the unique features F (k of them), let z_j be the product of
 * the path's cover ratios at the splits on feature j, and o_j ∈ {0, 1} whether the record satisfies all of
 * them; H = {j : o_j = 1}. The leaf's share of φ_j is the Shapley value of the game
 * g(S) = v Π_{i∈F} (i ∈ S ? o_i : z_i) (Algorithm 1's expectation restricted to one leaf):
 *   φ_j = v (o_j − z_j) Σ_{S ⊆ F∖{j}} w(|S|) Π_{i∈S} o_i Π_{i∈F∖S∖{j}} z_i,   w(s) = s!(k−s−1)!/k!.
 * Only S ⊆ H count. With Zc = Π_{i∉H} z_i and Q_M(t) = Π_{i∈M} (t + z_i), whose coefficient of t^s is the
 * sum over the subsets S of M of size s of Π_{i∈M∖S} z_i:
 *   j ∉ H:  φ_j −= v Zc Σ_s w(s) [t^s] Q_H
 *   j ∈ H:  φ_j += v (1 − z_j) Zc Σ_s w(s) [t^s] (Q_H / (t + z_j))
 * A record costs one pass over each tree's nodes (to find every leaf's H) plus O(k·|H|) per leaf, on a few
 * registers' worth of data, instead of Algorithm 2's recursion with a path copy per node.
 *
 * A tree with a path of more than 30 unique features (the mask is 32-bit) is explained by Algorithm 2.
 *
 * A leaf's share depends on the record only through which of its k path features the record satisfies
 * (2^k cases). When every leaf's table of the 2^k cases × k shares fits in LEAF_TABLE_LIMIT values, the
 * tables are computed by the same closed form at the first record (not at load: a process that never
 * explains pays nothing), and a record then costs the tree walk plus k additions per leaf: about half the
 * time on a depth-6 model, for 8 bytes a value (48 MB for 243 depth-6 trees).
 */

const MAX_UNIQUE_FEATURES = 30;
/** Largest leaf-table size (values; 8 bytes each) built per model: beyond it leaves are computed per record. */
export const LEAF_TABLE_LIMIT = 8 * 1024 * 1024;
/** Paths longer than this never get a table (2^k cases grow fast). */
const MAX_TABLE_K = 10;

export class FastTreeExplainer {
  readonly featureCount: number;
  readonly expectedValue: number;
  /** Trees explained by the closed form, and by the Algorithm 2 fallback. */
  readonly closedFormTrees: number;
  readonly fallbackTrees: number;

  private readonly e: TreeEnsemble;
  private readonly fallback: TreeExplainer;
  private readonly fallbackList: Int32Array;
  private readonly fastList: Int32Array;
  /** Per split node: the slot (position among its path's unique features) of its split feature. */
  private readonly slot: Uint8Array;
  /** Per leaf node: k, and where its k features and zero fractions start. */
  private readonly leafK: Uint8Array;
  private readonly leafStart: Int32Array;
  private readonly leafFeature: Int32Array;
  private readonly leafZero: Float64Array;
  /** w(s) for a path of k unique features at weights[k * stride + s]. */
  private readonly weights: Float64Array;
  private readonly stride: number;
  /** Per leaf, its 2^k × k shares (when the model's tables fit LEAF_TABLE_LIMIT), and where they start. */
  private table?: Float64Array;
  private tableStart?: Int32Array;
  private tableSize = -1;
  // Scratch for one record.
  private readonly stackNode: Int32Array;
  private readonly stackMask: Int32Array;
  private readonly q: Float64Array;

  constructor(
    ensemble: TreeEnsemble,
    cover: Float64Array,
    featureCount = ensemble.featureCount,
    leafTableLimit = LEAF_TABLE_LIMIT,
  ) {
    this.fallback = new TreeExplainer(ensemble, cover, featureCount); // validates covers and width
    this.e = ensemble;
    this.featureCount = featureCount;
    this.expectedValue = this.fallback.expectedValue;
    const n = ensemble.mode.length;
    this.slot = new Uint8Array(n);
    this.leafK = new Uint8Array(n);
    this.leafStart = new Int32Array(n);

    const trees = ensemble.roots.length - 1;
    const fast: number[] = [];
    const slow: number[] = [];
    const features: number[] = [];
    const zeros: number[] = [];
    let maxK = 0;
    const into = { slot: this.slot, leafK: this.leafK, leafStart: this.leafStart };
    for (let t = 0; t < trees; t++) {
      const mark = features.length;
      const k = planTree(ensemble, cover, t, into, features, zeros);
      if (k >= 0) {
        fast.push(t);
        maxK = Math.max(maxK, k);
      } else {
        slow.push(t);
        features.length = zeros.length = mark;
      }
    }
    this.leafFeature = Int32Array.from(features);
    this.leafZero = Float64Array.from(zeros);
    this.fastList = Int32Array.from(fast);
    this.fallbackList = Int32Array.from(slow);
    this.closedFormTrees = fast.length;
    this.fallbackTrees = slow.length;

    this.stride = maxK + 1;
    this.weights = new Float64Array(this.stride * this.stride);
    for (let k = 1; k <= maxK; k++) {
      for (let s = 0; s < k; s++) this.weights[k * this.stride + s] = 1 / (k * binomial(k - 1, s));
    }
    this.stackNode = new Int32Array(2 * ensemble.maxDepth + 4);
    this.stackMask = new Int32Array(2 * ensemble.maxDepth + 4);
    this.q = new Float64Array(maxK + 2);

    let size = 0;
    for (let node = 0; node < n; node++)
      if (ensemble.mode[node] === SplitMode.Leaf) size += this.leafK[node]! * 2 ** this.leafK[node]!;
    if (maxK <= MAX_TABLE_K && size <= leafTableLimit) this.tableSize = size;
  }

  /** Every closed-form leaf's shares for each of its 2^k cases (see the class comment). */
  private buildTables(): void {
    const e = this.e;
    const tableStart = new Int32Array(e.mode.length);
    const table = new Float64Array(this.tableSize);
    const shares = new Float64Array(this.featureCount + 1);
    let at = 0;
    for (const t of this.fastList) {
      for (let node = e.roots[t]!; node < e.roots[t + 1]!; node++) {
        if (e.mode[node] !== SplitMode.Leaf) continue;
        const k = this.leafK[node]!;
        const start = this.leafStart[node]!;
        tableStart[node] = at;
        for (let mask = 0; mask < 2 ** k; mask++) {
          for (let s = 0; s < k; s++) shares[this.leafFeature[start + s]!] = 0;
          this.leaf(node, mask, shares);
          for (let s = 0; s < k; s++) table[at++] = shares[this.leafFeature[start + s]!]!;
        }
      }
    }
    this.tableStart = tableStart;
    this.table = table;
  }

  /** As TreeExplainer.contributions: SHAP values of the record at `offset`, the bias last. */
  contributions(
    x: ArrayLike<number>,
    offset = 0,
    out: Float64Array = new Float64Array(this.featureCount + 1),
  ): Float64Array {
    if (out.length !== this.featureCount + 1)
      throw new RangeError(`out must hold ${this.featureCount + 1} values`);
    if (this.fallbackList.length) {
      this.fallback.contributionsOfTrees(x, offset, out, this.fallbackList);
    } else {
      out.fill(0);
      out[this.featureCount] = this.expectedValue;
    }
    if (this.tableSize >= 0 && !this.table) this.buildTables();
    const { e, slot, stackNode, stackMask, fastList } = this;
    const { mode, feature, yes, no } = e;
    for (let k = 0; k < fastList.length; k++) {
      // Depth first over the tree; mask bit s stays set while the record satisfies every split on slot s.
      let top = 0;
      stackNode[0] = e.roots[fastList[k]!]!;
      stackMask[0] = -1;
      while (top >= 0) {
        const node = stackNode[top]!;
        const mask = stackMask[top]!;
        top--;
        if (mode[node] === SplitMode.Leaf) {
          if (this.table) this.leafFromTable(node, mask, out);
          else this.leaf(node, mask, out);
          continue;
        }
        const cold = ~(1 << slot[node]!) & mask;
        const toYes = goesYes(e, node, x[offset + feature[node]!]!);
        stackNode[++top] = yes[node]!;
        stackMask[top] = toYes ? mask : cold;
        stackNode[++top] = no[node]!;
        stackMask[top] = toYes ? cold : mask;
      }
    }
    return out;
  }

  /** As leaf(), read from the leaf's precomputed table (bits 0..k−1 of the mask are its path's slots). */
  private leafFromTable(node: number, mask: number, out: Float64Array): void {
    const k = this.leafK[node]!;
    if (k === 0) return;
    const start = this.leafStart[node]!;
    const base = this.tableStart![node]! + (mask & ((1 << k) - 1)) * k;
    const { table, leafFeature } = this;
    for (let s = 0; s < k; s++) out[leafFeature[start + s]!]! += table![base + s]!;
  }

  /** Adds one leaf's share to every feature of its path (see the class comment). */
  private leaf(node: number, mask: number, out: Float64Array): void {
    const k = this.leafK[node]!;
    if (k === 0) return;
    const start = this.leafStart[node]!;
    const { leafZero, leafFeature, q, weights } = this;
    const w = k * this.stride;
    // Q_H(t) = Π_{i∈H} (t + z_i), coefficients q[0..m]; zc = v Π_{i∉H} z_i.
    let zc = this.e.value[node]!;
    let m = 0;
    q[0] = 1;
    for (let s = 0; s < k; s++) {
      const z = leafZero[start + s]!;
      if (((mask >>> s) & 1) === 0) {
        zc *= z;
        continue;
      }
      m++;
      q[m] = q[m - 1]!;
      for (let i = m - 1; i > 0; i--) q[i] = q[i - 1]! + z * q[i]!;
      q[0] = z * q[0]!;
    }
    let cold = 0;
    if (m < k) {
      for (let s = 0; s <= m; s++) cold += weights[w + s]! * q[s]!;
      cold *= zc;
    }
    for (let s = 0; s < k; s++) {
      const f = leafFeature[start + s]!;
      if (((mask >>> s) & 1) === 0) {
        out[f]! -= cold;
        continue;
      }
      // Q_H / (t + z): synthetic division, then the weighted sum of its coefficients.
      const z = leafZero[start + s]!;
      let next = q[m]!;
      let sum = weights[w + m - 1]! * next;
      for (let i = m - 1; i > 0; i--) {
        next = q[i]! - z * next;
        sum += weights[w + i - 1]! * next;
      }
      out[f]! += (1 - z) * zc * sum;
    }
  }
}

/**
 * Assigns slots to tree t's split nodes and appends each leaf's unique path features and zero fractions.
 * Returns the tree's largest number of unique features on a path, or −1 if it exceeds the mask's width.
 */
function planTree(
  e: TreeEnsemble,
  cover: Float64Array,
  t: number,
  into: { slot: Uint8Array; leafK: Uint8Array; leafStart: Int32Array },
  features: number[],
  zeros: number[],
): number {
  const path: number[] = [];
  const zero: number[] = [];
  let maxK = 0;
  const walk = (node: number): boolean => {
    if (e.mode[node] === SplitMode.Leaf) {
      into.leafK[node] = path.length;
      into.leafStart[node] = features.length;
      features.push(...path);
      zeros.push(...zero);
      maxK = Math.max(maxK, path.length);
      return true;
    }
    const f = e.feature[node]!;
    let s = path.indexOf(f);
    const isNew = s < 0;
    if (isNew) {
      if (path.length >= MAX_UNIQUE_FEATURES) return false;
      s = path.length;
      path.push(f);
      zero.push(1);
    }
    into.slot[node] = s;
    const before = zero[s]!;
    for (const child of [e.yes[node]!, e.no[node]!]) {
      zero[s] = (before * cover[child]!) / cover[node]!;
      if (!walk(child)) return false;
    }
    zero[s] = before;
    if (isNew) {
      path.pop();
      zero.pop();
    }
    return true;
  };
  return walk(e.roots[t]!) ? maxK : -1;
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}
