import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { MetricsModule } from './metrics/metrics.module';
import { ModelRegistryModule } from './model-registry/model-registry.module';
import { RedisModule } from './redis/redis.module';
import { StorageModule } from './storage/storage.module';
import { TrainingWorkerModule as TrainingRunsWorkerModule } from './training/worker/training-worker.module';

/**
 * The training-worker process: the infrastructure modules and the registry, plus the training worker.
 * Its own process kind, so training never takes CPU or event-loop time from batch scoring or the API.
 */
@Module({})
export class TrainingWorkerModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: TrainingWorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        StorageModule,
        MetricsModule,
        ModelRegistryModule,
        TrainingRunsWorkerModule,
      ],
    };
  }
}
