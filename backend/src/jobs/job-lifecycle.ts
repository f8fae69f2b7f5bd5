import { Column } from 'typeorm';
import { epochMs, nullableEpochMs } from '../database/epoch-ms';

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINISHED_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];
export const UNFINISHED_STATUSES: readonly JobStatus[] = ['queued', 'running'];

/** How far an attempt got; a requeued job's counters start again from zero with its next attempt. */
export interface AttemptCounters {
  rowsRead: number;
  rowsDone: number;
  rowsFailed: number;
  bytesRead: number;
}

export const NO_COUNTERS: Readonly<AttemptCounters> = {
  rowsRead: 0,
  rowsDone: 0,
  rowsFailed: 0,
  bytesRead: 0,
};

/**
 * The lifecycle columns every queued job entity has (batch jobs, their shards, batch evaluations):
 * the row is the durable record, and `attemptId` fences attempts: every write by a worker is
 * conditional on it, so an attempt that lost the job (stalled, Redis restarted) cannot overwrite the
 * state of the attempt that took over. JobAttempts is the only writer of these columns in workers.
 */
export abstract class JobLifecycleColumns {
  @Column({ type: 'varchar', length: 20 })
  status: JobStatus;

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

  @Column({ type: 'integer', default: 0 })
  rowsRead: number;

  @Column({ type: 'integer', default: 0 })
  rowsDone: number;

  @Column({ type: 'integer', default: 0 })
  rowsFailed: number;

  @Column({ type: 'bigint', default: 0, transformer: epochMs })
  bytesRead: number;

  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ type: 'bigint', transformer: epochMs })
  updatedAt: number;

  @Column({ type: 'bigint', nullable: true, transformer: nullableEpochMs })
  startedAt: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: nullableEpochMs })
  finishedAt: number | null;
}
