export { readTreeEnsemble, predictMargin, ENSEMBLE_LIMITS, type TreeEnsemble } from './onnx-trees';
export {
  coversFromSidecar,
  coversFromRows,
  parseTreeCovers,
  TREE_COVERS_FILE,
  TREE_COVERS_FORMAT_VERSION,
  type TreeCovers,
} from './covers';
export { TreeExplainer } from './treeshap';
export { FastTreeExplainer } from './fast-treeshap';
export {
  featureSources,
  groupBy,
  priceScale,
  sourceByIndex,
  topContributions,
  type GroupContribution,
  type SourceOf,
} from './group';
export {
  PackageExplainer,
  type ColumnContribution,
  type Explanation,
  type FeatureContribution,
} from './explainer';
export {
  summariseExplanation,
  formatTopContributions,
  type ExplanationSummary,
  type ColumnContributionSummary,
} from './summary';
