/**
 * Builds small ai.onnx.ml TreeEnsembleRegressor models (protobuf bytes, laid out as onnxmltools writes them:
 * unpacked repeated fields) and the matching XGBoost-style covers sidecar, for tests of the explanation
 * engine. Also a brute-force Shapley oracle over the same trees.
 */
import type { TreeCovers } from '../explain/covers';

export type TestTree =
  | { leaf: number; cover: number }
  | {
      feature: number;
      threshold: number;
      cover: number;
      yes: TestTree;
      no: TestTree;
      missingYes?: boolean;
      mode?: string;
    };

class Writer {
  readonly bytes: number[] = [];

  varint(value: number): this {
    if (value < 0) {
      // Two's-complement int64 in 10 bytes.
      let big = BigInt.asUintN(64, BigInt(value));
      for (let i = 0; i < 10; i++) {
        const b = Number(big & 0x7fn);
        big >>= 7n;
        this.bytes.push(i < 9 ? b | 0x80 : b);
      }
      return this;
    }
    while (value >= 0x80) {
      this.bytes.push((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.bytes.push(value);
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  bytesField(field: number, payload: ArrayLike<number>): this {
    this.tag(field, 2).varint(payload.length);
    for (let i = 0; i < payload.length; i++) this.bytes.push(payload[i]!);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytesField(field, new TextEncoder().encode(text));
  }

  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.tag(field, 5);
    this.bytes.push(...b);
    return this;
  }
}

const attribute = (name: string, fill: (w: Writer) => void): number[] => {
  const w = new Writer().string(1, name);
  fill(w);
  return w.bytes;
};
const ints = (name: string, values: number[]) =>
  attribute(name, (w) => values.forEach((v) => w.tag(8, 0).varint(v)));
const floats = (name: string, values: number[]) =>
  attribute(name, (w) => values.forEach((v) => w.float(7, v)));
const strings = (name: string, values: string[]) =>
  attribute(name, (w) => values.forEach((v) => w.string(9, v)));
const text = (name: string, value: string) => attribute(name, (w) => w.string(4, value));

export interface OnnxTreesOptions {
  base?: number;
  /** Node ids are assigned in this order (default: breadth first from 0, as XGBoost numbers nodes). */
  nodeIdOffset?: number;
  /** Attributes to drop or replace, for tests of malformed models. */
  override?: Record<string, number[] | null>;
  opType?: string;
}

interface Flat {
  nodes: { tree: TestTree; id: number; yes: number; no: number }[];
}

/** Breadth-first numbering: XGBoost's node ids. */
function flatten(root: TestTree): Flat {
  const nodes: Flat['nodes'] = [];
  const queue: TestTree[] = [root];
  const ids = new Map<TestTree, number>([[root, 0]]);
  while (queue.length) {
    const tree = queue.shift()!;
    const entry = { tree, id: ids.get(tree)!, yes: -1, no: -1 };
    nodes.push(entry);
    if ('leaf' in tree) continue;
    for (const child of [tree.yes, tree.no]) {
      ids.set(child, ids.size);
      queue.push(child);
    }
    entry.yes = ids.get(tree.yes)!;
    entry.no = ids.get(tree.no)!;
  }
  return { nodes };
}

/** A model.onnx holding one TreeEnsembleRegressor over the given trees. */
export function onnxTrees(trees: TestTree[], options: OnnxTreesOptions = {}): Uint8Array {
  const a: Record<string, number[]> = {};
  const modes: string[] = [];
  const cols = [
    'nodes_treeids',
    'nodes_nodeids',
    'nodes_featureids',
    'nodes_truenodeids',
    'nodes_falsenodeids',
    'nodes_missing_value_tracks_true',
    'target_treeids',
    'target_nodeids',
    'target_ids',
  ];
  for (const c of cols) a[c] = [];
  const values: number[] = [];
  const weights: number[] = [];
  const offset = options.nodeIdOffset ?? 0;
  trees.forEach((tree, t) => {
    for (const node of flatten(tree).nodes) {
      a.nodes_treeids!.push(t);
      a.nodes_nodeids!.push(node.id + offset);
      const leaf = 'leaf' in node.tree;
      a.nodes_featureids!.push(leaf ? 0 : (node.tree as { feature: number }).feature);
      values.push(leaf ? 0 : (node.tree as { threshold: number }).threshold);
      modes.push(leaf ? 'LEAF' : ((node.tree as { mode?: string }).mode ?? 'BRANCH_LT'));
      a.nodes_truenodeids!.push(leaf ? 0 : node.yes + offset);
      a.nodes_falsenodeids!.push(leaf ? 0 : node.no + offset);
      a.nodes_missing_value_tracks_true!.push(
        !leaf && (node.tree as { missingYes?: boolean }).missingYes ? 1 : 0,
      );
      if (leaf) {
        a.target_treeids!.push(t);
        a.target_nodeids!.push(node.id + offset);
        a.target_ids!.push(0);
        weights.push((node.tree as { leaf: number }).leaf);
      }
    }
  });
  const attrs: number[][] = [];
  const put = (name: string, kind: 'ints' | 'floats', list: number[]) => {
    const replaced = options.override && name in options.override ? options.override[name] : list;
    if (replaced === null || replaced === undefined) return;
    attrs.push(kind === 'ints' ? ints(name, replaced) : floats(name, replaced));
  };
  for (const c of cols) put(c, 'ints', a[c]!);
  put('nodes_values', 'floats', values);
  put('target_weights', 'floats', weights);
  put('base_values', 'floats', [options.base ?? 0]);
  attrs.push(
    strings('nodes_modes', modes),
    attribute('n_targets', (w) => w.tag(3, 0).varint(1)),
    text('post_transform', 'NONE'),
  );
  const node = new Writer()
    .string(1, 'features')
    .string(2, 'variable')
    .string(4, options.opType ?? 'TreeEnsembleRegressor')
    .string(7, 'ai.onnx.ml');
  for (const attr of attrs) node.bytesField(5, attr);
  const graph = new Writer().bytesField(1, node.bytes).string(2, 'g');
  const model = new Writer().tag(1, 0).varint(8).string(2, 'test').bytesField(7, graph.bytes);
  return new Uint8Array(model.bytes);
}

/** The covers sidecar XGBoost would write for these trees (breadth-first node ids, left = true branch). */
export function coversSidecar(trees: TestTree[]): TreeCovers {
  return {
    formatVersion: 1,
    source: 'xgboost',
    trees: trees.map((tree) => {
      const { nodes } = flatten(tree);
      return {
        left: nodes.map((n) => n.yes),
        right: nodes.map((n) => n.no),
        feature: nodes.map((n) => ('leaf' in n.tree ? 0 : n.tree.feature)),
        defaultLeft: nodes.map((n) => ('leaf' in n.tree ? 0 : n.tree.missingYes ? 1 : 0)),
        cover: nodes.map((n) => n.tree.cover),
      };
    }),
  };
}

const goes = (tree: Exclude<TestTree, { leaf: number }>, x: number) =>
  Number.isNaN(x) ? !!tree.missingYes : x < tree.threshold;

/** Algorithm 1 of Lundberg et al.: E[f(x) | x_S] with the features outside S integrated out by cover. */
function expectation(tree: TestTree, x: ArrayLike<number>, inS: (feature: number) => boolean): number {
  if ('leaf' in tree) return tree.leaf;
  if (inS(tree.feature)) return expectation(goes(tree, x[tree.feature]!) ? tree.yes : tree.no, x, inS);
  return (
    (expectation(tree.yes, x, inS) * tree.yes.cover + expectation(tree.no, x, inS) * tree.no.cover) /
    tree.cover
  );
}

/** Exact Shapley values by enumerating every coalition (2^features): the oracle for TreeSHAP. */
export function bruteForceShap(
  trees: TestTree[],
  x: ArrayLike<number>,
  features: number,
  base = 0,
): number[] {
  const v = (mask: number) =>
    trees.reduce((sum, tree) => sum + expectation(tree, x, (f) => ((mask >> f) & 1) === 1), base);
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const phi = new Array<number>(features + 1).fill(0);
  for (let mask = 0; mask < 1 << features; mask++) {
    let size = 0;
    for (let f = 0; f < features; f++) size += (mask >> f) & 1;
    const without = v(mask);
    for (let i = 0; i < features; i++) {
      if ((mask >> i) & 1) continue;
      const weight = (factorial(size) * factorial(features - size - 1)) / factorial(features);
      phi[i]! += weight * (v(mask | (1 << i)) - without);
    }
  }
  phi[features] = v(0);
  return phi;
}
