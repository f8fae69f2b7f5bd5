import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { ProblemException, notFound } from '../../common/problem';
import { isForeignKeyViolation } from '../../database/constraint-errors';
import { RegistryService } from '../../model-registry/registry.service';
import { EVALUATION_JOB } from '../shared/batch.constants';
import { BatchEvaluationEntity } from '../shared/batch-evaluation.entity';
import { BatchJobsService, type BatchInputRef } from './batch-jobs.service';
import { BatchQueueService } from '../shared/batch-queue.service';

const isAdmin = (principal: Principal) => principal.scopes.includes('admin');

/** Monthly batch runs on the API side: trigger one now, list them, read one (the dashboard's data). */
@Injectable()
export class BatchEvaluationsService {
  private readonly logger = new Logger('BatchEvaluations');

  constructor(
    @InjectRepository(BatchEvaluationEntity) private readonly runs: Repository<BatchEvaluationEntity>,
    private readonly registry: RegistryService,
    private readonly jobs: BatchJobsService,
    private readonly queue: BatchQueueService,
  ) {}

  async create(input: BatchInputRef, principal: Principal): Promise<BatchEvaluationEntity> {
    const production = await this.registry.findProduction();
    if (!production) {
      throw new ProblemException(
        HttpStatus.CONFLICT,
        'no-production-model',
        'No model in production',
        'the monthly batch scores with the production model: promote one first',
      );
    }
    const { inputUri, datasetId, datasetSha256 } = await this.jobs.resolveInput(input, principal);
    const id = randomUUID();
    const now = Date.now();
    const row = this.runs.create({
      id,
      status: 'queued',
      source: 'api',
      apiKeyId: principal.keyId,
      queueJobId: id,
      inputUri,
      datasetId,
      datasetSha256,
      modelVersionId: production.id,
      modelName: production.name,
      modelVersion: production.version,
      rowsRead: 0,
      rowsDone: 0,
      rowsFailed: 0,
      attempts: 0,
      attemptId: null,
      files: null,
      summary: null,
      error: null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
    });
    try {
      await this.runs.insert(row);
    } catch (error) {
      // The dataset was deleted between the look-up and the insert: the foreign key refused the row.
      if (datasetId !== null && isForeignKeyViolation(error)) throw notFound(`no dataset ${datasetId}`);
      throw error;
    }
    try {
      await this.queue.add(EVALUATION_JOB, { kind: 'evaluation', evaluationId: id, inputUri }, id);
    } catch (error) {
      this.logger.warn(
        `monthly run ${id} recorded but not queued yet (${(error as Error).message}); the workers queue it when Redis answers`,
      );
    }
    return row;
  }

  /** Runs the caller may see: its own; every run (scheduled ones too) for admin keys. */
  async list(
    principal: Principal,
    query: { limit?: number; offset?: number },
  ): Promise<{ rows: BatchEvaluationEntity[]; total: number; limit: number; offset: number }> {
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const [rows, total] = await this.runs.findAndCount({
      where: isAdmin(principal) ? {} : { apiKeyId: principal.keyId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
    return { rows, total, limit, offset };
  }

  async get(principal: Principal, id: string): Promise<BatchEvaluationEntity> {
    const row = await this.runs.findOneBy({ id });
    if (!row || (!isAdmin(principal) && row.apiKeyId !== principal.keyId))
      throw notFound(`batch evaluation ${id} does not exist`);
    return row;
  }
}
