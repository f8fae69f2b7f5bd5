import { Module } from '@nestjs/common';
import { ModelRegistryModule } from '../model-registry/model-registry.module';
import { DriftRecordingModule } from './drift-recording.module';
import { MonitoringController } from './monitoring.controller';
import { MonitoringService } from './monitoring.service';
import { DriftCloudWatchPublisher } from './drift-cloudwatch.publisher';

/**
 * Drift of what the platform scores against each model's training data: the API's endpoint and gauge;
 * in the worker (an application context: no routes) the CloudWatch drift metric.
 */
@Module({
  imports: [ModelRegistryModule, DriftRecordingModule],
  providers: [MonitoringService, DriftCloudWatchPublisher],
  controllers: [MonitoringController],
  exports: [MonitoringService],
})
export class MonitoringModule {}
