// The month and region readers live in @housing/ml (score/row-labels.ts) so that they read scoreCsv's
// ScoredRow as well as plain records; this module keeps its imports working.
export { UNDATED_MONTH, monthReader, regionReader } from '@housing/ml';
