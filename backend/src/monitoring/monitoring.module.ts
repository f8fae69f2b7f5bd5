import { Module } from '@nestjs/common';
import { ModelRegistryModule } from '../model-registry/model-registry.module';
import { DriftRecordingModule } from './drift-recording.module';
import { MonitoringController } from './monitoring.controller';
import { MonitoringService } from './monitoring.service';

/** The API's monitoring endpoints: drift of what the platform scores against each model's training data. */
@Module({
  imports: [ModelRegistryModule, DriftRecordingModule],
  providers: [MonitoringService],
  controllers: [MonitoringController],
  exports: [MonitoringService],
})
export class MonitoringModule {}
