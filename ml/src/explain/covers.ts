import { z } from 'zod';
import { InputError } from '../errors';
import { goesYes, SplitMode, type TreeEnsemble } from './onnx-trees';

/**
 * Node covers for path-dependent TreeSHAP. ONNX's TreeEnsembleRegressor carries no per-node training weight,
 * so the package carries XGBoost's own in a sidecar, `trees.json`, written at training from the booster's
 * JSON model (`left_children`, `right_children`, `split_indices`, `default_left`, `sum_hessian` of every tree:
 * the cover XGBoost's `pred_contribs` uses). The sidecar is matched to the ONNX trees node by node, so a
 * sidecar from another model is refused rather than silently producing wrong explanations.
 */

export const TREE_COVERS_FORMAT_VERSION = 1;
export const TREE_COVERS_FILE = 'trees.json';

const MAX_NODES_PER_TREE = 1 << 20;
const nodeArray = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(MAX_NODES_PER_TREE);

export const treeCoversSchema = z.object({
  formatVersion: z.literal(TREE_COVERS_FORMAT_VERSION),
  source: z.literal('xgboost'),
  trees: z
    .array(
      z.object({
        left: nodeArray(z.number().int().min(-1)),
        right: nodeArray(z.number().int().min(-1)),
        feature: nodeArray(z.number().int().min(0)),
        defaultLeft: nodeArray(z.union([z.literal(0), z.literal(1)])).optional(),
        cover: nodeArray(z.number().nonnegative()),
      }),
    )
    .min(1)
    .max(100_000),
});
export type TreeCovers = z.infer<typeof treeCoversSchema>;

/** Validates a parsed trees.json; throws an InputError naming the first bad fields. */
export function parseTreeCovers(raw: unknown, source = TREE_COVERS_FILE): TreeCovers {
  const parsed = treeCoversSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 10)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InputError(`${source} is not valid tree covers:\n  - ${problems.join('\n  - ')}`, { problems });
  }
  return parsed.data;
}

/**
 * Returns the cover of every ensemble node, walking each ONNX tree alongside its XGBoost tree: the ONNX true
 * branch (x < threshold) is XGBoost's left child. Throws an InputError at the first node where the structure,
 * split feature or missing-value direction disagree.
 */
export function coversFromSidecar(
  ensemble: TreeEnsemble,
  covers: TreeCovers,
  source = TREE_COVERS_FILE,
): Float64Array {
  const trees = ensemble.roots.length - 1;
  if (covers.trees.length !== trees) {
    throw new InputError(`${source} describes ${covers.trees.length} trees, model.onnx has ${trees}`);
  }
  const out = new Float64Array(ensemble.mode.length);
  for (let t = 0; t < trees; t++) {
    const tree = covers.trees[t]!;
    const size = tree.left.length;
    const fail = (detail: string): never => {
      throw new InputError(`${source} does not match model.onnx in tree ${t}: ${detail}`);
    };
    if (
      tree.right.length !== size ||
      tree.feature.length !== size ||
      tree.cover.length !== size ||
      (tree.defaultLeft && tree.defaultLeft.length !== size)
    ) {
      fail('its arrays differ in length');
    }
    if (size !== ensemble.roots[t + 1]! - ensemble.roots[t]!)
      fail(`${size} nodes against ${ensemble.roots[t + 1]! - ensemble.roots[t]!}`);
    const stack: number[] = [ensemble.roots[t]!, 0];
    let visited = 0;
    while (stack.length) {
      const j = stack.pop()!;
      const g = stack.pop()!;
      if (j < 0 || j >= size) fail(`node index ${j} out of range`);
      if (++visited > size) fail('its children form a cycle');
      out[g] = tree.cover[j]!;
      const leaf = tree.left[j] === -1;
      if (leaf !== (ensemble.mode[g] === SplitMode.Leaf))
        fail(`node ${j} is a ${leaf ? 'leaf' : 'split'} in one and not the other`);
      if (leaf) continue;
      if (ensemble.mode[g] !== SplitMode.Less) fail(`node ${j} is not an x < threshold split`);
      if (tree.feature[j] !== ensemble.feature[g])
        fail(`node ${j} splits on feature ${tree.feature[j]}, ONNX on ${ensemble.feature[g]}`);
      if (tree.defaultLeft && tree.defaultLeft[j] !== ensemble.missingYes[g])
        fail(`node ${j} sends missing values the other way`);
      stack.push(ensemble.yes[g]!, tree.left[j]!, ensemble.no[g]!, tree.right[j]!);
    }
  }
  return out;
}

/**
 * Covers recomputed by passing rows down the trees (`rows` feature vectors of `width` values): the count of
 * rows reaching each node. Equal to XGBoost's cover only when every tree was grown on exactly these rows
 * with hessian 1 (squared error, no row subsampling); a fallback for models without a sidecar.
 */
export function coversFromRows(
  ensemble: TreeEnsemble,
  x: ArrayLike<number>,
  rows: number,
  width: number,
): Float64Array {
  const out = new Float64Array(ensemble.mode.length);
  const { mode, feature, yes, no } = ensemble;
  for (let t = 0; t + 1 < ensemble.roots.length; t++) {
    for (let r = 0; r < rows; r++) {
      let node = ensemble.roots[t]!;
      out[node]!++;
      while (mode[node] !== SplitMode.Leaf) {
        node = goesYes(ensemble, node, x[r * width + feature[node]!]!) ? yes[node]! : no[node]!;
        out[node]!++;
      }
    }
  }
  return out;
}
