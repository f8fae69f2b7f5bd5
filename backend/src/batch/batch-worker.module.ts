import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InferenceModule } from '../inference/inference.module';
import { DriftRecordingModule } from '../monitoring/drift-recording.module';
import { ModelRegistryModule } from '../model-registry/model-registry.module';
import { BatchEvaluationEntity } from './batch-evaluation.entity';
import { BatchJobEntity } from './batch-job.entity';
import { BatchQueueModule } from './batch-queue.module';
import { BatchReconciler } from './batch-reconciler.service';
import { BatchRowsMeter } from './batch-rows.meter';
import { BatchWorkerService } from './batch-worker.service';
import { MonthlyProcessor } from './monthly.processor';
import { PredictProcessor } from './predict.processor';
import { QueueDepthPublisher } from './queue-depth.publisher';

/** Batch jobs in a worker process: the BullMQ worker, its processors, the reconciler and the queue-depth report. */
@Module({
  imports: [
    TypeOrmModule.forFeature([BatchJobEntity, BatchEvaluationEntity]),
    ModelRegistryModule,
    InferenceModule,
    BatchQueueModule,
    DriftRecordingModule,
  ],
  providers: [
    PredictProcessor,
    MonthlyProcessor,
    BatchWorkerService,
    BatchReconciler,
    QueueDepthPublisher,
    BatchRowsMeter,
  ],
  exports: [BatchWorkerService, BatchReconciler, QueueDepthPublisher],
})
export class BatchWorkerModule {}
