/** The BullMQ queue every batch job goes through (API producers, worker consumers). */
export const BATCH_QUEUE = 'batch-predictions';

/** Job names on the queue. */
export const PREDICT_JOB = 'predict';
export const MONTHLY_JOB = 'monthly';

/** Id of the job scheduler that runs the monthly batch (BATCH_MONTHLY_CRON). */
export const MONTHLY_SCHEDULER_ID = 'monthly-evaluation';

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINISHED_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];
export const UNFINISHED_STATUSES: readonly JobStatus[] = ['queued', 'running'];

/** Data of a queued predict job: everything else lives on its database row. */
export interface PredictJobData {
  kind: 'predict';
  jobId: string;
}

/** Data of a monthly run: `runId` when triggered through the API (its row exists), absent from the scheduler. */
export interface MonthlyJobData {
  kind: 'monthly';
  runId?: string;
  inputUri: string;
}

export type BatchJobData = PredictJobData | MonthlyJobData;

/** Artifact keys of a job's files. Attempts write under their own prefix and are moved into place when complete. */
export const batchKeys = {
  input: (jobId: string) => `batch/${jobId}/input.csv`,
  attempt: (jobId: string, attemptId: string) => `batch/${jobId}/attempts/${attemptId}`,
  attempts: (jobId: string) => `batch/${jobId}/attempts/`,
  result: (jobId: string) => `batch/${jobId}/result.csv`,
  errors: (jobId: string) => `batch/${jobId}/errors.csv`,
  monthlyRun: (runId: string) => `batch/monthly/${runId}`,
  monthly: (runId: string, month: string) => `batch/monthly/${runId}/${month}.csv`,
  monthlyErrors: (runId: string) => `batch/monthly/${runId}/errors.csv`,
};
