import { InputError } from '../errors';
import { ProtoReader, WireType, type Field } from './protobuf';

/**
 * Reads the tree ensemble out of a model.onnx holding one ai.onnx.ml TreeEnsembleRegressor (what onnxmltools
 * exports from XGBoost) into flat typed arrays, one slot per node, trees laid out one after another.
 */

/** Split rules of TreeEnsembleRegressor's nodes_modes. */
export enum SplitMode {
  Leaf = 0,
  LessOrEqual = 1,
  Less = 2,
  GreaterOrEqual = 3,
  Greater = 4,
  Equal = 5,
  NotEqual = 6,
}

const MODES: Record<string, SplitMode> = {
  LEAF: SplitMode.Leaf,
  BRANCH_LEQ: SplitMode.LessOrEqual,
  BRANCH_LT: SplitMode.Less,
  BRANCH_GTE: SplitMode.GreaterOrEqual,
  BRANCH_GT: SplitMode.Greater,
  BRANCH_EQ: SplitMode.Equal,
  BRANCH_NEQ: SplitMode.NotEqual,
};

export interface TreeEnsemble {
  /** Number of model inputs the splits may read (1 + the largest feature id). */
  featureCount: number;
  /** The constant added to the sum of the trees (XGBoost's base_score, in margin space). */
  baseValue: number;
  /** Global index of each tree's root; trees occupy [roots[t], roots[t + 1]) in the node arrays. */
  roots: Int32Array;
  mode: Uint8Array;
  feature: Int32Array;
  threshold: Float64Array;
  /** Global index of the child taken when the condition holds (the "true" branch). */
  yes: Int32Array;
  no: Int32Array;
  /** 1 when a missing (NaN) value takes the true branch. */
  missingYes: Uint8Array;
  /** Leaf output (sum of its target weights); 0 for split nodes. */
  value: Float64Array;
  /** Depth of the deepest leaf (the root is depth 0). */
  maxDepth: number;
}

/** Upper bounds on what a package's model may hold: the arrays below are allocated from these counts. */
export const ENSEMBLE_LIMITS = { nodes: 5_000_000, trees: 100_000, depth: 64, features: 100_000 };

interface RawAttributes {
  ints: Map<string, number[]>;
  floats: Map<string, number[]>;
  strings: Map<string, string[]>;
  int: Map<string, number>;
  string: Map<string, string>;
}

// Field numbers from onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const NODE_DOMAIN = 7;
const ATTR_NAME = 1;
const ATTR_I = 3;
const ATTR_S = 4;
const ATTR_T = 5;
const ATTR_FLOATS = 7;
const ATTR_INTS = 8;
const ATTR_STRINGS = 9;
const TENSOR_DATA_TYPE = 2;
const TENSOR_FLOAT_DATA = 4;
const TENSOR_RAW_DATA = 9;
const TENSOR_DOUBLE_DATA = 10;
const TENSOR_FLOAT = 1;
const TENSOR_DOUBLE = 11;

function readTensor(reader: ProtoReader, start: number, end: number): number[] {
  let dataType = 0;
  const values: number[] = [];
  let raw: Field | undefined;
  reader.fields(start, end, (f) => {
    if (f.number === TENSOR_DATA_TYPE) dataType = f.varint;
    else if (f.number === TENSOR_FLOAT_DATA) reader.pushFloats(f, values);
    else if (f.number === TENSOR_DOUBLE_DATA) reader.pushDoubles(f, values);
    else if (f.number === TENSOR_RAW_DATA) raw = { ...f };
  });
  if (raw) {
    const size = dataType === TENSOR_DOUBLE ? 8 : dataType === TENSOR_FLOAT ? 4 : 0;
    if (size === 0 || (raw.end - raw.start) % size !== 0)
      reader.fail(`tensor attribute of data type ${dataType}`);
    for (let p = raw.start; p < raw.end; p += size)
      values.push(size === 8 ? reader.float64At(p) : reader.float32At(p));
  } else if (dataType !== TENSOR_FLOAT && dataType !== TENSOR_DOUBLE) {
    reader.fail(`tensor attribute of data type ${dataType}`);
  }
  return values;
}

function readAttributes(reader: ProtoReader, start: number, end: number, into: RawAttributes): void {
  let name = '';
  const ints: number[] = [];
  const floats: number[] = [];
  const strings: string[] = [];
  let int: number | undefined;
  let text: string | undefined;
  reader.fields(start, end, (f) => {
    switch (f.number) {
      case ATTR_NAME:
        name = reader.string(f);
        break;
      case ATTR_I:
        int = f.varint;
        break;
      case ATTR_S:
        text = reader.string(f);
        break;
      case ATTR_T:
        if (f.wireType !== WireType.Bytes) reader.fail('tensor attribute is not a message');
        floats.push(...readTensor(reader, f.start, f.end));
        break;
      case ATTR_FLOATS:
        reader.pushFloats(f, floats);
        break;
      case ATTR_INTS:
        reader.pushVarints(f, ints);
        break;
      case ATTR_STRINGS:
        strings.push(reader.string(f));
        break;
    }
  });
  // A *_as_tensor attribute carries the same values as its float-list twin, in double precision.
  const key = name.replace(/_as_tensor$/, '');
  if (ints.length) into.ints.set(key, ints);
  if (floats.length || name.endsWith('_as_tensor')) into.floats.set(key, floats);
  if (strings.length) into.strings.set(key, strings);
  if (int !== undefined) into.int.set(key, int);
  if (text !== undefined) into.string.set(key, text);
}

/** The attributes of every TreeEnsembleRegressor node of the model. */
function findEnsembleNodes(model: Uint8Array): RawAttributes[] {
  const reader = new ProtoReader(model, 'model.onnx');
  const found: RawAttributes[] = [];
  const otherOps: string[] = [];
  reader.fields(0, model.length, (g) => {
    if (g.number !== MODEL_GRAPH || g.wireType !== WireType.Bytes) return;
    reader.fields(g.start, g.end, (n) => {
      if (n.number !== GRAPH_NODE || n.wireType !== WireType.Bytes) return;
      let opType = '';
      let domain = '';
      const attributes: [number, number][] = [];
      reader.fields(n.start, n.end, (f) => {
        if (f.number === NODE_OP_TYPE) opType = reader.string(f);
        else if (f.number === NODE_DOMAIN) domain = reader.string(f);
        else if (f.number === NODE_ATTRIBUTE && f.wireType === WireType.Bytes)
          attributes.push([f.start, f.end]);
      });
      if (opType !== 'TreeEnsembleRegressor' || domain !== 'ai.onnx.ml') {
        otherOps.push(domain ? `${domain}.${opType}` : opType);
        return;
      }
      const attrs: RawAttributes = {
        ints: new Map(),
        floats: new Map(),
        strings: new Map(),
        int: new Map(),
        string: new Map(),
      };
      for (const [start, end] of attributes) readAttributes(reader, start, end, attrs);
      found.push(attrs);
    });
  });
  if (found.length !== 1) {
    throw new InputError(
      `model.onnx must hold exactly one ai.onnx.ml TreeEnsembleRegressor to be explained; found ${found.length}` +
        (otherOps.length ? ` (other operators: ${[...new Set(otherOps)].slice(0, 5).join(', ')})` : ''),
    );
  }
  return found;
}

function list<T>(map: Map<string, T[]>, name: string, length?: number): T[] {
  const values = map.get(name);
  if (!values) throw new InputError(`model.onnx: TreeEnsembleRegressor has no ${name}`);
  if (length !== undefined && values.length !== length) {
    throw new InputError(
      `model.onnx: TreeEnsembleRegressor ${name} has ${values.length} entries, expected ${length}`,
    );
  }
  return values;
}

/** Parses model.onnx's tree ensemble; throws an InputError naming what is malformed or unsupported. */
export function readTreeEnsemble(model: Uint8Array): TreeEnsemble {
  const [attrs] = findEnsembleNodes(model) as [RawAttributes];
  const fail = (detail: string): never => {
    throw new InputError(`model.onnx: TreeEnsembleRegressor ${detail}`);
  };
  const aggregate = attrs.string.get('aggregate_function') ?? 'SUM';
  const post = attrs.string.get('post_transform') ?? 'NONE';
  if (aggregate !== 'SUM' || post !== 'NONE')
    fail(`aggregates by ${aggregate} with post_transform ${post}; only SUM/NONE is additive`);
  if ((attrs.int.get('n_targets') ?? 1) !== 1)
    fail(`has ${attrs.int.get('n_targets')} targets; one is supported`);

  const treeIds = list(attrs.ints, 'nodes_treeids');
  const n = treeIds.length;
  if (n === 0 || n > ENSEMBLE_LIMITS.nodes) fail(`has ${n} nodes (limit ${ENSEMBLE_LIMITS.nodes})`);
  const nodeIds = list(attrs.ints, 'nodes_nodeids', n);
  const featureIds = list(attrs.ints, 'nodes_featureids', n);
  const values = list(attrs.floats, 'nodes_values', n);
  const modes = list(attrs.strings, 'nodes_modes', n);
  const trueIds = list(attrs.ints, 'nodes_truenodeids', n);
  const falseIds = list(attrs.ints, 'nodes_falsenodeids', n);
  const missing = attrs.ints.get('nodes_missing_value_tracks_true') ?? new Array<number>(n).fill(0);
  if (missing.length !== n)
    fail(`nodes_missing_value_tracks_true has ${missing.length} entries, expected ${n}`);
  const targetTrees = list(attrs.ints, 'target_treeids');
  const targetNodes = list(attrs.ints, 'target_nodeids', targetTrees.length);
  const targetIds = list(attrs.ints, 'target_ids', targetTrees.length);
  const targetWeights = list(attrs.floats, 'target_weights', targetTrees.length);
  const base = attrs.floats.get('base_values') ?? [];
  if (base.length > 1) fail(`has ${base.length} base values; one target is supported`);

  // Group the nodes by tree, then index them by node id.
  const treeOrder = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    let nodes = treeOrder.get(treeIds[i]!);
    if (!nodes) {
      if (treeOrder.size >= ENSEMBLE_LIMITS.trees) fail(`has more than ${ENSEMBLE_LIMITS.trees} trees`);
      treeOrder.set(treeIds[i]!, (nodes = []));
    }
    nodes.push(i);
  }
  const ensemble: TreeEnsemble = {
    featureCount: 0,
    baseValue: base[0] ?? 0,
    roots: new Int32Array(treeOrder.size + 1),
    mode: new Uint8Array(n),
    feature: new Int32Array(n).fill(-1),
    threshold: new Float64Array(n),
    yes: new Int32Array(n).fill(-1),
    no: new Int32Array(n).fill(-1),
    missingYes: new Uint8Array(n),
    value: new Float64Array(n),
    maxDepth: 0,
  };
  const globalIndex = new Map<number, Map<number, number>>();
  let next = 0;
  let t = 0;
  // Trees in tree-id order: the booster's order, which the covers sidecar follows.
  for (const [treeId, nodes] of [...treeOrder].sort((a, b) => a[0] - b[0])) {
    const local = new Map<number, number>();
    // Lay each tree out in depth-first order from its root so a tree is one contiguous, forward range.
    const childOf = new Set<number>();
    const byId = new Map<number, number>();
    for (const i of nodes) {
      if (byId.has(nodeIds[i]!)) fail(`tree ${treeId} lists node ${nodeIds[i]} twice`);
      byId.set(nodeIds[i]!, i);
    }
    for (const i of nodes) {
      if (modes[i] === 'LEAF') continue;
      for (const child of [trueIds[i]!, falseIds[i]!]) {
        if (!byId.has(child)) fail(`tree ${treeId} node ${nodeIds[i]} points to missing node ${child}`);
        childOf.add(child);
      }
    }
    const roots = nodes.filter((i) => !childOf.has(nodeIds[i]!));
    if (roots.length !== 1) fail(`tree ${treeId} has ${roots.length} root nodes`);
    ensemble.roots[t++] = next;
    const stack: [number, number][] = [[roots[0]!, 0]];
    const order: number[] = [];
    while (stack.length) {
      const [i, depth] = stack.pop()!;
      if (local.has(nodeIds[i]!)) fail(`tree ${treeId} reaches node ${nodeIds[i]} twice (not a tree)`);
      if (depth > ENSEMBLE_LIMITS.depth) fail(`tree ${treeId} is deeper than ${ENSEMBLE_LIMITS.depth}`);
      local.set(nodeIds[i]!, next++);
      order.push(i);
      ensemble.maxDepth = Math.max(ensemble.maxDepth, depth);
      if (modes[i] === 'LEAF') continue;
      for (const child of [falseIds[i]!, trueIds[i]!]) stack.push([byId.get(child)!, depth + 1]);
    }
    if (order.length !== nodes.length)
      fail(`tree ${treeId} has ${nodes.length - order.length} nodes unreachable from its root`);
    for (const i of order) {
      const g = local.get(nodeIds[i]!)!;
      const mode = MODES[modes[i]!];
      if (mode === undefined) fail(`tree ${treeId} node ${nodeIds[i]} has unknown mode ${modes[i]}`);
      ensemble.mode[g] = mode!;
      if (mode === SplitMode.Leaf) continue;
      const feature = featureIds[i]!;
      if (!(feature >= 0 && feature < ENSEMBLE_LIMITS.features))
        fail(`tree ${treeId} splits on feature ${feature}`);
      ensemble.feature[g] = feature;
      ensemble.featureCount = Math.max(ensemble.featureCount, feature + 1);
      ensemble.threshold[g] = values[i]!;
      ensemble.yes[g] = local.get(trueIds[i]!)!;
      ensemble.no[g] = local.get(falseIds[i]!)!;
      ensemble.missingYes[g] = missing[i] ? 1 : 0;
    }
    globalIndex.set(treeId, local);
  }
  ensemble.roots[t] = next;

  for (let k = 0; k < targetTrees.length; k++) {
    const g = globalIndex.get(targetTrees[k]!)?.get(targetNodes[k]!);
    if (g === undefined)
      fail(`target weight ${k} points to missing node ${targetTrees[k]}/${targetNodes[k]}`);
    if (targetIds[k] !== 0) fail(`target weight ${k} is for target ${targetIds[k]}; one target is supported`);
    if (ensemble.mode[g!] !== SplitMode.Leaf) fail(`target weight ${k} is on a split node`);
    ensemble.value[g!] += targetWeights[k]!;
  }
  return ensemble;
}

/** True when value `x` of the split's feature takes the node's true branch (ONNX Runtime's semantics). */
export function goesYes(e: TreeEnsemble, node: number, x: number): boolean {
  if (Number.isNaN(x)) {
    // NaN compares false everywhere (true only for NEQ) unless missing values are routed to the true branch.
    return e.missingYes[node] === 1 || e.mode[node] === SplitMode.NotEqual;
  }
  const t = e.threshold[node]!;
  switch (e.mode[node]) {
    case SplitMode.LessOrEqual:
      return x <= t;
    case SplitMode.Less:
      return x < t;
    case SplitMode.GreaterOrEqual:
      return x >= t;
    case SplitMode.Greater:
      return x > t;
    case SplitMode.Equal:
      return x === t;
    default:
      return x !== t;
  }
}

/** The ensemble's output for one input row (margin space): base value plus the leaf of every tree. */
export function predictMargin(e: TreeEnsemble, x: ArrayLike<number>, offset = 0): number {
  let sum = e.baseValue;
  for (let t = 0; t + 1 < e.roots.length; t++) {
    let node = e.roots[t]!;
    while (e.mode[node] !== SplitMode.Leaf) {
      node = goesYes(e, node, x[offset + e.feature[node]!]!) ? e.yes[node]! : e.no[node]!;
    }
    sum += e.value[node]!;
  }
  return sum;
}
