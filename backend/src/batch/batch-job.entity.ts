import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs, nullableEpochMs } from '../database/epoch-ms';
import type { EvaluationCell } from '@housing/ml';
import type { JobStatus } from './batch.constants';

/** A job's accuracy: the evaluation cells of its rows with an actual price (the holdout's format). */
export interface BatchJobEvaluation {
  dateColumn: string | null;
  regionColumn: string | null;
  cells: EvaluationCell[];
}

/**
 * One batch prediction job. The row is the durable record (it outlives Redis); the BullMQ job with
 * the same id only carries it through the queue. `attemptId` fences attempts: every write by a worker
 * is conditional on it, so an attempt that lost the job (stalled, Redis restarted) cannot overwrite
 * the state of the attempt that took over.
 */
@Entity('batch_jobs')
@Index('IDX_batch_jobs_idempotency', ['apiKeyId', 'idempotencyKey'], { unique: true })
export class BatchJobEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('IDX_batch_jobs_status')
  @Column({ type: 'varchar', length: 20 })
  status: JobStatus;

  /** The API key that submitted the job (null for jobs made by the system). */
  @Column({ type: 'varchar', length: 36, nullable: true })
  apiKeyId: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  idempotencyKey: string | null;

  /** sha256 of the request the idempotency key was used with (file or input URI, model version asked for). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  requestFingerprint: string | null;

  /** Where the input was given (upload: the stored copy). */
  @Column({ type: 'varchar', length: 1000 })
  inputUri: string;

  /** The registered dataset scored (POST with datasetId), else null (an input URI). */
  @Column({ type: 'varchar', length: 36, nullable: true })
  datasetId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  datasetSha256: string | null;

  @Column({ type: 'varchar', length: 1000 })
  inputKey: string;

  /** Uploaded file name, when the input was uploaded. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  inputName: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: nullableEpochMs })
  inputBytes: number | null;

  @Column({ type: 'varchar', length: 36 })
  modelVersionId: string;

  @Column({ type: 'varchar', length: 200 })
  modelName: string;

  @Column({ type: 'integer' })
  modelVersion: number;

  @Column({ type: 'integer', default: 0 })
  rowsRead: number;

  @Column({ type: 'integer', default: 0 })
  rowsDone: number;

  @Column({ type: 'integer', default: 0 })
  rowsFailed: number;

  @Column({ type: 'bigint', default: 0, transformer: epochMs })
  bytesRead: number;

  /** Attempts started (a restart after a stall or a transient failure counts). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** Times the job was found stalled (its worker stopped renewing the lock) and handed to another worker. */
  @Column({ type: 'integer', default: 0 })
  stalledCount: number;

  @Column({ type: 'varchar', length: 36, nullable: true })
  attemptId: string | null;

  /** The worker running (or that last ran) the job: `<hostname>:<pid>`. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  workerId: string | null;

  /** Why the job failed, or why the last attempt did (while it is retried). */
  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  resultKey: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  errorsKey: string | null;

  /** Contributions listed in each result row's `explanation` column (0: no column). */
  @Column({ type: 'integer', default: 0 })
  explainTop: number;

  /** Actual vs predicted by (month, region) when the input had the target column (a completed job). */
  @Column({ type: 'simple-json', nullable: true })
  evaluation: BatchJobEvaluation | null;

  @Index('IDX_batch_jobs_created')
  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt: number;

  @Column({ type: 'bigint', nullable: true, transformer: nullableEpochMs })
  startedAt: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: nullableEpochMs })
  finishedAt: number | null;
}
