import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { nullableEpochMs } from '../../database/epoch-ms';
import { JobLifecycleColumns } from '../../jobs/job-lifecycle';
import type { EvaluationCell } from '@housing/ml';

/** A job's accuracy: the evaluation cells of its rows with an actual price (the holdout's format). */
export interface BatchJobEvaluation {
  dateColumn: string | null;
  regionColumn: string | null;
  cells: EvaluationCell[];
}

/**
 * One batch prediction job. The row is the durable record (it outlives Redis); the BullMQ job with
 * the same id only carries it through the queue. Its lifecycle columns (status, attempt fence,
 * counters, timings) are every job entity's (JobLifecycleColumns), written through JobAttempts.
 * A large input is scored in shards (BatchJobShardEntity), each its own queued child job.
 */
@Entity('batch_jobs')
@Index('IDX_batch_jobs_idempotency', ['apiKeyId', 'idempotencyKey'], { unique: true })
@Index('IDX_batch_jobs_status', ['status'])
@Index('IDX_batch_jobs_created', ['createdAt'])
export class BatchJobEntity extends JobLifecycleColumns {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

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
}
