/** The BullMQ queue every batch job goes through (API producers, worker consumers). */
export const BATCH_QUEUE = 'batch-predictions';

/** Job names on the queue. */
export const PREDICT_JOB = 'predict';
/** A byte range of a large predict job's input, a BullMQ child of the job. */
export const SHARD_JOB = 'predict-shard';
/** A batch evaluation (the monthly batch): BATCH_MONTHLY_CRON or POST /v1/batch-evaluations. */
export const EVALUATION_JOB = 'batch-evaluation';
/** @deprecated The batch evaluation's job name before it was renamed; jobs queued under it still run. */
export const MONTHLY_JOB = 'monthly';

/** Id of the job scheduler that runs the batch evaluation (BATCH_MONTHLY_CRON). */
export const MONTHLY_SCHEDULER_ID = 'monthly-evaluation';

export {
  JOB_STATUSES,
  FINISHED_STATUSES,
  UNFINISHED_STATUSES,
  type JobStatus,
} from '../../jobs/job-lifecycle';

/** Data of a queued predict job: everything else lives on its database row. */
export interface PredictJobData {
  kind: 'predict';
  jobId: string;
  /** Set once the job was split: the attempt that split it (and assembles the shards) and the input's header. */
  assemble?: { attemptId: string; headerEnd: number; headerLines: number };
}

/** Data of a shard of a predict job (its row: batch_job_shards). */
export interface ShardJobData {
  kind: 'shard';
  jobId: string;
  shardId: string;
  /** The job's attempt that made the shard. */
  jobAttemptId: string;
  /** Bytes of the input's header record, read before the shard's range (every shard but the first). */
  headerEnd: number;
  /** Added to the line numbers the reader gives the shard (the header prepended) to get the input's. */
  lineOffset: number;
}

/**
 * Data of a batch evaluation: `evaluationId` when its row exists (made through the API), absent from
 * the scheduler. Jobs queued before the rename carry `kind: 'monthly'` and `runId`.
 */
export interface EvaluationJobData {
  kind: 'evaluation' | 'monthly';
  evaluationId?: string;
  /** @deprecated `evaluationId` of jobs queued before the rename. */
  runId?: string;
  inputUri: string;
}

export type BatchJobData = PredictJobData | ShardJobData | EvaluationJobData;

/** Artifact keys of a job's files. Attempts write under their own prefix and are moved into place when complete. */
export const batchKeys = {
  input: (jobId: string) => `batch/${jobId}/input.csv`,
  attempt: (jobId: string, attemptId: string) => `batch/${jobId}/attempts/${attemptId}`,
  attempts: (jobId: string) => `batch/${jobId}/attempts/`,
  result: (jobId: string) => `batch/${jobId}/result.csv`,
  errors: (jobId: string) => `batch/${jobId}/errors.csv`,
  /** A shard's published parts: `result.csv` and `errors.csv` under it. */
  shard: (jobId: string, position: number) => `batch/${jobId}/shards/${position}`,
  shards: (jobId: string) => `batch/${jobId}/shards/`,
  evaluation: (evaluationId: string) => `batch/evaluations/${evaluationId}`,
  evaluationFile: (evaluationId: string, month: string) => `batch/evaluations/${evaluationId}/${month}.csv`,
  evaluationErrors: (evaluationId: string) => `batch/evaluations/${evaluationId}/errors.csv`,
  /** @deprecated Where evaluations made before the rename keep their errors file (files keep their stored keys). */
  monthlyErrors: (evaluationId: string) => `batch/monthly/${evaluationId}/errors.csv`,
};
