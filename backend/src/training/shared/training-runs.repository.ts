import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, type FindOptionsWhere } from 'typeorm';
import { JobAttempts } from '../../jobs/job-attempts.repository';
import { UNFINISHED_STATUSES, type JobStatus } from './training.constants';
import { TrainingRunEntity } from './training-run.entity';

/** Training run rows: the lifecycle writes (JobAttempts) plus the API's reads and inserts. */
@Injectable()
export class TrainingRunsRepository {
  readonly attempts: JobAttempts<TrainingRunEntity>;

  constructor(@InjectRepository(TrainingRunEntity) private readonly rows: Repository<TrainingRunEntity>) {
    this.attempts = new JobAttempts(rows);
  }

  async insert(row: Partial<TrainingRunEntity> & Pick<TrainingRunEntity, 'id'>): Promise<TrainingRunEntity> {
    const now = Date.now();
    const entity = this.rows.create({
      status: 'queued',
      attempts: 0,
      stalledCount: 0,
      rowsRead: 0,
      rowsDone: 0,
      rowsFailed: 0,
      bytesRead: 0,
      createdAt: now,
      updatedAt: now,
      ...row,
    });
    await this.rows.save(entity);
    return (await this.find(row.id))!;
  }

  find(id: string): Promise<TrainingRunEntity | null> {
    return this.rows.findOneBy({ id });
  }

  /** The run whose package was registered as this model version (promotion evidence reads its holdout). */
  findByModelVersionId(modelVersionId: string): Promise<TrainingRunEntity | null> {
    return this.rows.findOne({ where: { modelVersionId }, order: { createdAt: 'DESC' } });
  }

  /** The runs of these ids that exist (any order; a missing id is simply absent). */
  findByIds(ids: string[]): Promise<TrainingRunEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.rows.findBy({ id: In(ids) });
  }

  /** Newest first; `apiKeyId` set: that key's runs only. */
  async list(filter: {
    apiKeyId?: string;
    status?: JobStatus;
    specName?: string;
    limit: number;
    offset: number;
  }): Promise<{ rows: TrainingRunEntity[]; total: number }> {
    const where: FindOptionsWhere<TrainingRunEntity> = {
      ...(filter.apiKeyId !== undefined && { apiKeyId: filter.apiKeyId }),
      ...(filter.status !== undefined && { status: filter.status }),
      ...(filter.specName !== undefined && { specName: filter.specName }),
    };
    const [rows, total] = await this.rows.findAndCount({
      where,
      order: { createdAt: 'DESC', id: 'DESC' },
      take: filter.limit,
      skip: filter.offset,
    });
    return { rows, total };
  }

  /** Cancels an unfinished run (the user asked); false when it had finished meanwhile. */
  cancel(id: string, reason: string): Promise<boolean> {
    return this.attempts.cancel(id, reason);
  }

  /** Live progress while `attemptId` holds the run. */
  progress(id: string, attemptId: string, fields: Partial<TrainingRunEntity>): Promise<boolean> {
    return this.attempts.update(id, attemptId, fields as never);
  }

  /**
   * The log of an attempt that ended, whatever the run's status now (a cancelled run keeps its log):
   * written only while the row still names that attempt.
   */
  async keepLog(
    id: string,
    attemptId: string,
    fields: Pick<Partial<TrainingRunEntity>, 'logKey' | 'logTail' | 'durationMs'>,
  ): Promise<boolean> {
    const result = await this.rows.update({ id, attemptId }, { ...fields, updatedAt: Date.now() } as never);
    return (result.affected ?? 0) > 0;
  }

  unfinished(limit: number): Promise<TrainingRunEntity[]> {
    return this.rows.find({
      where: { status: In([...UNFINISHED_STATUSES]) },
      order: { createdAt: 'ASC' },
      take: limit,
    });
  }
}
