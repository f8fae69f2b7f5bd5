import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import type { AppConfig } from './config/config';
import { DatabaseModule } from './database/database.module';
import { StorageModule } from './storage/storage.module';
import { AuthModule } from './auth/auth.module';
import { MetricsModule } from './metrics/metrics.module';
import { ModelRegistryModule } from './model-registry/model-registry.module';
import { InferenceModule } from './inference/inference.module';
import { PredictionModule } from './prediction/prediction.module';
import { HealthModule } from './health/health.module';
import { RedisModule } from './redis/redis.module';
import { BatchModule } from './batch/api/batch.module';
import { DatasetModule } from './dataset/dataset.module';
import { MonitoringModule } from './monitoring/monitoring.module';
import { TrainingModule } from './training/api/training.module';
import { PromotionModule } from './promotion/promotion.module';

/** The HTTP API process: every capability module over the shared infrastructure modules. */
@Module({})
export class AppModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        StorageModule,
        MetricsModule,
        AuthModule,
        ModelRegistryModule,
        InferenceModule,
        PredictionModule,
        BatchModule,
        DatasetModule,
        MonitoringModule,
        TrainingModule,
        PromotionModule,
        HealthModule,
      ],
    };
  }
}
