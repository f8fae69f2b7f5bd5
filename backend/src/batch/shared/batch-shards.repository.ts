import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Not, Repository } from 'typeorm';
import { JobAttempts } from '../../jobs/job-attempts.repository';
import { FINISHED_STATUSES, NO_COUNTERS, type AttemptCounters } from '../../jobs/job-lifecycle';
import { BatchJobShardEntity } from './batch-job-shard.entity';
import { BatchJobEntity } from './batch-job.entity';

export interface ShardTotals extends AttemptCounters {
  /** A shard stopped early: the job's rejected share passed its limit. */
  stoppedEarly: boolean;
}

/** The shard ranges a job's input is split into. */
export interface PlannedShard {
  position: number;
  startByte: number;
  endByte: number;
  firstLine: number;
}

export const shardIdOf = (jobId: string, position: number) => `${jobId}.shard-${position}`;

/**
 * The shards of large batch jobs: their lifecycle through JobAttempts (`attempts`), and the job-level
 * reads and writes: planning them, the job's totals over its shards, and those totals on the job's row.
 */
@Injectable()
export class BatchShardsRepository {
  readonly attempts: JobAttempts<BatchJobShardEntity>;

  constructor(
    @InjectRepository(BatchJobShardEntity) private readonly shards: Repository<BatchJobShardEntity>,
    @InjectRepository(BatchJobEntity) private readonly jobs: Repository<BatchJobEntity>,
  ) {
    this.attempts = new JobAttempts(shards);
  }

  /**
   * Records the shards of a job. A finished shard with the same range is kept (a job split again after
   * Redis lost it reuses its published parts); any other is (re)set to queued.
   */
  async plan(jobId: string, planned: readonly PlannedShard[]): Promise<BatchJobShardEntity[]> {
    const existing = new Map((await this.ofJob(jobId)).map((s) => [s.position, s]));
    const now = Date.now();
    for (const p of planned) {
      const id = shardIdOf(jobId, p.position);
      const old = existing.get(p.position);
      if (old?.status === 'completed' && old.startByte === p.startByte && old.endByte === p.endByte) continue;
      const row = {
        id,
        jobId,
        ...p,
        ...NO_COUNTERS,
        status: 'queued' as const,
        attemptId: null,
        error: null,
        resultKey: null,
        errorsKey: null,
        stoppedEarly: false,
        warnings: null,
        cells: null,
        finishedAt: null,
        updatedAt: now,
      };
      if (old) await this.shards.update({ id }, row);
      else await this.shards.insert({ ...row, attempts: 0, stalledCount: 0, createdAt: now });
    }
    const positions = new Set(planned.map((p) => p.position));
    for (const old of existing.values())
      if (!positions.has(old.position)) await this.shards.delete({ id: old.id });
    return this.ofJob(jobId);
  }

  ofJob(jobId: string): Promise<BatchJobShardEntity[]> {
    return this.shards.find({ where: { jobId }, order: { position: 'ASC' } });
  }

  /** The job's counters over its shards, `own` standing in for the calling shard's row. */
  async totals(jobId: string, shardId: string, own: AttemptCounters): Promise<ShardTotals> {
    const others = await this.shards.find({
      where: { jobId, id: Not(shardId) },
      select: {
        id: true,
        rowsRead: true,
        rowsDone: true,
        rowsFailed: true,
        bytesRead: true,
        stoppedEarly: true,
      },
    });
    const totals: ShardTotals = { ...own, stoppedEarly: false };
    for (const s of others) {
      totals.rowsRead += s.rowsRead;
      totals.rowsDone += s.rowsDone;
      totals.rowsFailed += s.rowsFailed;
      totals.bytesRead += s.bytesRead;
      totals.stoppedEarly ||= s.stoppedEarly;
    }
    return totals;
  }

  /** Writes the totals on the job's row while it is running (false: cancelled or finished meanwhile). */
  async reportToJob(jobId: string, totals: AttemptCounters): Promise<boolean> {
    const { rowsRead, rowsDone, rowsFailed, bytesRead } = totals;
    const result = await this.jobs.update(
      { id: jobId, status: 'running' },
      { rowsRead, rowsDone, rowsFailed, bytesRead, updatedAt: Date.now() },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Jobs that finished (completed, failed, cancelled) but still have shard rows: their parts can go. */
  async finishedJobsWithShards(limit: number): Promise<string[]> {
    const rows = await this.shards
      .createQueryBuilder('shard')
      .select('DISTINCT shard.jobId', 'jobId')
      .innerJoin(BatchJobEntity, 'job', 'job.id = shard.jobId')
      .where('job.status IN (:...finished)', { finished: FINISHED_STATUSES })
      .limit(limit)
      .getRawMany<{ jobId: string }>();
    return rows.map((r) => r.jobId);
  }

  /** Forgets a job's shards (its parts were assembled or it finished otherwise). */
  async deleteOfJob(jobId: string): Promise<void> {
    await this.shards.delete({ jobId });
  }
}
