import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ModelRegistryModule } from '../../model-registry/model-registry.module';
import { TrainingQueueModule } from '../shared/training-queue.module';
import { TrainingRunEntity } from '../shared/training-run.entity';
import { TrainingRunsRepository } from '../shared/training-runs.repository';
import { TrainingProcessor } from './training.processor';
import { TrainingReconciler } from './training-reconciler.service';
import { TrainingWorkerService } from './training-worker.service';

/** Training runs in a training-worker process: the BullMQ worker, its processor and the reconciler. */
@Module({
  imports: [TypeOrmModule.forFeature([TrainingRunEntity]), ModelRegistryModule, TrainingQueueModule],
  providers: [TrainingRunsRepository, TrainingProcessor, TrainingWorkerService, TrainingReconciler],
  exports: [TrainingWorkerService, TrainingReconciler],
})
export class TrainingWorkerModule {}
