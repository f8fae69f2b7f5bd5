import { In, type FindOptionsWhere, type Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import {
  NO_COUNTERS,
  UNFINISHED_STATUSES,
  type AttemptCounters,
  type JobLifecycleColumns,
  type JobStatus,
} from './job-lifecycle';

/** Who holds a job row now, as an attempt sees it. */
export type Holding = 'held' | 'cancelled' | 'lost';

type Fields<T> = QueryDeepPartialEntity<T>;

/**
 * The writes of a job's lifecycle, each a named, conditional update: `claim` takes an unfinished row
 * for a new attempt; `progress`, `update`, `complete`, `requeue` and `fail` change it only while that
 * attempt still holds it (status running, same attemptId) and say whether they did. The same methods
 * serve every job entity (batch jobs, shards, batch evaluations, training runs).
 */
export class JobAttempts<T extends JobLifecycleColumns & { id: string }> {
  constructor(private readonly repository: Repository<T>) {}

  private byId(id: string): FindOptionsWhere<T> {
    return { id } as FindOptionsWhere<T>;
  }

  private held(id: string, attemptId: string): FindOptionsWhere<T> {
    return { id, attemptId, status: 'running' } as FindOptionsWhere<T>;
  }

  private async set(where: FindOptionsWhere<T>, fields: Fields<T>): Promise<boolean> {
    const result = await this.repository.update(where, {
      ...fields,
      updatedAt: Date.now(),
    } as unknown as Fields<T>);
    return (result.affected ?? 0) > 0;
  }

  find(id: string): Promise<T | null> {
    return this.repository.findOneBy(this.byId(id));
  }

  /**
   * Takes an unfinished row for a new attempt (never a finished or cancelled one): status running,
   * counters from zero, attempts + 1. Returns the claimed row, or undefined when it was not claimable.
   */
  async claim(
    id: string,
    attempt: { attemptId: string; workerId: string; stalledCount?: number },
  ): Promise<T | undefined> {
    const now = Date.now();
    const claimed = await this.repository
      .createQueryBuilder()
      .update()
      .set({
        status: 'running',
        attemptId: attempt.attemptId,
        workerId: attempt.workerId,
        attempts: () => '"attempts" + 1',
        // Stalls are counted by BullMQ too: keep the larger of the two.
        ...(attempt.stalledCount !== undefined && {
          stalledCount: () =>
            `CASE WHEN "stalledCount" > ${Math.floor(attempt.stalledCount!)} THEN "stalledCount" ELSE ${Math.floor(attempt.stalledCount!)} END`,
        }),
        startedAt: () => `COALESCE("startedAt", ${now})`,
        updatedAt: now,
        ...NO_COUNTERS,
      } as unknown as Fields<T>)
      .where('id = :id AND status IN (:...statuses)', {
        id,
        statuses: UNFINISHED_STATUSES,
      })
      .execute();
    if (!claimed.affected) return undefined;
    const row = await this.find(id);
    return row?.attemptId === attempt.attemptId ? row : undefined;
  }

  /** Whether `attemptId` still holds the row, or it was cancelled, or another attempt (or nobody) has it. */
  async holding(id: string, attemptId: string): Promise<Holding> {
    const row = await this.repository.findOne({
      where: this.byId(id),
      select: { id: true, status: true, attemptId: true } as never,
    });
    if (row?.status === 'cancelled') return 'cancelled';
    return row?.attemptId === attemptId && row.status === 'running' ? 'held' : 'lost';
  }

  /** Counters (and any other progress fields) while the attempt holds the row. */
  progress(
    id: string,
    attemptId: string,
    counters: AttemptCounters,
    fields: Fields<T> = {},
  ): Promise<boolean> {
    return this.set(this.held(id, attemptId), { ...fields, ...counters } as unknown as Fields<T>);
  }

  /** Any of the entity's own fields, while the attempt holds the row (e.g. the model a run resolved). */
  update(id: string, attemptId: string, fields: Fields<T>): Promise<boolean> {
    return this.set(this.held(id, attemptId), fields);
  }

  complete(id: string, attemptId: string, fields: Fields<T>): Promise<boolean> {
    return this.set(this.held(id, attemptId), {
      ...fields,
      status: 'completed',
      error: null,
      finishedAt: Date.now(),
    } as unknown as Fields<T>);
  }

  /** Back to the queue: the next attempt reads from the start, so the counters start again. */
  requeue(id: string, attemptId: string, error: string): Promise<boolean> {
    return this.set(this.held(id, attemptId), {
      ...NO_COUNTERS,
      status: 'queued',
      error,
    } as unknown as Fields<T>);
  }

  /** Fails the job for good, keeping how far the attempt got. */
  fail(
    id: string,
    attemptId: string,
    error: string,
    counters: AttemptCounters,
    fields: Fields<T> = {},
  ): Promise<boolean> {
    return this.set(this.held(id, attemptId), {
      ...fields,
      ...counters,
      status: 'failed',
      error,
      finishedAt: Date.now(),
    } as unknown as Fields<T>);
  }

  /** A running row whose worker stopped renewing its lock goes back to queued (BullMQ requeued its job). */
  async markStalled(id: string, error: string): Promise<boolean> {
    const result = await this.repository
      .createQueryBuilder()
      .update()
      .set({
        status: 'queued',
        stalledCount: () => '"stalledCount" + 1',
        error,
        updatedAt: Date.now(),
      } as unknown as Fields<T>)
      .where('id = :id AND status = :status', { id, status: 'running' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Fails an unfinished row whatever attempt holds it (its queue job failed for good). */
  failUnfinished(id: string, error: string): Promise<boolean> {
    return this.set(
      { id, status: In([...UNFINISHED_STATUSES]) } as FindOptionsWhere<T>,
      {
        status: 'failed',
        error,
        finishedAt: Date.now(),
      } as unknown as Fields<T>,
    );
  }

  /** Cancels an unfinished row (the user asked); a running attempt sees it at its next checkpoint. */
  cancel(id: string, error: string): Promise<boolean> {
    return this.set(
      { id, status: In([...UNFINISHED_STATUSES]) } as FindOptionsWhere<T>,
      {
        status: 'cancelled',
        error,
        finishedAt: Date.now(),
      } as unknown as Fields<T>,
    );
  }

  /** Unfinished rows, oldest first (the reconciler's work list). */
  unfinished(limit: number): Promise<T[]> {
    return this.repository.find({
      where: { status: In([...UNFINISHED_STATUSES]) } as FindOptionsWhere<T>,
      order: { createdAt: 'ASC' } as never,
      take: limit,
    });
  }

  async statusOf(id: string): Promise<JobStatus | undefined> {
    const row = await this.repository.findOne({
      where: this.byId(id),
      select: { id: true, status: true } as never,
    });
    return row?.status;
  }
}
