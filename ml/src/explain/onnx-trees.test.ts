import { InputError } from '../errors';
import { coversFromSidecar, parseTreeCovers } from './covers';
import { predictMargin, readTreeEnsemble, SplitMode } from './onnx-trees';
import { ProtoReader } from './protobuf';
import { coversSidecar, onnxTrees, type TestTree } from '../test-support/onnx-trees';

const STUMP: TestTree = {
  feature: 2,
  threshold: 1.5,
  cover: 4,
  missingYes: true,
  yes: { leaf: -1, cover: 1 },
  no: { leaf: 2, cover: 3 },
};
const DEEP: TestTree = {
  feature: 0,
  threshold: 0.25,
  cover: 9,
  yes: { feature: 1, threshold: -3, cover: 5, yes: { leaf: 0.5, cover: 2 }, no: { leaf: 0.75, cover: 3 } },
  no: { leaf: -0.125, cover: 4 },
};

describe('ProtoReader', () => {
  it('reads varints up to 2^53 and negative int64 values', () => {
    // 300 = ac 02; 2^53 - 1 = ff ff ff ff ff ff ff 0f; -2 = fe ff ff ff ff ff ff ff ff 01
    const bytes = new Uint8Array([
      0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff, 0xff, 0x01,
    ]);
    const reader = new ProtoReader(bytes);
    expect(reader.varint(0, bytes.length)).toEqual([300, 2]);
    expect(reader.varint(2, bytes.length)).toEqual([2 ** 53 - 1, 10]);
    expect(reader.varint(10, bytes.length)).toEqual([-2, 20]);
  });

  it('refuses truncated, overlong and overrunning input with an InputError', () => {
    const r = (bytes: number[]) => () =>
      new ProtoReader(new Uint8Array(bytes), 'x').fields(0, bytes.length, () => undefined);
    expect(r([0x08])).toThrow(/truncated varint/);
    expect(r([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).toThrow(
      /longer than 10 bytes/,
    );
    expect(r([0x12, 0x05, 0x01])).toThrow(/runs past the end/);
    expect(r([0x0b])).toThrow(/unsupported wire type 3/);
    expect(r([0x00])).toThrow(/field number 0/);
    expect(r([0x15, 0x01, 0x02])).toThrow(InputError);
  });
});

describe('readTreeEnsemble', () => {
  it('reads trees, splits, missing directions, leaves and the base value', () => {
    const e = readTreeEnsemble(onnxTrees([STUMP, DEEP], { base: 0.5 }));
    expect(Array.from(e.roots)).toEqual([0, 3, 8]);
    expect(e.featureCount).toBe(3);
    expect(e.maxDepth).toBe(2);
    expect(e.baseValue).toBe(0.5);
    expect(e.mode[0]).toBe(SplitMode.Less);
    expect(e.feature[0]).toBe(2);
    expect(e.threshold[0]).toBe(1.5);
    expect(e.missingYes[0]).toBe(1);
    expect(e.value[e.yes[0]!]).toBe(-1);
    expect(e.value[e.no[0]!]).toBe(2);
    // Missing x2 goes to the true branch (−1); x0 = 0.1 and x1 = −5 reach leaf 0.5.
    expect(predictMargin(e, [0.1, -5, NaN])).toBe(0.5 - 1 + 0.5);
    expect(predictMargin(e, [1, -5, 2])).toBe(0.5 + 2 - 0.125);
  });

  it('maps node ids that are not 0-based and follows every split mode as ONNX Runtime does', () => {
    const modes: [string, number, boolean][] = [
      ['BRANCH_LEQ', 1.5, true],
      ['BRANCH_LT', 1.5, false],
      ['BRANCH_GTE', 1.5, true],
      ['BRANCH_GT', 1.5, false],
      ['BRANCH_EQ', 1.5, true],
      ['BRANCH_NEQ', 1.5, false],
      ['BRANCH_NEQ', NaN, true],
      ['BRANCH_EQ', NaN, false],
    ];
    for (const [mode, x, yes] of modes) {
      const e = readTreeEnsemble(
        onnxTrees([{ ...STUMP, missingYes: false, mode } as TestTree], { nodeIdOffset: 7 }),
      );
      expect([mode, x, predictMargin(e, [0, 0, x])]).toEqual([mode, x, yes ? -1 : 2]);
    }
  });

  it('refuses models it cannot explain, naming the problem', () => {
    const bad =
      (options: Parameters<typeof onnxTrees>[1], trees = [STUMP]) =>
      () =>
        readTreeEnsemble(onnxTrees(trees, options));
    expect(bad({ opType: 'TreeEnsembleClassifier' })).toThrow(
      /exactly one ai.onnx.ml TreeEnsembleRegressor.*found 0.*TreeEnsembleClassifier/,
    );
    expect(bad({ override: { nodes_falsenodeids: null } })).toThrow(/has no nodes_falsenodeids/);
    expect(bad({ override: { nodes_featureids: [2] } })).toThrow(
      /nodes_featureids has 1 entries, expected 3/,
    );
    expect(bad({ override: { nodes_truenodeids: [5, 0, 0] } })).toThrow(/points to missing node 5/);
    expect(bad({ override: { nodes_truenodeids: [0, 0, 0] } })).toThrow(
      /tree 0 has 2 nodes unreachable from its root/,
    );
    expect(bad({ override: { nodes_truenodeids: [1, 2, 0, 0, 0] } }, [DEEP])).toThrow(
      /tree 0 has 2 root nodes/,
    );
    expect(bad({ override: { nodes_featureids: [-4, 0, 0] } })).toThrow(/splits on feature -4/);
    expect(bad({ override: { target_ids: [0, 1] } })).toThrow(/for target 1/);
    expect(bad({ override: { target_nodeids: [0, 2] } })).toThrow(/target weight 0 is on a split node/);
    expect(bad({ override: { base_values: [1, 2] } })).toThrow(/2 base values/);
    expect(() => readTreeEnsemble(new Uint8Array([0x3a, 0x10, 0x01]))).toThrow(InputError);
    expect(() => readTreeEnsemble(new Uint8Array([1, 2, 3, 4, 5]))).toThrow(InputError);
  });
});

describe('coversFromSidecar', () => {
  const ensemble = readTreeEnsemble(onnxTrees([STUMP, DEEP]));
  const sidecar = coversSidecar([STUMP, DEEP]);

  it('places each XGBoost cover on its ONNX node', () => {
    const cover = coversFromSidecar(ensemble, sidecar);
    expect(cover[0]).toBe(4);
    expect(cover[ensemble.yes[0]!]).toBe(1);
    expect(cover[ensemble.no[0]!]).toBe(3);
    const root = ensemble.roots[1]!;
    expect(cover[root]).toBe(9);
    expect(cover[ensemble.yes[ensemble.yes[root]!]!]).toBe(2);
  });

  it('refuses a sidecar of another model', () => {
    const other = structuredClone(sidecar);
    other.trees[1]!.feature[0] = 1;
    expect(() => coversFromSidecar(ensemble, other)).toThrow(/tree 1: node 0 splits on feature 1, ONNX on 0/);
    const flipped = structuredClone(sidecar);
    flipped.trees[0]!.defaultLeft![0] = 0;
    expect(() => coversFromSidecar(ensemble, flipped)).toThrow(
      /tree 0: node 0 sends missing values the other way/,
    );
    expect(() => coversFromSidecar(ensemble, { ...sidecar, trees: sidecar.trees.slice(1) })).toThrow(
      /describes 1 trees, model.onnx has 2/,
    );
    const swapped = structuredClone(sidecar);
    [swapped.trees[1]!.left[0], swapped.trees[1]!.right[0]] = [
      swapped.trees[1]!.right[0]!,
      swapped.trees[1]!.left[0]!,
    ];
    expect(() => coversFromSidecar(ensemble, swapped)).toThrow(
      /tree 1: node (1|2) is a (leaf|split) in one and not the other/,
    );
    const cycle = structuredClone(sidecar);
    cycle.trees[0]!.left[0] = 0;
    expect(() => coversFromSidecar(ensemble, cycle)).toThrow(/tree 0/);
  });

  it('validates the sidecar’s schema', () => {
    expect(() => parseTreeCovers({ formatVersion: 2, source: 'xgboost', trees: [] })).toThrow(
      /formatVersion/,
    );
    expect(() =>
      parseTreeCovers({ ...sidecar, trees: [{ ...sidecar.trees[0], cover: [-1, 1, 1] }] }),
    ).toThrow(/trees.0.cover.0/);
    expect(parseTreeCovers(JSON.parse(JSON.stringify(sidecar)))).toEqual(sidecar);
  });
});
