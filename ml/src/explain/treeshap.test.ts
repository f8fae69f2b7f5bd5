import { coversFromRows, coversFromSidecar } from './covers';
import { FastTreeExplainer } from './fast-treeshap';
import { predictMargin, readTreeEnsemble, type TreeEnsemble } from './onnx-trees';
import { TreeExplainer } from './treeshap';
import { bruteForceShap, coversSidecar, onnxTrees, type TestTree } from '../test-support/onnx-trees';
import { testRandom } from '../test-support/streams';

type Engine = (
  ensemble: TreeEnsemble,
  cover: Float64Array,
  featureCount: number,
) => TreeExplainer | FastTreeExplainer;

/** Algorithm 2 (the reference) and the closed form per leaf (what PackageExplainer uses). */
const ENGINES: [string, Engine][] = [
  ['Algorithm 2', (e, c, w) => new TreeExplainer(e, c, w)],
  ['closed form per leaf, leaf tables', (e, c, w) => new FastTreeExplainer(e, c, w)],
  ['closed form per leaf, computed per record', (e, c, w) => new FastTreeExplainer(e, c, w, 0)],
];

const sum = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0);

/**
 * x0 < 0.5 (cover 10) → [x1 < 0.5 (cover 4) → leaf 1 (cover 1) | leaf 3 (cover 3)] | leaf 5 (cover 6).
 * E[f] = (1·1 + 3·3 + 5·6) / 10 = 4. For x = (0, 0): v({}) = 4, v({0}) = (1·1 + 3·3)/4 = 2.5,
 * v({1}) = 0.4·1 + 0.6·5 = 3.4, v({0,1}) = 1, so φ0 = ½[(2.5 − 4) + (1 − 3.4)] = −1.95 and
 * φ1 = ½[(3.4 − 4) + (1 − 2.5)] = −1.05.
 */
const HAND_TREE: TestTree = {
  feature: 0,
  threshold: 0.5,
  cover: 10,
  missingYes: true,
  yes: { feature: 1, threshold: 0.5, cover: 4, yes: { leaf: 1, cover: 1 }, no: { leaf: 3, cover: 3 } },
  no: { leaf: 5, cover: 6 },
};

describe.each(ENGINES)('path-dependent TreeSHAP: %s', (_name, engine) => {
  function explainerFor(trees: TestTree[], featureCount: number, base = 0) {
    const ensemble = readTreeEnsemble(onnxTrees(trees, { base }));
    return {
      ensemble,
      explainer: engine(ensemble, coversFromSidecar(ensemble, coversSidecar(trees)), featureCount),
    };
  }

  it('reproduces a hand-computed two-feature tree', () => {
    const { explainer } = explainerFor([HAND_TREE], 2, 0.5);
    const phi = explainer.contributions(new Float32Array([0, 0]));
    expect(phi[0]).toBeCloseTo(-1.95, 12);
    expect(phi[1]).toBeCloseTo(-1.05, 12);
    expect(phi[2]).toBeCloseTo(4.5, 12);
    expect(explainer.expectedValue).toBeCloseTo(4.5, 12);
  });

  it('sends a missing value down the default branch (here the true one, as x0 = 0 would go)', () => {
    const { explainer } = explainerFor([HAND_TREE], 2);
    const missing = Array.from(explainer.contributions([NaN, 0]));
    expect(missing).toEqual(Array.from(explainer.contributions([0, 0])));
    // x1 missing follows x1's default branch: the false one (leaf 3), like x1 = 0.7.
    const missing1 = Array.from(explainer.contributions([0, NaN]));
    expect(missing1).toEqual(Array.from(explainer.contributions([0, 0.7])));
    // Hand values for x = (0, 0.7): v({0,1}) = 3, v({1}) = 0.4·3 + 0.6·5 = 4.2, φ0 = ½[(2.5−4)+(3−4.2)], φ1 = ½[(4.2−4)+(3−2.5)].
    expect(missing1[0]).toBeCloseTo(-1.35, 12);
    expect(missing1[1]).toBeCloseTo(0.35, 12);
  });

  it('gives an unused feature exactly zero and credits a feature split twice on one path once', () => {
    const twice: TestTree = {
      feature: 0,
      threshold: 0,
      cover: 8,
      yes: { feature: 0, threshold: -1, cover: 5, yes: { leaf: -2, cover: 2 }, no: { leaf: 1, cover: 3 } },
      no: { feature: 2, threshold: 3, cover: 3, yes: { leaf: 4, cover: 1 }, no: { leaf: 0.5, cover: 2 } },
    };
    const { explainer } = explainerFor([twice], 3);
    for (const x of [
      [-2, 9, 1],
      [-0.5, 9, 5],
      [1, 9, NaN],
    ]) {
      const phi = explainer.contributions(x);
      expect(phi[1]).toBe(0);
      Array.from(phi).forEach((p, i) => expect(p).toBeCloseTo(bruteForceShap([twice], x, 3)[i]!, 12));
    }
  });

  it('equals brute-force Shapley values of the cover-weighted expectation on random ensembles', () => {
    const random = testRandom(12);
    const features = 5;
    const grow = (depth: number, cover: number): TestTree => {
      // Values ONNX stores exactly (float32), so the oracle and the engine see the same trees.
      if (depth === 0 || cover < 2 || random() < 0.15) return { leaf: Math.fround(random() * 4 - 2), cover };
      const left = 1 + Math.floor(random() * (cover - 1));
      return {
        feature: Math.floor(random() * features),
        threshold: Math.fround(random()),
        cover,
        missingYes: random() < 0.5,
        yes: grow(depth - 1, left),
        no: grow(depth - 1, cover - left),
      };
    };
    for (let round = 0; round < 8; round++) {
      const trees = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
        grow(2 + Math.floor(random() * 5), 200),
      );
      const base = Math.fround(random());
      const { ensemble, explainer } = explainerFor(trees, features, base);
      for (let r = 0; r < 10; r++) {
        const x = Float32Array.from({ length: features }, () => (random() < 0.2 ? NaN : random()));
        const phi = explainer.contributions(x);
        const expected = bruteForceShap(trees, x, features, base);
        for (let i = 0; i <= features; i++) expect(Math.abs(phi[i]! - expected[i]!)).toBeLessThan(1e-9);
        expect(Math.abs(sum(phi) - predictMargin(ensemble, x))).toBeLessThan(1e-9);
      }
    }
  });

  it('reuses its buffers: a second record does not inherit the first one’s values', () => {
    const { explainer } = explainerFor([HAND_TREE], 2);
    const out = new Float64Array(3);
    explainer.contributions([1, 1], 0, out);
    const again = explainer.contributions([0, 0], 0, out);
    expect(again).toBe(out);
    expect(again[0]).toBeCloseTo(-1.95, 12);
    // Rows of a matrix are read at their offset.
    const matrix = new Float32Array([9, 9, 0, 0]);
    expect(explainer.contributions(matrix, 2)[0]).toBeCloseTo(-1.95, 12);
    expect(() => explainer.contributions([0, 0], 0, new Float64Array(2))).toThrow(RangeError);
  });
});

describe('TreeExplainer set-up', () => {
  it('refuses covers that cannot weight a split and models wider than the inputs', () => {
    const ensemble = readTreeEnsemble(onnxTrees([HAND_TREE]));
    const zero = coversFromSidecar(ensemble, coversSidecar([HAND_TREE]));
    zero[0] = 0;
    expect(() => new TreeExplainer(ensemble, zero, 2)).toThrow(/split node 0 has cover 0/);
    expect(() => new TreeExplainer(ensemble, zero.subarray(1), 2)).toThrow(/values for 5 nodes/);
    expect(
      () => new TreeExplainer(ensemble, coversFromSidecar(ensemble, coversSidecar([HAND_TREE])), 1),
    ).toThrow(/splits on feature 1 but the model has 1 inputs/);
  });

  it('closed form: handles zero covers, and leaves a path of more than 30 unique features to Algorithm 2', () => {
    const zeroCover: TestTree = {
      ...HAND_TREE,
      yes: { ...HAND_TREE.yes, yes: { leaf: 1, cover: 0 }, no: { leaf: 3, cover: 4 } } as TestTree,
    };
    const zeroTrees = [HAND_TREE, zeroCover];
    const zeroEnsemble = readTreeEnsemble(onnxTrees(zeroTrees));
    const zero = new FastTreeExplainer(
      zeroEnsemble,
      coversFromSidecar(zeroEnsemble, coversSidecar(zeroTrees)),
      2,
    );
    expect([zero.closedFormTrees, zero.fallbackTrees]).toEqual([2, 0]);
    for (const x of [
      [0, 0],
      [NaN, 0.7],
      [1, NaN],
    ]) {
      const expected = bruteForceShap(zeroTrees, x, 2);
      Array.from(zero.contributions(x)).forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 12));
    }
    // A chain splitting on features 0..31 in turn: its deepest path has 32 unique features.
    const chain = (f: number, cover: number): TestTree =>
      f === 32
        ? { leaf: f / 10, cover }
        : { feature: f, threshold: 0.5, cover, yes: { leaf: -f / 7, cover: 1 }, no: chain(f + 1, cover - 1) };
    const trees = [HAND_TREE, chain(0, 100)];
    const ensemble = readTreeEnsemble(onnxTrees(trees));
    const cover = coversFromSidecar(ensemble, coversSidecar(trees));
    const fast = new FastTreeExplainer(ensemble, cover, 32);
    expect([fast.closedFormTrees, fast.fallbackTrees]).toEqual([1, 1]);
    const reference = new TreeExplainer(ensemble, cover, 32);
    for (const value of [0, 1, NaN]) {
      const x = Float32Array.from({ length: 32 }, (_, i) => (i % 3 === 0 ? value : 1 - i / 40));
      const expected = reference.contributions(x);
      Array.from(fast.contributions(x)).forEach((p, i) => expect(p).toBeCloseTo(expected[i]!, 12));
    }
  });

  it('recomputes covers from rows: the count of rows reaching each node', () => {
    const ensemble = readTreeEnsemble(onnxTrees([HAND_TREE]));
    // 10 rows: 1 to leaf 1 (through a missing x0), 3 to leaf 3 (one through a missing x1), 6 to leaf 5.
    const rows = [
      [NaN, 0],
      [0, 1],
      [0, 1],
      [0, NaN],
      [1, 0],
      [1, 0],
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
    ];
    const covers = coversFromRows(ensemble, rows.flat(), rows.length, 2);
    expect(Array.from(covers)).toEqual(Array.from(coversFromSidecar(ensemble, coversSidecar([HAND_TREE]))));
  });
});
