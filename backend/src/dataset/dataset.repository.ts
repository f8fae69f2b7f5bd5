import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { ModelVersionEntity } from '../model-registry/model-version.entity';
import { DatasetEntity } from './dataset.entity';

/** Persistence of datasets, behind named methods. */
@Injectable()
export class DatasetRepository {
  constructor(
    @InjectRepository(DatasetEntity) private readonly rows: Repository<DatasetEntity>,
    @InjectRepository(ModelVersionEntity) private readonly models: Repository<ModelVersionEntity>,
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

  /** Deletes the row; returns whether it existed. */
  async deleteById(id: string): Promise<boolean> {
    const result = await this.rows.delete({ id });
    return (result.affected ?? 0) > 0;
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
