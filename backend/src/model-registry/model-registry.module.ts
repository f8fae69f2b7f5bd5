import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ArtifactSweeper } from './artifact-sweeper';
import { ModelAliasEntity, ModelStageChangeEntity, ModelVersionEntity } from './model-version.entity';
import { ModelEvents } from './model-events';
import { RegistryController } from './registry.controller';
import { RegistryService } from './registry.service';
import { PromotionGate } from './promotion-gate';

@Module({
  imports: [TypeOrmModule.forFeature([ModelVersionEntity, ModelStageChangeEntity, ModelAliasEntity])],
  providers: [RegistryService, ModelEvents, ArtifactSweeper, PromotionGate],
  controllers: [RegistryController],
  exports: [RegistryService, ModelEvents, ArtifactSweeper, PromotionGate],
})
export class ModelRegistryModule {}
