export { BatchJobShardEntity } from './batch-job-shard.entity';
export { BatchJobEntity } from './batch-job.entity';
export {
  BatchEvaluationEntity,
  type EvaluationSummary,
  type ErrorMetrics,
  type MonthlyFile,
} from './batch-evaluation.entity';
