import { Module, type DynamicModule } from '@nestjs/common';
import { BatchWorkerModule } from './batch/worker/batch-worker.module';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { InferenceModule } from './inference/inference.module';
import { MetricsModule } from './metrics/metrics.module';
import { ModelRegistryModule } from './model-registry/model-registry.module';
import { MonitoringModule } from './monitoring/monitoring.module';
import { RedisModule } from './redis/redis.module';
import { StorageModule } from './storage/storage.module';

/** The worker process: the API's infrastructure and model modules, minus HTTP, plus the batch worker. */
@Module({})
export class WorkerModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        StorageModule,
        MetricsModule,
        ModelRegistryModule,
        InferenceModule,
        BatchWorkerModule,
        MonitoringModule,
      ],
    };
  }
}
