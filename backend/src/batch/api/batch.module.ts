import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatasetModule } from '../../dataset/dataset.module';
import { ModelRegistryModule } from '../../model-registry/model-registry.module';
import { BatchEvaluationEntity } from '../shared/batch-evaluation.entity';
import { BatchEvaluationsController } from './batch-evaluations.controller';
import { BatchEvaluationsService } from './batch-evaluations.service';
import { BatchJobEntity } from '../shared/batch-job.entity';
import { BatchJobsController } from './batch-jobs.controller';
import { BatchJobsService } from './batch-jobs.service';
import { BatchQueueModule } from '../shared/batch-queue.module';

/** Batch jobs in the API process: /v1/batch-jobs and /v1/batch-evaluations (the workers run them). */
@Module({
  imports: [
    TypeOrmModule.forFeature([BatchJobEntity, BatchEvaluationEntity]),
    ModelRegistryModule,
    DatasetModule,
    BatchQueueModule,
  ],
  controllers: [BatchJobsController, BatchEvaluationsController],
  providers: [BatchJobsService, BatchEvaluationsService],
  exports: [BatchJobsService],
})
export class BatchModule {}
