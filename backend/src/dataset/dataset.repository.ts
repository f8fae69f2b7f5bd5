import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { BatchEvaluationEntity } from '../batch/shared/batch-evaluation.entity';
import { isForeignKeyViolation } from '../database/constraint-errors';
import { ModelVersionEntity } from '../model-registry/model-version.entity';
import { DatasetEntity } from './dataset.entity';

/** Persistence of datasets, behind named methods. */
@Injectable()
export class DatasetRepository {
  constructor(
    @InjectRepository(DatasetEntity) private readonly rows: Repository<DatasetEntity>,
    @InjectRepository(ModelVersionEntity) private readonly models: Repository<ModelVersionEntity>,
    @InjectRepository(BatchEvaluationEntity)
    private readonly evaluations: Repository<BatchEvaluationEntity>,
  ) {}

  /** Inserts `row`; returns false when a dataset with the same sha256 exists (unique index). */
  async insertUnlessDuplicate(row: DatasetEntity): Promise<boolean> {
    try {
      await this.rows.insert(row);
      return true;
    } catch (error) {
      if (error instanceof QueryFailedError && isUniqueViolation(error)) return false;
      throw error;
    }
  }

  findById(id: string): Promise<DatasetEntity | null> {
    return this.rows.findOneBy({ id });
  }

  findBySha256(sha256: string): Promise<DatasetEntity | null> {
    return this.rows.findOneBy({ sha256 });
  }

  async listNewestFirst(limit: number, offset: number): Promise<{ rows: DatasetEntity[]; total: number }> {
    const [rows, total] = await this.rows.findAndCount({
      order: { createdAt: 'DESC', id: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { rows, total };
  }

  /**
   * Model versions trained on this dataset: their manifest lineage records the training file's sha256
   * (stored JSON in `lineage`, written by JSON.stringify, so the pair appears verbatim).
   */
  async modelVersionsTrainedOn(sha256: string): Promise<Array<{ name: string; version: number }>> {
    const rows = await this.models
      .createQueryBuilder('m')
      .select(['m.name', 'm.version'])
      .where('m.lineage LIKE :pattern', { pattern: `%"datasetSha256":"${sha256}"%` })
      .orderBy('m.name')
      .addOrderBy('m.version')
      .getMany();
    return rows.map((r) => ({ name: r.name, version: r.version }));
  }

  /** Ids of the batch evaluations that scored this dataset (at most `limit`), oldest first. */
  async batchEvaluationsOn(id: string, limit = 5): Promise<string[]> {
    const rows = await this.evaluations.find({
      select: { id: true },
      where: { datasetId: id },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: limit,
    });
    return rows.map((r) => r.id);
  }

  /**
   * Deletes the row; returns whether it existed, or 'referenced' when a batch evaluation's foreign key
   * refused it (one inserted after the caller's check).
   */
  async deleteById(id: string): Promise<boolean | 'referenced'> {
    try {
      const result = await this.rows.delete({ id });
      return (result.affected ?? 0) > 0;
    } catch (error) {
      if (isForeignKeyViolation(error)) return 'referenced';
      throw error;
    }
  }
}

function isUniqueViolation(error: QueryFailedError): boolean {
  const driver = error.driverError as { code?: string; message?: string } | undefined;
  // Postgres 23505; SQLite SQLITE_CONSTRAINT_UNIQUE (better-sqlite3) or the message.
  return (
    driver?.code === '23505' ||
    driver?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(driver?.message ?? error.message)
  );
}
