import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { EvaluationCell } from '@housing/ml';
import { epochMs } from '../../database/epoch-ms';
import { JobLifecycleColumns } from '../../jobs/job-lifecycle';

/**
 * A byte range of a large batch job's input (whole lines), scored by any free worker as a BullMQ child
 * job of the batch job. Its result and errors parts are published under the job's prefix only by the
 * attempt that holds the shard row (the same fencing as a job), and the job assembles them in order.
 */
@Entity('batch_job_shards')
@Index('IDX_batch_job_shards_job', ['jobId', 'position'], { unique: true })
export class BatchJobShardEntity extends JobLifecycleColumns {
  /** `<job id>.shard-<index>`: also the id of its BullMQ job. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 36 })
  jobId: string;

  /** 0-based position in the input. */
  @Column({ type: 'integer' })
  position: number;

  /** First byte of the shard in the input (the first shard starts at 0 and includes the header). */
  @Column({ type: 'bigint', transformer: epochMs })
  startByte: number;

  /** One past its last byte. */
  @Column({ type: 'bigint', transformer: epochMs })
  endByte: number;

  /** The input line number of its first data row (1-based, as in the errors file). */
  @Column({ type: 'integer' })
  firstLine: number;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  resultKey: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  errorsKey: string | null;

  /** The shard stopped early because the job's rejected share passed the threshold (its parts hold what it read). */
  @Column({ type: 'boolean', default: false })
  stoppedEarly: boolean;

  /** Scored rows' warnings by kind. */
  @Column({ type: 'simple-json', nullable: true })
  warnings: Record<string, number> | null;

  /** Actual vs predicted by (month, region) of its rows with an actual price. */
  @Column({ type: 'simple-json', nullable: true })
  cells: EvaluationCell[] | null;
}
