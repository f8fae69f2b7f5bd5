import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { InferenceModule } from '../inference/inference.module';
import { BatchQueueModule } from '../batch/shared/batch-queue.module';
import { HealthController } from './health.controller';
import { ReadinessService } from './readiness.service';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), InferenceModule, BatchQueueModule],
  controllers: [HealthController],
  providers: [ReadinessService],
})
export class HealthModule {}
