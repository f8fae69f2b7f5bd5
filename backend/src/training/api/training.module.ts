import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatasetModule } from '../../dataset/dataset.module';
import { ModelRegistryModule } from '../../model-registry/model-registry.module';
import { TrainingQueueModule } from '../shared/training-queue.module';
import { TrainingRunEntity } from '../shared/training-run.entity';
import { TrainingRunsRepository } from '../shared/training-runs.repository';
import { RunComparisonController } from './run-comparison.controller';
import { RunComparisonService } from './run-comparison.service';
import { TrainingRunsController } from './training-runs.controller';
import { TrainingRunsService } from './training-runs.service';
import { TrainingUploadForms } from './training-upload-forms';

/** Training runs in the API process: /v1/training-runs (the training workers run them). */
@Module({
  imports: [TypeOrmModule.forFeature([TrainingRunEntity]), ModelRegistryModule, DatasetModule, TrainingQueueModule],
  controllers: [RunComparisonController, TrainingRunsController],
  providers: [RunComparisonService, TrainingRunsService, TrainingRunsRepository, TrainingUploadForms],
})
export class TrainingModule {}
