import { goesYes, SplitMode, type TreeEnsemble } from './onnx-trees';
import { TreeExplainer } from './treeshap';

/**
 * The same exact path-dependent TreeSHAP values as TreeExplainer, with the work that does not depend on the
 * record done once per model (the idea of Fast TreeSHAP v2, Yang 2021).
 *
 * For a leaf with value v whose path splits on the unique features F (k of them), let z_j be the product of
 * the path's cover ratios at the splits on feature j, and o_j ∈ {0, 1} whether the record satisfies all of
 * them; H = {j : o_j = 1}. The leaf's share of φ_j is v (o_j − z_j) Σ_{S ⊆ F∖{j}} w(|S|) Π_{i∈S} o_i Π_{i∈F∖S∖{j}} z_i,
 * w(s) = s!(k−s−1)!/k!. As o is 0/1, only S ⊆ H count, and with A(M) = v Σ_{S⊆M} w(|S|) Π_{i∈F∖S} z_i:
 *   j ∉ H:  φ_j −= A(H)
 *   j ∈ H:  φ_j += (1 − z_j)/z_j · A(H ∖ {j})
 * A is tabulated for every subset of F (2^k values per leaf), so a record costs one pass over the tree's
 * nodes to find each leaf's H plus k updates per leaf, instead of Algorithm 2's k² per leaf.
 *
 * Trees whose tables would not fit the budget (deep trees), or with a zero cover on a path, are explained
 * by Algorithm 2 (TreeExplainer) instead, so the result is the same for any ensemble.
 */

/** Default budget of tabulated values (8 bytes each): 4M values, 32 MB. */
export const FAST_TABLE_BUDGET = 1 << 22;
const MAX_UNIQUE_FEATURES = 16;

export class FastTreeExplainer {
  readonly featureCount: number;
  readonly expectedValue: number;
  /** Trees explained by the tables, and by the Algorithm 2 fallback. */
  readonly tabulatedTrees: number;
  readonly fallbackTrees: number;

  private readonly e: TreeEnsemble;
  private readonly fallback: TreeExplainer;
  private readonly fallbackList: Int32Array;
  private readonly fastList: Int32Array;
  /** Per node: the slot (position among the path's unique features) of its split feature. */
  private readonly slot: Uint8Array;
  /** Per node that is a leaf: index into the leaf arrays, or -1 when its tree is not tabulated. */
  private readonly leafIndex: Int32Array;
  private readonly leafK: Uint8Array;
  private readonly leafTable: Int32Array;
  /** Per leaf, k entries from leafFeatureStart: the slot's feature and (1 − z)/z. */
  private readonly leafFeatureStart: Int32Array;
  private readonly leafFeature: Int32Array;
  private readonly leafRatio: Float64Array;
  private readonly table: Float64Array;
  // Scratch for the per-record traversal.
  private readonly stackNode: Int32Array;
  private readonly stackMask: Int32Array;

  constructor(ensemble: TreeEnsemble, cover: Float64Array, featureCount = ensemble.featureCount, budget = FAST_TABLE_BUDGET) {
    this.fallback = new TreeExplainer(ensemble, cover, featureCount); // validates covers and width
    this.e = ensemble;
    this.featureCount = featureCount;
    this.expectedValue = this.fallback.expectedValue;
    const n = ensemble.mode.length;
    this.slot = new Uint8Array(n);
    this.leafIndex = new Int32Array(n).fill(-1);

    const trees = ensemble.roots.length - 1;
    const plans: TreePlan[] = [];
    const fast: number[] = [];
    const slow: number[] = [];
    let used = 0;
    for (let t = 0; t < trees; t++) {
      const plan = planTree(ensemble, cover, t, this.slot);
      if (plan && used + plan.tableSize <= budget) {
        used += plan.tableSize;
        plans.push(plan);
        fast.push(t);
      } else slow.push(t);
    }
    this.fastList = Int32Array.from(fast);
    this.fallbackList = Int32Array.from(slow);
    this.tabulatedTrees = fast.length;
    this.fallbackTrees = slow.length;

    const leaves = plans.reduce((s, p) => s + p.leaves.length, 0);
    const featureSlots = plans.reduce((s, p) => s + p.leaves.reduce((a, l) => a + l.features.length, 0), 0);
    this.leafK = new Uint8Array(leaves);
    this.leafTable = new Int32Array(leaves);
    this.leafFeatureStart = new Int32Array(leaves);
    this.leafFeature = new Int32Array(featureSlots);
    this.leafRatio = new Float64Array(featureSlots);
    this.table = new Float64Array(used);
    let li = 0;
    let fi = 0;
    let ti = 0;
    for (const plan of plans) {
      for (const leaf of plan.leaves) {
        this.leafIndex[leaf.node] = li;
        this.leafK[li] = leaf.features.length;
        this.leafTable[li] = ti;
        this.leafFeatureStart[li] = fi;
        leaf.features.forEach((f, s) => {
          this.leafFeature[fi + s] = f;
          this.leafRatio[fi + s] = (1 - leaf.zero[s]!) / leaf.zero[s]!;
        });
        tabulate(ensemble.value[leaf.node]!, leaf.zero, this.table, ti);
        fi += leaf.features.length;
        ti += 1 << leaf.features.length;
        li++;
      }
    }
    this.stackNode = new Int32Array(2 * ensemble.maxDepth + 4);
    this.stackMask = new Int32Array(2 * ensemble.maxDepth + 4);
  }

  /** As TreeExplainer.contributions: SHAP values of the record at `offset`, the bias last. */
  contributions(x: ArrayLike<number>, offset = 0, out = new Float64Array(this.featureCount + 1)): Float64Array {
    if (out.length !== this.featureCount + 1) throw new RangeError(`out must hold ${this.featureCount + 1} values`);
    if (this.fallbackList.length) {
      this.fallback.contributionsOfTrees(x, offset, out, this.fallbackList);
    } else {
      out.fill(0);
      out[this.featureCount] = this.expectedValue;
    }
    const { e, slot, leafIndex, leafK, leafTable, leafFeatureStart, leafFeature, leafRatio, table, stackNode, stackMask } = this;
    const { mode, feature, yes, no } = e;
    for (let k = 0; k < this.fastList.length; k++) {
      // Depth-first over the tree; mask bit s stays set while the record satisfies every split on slot s.
      let top = 0;
      stackNode[0] = e.roots[this.fastList[k]!]!;
      stackMask[0] = -1;
      while (top >= 0) {
        const node = stackNode[top]!;
        const mask = stackMask[top]!;
        top--;
        if (mode[node] === SplitMode.Leaf) {
          const li = leafIndex[node]!;
          const kk = leafK[li]!;
          const h = mask & ((1 << kk) - 1);
          const base = leafTable[li]!;
          const start = leafFeatureStart[li]!;
          const notHot = table[base + h]!;
          for (let s = 0; s < kk; s++) {
            const bit = 1 << s;
            if (h & bit) out[leafFeature[start + s]!]! += leafRatio[start + s]! * table[base + (h ^ bit)]!;
            else out[leafFeature[start + s]!]! -= notHot;
          }
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
}

interface TreePlan {
  tableSize: number;
  leaves: { node: number; features: number[]; zero: number[] }[];
}

/** Slots and zero fractions of every leaf of tree t (writing node slots), or null if it cannot be tabulated. */
function planTree(e: TreeEnsemble, cover: Float64Array, t: number, slotOut: Uint8Array): TreePlan | null {
  const leaves: TreePlan['leaves'] = [];
  let tableSize = 0;
  let ok = true;
  const walk = (node: number, features: number[], zero: number[]) => {
    if (!ok) return;
    if (e.mode[node] === SplitMode.Leaf) {
      if (features.length > MAX_UNIQUE_FEATURES || zero.some((z) => !(z > 0))) ok = false;
      tableSize += 1 << Math.min(features.length, 30);
      leaves.push({ node, features: [...features], zero: [...zero] });
      return;
    }
    const f = e.feature[node]!;
    let s = features.indexOf(f);
    const isNew = s < 0;
    if (isNew) {
      s = features.length;
      features.push(f);
      zero.push(1);
    }
    if (s >= 31) {
      ok = false;
      return;
    }
    slotOut[node] = s;
    const before = zero[s]!;
    for (const child of [e.yes[node]!, e.no[node]!]) {
      zero[s] = (before * cover[child]!) / cover[node]!;
      walk(child, features, zero);
    }
    zero[s] = before;
    if (isNew) {
      features.pop();
      zero.pop();
    }
  };
  walk(e.roots[t]!, [], []);
  return ok ? { tableSize, leaves } : null;
}

/**
 * Writes A(M) = v Σ_{S⊆M} w(|S|) Π_{i∉S} z_i for every subset M of the k path features (bit i = feature i),
 * at table[at .. at + 2^k): first each subset's own term, then a subset-sum over the bits.
 */
function tabulate(value: number, zero: number[], table: Float64Array, at: number): void {
  const k = zero.length;
  const size = 1 << k;
  if (k === 0) {
    table[at] = 0;
    return;
  }
  const weight = new Float64Array(k);
  // w(s) = s! (k − s − 1)! / k!
  for (let s = 0; s < k; s++) weight[s] = factorial(s) * factorial(k - s - 1) / factorial(k);
  for (let m = 0; m < size; m++) {
    let product = value;
    let bits = 0;
    for (let i = 0; i < k; i++) {
      if (m & (1 << i)) bits++;
      else product *= zero[i]!;
    }
    table[at + m] = bits < k ? weight[bits]! * product : 0;
  }
  for (let i = 0; i < k; i++) {
    for (let m = 0; m < size; m++) if (m & (1 << i)) table[at + m]! += table[at + (m ^ (1 << i))]!;
  }
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}
