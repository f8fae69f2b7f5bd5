import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InferenceModule } from '../../inference/inference.module';
import { DriftRecordingModule } from '../../monitoring/drift-recording.module';
import { ModelRegistryModule } from '../../model-registry/model-registry.module';
import { BatchEvaluationEntity } from '../shared/batch-evaluation.entity';
import { BatchJobEntity } from '../shared/batch-job.entity';
import { BatchQueueModule } from '../shared/batch-queue.module';
import { BatchReconciler } from './batch-reconciler.service';
import { BatchRowsMeter } from './batch-rows.meter';
import { BatchWorkerService } from './batch-worker.service';
import { BatchEvaluationProcessor } from './batch-evaluation.processor';
import { ShardProcessor } from './shard.processor';
import { BatchShardsRepository } from '../shared/batch-shards.repository';
import { BatchJobShardEntity } from '../shared/batch-job-shard.entity';
import { PredictProcessor } from './predict.processor';
import { QueueDepthPublisher } from './queue-depth.publisher';

/** Batch jobs in a worker process: the BullMQ worker, its processors, the reconciler and the queue-depth report. */
@Module({
  imports: [
    TypeOrmModule.forFeature([BatchJobEntity, BatchJobShardEntity, BatchEvaluationEntity]),
    ModelRegistryModule,
    InferenceModule,
    BatchQueueModule,
    DriftRecordingModule,
  ],
  providers: [
    PredictProcessor,
    ShardProcessor,
    BatchEvaluationProcessor,
    BatchShardsRepository,
    BatchWorkerService,
    BatchReconciler,
    QueueDepthPublisher,
    BatchRowsMeter,
  ],
  exports: [BatchWorkerService, BatchReconciler, QueueDepthPublisher],
})
export class BatchWorkerModule {}
