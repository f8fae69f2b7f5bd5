import { Module } from '@nestjs/common';
import { ModelRegistryModule } from '../model-registry/model-registry.module';
import { CurrentModelController } from './current-model.controller';
import { InferenceService } from './inference.service';

@Module({
  imports: [ModelRegistryModule],
  providers: [InferenceService],
  controllers: [CurrentModelController],
  exports: [InferenceService],
})
export class InferenceModule {}
