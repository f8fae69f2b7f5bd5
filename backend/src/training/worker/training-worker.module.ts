import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ModelRegistryModule } from '../../model-registry/model-registry.module';
import { TrainingQueueModule } from '../shared/training-queue.module';
import { TrainingRunEntity } from '../shared/training-run.entity';
import { TrainingRunsRepository } from '../shared/training-runs.repository';
import { TrainingProcessor } from './training.processor';
import { TrainingReconciler } from './training-reconciler.service';
import { TrainingWorkerService } from './training-worker.service';
import { TrainingQueueMetrics } from './training-queue-metrics';
import { TrainingRunMeter } from './training-run.meter';

/** Training runs in a training-worker process: the BullMQ worker, its processor and its metrics, the reconciler and the depth report. */
@Module({
  imports: [TypeOrmModule.forFeature([TrainingRunEntity]), ModelRegistryModule, TrainingQueueModule],
  providers: [
    TrainingRunsRepository,
    TrainingRunMeter,
    TrainingProcessor,
    TrainingWorkerService,
    TrainingReconciler,
    TrainingQueueMetrics,
  ],
  exports: [TrainingWorkerService, TrainingReconciler, TrainingQueueMetrics],
})
export class TrainingWorkerModule {}
